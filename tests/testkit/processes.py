"""Run a function in several real processes at once and collect what each returns."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def run_in_processes(
    function: Callable[..., Any], argument_lists: Sequence[tuple[Any, ...]]
) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(argument_lists), mp_context=context) as pool:
        futures = [pool.submit(function, *arguments) for arguments in argument_lists]
        return [future.result(timeout=300) for future in futures]
