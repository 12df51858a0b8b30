"""Decision-log exports as JSON Lines or CSV, streamed row by row.

Each exported entry carries everything its hash covers plus ``prev_hash`` and ``hash``, so an
unfiltered JSON Lines export can be verified with no access to the database
(``governance-engine log verify-export``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Literal

from sqlalchemy.orm import Session

from governance_engine.errors import LogIntegrityError
from governance_engine.log import canonical_json
from governance_engine.log.stored_row import DamagedRow
from governance_engine.persistence.repositories import log_export
from governance_engine.persistence.repositories.log_export import LogFilter
from governance_engine.services.actor import Actor
from governance_engine.services.reads import redacted_payload

Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")
MEDIA_TYPES = {"jsonl": "application/jsonl", "csv": "text/csv"}
CSV_COLUMNS = (
    "seq",
    "recorded_at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "proposal_id",
    "body_id",
    "payload",
    "prev_hash",
    "hash",
)

__all__ = ["FORMATS", "MEDIA_TYPES", "Format", "LogFilter", "count", "export_lines"]


def count(session: Session, filters: LogFilter) -> int:
    return log_export.count(session, filters)


def export_lines(
    session: Session,
    *,
    filters: LogFilter,
    format: Format,
    progress: Callable[[int], None] | None = None,
    viewer: Actor | None = None,
    mark_damage: bool = False,
) -> Iterator[str]:
    """The export, one line (or CSV record) at a time.

    With a ``viewer`` who is not an auditor, secret-ballot positions are removed, as on
    ``/log`` (such an export no longer verifies offline: auditors get the whole entries).
    ``viewer`` None is the operator at the command line, who has the database anyway.
    A damaged row stops the export with LogIntegrityError naming its seq; with
    ``mark_damage`` (a download already under way) it ends with one last line saying so
    instead, which no reader takes for an entry.
    """
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        yield _drain(buffer)
    done = 0
    for entry in log_export.stream(session, filters):
        if isinstance(entry, DamagedRow):
            if not mark_damage:
                raise LogIntegrityError(f"export stopped: {entry.describe()}")
            problem = f"export stopped: {entry.describe()}"
            yield (
                (canonical_json({"error": problem}).decode() + "\n")
                if format == "jsonl"
                else (f"# {problem}\n")
            )
            return
        document = entry.as_document()
        if viewer is not None:
            document["payload"] = redacted_payload(entry.content, viewer)[0]
        if format == "jsonl":
            yield canonical_json(document).decode("utf-8") + "\n"
        else:
            row = dict(document, payload=json.dumps(document["payload"], sort_keys=True))
            writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
            yield _drain(buffer)
        done += 1
        if progress is not None and done % 1000 == 0:
            progress(done)
    if progress is not None:
        progress(done)


def _cell(value: object) -> object:
    return "" if value is None else value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
