"""The decision log for auditors: browse with filters, see that it verifies, export it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from api.deps import ClockDep, DatabaseDep
from api.pages._render import SECURITY_HEADERS, PageRoute, render
from api.pages._web import CurrentViewer, Viewer, parse_int
from governance_engine.errors import InvalidInput, NotFound, PermissionDenied
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Person
from governance_engine.services import checkpoints, dashboard, directory_reads, exports, reads
from governance_engine.services.exports import Format, LogFilter
from governance_engine.services.log_audit import audit_log

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 100
ACTOR_MATCHES = 20
Text = Annotated[str, Query(max_length=64)]


def _require_auditor(viewer: Viewer) -> None:
    if not viewer.reads_log:
        raise PermissionDenied("only auditors and admins may read the decision log")


def _moment(text: str, name: str) -> datetime | None:
    """A date or date and time from a form field, read as UTC unless it names a zone."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a date such as 2026-03-02, not {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class _Filters:
    raw: dict[str, str]
    value: LogFilter

    @classmethod
    def parse(cls, **raw: str) -> _Filters:
        return cls(
            raw,
            LogFilter(
                proposal_id=parse_int(raw["proposal_id"], "proposal"),
                body=raw["body"] or None,
                actor_id=parse_int(raw["actor_id"], "actor"),
                action=raw["action"] or None,
                since=_moment(raw["since"], "since"),
                until=_moment(raw["until"], "until"),
            ),
        )

    def query(self, **extra: str | int) -> str:
        return urlencode({**{k: v for k, v in self.raw.items() if v}, **extra})


@dataclass(frozen=True)
class _ActorChoice:
    """The actor filter as typed (a name, part of one, or a person's number) and what it
    names: one person's id, or the people it could mean."""

    typed: str
    actor_id: str
    candidates: tuple[Person, ...] = ()
    unknown: bool = False


def _choose_actor(session: Session, typed: str, actor_id: str, at: datetime) -> _ActorChoice:
    typed = typed.strip()
    if not typed or typed.lstrip("#").isdigit():
        return _ActorChoice(typed, typed.lstrip("#") or actor_id)
    found = directory_reads.list_people(session, at=at, after=0, limit=ACTOR_MATCHES, q=typed)
    exact = [person for person in found if person.name.casefold() == typed.casefold()]
    if len(exact) == 1 or len(found) == 1:
        return _ActorChoice(typed, str((exact or found)[0].id))
    return _ActorChoice(typed, "", tuple(found), unknown=not found)


@router.get("/log")
def log_browser(
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    clock: ClockDep,
    proposal_id: Text = "",
    body: Text = "",
    actor: Text = "",
    actor_id: Text = "",
    action: Text = "",
    since: Text = "",
    until: Text = "",
    after: Text = "",
    order: Literal["newest", "oldest"] = "newest",
) -> Response:
    """The log, the latest entry first unless ``order=oldest``; ``actor`` takes a person's
    name (or part of it) or number."""
    _require_auditor(viewer)
    with database.reader() as session:
        chosen = _choose_actor(session, actor, actor_id, clock.now())
        filters = _Filters.parse(
            proposal_id=proposal_id,
            body=body,
            actor_id=chosen.actor_id,
            action=action,
            since=since,
            until=until,
        )
        f = filters.value
        found = (
            []
            if chosen.candidates or chosen.unknown
            else reads.log_page(
                session,
                viewer=viewer.actor,
                after=parse_int(after, "after") or 0,
                limit=PAGE_SIZE + 1,
                proposal_id=f.proposal_id,
                body=f.body,
                actor_id=f.actor_id,
                action=f.action,
                since=f.since,
                until=f.until,
                newest_first=order == "newest",
            )
        )
        if f.actor_id is not None and not chosen.typed.strip():
            chosen = _ActorChoice(dashboard.names(session, [f.actor_id]).get(f.actor_id, ""), "")
        head, head_hash = log_writer.chain_head(session)
        try:
            checkpoint = checkpoints.latest_or_size(session, None)
        except NotFound:
            checkpoint = None
        names = dashboard.names(session, [view.entry.actor_id for view in found])
        bodies = dashboard.bodies(session)
    entries = found[:PAGE_SIZE]
    next_page = (
        "/log?" + filters.query(order=order, after=entries[-1].entry.seq)
        if len(found) > PAGE_SIZE
        else None
    )
    return render(
        request,
        "log.html",
        title="Decision log",
        section="log",
        entries=entries,
        names=names,
        body_slugs={b.id: b.slug for b in bodies.values()},
        bodies=sorted(bodies.values(), key=lambda b: b.name),
        filters=filters.raw,
        actor=chosen,
        order=order,
        filters_query=filters.query(order=order),
        head=head,
        head_hash=head_hash,
        checkpoint=checkpoint,
        next_page=next_page,
        export_jsonl="/log/export?" + filters.query(format="jsonl"),
        export_csv="/log/export?" + filters.query(format="csv"),
        export_all="/log/export?format=jsonl",
    )


@router.get("/log/verify")
def log_verification(request: Request, viewer: CurrentViewer, database: DatabaseDep) -> Response:
    """Recompute the whole chain now: on request, since it reads every entry of the log."""
    _require_auditor(viewer)
    with database.reader() as session:
        key = request.app.state.signing_key.public_key()
        verified = audit_log(session, public_key=key).as_result()
        try:
            checkpoint = checkpoints.latest_or_size(session, None)
        except NotFound:
            checkpoint = None
    return render(
        request,
        "log_verify.html",
        title="Verify the decision log",
        section="log",
        verified=verified,
        checkpoint=checkpoint,
    )


def _stream(
    database: Database, filters: LogFilter, format: Format, viewer: Viewer
) -> Iterator[str]:
    with database.reader() as session:
        yield from exports.export_lines(
            session, filters=filters, format=format, viewer=viewer.actor, mark_damage=True
        )


@router.get("/log/export")
def export(
    viewer: CurrentViewer,
    database: DatabaseDep,
    format: Literal["jsonl", "csv"] = "jsonl",
    proposal_id: Text = "",
    body: Text = "",
    actor_id: Text = "",
    action: Text = "",
    since: Text = "",
    until: Text = "",
) -> Response:
    """The same export as ``/api/v1/log/export``, for an auditor signed in to the pages."""
    _require_auditor(viewer)
    filters = _Filters.parse(
        proposal_id=proposal_id,
        body=body,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
    )
    return StreamingResponse(
        _stream(database, filters.value, format, viewer),
        media_type=exports.MEDIA_TYPES[format],
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="governance-log.{format}"',
        },
    )
