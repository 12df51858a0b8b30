from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_engine.log import (
    GENESIS_HASH,
    EntryContent,
    StoredEntry,
    canonical_json,
    entry_hash,
    format_timestamp,
    verify_chain,
)

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_chain(length: int) -> list[StoredEntry]:
    entries: list[StoredEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, length + 1):
        content = EntryContent(
            seq=seq,
            recorded_at=START + timedelta(minutes=seq),
            actor_id=seq % 3 or None,
            action="vote.cast",
            subject_type="ballot",
            subject_id="7",
            proposal_id=1,
            body_id=2,
            payload={"choice": "yes", "n": seq},
        )
        digest = entry_hash(prev, content)
        entries.append(StoredEntry(content, prev, digest))
        prev = digest
    return entries


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "é", "c": [1, {"z": 0, "y": None}]}) == (
        '{"a":"é","b":1,"c":[1,{"y":null,"z":0}]}'.encode()
    )


def test_canonical_json_normalises_timestamps_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 1, 13, 0, tzinfo=paris)
    assert canonical_json({"at": moment}) == b'{"at":"2026-03-01T12:00:00.000000Z"}'


@pytest.mark.parametrize("bad", [1.5, float("nan")])
def test_canonical_json_refuses_floats(bad: float) -> None:
    with pytest.raises(TypeError, match="floats"):
        canonical_json({"x": [bad]})


def test_canonical_json_refuses_naive_timestamps() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_json({"at": datetime(2026, 1, 1)})  # noqa: DTZ001


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001 - hypothesis wants a naive bound
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7))]),
    )
)
def test_timestamps_are_formatted_as_strftime_would(moment: datetime) -> None:
    """The formatter's fast path must give exactly the bytes every stored hash was made with."""
    expected = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert format_timestamp(moment) == expected


def test_a_float_stored_in_a_payload_breaks_the_chain_without_an_error() -> None:
    """Hashing skips the float check (the writer made it); a float read back is a change."""
    entries = make_chain(2)
    first = entries[0]
    tampered = replace(first, content=replace(first.content, payload={"choice": "yes", "n": 1.0}))
    result = verify_chain([tampered, entries[1]])
    assert (result.ok, result.broken_seq) == (False, 1)


def test_intact_chain_verifies() -> None:
    entries = make_chain(20)
    result = verify_chain(entries)
    assert result.ok
    assert result.checked == 20
    assert result.head_hash == entries[-1].hash


def test_empty_chain_verifies() -> None:
    assert verify_chain([]).ok


def test_changed_payload_breaks_at_its_seq() -> None:
    entries = make_chain(10)
    victim = entries[6]
    forged = replace(victim.content, payload={"choice": "no", "n": 7})
    entries[6] = replace(victim, content=forged)
    result = verify_chain(entries)
    assert (result.ok, result.broken_seq) == (False, 7)
    assert "hash" in (result.reason or "")


def test_rehashed_forgery_breaks_the_next_link() -> None:
    entries = make_chain(10)
    victim = entries[3]
    forged = replace(victim.content, payload={"choice": "no"})
    entries[3] = StoredEntry(forged, victim.prev_hash, entry_hash(victim.prev_hash, forged))
    result = verify_chain(entries)
    assert result.broken_seq == 5


def test_deleted_entry_is_reported_missing() -> None:
    entries = make_chain(10)
    del entries[4]
    result = verify_chain(entries)
    assert result.broken_seq == 5
    assert result.reason == "entry 5 is missing"


def test_swapped_pair_breaks_at_the_first() -> None:
    entries = make_chain(10)
    entries[2], entries[3] = entries[3], entries[2]
    assert verify_chain(entries).broken_seq == 3
