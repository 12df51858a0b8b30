"""Taking an action in memory on the shared machine, against a bare ``transitions.Machine``.

Project: ``WorkflowMachine(definition).fire(state, action, facts)`` (availability check, a
throw-away holder, guards). Baseline: a ``transitions.Machine`` with the same states and
transitions but no guards, firing the same action on a plain model whose state is reset
before each fire. Also times building every workflow at start-up (``load_bundled()`` and
``WorkflowRegistry.from_definitions``).

    python benchmarks/lifecycle.py [--fires 50000] [--builds 5]

Targets: project time per fire <= 1.5x the bare time; start-up build < 200 ms. Exit 1 if missed.
"""

from __future__ import annotations

import argparse
import sys
import time

import _setup
from transitions import Machine

from governance_engine.lifecycle import (
    ProposalFacts,
    WorkflowMachine,
    WorkflowRegistry,
    load_bundled,
)

FIRE_TARGET = 1.5
BUILD_TARGET_MS = 200.0
FACTS = ProposalFacts(revision_count=1, open_ballot=False, passed_on_current_revision=frozenset())


class PlainModel:
    def __init__(self, state: str) -> None:
        self.state = state


def first_unguarded_action(machine: WorkflowMachine) -> tuple[str, str]:
    """An action (and its source) that these facts allow: the same work on both sides."""
    for state in machine.definition.states:
        for action in machine.available_actions(state):
            if not machine.failed_guards(state, action.name, FACTS):
                return state, action.name
    raise SystemExit(f"no action of {machine.name} can be fired with {FACTS}")


def bare_machine(machine: WorkflowMachine, model: PlainModel) -> Machine:
    definition = machine.definition
    return Machine(
        model=model,
        states=list(definition.states),
        initial=model.state,
        transitions=[
            {"trigger": action.name, "source": list(action.sources), "dest": action.dest}
            for action in definition.actions.values()
        ],
        auto_transitions=False,
    )


def time_fires(machine: WorkflowMachine, state: str, action: str, fires: int) -> float:
    fire = machine.fire
    began = time.perf_counter()
    for _ in range(fires):
        fire(state, action, FACTS)
    return time.perf_counter() - began


def time_bare(machine: WorkflowMachine, state: str, action: str, fires: int) -> float:
    model = PlainModel(state)
    bare_machine(machine, model)
    trigger = getattr(model, action)
    began = time.perf_counter()
    for _ in range(fires):
        model.state = state
        trigger()
    return time.perf_counter() - began


def time_build() -> float:
    began = time.perf_counter()
    WorkflowRegistry.from_definitions(load_bundled())
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fires", type=int, default=50_000, help="fires per workflow per side")
    parser.add_argument("--builds", type=int, default=5, help="start-up builds to time")
    args = parser.parse_args(argv)

    first_build = time_build()  # the cold one: imports done, YAML parsed for the first time
    builds = [time_build() for _ in range(args.builds)]
    ok = True
    print(f"lifecycle: {args.fires} fires per workflow per side; {_setup.environment_line()}")
    for definition in load_bundled():
        machine = WorkflowMachine(definition)
        state, action = first_unguarded_action(machine)
        time_fires(machine, state, action, 1000)  # warm-up
        time_bare(machine, state, action, 1000)
        # Interleaved rounds, best of each: a busy neighbour hits both sides alike.
        project_times, bare_times = [], []
        for _ in range(5):
            project_times.append(time_fires(machine, state, action, args.fires // 5))
            bare_times.append(time_bare(machine, state, action, args.fires // 5))
        project, bare = min(project_times) * 5, min(bare_times) * 5
        ratio = project / bare
        passed = ratio <= FIRE_TARGET
        ok &= passed
        print(
            f"  {definition.label:14} {state}--{action}->: "
            f"project {project / args.fires * 1e6:6.2f} us/fire, "
            f"bare transitions {bare / args.fires * 1e6:6.2f} us/fire, "
            f"ratio {ratio:.2f} (target <= {FIRE_TARGET})  {_setup.verdict(passed)}"
        )
    build_ms = _setup.median(builds) * 1000
    build_ok = first_build * 1000 < BUILD_TARGET_MS and build_ms < BUILD_TARGET_MS
    ok &= build_ok
    print(
        f"  start-up build (load_bundled + from_definitions): first {first_build * 1000:.1f} ms,"
        f" median of {args.builds} {build_ms:.1f} ms (target < {BUILD_TARGET_MS:.0f} ms)"
        f"  {_setup.verdict(build_ok)}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
