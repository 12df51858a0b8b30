"""Known answers: the bytes and hashes every stored log depends on, written out by hand.

A change to any of them (a renamed key of the hashed document, another timestamp format,
escaped non-ASCII, another Merkle prefix) would make every existing log fail to verify, so
each expected value here is spelled out independently of the code: JSON text typed by hand,
hashes recomputed with :mod:`hashlib` in the test, and pinned as hex.
"""

from __future__ import annotations

import enum
import hashlib
import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from governance_engine.log import (
    GENESIS_HASH,
    EntryContent,
    StoredEntry,
    canonical_json,
    entry_hash,
    format_timestamp,
    normalize,
    parse_timestamp,
    verify_chain,
)
from governance_engine.log.canonical import canonical_bytes
from governance_engine.log.merkle import EMPTY_ROOT, leaf_hash, node_hash, root_from_leaf_hashes
from governance_engine.log.replay_records import Difference, text_digest

FIRST = EntryContent(
    seq=1,
    # 13:00 at UTC+1 is 12:00 UTC: the hashed text is always UTC.
    recorded_at=datetime(2026, 3, 1, 13, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1))),
    actor_id=7,
    action="vote.cast",
    subject_type="ballot",
    subject_id="42",
    proposal_id=3,
    body_id=None,
    payload={"choice": "yes", "note": "Zoë ✓", "n": -12, "nested": {"b": [1, "x"], "a": None}},
)
FIRST_JSON = (
    '{"action":"vote.cast","actor_id":7,"body_id":null,'
    '"payload":{"choice":"yes","n":-12,"nested":{"a":null,"b":[1,"x"]},"note":"Zoë ✓"},'
    '"proposal_id":3,"recorded_at":"2026-03-01T12:00:00.123456Z","seq":1,'
    '"subject_id":"42","subject_type":"ballot"}'
)
FIRST_HASH = "b0a8f7a53e88be1c184f1bc565bf8a8f2dbd541c6d6314f888a81ccb3cab8fd2"
SECOND = EntryContent(
    seq=2,
    recorded_at=datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC),
    actor_id=None,
    action="ballot.closed",
    subject_type="ballot",
    subject_id="9",
    proposal_id=None,
    body_id=2,
    payload={},
)
SECOND_JSON = (
    '{"action":"ballot.closed","actor_id":null,"body_id":2,"payload":{},"proposal_id":null,'
    '"recorded_at":"2026-03-01T12:00:01.000000Z","seq":2,"subject_id":"9",'
    '"subject_type":"ballot"}'
)
SECOND_HASH = "b1f59f8625eef4f187b55b1e2d7bef91a162ff5e09b147cefceceec98d6124e1"


def test_the_genesis_hash_is_64_zeros() -> None:
    assert GENESIS_HASH == "0" * 64


def test_the_hashed_document_is_the_hand_written_json() -> None:
    assert canonical_json(FIRST.as_document()) == FIRST_JSON.encode("utf-8")
    assert canonical_json(SECOND.as_document()) == SECOND_JSON.encode("utf-8")


def test_entry_hash_is_sha256_of_prev_hash_text_then_canonical_json() -> None:
    # hash(n) = SHA-256(prev_hash as 64 ASCII hex characters || canonical JSON of entry n)
    assert hashlib.sha256(GENESIS_HASH.encode() + FIRST_JSON.encode()).hexdigest() == FIRST_HASH
    assert hashlib.sha256(FIRST_HASH.encode() + SECOND_JSON.encode()).hexdigest() == SECOND_HASH
    assert entry_hash(GENESIS_HASH, FIRST) == FIRST_HASH
    assert entry_hash(FIRST_HASH, SECOND) == SECOND_HASH


def test_the_known_chain_verifies_and_its_export_carries_the_hashes() -> None:
    entries = [
        StoredEntry(FIRST, GENESIS_HASH, FIRST_HASH),
        StoredEntry(SECOND, FIRST_HASH, SECOND_HASH),
    ]
    result = verify_chain(entries)
    assert (result.ok, result.checked, result.broken_seq, result.reason, result.head_hash) == (
        True,
        2,
        None,
        None,
        SECOND_HASH,
    )
    exported = entries[1].as_document()
    assert list(exported) == [
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
    ]
    assert exported["prev_hash"] == FIRST_HASH
    assert exported["hash"] == SECOND_HASH
    assert exported["recorded_at"] == "2026-03-01T12:00:01.000000Z"
    assert exported["payload"] == {}


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({}, "{}"),
        ([], "[]"),
        # Non-ASCII stays UTF-8, including outside the BMP and the line separators JSON allows.
        ({"k": "é ü ß 日本 😀"}, '{"k":"é ü ß 日本 😀"}'),
        ({"k": "\u2028\u2029\x7f"}, '{"k":"\u2028\u2029\x7f"}'),
        # Control characters and the two JSON metacharacters are escaped, nothing else.
        ({"k": 'a"b\\c\n\t\r\x01'}, '{"k":"a\\"b\\\\c\\n\\t\\r\\u0001"}'),
        ({"é": 1, "e": 2, "z": 3, "E": 4}, '{"E":4,"e":2,"z":3,"é":1}'),
        ({"10": 1, "9": 2, "1": 3}, '{"1":3,"10":1,"9":2}'),
        # Numbers: integers of any size as written; no floats; Decimal as its text.
        (
            {"n": [0, -1, 2**70, -(2**63)]},
            '{"n":[0,-1,1180591620717411303424,-9223372036854775808]}',
        ),
        ({"d": Decimal("1.50")}, '{"d":"1.50"}'),
        ({"b": [True, False, None]}, '{"b":[true,false,null]}'),
        # Nested objects sort at every level; tuples are lists, sets sorted lists.
        (
            {"z": {"y": {"b": 1, "a": [{"d": 0, "c": 0}]}}, "a": (1, 2), "s": {3, 1, 2}},
            '{"a":[1,2],"s":[1,2,3],"z":{"y":{"a":[{"c":0,"d":0}],"b":1}}}',
        ),
        ({"c": Colour.RED, "f": frozenset({"b", "a"})}, '{"c":"red","f":["a","b"]}'),
        (
            {"at": datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC)},
            '{"at":"999-01-02T03:04:05.000006Z"}',
        ),
        ([{"b": 1, "a": 2}, "x"], '[{"a":2,"b":1},"x"]'),
    ],
)
def test_canonical_json_known_answers(value: Any, text: str) -> None:
    assert canonical_json(value) == text.encode("utf-8")


@pytest.mark.parametrize("bad", [{"x": 0.5}, {"x": {"y": [1, 2.0]}}, [1.0], {"x": (1, 0.1)}])
def test_floats_are_refused_wherever_they_hide(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"^floats are not allowed in a log entry; use integers"):
        canonical_json(bad)


def test_values_json_cannot_hold_are_refused_by_type() -> None:
    with pytest.raises(TypeError, match=r"^bytes is not allowed in a log entry$"):
        canonical_json({"x": b"raw"})


def test_normalize_gives_the_plain_json_value() -> None:
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    value = {"at": moment, "t": (1, "a"), "c": Colour.RED, "d": Decimal("2")}
    assert normalize(value) == {
        "at": "2026-03-01T12:00:00.000000Z",
        "t": [1, "a"],
        "c": "red",
        "d": "2",
    }
    assert canonical_json(normalize(value)) == canonical_json(value)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 3, 1, 12, 0, tzinfo=UTC), "2026-03-01T12:00:00.000000Z"),
        (
            datetime(2026, 1, 1, 0, 30, 0, 5, tzinfo=timezone(timedelta(hours=2))),
            "2025-12-31T22:30:00.000005Z",
        ),
        (datetime(1000, 1, 1, tzinfo=UTC), "1000-01-01T00:00:00.000000Z"),
        (datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "999-12-31T23:59:59.999999Z"),
        (datetime(5, 6, 7, tzinfo=UTC), "5-06-07T00:00:00.000000Z"),
    ],
)
def test_timestamps_known_answers(moment: datetime, text: str) -> None:
    assert format_timestamp(moment) == text


def test_parse_timestamp_reads_utc_and_offsets_and_refuses_naive_text() -> None:
    assert parse_timestamp("2026-03-01T12:00:00.000000Z") == datetime(2026, 3, 1, 12, tzinfo=UTC)
    parsed = parse_timestamp("2026-03-01T13:00:00+01:00")
    assert parsed == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parsed.tzinfo is UTC
    with pytest.raises(ValueError, match=r"^timestamp '2026-03-01T12:00:00' has no time zone$"):
        parse_timestamp("2026-03-01T12:00:00")
    with pytest.raises(ValueError, match=r"^log timestamps must be timezone-aware$"):
        format_timestamp(datetime(2026, 3, 1))  # noqa: DTZ001


# -- RFC 6962 / RFC 9162 §2.1 --------------------------------------------------------------


def test_empty_tree_hash() -> None:
    expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert EMPTY_ROOT.hex() == expected
    assert root_from_leaf_hashes([]).hex() == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        (b"\x00", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        (b"\x10", "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
    ],
)
def test_leaf_hash_is_sha256_of_zero_byte_then_data(data: bytes, expected: str) -> None:
    assert hashlib.sha256(b"\x00" + data).hexdigest() == expected
    assert leaf_hash(data).hex() == expected


def test_node_hash_is_sha256_of_one_byte_then_left_then_right() -> None:
    left, right = leaf_hash(b""), leaf_hash(b"\x00")
    # The root of the two-leaf tree of the CT test vectors.
    expected = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
    assert hashlib.sha256(b"\x01" + left + right).hexdigest() == expected
    assert node_hash(left, right).hex() == expected
    assert node_hash(right, left) != node_hash(left, right)
    assert root_from_leaf_hashes([left, right]).hex() == expected
    # A lone leaf is its own root; three leaves hash as ((0, 1), 2).
    assert root_from_leaf_hashes([left]) == left
    third = leaf_hash(b"\x10")
    assert root_from_leaf_hashes([left, right, third]) == node_hash(node_hash(left, right), third)


def test_a_revision_digest_is_sha256_of_its_utf8_text() -> None:
    assert text_digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert text_digest("Zoë\n") == hashlib.sha256("Zoë\n".encode()).hexdigest()
    assert text_digest("Zoë\n") != hashlib.sha256("Zoë\n".encode("latin-1")).hexdigest()


def test_timestamps_are_utc_whatever_the_machines_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert format_timestamp(moment) == "2026-07-01T10:00:00.000000Z"
        assert parse_timestamp("2026-07-01T12:00:00+02:00").utcoffset() == timedelta(0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_canonical_bytes_refuses_what_json_cannot_say() -> None:
    # The chain hashes normalised payloads with canonical_bytes; NaN must never become text.
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        canonical_bytes({"x": float("nan")})


def test_a_row_missing_from_either_side_is_named_with_the_side_that_has_it() -> None:
    assert Difference("ballots", "id=7", None, True, False).describe() == (
        "ballots[id=7]: in the log, missing from the table"
    )
    assert Difference("ballots", "id=7", None, False, True).describe() == (
        "ballots[id=7]: in the table, missing from the log"
    )
