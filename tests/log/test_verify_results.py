"""Every field of ``verify_chain``'s result, for every way a chain can be intact or broken.

An auditor's tool reads ``ok`` first: a break reported with ``ok=True`` hides tampering. So
each outcome asserts the whole result (``ok``, ``checked``, the broken seq, the reason and the
head hash) and the sentence it is described with.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from governance_engine.log import (
    GENESIS_HASH,
    EntryContent,
    StoredEntry,
    VerifyResult,
    entry_hash,
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
            actor_id=seq,
            action="vote.cast",
            subject_type="ballot",
            subject_id="7",
            proposal_id=1,
            body_id=2,
            payload={"n": seq},
        )
        digest = entry_hash(prev, content)
        entries.append(StoredEntry(content, prev, digest))
        prev = digest
    return entries


def fields(result: VerifyResult) -> tuple[object, ...]:
    return (result.ok, result.checked, result.broken_seq, result.reason, result.head_hash)


CHAIN = make_chain(5)
H = [GENESIS_HASH, *(e.hash for e in CHAIN)]  # H[n]: the head after n entries


def with_payload(entry: StoredEntry, payload: dict[str, int]) -> StoredEntry:
    return replace(entry, content=replace(entry.content, payload=payload))


def rehashed(entry: StoredEntry, prev: str) -> StoredEntry:
    return StoredEntry(entry.content, prev, entry_hash(prev, entry.content))


CASES = [
    ("intact", CHAIN, (True, 5, None, None, H[5]), f"log intact: 5 entries, head {H[5]}"),
    ("one entry", CHAIN[:1], (True, 1, None, None, H[1]), f"log intact: 1 entries, head {H[1]}"),
    ("empty", [], (True, 0, None, None, GENESIS_HASH), f"log intact: 0 entries, head {'0' * 64}"),
    (
        "first entry missing",
        CHAIN[1:],
        (False, 0, 1, "entry 1 is missing", GENESIS_HASH),
        "log broken at seq 1: entry 1 is missing",
    ),
    (
        "middle entry missing",
        [*CHAIN[:2], *CHAIN[3:]],
        (False, 2, 3, "entry 3 is missing", H[2]),
        "log broken at seq 3: entry 3 is missing",
    ),
    (
        "entry repeated",
        [*CHAIN[:3], CHAIN[2], *CHAIN[3:]],
        (False, 3, 4, "entry 4 is out of order", H[3]),
        "log broken at seq 4: entry 4 is out of order",
    ),
    (
        "an earlier entry comes back",
        [*CHAIN[:3], CHAIN[0]],
        (False, 3, 4, "entry 4 is out of order", H[3]),
        "log broken at seq 4: entry 4 is out of order",
    ),
    (
        "prev_hash of the first entry is not genesis",
        [rehashed(CHAIN[0], H[1]), *CHAIN[1:]],
        (False, 0, 1, "prev_hash does not match the entry before", GENESIS_HASH),
        "log broken at seq 1: prev_hash does not match the entry before",
    ),
    (
        "prev_hash skips an entry",
        [*CHAIN[:3], rehashed(CHAIN[3], H[2]), CHAIN[4]],
        (False, 3, 4, "prev_hash does not match the entry before", H[3]),
        "log broken at seq 4: prev_hash does not match the entry before",
    ),
    (
        "content of the first entry changed",
        [with_payload(CHAIN[0], {"n": 9}), *CHAIN[1:]],
        (False, 0, 1, "content does not match its hash", GENESIS_HASH),
        "log broken at seq 1: content does not match its hash",
    ),
    (
        "content of the last entry changed",
        [*CHAIN[:4], with_payload(CHAIN[4], {"n": 9})],
        (False, 4, 5, "content does not match its hash", H[4]),
        "log broken at seq 5: content does not match its hash",
    ),
    (
        "stored hash changed",
        [*CHAIN[:2], replace(CHAIN[2], hash="f" * 64), *CHAIN[3:]],
        (False, 2, 3, "content does not match its hash", H[2]),
        "log broken at seq 3: content does not match its hash",
    ),
    (
        "a forged entry rehashed breaks the next link",
        [*CHAIN[:1], rehashed(with_payload(CHAIN[1], {"n": 9}), H[1]), *CHAIN[2:]],
        (False, 2, 3, "prev_hash does not match the entry before", None),
        "log broken at seq 3: prev_hash does not match the entry before",
    ),
]


@pytest.mark.parametrize(
    ("entries", "expected", "words"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_every_field_of_every_outcome(
    entries: list[StoredEntry], expected: tuple[object, ...], words: str
) -> None:
    result = verify_chain(iter(entries))
    if expected[4] is None:  # the head is the forged entry's own hash
        expected = (*expected[:4], entries[1].hash)
    assert fields(result) == expected
    assert result.describe() == words


def test_a_result_defaults_to_the_genesis_head() -> None:
    assert fields(VerifyResult(True, 0)) == (True, 0, None, None, GENESIS_HASH)
