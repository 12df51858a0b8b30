"""The workflow catalog: every lifecycle version a proposal may be running on.

Built once at start from the YAML files (the bundled ones, and the operator's from
``GOVERNANCE_WORKFLOWS_DIR``, which replace bundled ones of the same name) and the snapshots
stored in the database. A proposal records the workflow name and version it was filed under,
and the definition of that version is stored the first time a proposal uses it; editing or
replacing a YAML file later never changes a proposal already in flight. Changing a file
without bumping its version is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from governance_engine.errors import ConfigurationError, NotFound
from governance_engine.lifecycle import (
    WorkflowDefinition,
    WorkflowMachine,
    WorkflowRegistry,
    load_bundled,
    load_workflows,
)
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import WorkflowVersion
from governance_engine.persistence.repositories import proposals as repository


class WorkflowCatalog:
    """Shared, immutable machines by (name, version); safe to use from many threads."""

    def __init__(self, definitions: Iterable[WorkflowDefinition]) -> None:
        self._registry = WorkflowRegistry.from_definitions(definitions)
        self._lock = threading.Lock()

    @classmethod
    def bundled(cls) -> WorkflowCatalog:
        return cls(load_bundled())

    @classmethod
    def configured(cls, workflows_dir: Path | None) -> WorkflowCatalog:
        """The bundled workflows and the operator's from ``workflows_dir`` (which replace
        bundled ones of the same name); WorkflowDefinitionError lists every problem."""
        return cls(load_workflows(workflows_dir))

    @classmethod
    def at_start(cls, database: Database, workflows_dir: Path | None) -> WorkflowCatalog:
        """The configured catalog with every version stored in ``database``: what ``serve``,
        the app, ``tick`` and ``demo`` run on. Refuses a file changed without a new version."""
        catalog = cls.configured(workflows_dir)
        with database.reader() as session:
            catalog.load_stored(session)
        return catalog

    @property
    def registry(self) -> WorkflowRegistry:
        return self._registry

    def load_stored(self, session: Session) -> None:
        """Add every version stored in the database; refuse a file changed without a new version."""
        for stored in repository.all_workflow_versions(session):
            self._adopt(stored)

    def for_kind(self, kind: str) -> WorkflowMachine:
        return self._registry.for_kind(kind)

    def machine(self, session: Session, name: str, version: int) -> WorkflowMachine:
        """The machine a proposal runs on, from the files or from its stored snapshot."""
        try:
            return self._registry.get(name, version)
        except NotFound:
            stored = repository.workflow_version(session, name, version)
            if stored is None:
                raise
            return self._adopt(stored)

    def record(self, session: Session, machine: WorkflowMachine, *, at: datetime) -> None:
        """Store the definition a new proposal is filed under (once per version)."""
        definition = machine.definition
        stored = repository.workflow_version(session, definition.name, definition.version)
        if stored is None:
            try:
                with session.begin_nested():
                    session.add(
                        WorkflowVersion(
                            name=definition.name,
                            version=definition.version,
                            kind=definition.kind,
                            digest=definition.digest(),
                            definition=definition.to_dict(),
                            created_at=at,
                        )
                    )
                return
            except IntegrityError:  # another process stored it first
                stored = repository.workflow_version(session, definition.name, definition.version)
                if stored is None:
                    raise
        _require_unchanged(stored, definition)

    def _adopt(self, stored: WorkflowVersion) -> WorkflowMachine:
        with self._lock:
            try:
                loaded = self._registry.get(stored.name, stored.version)
            except NotFound:
                definition = WorkflowDefinition.from_dict(
                    stored.definition, source=f"stored workflow {stored.name} v{stored.version}"
                )
                self._registry = self._registry.with_definition(definition)
                return self._registry.get(stored.name, stored.version)
        _require_unchanged(stored, loaded.definition)
        return loaded


def _require_unchanged(stored: WorkflowVersion, definition: WorkflowDefinition) -> None:
    if stored.digest != definition.digest():
        raise ConfigurationError(
            f"workflow {definition.name} version {definition.version} differs from the version "
            "proposals were filed under: give the changed file a new version number"
        )
