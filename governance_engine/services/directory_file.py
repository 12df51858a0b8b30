"""The directory file: organizations, people, bodies and seats as YAML or CSV.

YAML has four lists (``organizations``, ``people``, ``bodies``, ``seats``); CSV has one row
per item, with a ``record`` column saying which (``organization``, ``person``, ``body``,
``seat``) and the other columns of the YAML keys (``email_domains`` separated by spaces).
Every item keeps the line it starts on, so a problem can name it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from governance_engine.errors import InvalidInput

SECTIONS = {
    "organizations": ("organization", ("name", "kind", "email_domains")),
    "people": ("person", ("name", "email", "organization", "is_admin", "is_auditor")),
    "bodies": ("body", ("slug", "name", "kind", "parent", "description")),
    "seats": ("seat", ("body", "person", "role", "voting", "term_start", "term_end")),
}
REQUIRED = {
    "organization": ("name", "kind"),
    "person": ("name", "email"),
    "body": ("slug", "name", "kind"),
    "seat": ("body", "person", "role"),
}
CSV_COLUMNS = ["record", *sorted({key for _, keys in SECTIONS.values() for key in keys})]


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


class DirectoryFileError(InvalidInput):
    """The file cannot be imported; ``problems`` holds one per bad item, with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the directory file")
        self.problems = problems


@dataclass(frozen=True)
class OrganizationRow:
    line: int
    name: str
    kind: str
    email_domains: list[str] | None  # None: the file says nothing about them


@dataclass(frozen=True)
class PersonRow:
    line: int
    name: str
    email: str
    organization: str | None
    is_admin: bool
    is_auditor: bool


@dataclass(frozen=True)
class BodyRow:
    line: int
    slug: str
    name: str
    kind: str
    parent: str | None
    description: str


@dataclass(frozen=True)
class SeatRow:
    line: int
    body: str
    person: str
    role: str
    voting: bool | None
    term_start: datetime | None
    term_end: datetime | None


@dataclass
class DirectoryFile:
    organizations: list[OrganizationRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    bodies: list[BodyRow] = field(default_factory=list)
    seats: list[SeatRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # items that could not be read


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".csv":
        return "csv"
    raise InvalidInput(f"{path.name}: a directory file ends in .yaml, .yml or .csv")


def read(path: Path) -> DirectoryFile:
    """Parse the file. Items that cannot be read are left out and named in ``problems``;
    DirectoryFileError when the file as a whole cannot be read."""
    kind = file_format(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise InvalidInput(f"cannot read {path}: {reason}") from None
    items = _yaml_items(text) if kind == "yaml" else _csv_items(text)
    parsed = DirectoryFile()
    for record, line, values in items:
        try:
            _add(parsed, record, line, values)
        except _Bad as bad:
            parsed.problems.append(Problem(line, bad.message))
    return parsed


class _Bad(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _yaml_items(text: str) -> list[tuple[str, int, dict[str, Any]]]:
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark is not None else 1
        raise DirectoryFileError([Problem(line, f"not valid YAML: {error.problem}")]) from None
    except YAMLError as error:
        raise DirectoryFileError([Problem(1, f"not valid YAML: {error}")]) from None
    if document is None:
        return []
    if not isinstance(document, CommentedMap):
        raise DirectoryFileError([Problem(1, "the file must be a mapping of sections")])
    items, problems = [], []
    for section, entries in document.items():
        line = document.lc.key(section)[0] + 1
        if section not in SECTIONS:
            problems.append(Problem(line, f"unknown section {section!r}"))
            continue
        if entries is None:
            continue
        if not isinstance(entries, CommentedSeq):
            problems.append(Problem(line, f"{section} must be a list"))
            continue
        for index, entry in enumerate(entries):
            entry_line = entries.lc.item(index)[0] + 1
            if not isinstance(entry, CommentedMap):
                problems.append(Problem(entry_line, f"an item of {section} must be a mapping"))
                continue
            items.append((SECTIONS[section][0], entry_line, dict(entry)))
    if problems:
        raise DirectoryFileError(problems)
    return items


def _csv_items(text: str) -> list[tuple[str, int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in reader.fieldnames or [] if c not in CSV_COLUMNS]
    if reader.fieldnames is None or "record" not in reader.fieldnames or unknown:
        what = f"unknown column {unknown[0]!r}" if unknown else "no 'record' column"
        raise DirectoryFileError([Problem(1, f"the header has {what}")])
    items = []
    for row in reader:
        record = (row.pop("record") or "").strip()
        values = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
        if None in row:
            values["(extra cells)"] = row[None]
        if "email_domains" in values:
            values["email_domains"] = values["email_domains"].split()
        items.append((record, reader.line_num, values))
    return items


def _add(parsed: DirectoryFile, record: str, line: int, values: dict[str, Any]) -> None:
    keys = next((k for r, k in SECTIONS.values() if r == record), None)
    if keys is None:
        records = ", ".join(r for r, _ in SECTIONS.values())
        raise _Bad(f"record must be one of {records}, not {record!r}")
    for key in values:
        if key not in keys:
            raise _Bad(f"a {record} has no {key!r} (it has {', '.join(keys)})")
    for key in REQUIRED[record]:
        if values.get(key) in (None, ""):
            raise _Bad(f"a {record} needs {key!r}")
    if record == "organization":
        parsed.organizations.append(
            OrganizationRow(
                line,
                _text(values, "name"),
                _text(values, "kind"),
                _domains(values.get("email_domains")),
            )
        )
    elif record == "person":
        parsed.people.append(
            PersonRow(
                line,
                _text(values, "name"),
                _text(values, "email"),
                _optional(values, "organization"),
                _flag(values, "is_admin") or False,
                _flag(values, "is_auditor") or False,
            )
        )
    elif record == "body":
        parsed.bodies.append(
            BodyRow(
                line,
                _text(values, "slug"),
                _text(values, "name"),
                _text(values, "kind"),
                _optional(values, "parent"),
                _optional(values, "description") or "",
            )
        )
    else:
        parsed.seats.append(
            SeatRow(
                line,
                _text(values, "body"),
                _text(values, "person"),
                _text(values, "role"),
                _flag(values, "voting"),
                _moment(values, "term_start"),
                _moment(values, "term_end"),
            )
        )


def _text(values: dict[str, Any], key: str) -> str:
    value = values[key]
    if not isinstance(value, str):
        raise _Bad(f"{key} must be text, not {value!r}")
    return value.strip()


def _optional(values: dict[str, Any], key: str) -> str | None:
    return None if values.get(key) in (None, "") else _text(values, key)


def _domains(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise _Bad("email_domains must be a list of domain names")
    return [str(d) for d in value]


def _flag(values: dict[str, Any], key: str) -> bool | None:
    value = values.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "0"):
        return False
    raise _Bad(f"{key} must be true or false, not {value!r}")


def _moment(values: dict[str, Any], key: str) -> datetime | None:
    value = values.get(key)
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise _Bad(f"{key} must be a date or an ISO 8601 time, not {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def write(path: Path, parsed: DirectoryFile) -> None:
    """Write ``parsed`` in the format the file's name says (the format ``read`` takes)."""
    kind = file_format(path)
    sections: dict[str, list[dict[str, Any]]] = {
        "organizations": [
            {"name": o.name, "kind": o.kind, "email_domains": list(o.email_domains or [])}
            for o in parsed.organizations
        ],
        "people": [
            {
                "name": p.name,
                "email": p.email,
                "organization": p.organization,
                "is_admin": p.is_admin,
                "is_auditor": p.is_auditor,
            }
            for p in parsed.people
        ],
        "bodies": [
            {
                "slug": b.slug,
                "name": b.name,
                "kind": b.kind,
                "parent": b.parent,
                "description": b.description,
            }
            for b in parsed.bodies
        ],
        "seats": [
            {
                "body": s.body,
                "person": s.person,
                "role": s.role,
                "voting": s.voting,
                "term_start": _iso(s.term_start),
                "term_end": _iso(s.term_end),
            }
            for s in parsed.seats
        ],
    }
    out = io.StringIO()
    if kind == "yaml":
        yaml = YAML(typ="rt")
        yaml.default_flow_style = False
        yaml.dump(sections, out)
    else:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for section, rows in sections.items():
            for row in rows:
                cells = {k: _cell(v) for k, v in row.items()}
                writer.writerow({"record": SECTIONS[section][0], **cells})
    try:
        path.write_text(out.getvalue(), encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot write {path}: {error.strerror}") from None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    return str(value)
