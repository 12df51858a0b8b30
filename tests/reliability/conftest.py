"""Fixtures for the reliability and security tests: the test world and an in-process API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit.http import Api, serve_in_process
from testkit.world import World, build_world

from governance_engine.persistence.database import Database


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


@pytest.fixture
def api(world: World, database_url: str, tmp_path: Path) -> Iterator[Api]:
    with serve_in_process(world, database_url, tmp_path / "keys" / "signing.pem") as client:
        yield client
