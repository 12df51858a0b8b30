"""Every workflow version the process knows, each with its one shared machine.

Built once at start from the bundled files. A proposal names the workflow version it started
on; when that version is no longer in the files (the YAML moved on), the services add the
definition stored with the proposal via ``with_definition``, which never replaces a version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from governance_engine.errors import NotFound, WorkflowDefinitionError
from governance_engine.lifecycle.definition import WorkflowDefinition
from governance_engine.lifecycle.machine import WorkflowMachine


class WorkflowRegistry:
    """Immutable lookups of ``WorkflowMachine`` by name and version, or by proposal kind."""

    def __init__(self, machines: Mapping[tuple[str, int], WorkflowMachine]) -> None:
        self._machines: Mapping[tuple[str, int], WorkflowMachine] = MappingProxyType(
            dict(sorted(machines.items()))
        )

    @classmethod
    def from_definitions(cls, definitions: Iterable[WorkflowDefinition]) -> WorkflowRegistry:
        """One machine per (name, version); the same version twice must be the same definition."""
        machines: dict[tuple[str, int], WorkflowMachine] = {}
        for definition in definitions:
            key = (definition.name, definition.version)
            existing = machines.get(key)
            if existing is None:
                machines[key] = WorkflowMachine(definition)
            else:
                _require_same(existing.definition, definition)
        return cls(machines)

    def with_definition(self, definition: WorkflowDefinition) -> WorkflowRegistry:
        """This registry plus ``definition`` (typically an older version from a stored snapshot).

        Returns ``self`` when the version is already here with the same content, so calling it
        for every request costs no machine. Building is not free: keep the returned registry.
        """
        existing = self._machines.get((definition.name, definition.version))
        if existing is not None:
            _require_same(existing.definition, definition)
            return self
        machines = dict(self._machines)
        machines[(definition.name, definition.version)] = WorkflowMachine(definition)
        return WorkflowRegistry(machines)

    def get(self, name: str, version: int) -> WorkflowMachine:
        machine = self._machines.get((name, version))
        if machine is None:
            known = ", ".join(str(v) for n, v in self._machines if n == name)
            detail = f"known versions: {known}" if known else "no such workflow"
            raise NotFound(f"workflow {name} v{version} is not loaded ({detail})")
        return machine

    def latest(self, name: str) -> WorkflowMachine:
        versions = [v for n, v in self._machines if n == name]
        if not versions:
            raise NotFound(
                f"no workflow named {name!r} (known: {', '.join(self.names()) or 'none'})"
            )
        return self._machines[(name, max(versions))]

    def for_kind(self, kind: str) -> WorkflowMachine:
        """The latest version of the workflow serving ``kind``.

        When several workflows serve one kind, the one named after the kind is the default.
        """
        names = sorted({machine.name for machine in self.all() if machine.definition.kind == kind})
        if not names:
            raise NotFound(f"no workflow serves proposals of kind {kind!r}")
        if len(names) > 1 and kind not in names:
            raise NotFound(
                f"several workflows serve kind {kind!r} ({', '.join(names)}) and none is named "
                f"{kind!r}; choose one by name"
            )
        return self.latest(kind if kind in names else names[0])

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._machines})

    def all(self) -> list[WorkflowMachine]:
        """Every loaded version, by name then version."""
        return list(self._machines.values())

    def __len__(self) -> int:
        return len(self._machines)


def _require_same(loaded: WorkflowDefinition, other: WorkflowDefinition) -> None:
    """A workflow version is immutable: changing a file must come with a new version number."""
    if loaded.digest() != other.digest():
        raise WorkflowDefinitionError(
            [
                f"{other.label}: version: differs from the loaded {loaded.label} "
                f"(digest {other.digest()[:12]} != {loaded.digest()[:12]}); "
                f"a changed workflow needs a new version number"
            ]
        )
