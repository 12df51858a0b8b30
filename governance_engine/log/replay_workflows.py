"""Which workflow versions the decision log registered, and the checks a replay makes on them.

A ``workflow.registered`` entry holds a workflow version's whole definition, its SHA-256
digest (of the canonical JSON of the definition) and who introduced it. Rule: every proposal
is filed under a version registered earlier in the log, with the digest the filing logged.

Logs written before registration existed have proposals whose filing precedes every
``workflow.registered`` entry: those are tolerated (there was nothing to register them in).
Once the log holds one registration, every later filing must name a registered version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from governance_engine.log.canonical import canonical_json
from governance_engine.log.replay_records import Difference

REGISTERED = "log (workflow.registered)"


def definition_digest(definition: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a workflow definition, as the engine digests it."""
    return hashlib.sha256(canonical_json(definition)).hexdigest()


def workflow_key(name: Any, version: Any) -> str:
    return f"name={name} version={version}"


@dataclass
class WorkflowRegistrations:
    """The workflow versions registered so far in a replay, with their logged digests."""

    first_seq: int | None = None
    digests: dict[tuple[str, int], str] = field(default_factory=dict)

    def register(self, seq: int, payload: Mapping[str, Any], where: str) -> Iterator[Difference]:
        """Record one registration; its digest must be the digest of the definition it logs."""
        name, version, digest = payload["name"], int(payload["version"]), payload["digest"]
        definition = payload["definition"]
        key = workflow_key(name, version)
        if self.first_seq is None:
            self.first_seq = seq
        computed = definition_digest(definition)
        if computed != digest:
            yield Difference(
                "workflow_versions", key, "digest", computed, digest, "SHA-256 of " + where, where
            )
        for part, value in (("name", name), ("version", version)):
            if definition.get(part) != value:
                yield Difference(
                    "workflow_versions", key, part, value, definition.get(part), where, where
                )
        if (name, version) in self.digests:
            yield Difference("workflow_versions", key, "registered", "once", "again", where, where)
            return
        self.digests[(name, version)] = digest

    def check_filing(
        self, proposal_id: int, payload: Mapping[str, Any], where: str
    ) -> Iterator[Difference]:
        """Rule: a proposal is filed under a version the log registered before, with its digest."""
        name, version = payload["workflow"], int(payload["workflow_version"])
        key = f"id={proposal_id}"
        registered = self.digests.get((name, version))
        if registered is None:
            if self.first_seq is not None:  # a log from before registrations is tolerated
                yield Difference(
                    "proposals",
                    key,
                    "workflow",
                    f"{name} v{version} registered before filing",
                    "not registered",
                    where,
                    "log (workflow.registered entries)",
                )
            return
        filed = payload.get("workflow_digest")
        if filed is not None and filed != registered:
            yield Difference(
                "proposals", key, "workflow_digest", registered, filed, REGISTERED, where
            )

    def compare_stored(self, stored: Mapping[tuple[str, int], str]) -> Iterator[Difference]:
        """Rule: each registered version is stored (``workflow_versions``) with the logged
        digest; ``stored`` maps (name, version) to the digest of the stored definition."""
        for (name, version), digest in sorted(self.digests.items()):
            key = workflow_key(name, version)
            found = stored.get((name, version))
            if found is None:
                yield Difference("workflow_versions", key, None, True, False, REGISTERED)
            elif found != digest:
                yield Difference(
                    "workflow_versions",
                    key,
                    "digest",
                    digest,
                    found,
                    REGISTERED,
                    "table (SHA-256 of the stored definition)",
                )
