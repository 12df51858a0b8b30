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

from governance_engine.errors import ConfigurationError, InvalidInput, NotFound
from governance_engine.lifecycle import (
    WorkflowDefinition,
    WorkflowMachine,
    WorkflowRegistry,
    load_bundled,
    load_workflows,
)
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import WorkflowVersion
from governance_engine.persistence.repositories import proposals as repository


class WorkflowCatalog:
    """Shared, immutable machines by (name, version); safe to use from many threads."""

    def __init__(self, definitions: Iterable[WorkflowDefinition]) -> None:
        definitions = list(definitions)
        self._registry = WorkflowRegistry.from_definitions(definitions)
        # New proposals are filed under the workflows of the files only; versions added from
        # stored snapshots serve the proposals already running on them.
        self._offered = sorted({definition.name for definition in definitions})
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

    def offered(self) -> list[WorkflowDefinition]:
        """The workflows a new proposal may be filed under: the latest version of each
        workflow of the files, by name."""
        return [self._registry.latest(name).definition for name in self._offered]

    def choose(self, *, workflow: str | None = None, kind: str | None = None) -> WorkflowMachine:
        """The workflow a new proposal is filed under.

        By ``workflow`` name (its latest version); ``kind``, when also given, must be the kind
        that workflow serves. By ``kind`` alone: the kind's default workflow, which is the
        workflow named after the kind, or else the only workflow serving it.
        """
        offered = self.offered()
        if workflow is not None:
            found = [d for d in offered if d.name == workflow]
            if not found:
                names = ", ".join(d.name for d in offered) or "none"
                raise InvalidInput(
                    f"there is no workflow {workflow!r} (known: {names})", field="workflow"
                )
            if kind is not None and found[0].kind != kind:
                raise InvalidInput(
                    f"workflow {workflow!r} serves proposals of kind {found[0].kind!r}, "
                    f"not {kind!r}",
                    field="kind",
                )
            return self._registry.latest(workflow)
        if kind is None:
            raise InvalidInput("name the workflow (or the kind) of the proposal", field="workflow")
        serving = [d.name for d in offered if d.kind == kind]
        if kind in serving or len(serving) == 1:
            return self._registry.latest(kind if kind in serving else serving[0])
        if not serving:
            kinds = ", ".join(sorted({d.kind for d in offered})) or "none"
            raise InvalidInput(
                f"no workflow serves proposals of kind {kind!r} (kinds: {kinds})", field="kind"
            )
        raise InvalidInput(
            f"several workflows serve kind {kind!r} ({', '.join(serving)}) and none is named "
            f"{kind!r}: name the workflow",
            field="workflow",
        )

    def machine(self, session: Session, name: str, version: int) -> WorkflowMachine:
        """The machine a proposal runs on, from the files or from its stored snapshot."""
        try:
            return self._registry.get(name, version)
        except NotFound:
            stored = repository.workflow_version(session, name, version)
            if stored is None:
                raise
            return self._adopt(stored)

    def record(
        self, session: Session, machine: WorkflowMachine, *, at: datetime, actor_id: int
    ) -> None:
        """Store the definition a new proposal is filed under (once per version), and register
        it in the decision log (``workflow.registered``) the first time a proposal uses it."""
        self._store(session, machine.definition, at=at)
        register(session, machine.definition, at=at, actor_id=actor_id)

    def _store(self, session: Session, definition: WorkflowDefinition, *, at: datetime) -> None:
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


def registration_subject(name: str, version: int) -> str:
    """How a ``workflow.registered`` entry names the version it registers: ``standard/1``."""
    return f"{name}/{version}"


def register(
    session: Session, definition: WorkflowDefinition, *, at: datetime, actor_id: int
) -> None:
    """Rule (DESIGN §6, the log is the record): the charter text that governs a proposal is
    in the decision log. The first proposal filed under a workflow version appends
    ``workflow.registered`` with the whole definition, its SHA-256 digest and who introduced
    it (the filer), in the filing's unit of work; a version registered with another digest
    is refused.
    """
    subject = registration_subject(definition.name, definition.version)
    logged = repository.workflow_registration(session, subject)
    if logged is None:  # look again holding the chain head: one registration per version
        log_writer.lock_head(session)
        logged = repository.workflow_registration(session, subject)
    if logged is None:
        log_writer.append(
            session,
            at=at,
            actor_id=actor_id,
            action="workflow.registered",
            subject_type="workflow",
            subject_id=subject,
            payload={
                "name": definition.name,
                "version": definition.version,
                "kind": definition.kind,
                "digest": definition.digest(),
                "definition": definition.to_dict(),
            },
        )
    elif logged != definition.digest():
        raise ConfigurationError(
            f"workflow {definition.label} differs from the version registered in the decision "
            "log: give the changed file a new version number"
        )


def _require_unchanged(stored: WorkflowVersion, definition: WorkflowDefinition) -> None:
    if stored.digest != definition.digest():
        raise ConfigurationError(
            f"workflow {definition.name} version {definition.version} differs from the version "
            "proposals were filed under: give the changed file a new version number"
        )
