"""Signed checkpoints: the exact note that is signed, its signature, and its document form."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from governance_engine.log.checkpoint import (
    ORIGIN,
    SignedCheckpoint,
    key_id,
    sign_checkpoint,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
ROOT = hashlib.sha256(b"root").digest()
AT = datetime(2026, 11, 21, 9, 0, tzinfo=timezone(timedelta(hours=1)))


def checkpoint(size: int = 3) -> SignedCheckpoint:
    return sign_checkpoint(KEY, tree_size=size, root_hash=ROOT, timestamp=AT)


def test_the_origin_line() -> None:
    assert ORIGIN == "governance-engine decision log"


def test_key_id_is_the_first_8_bytes_of_sha256_of_the_raw_public_key_in_hex() -> None:
    raw = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert len(raw) == 32
    assert key_id(KEY.public_key()) == hashlib.sha256(raw).hexdigest()[:16]
    assert key_id(OTHER.public_key()) != key_id(KEY.public_key())


def test_the_signed_note_is_origin_size_root_and_utc_time_one_per_line() -> None:
    signed = checkpoint()
    root = base64.b64encode(ROOT).decode()
    expected = f"governance-engine decision log\n3\n{root}\n2026-11-21T08:00:00.000000Z\n"
    assert signed.note() == expected.encode()
    KEY.public_key().verify(signed.signature, expected.encode())  # raises if not
    assert dataclasses.astuple(signed)[:4] == (3, ROOT, AT, key_id(KEY.public_key()))
    assert signed.origin == ORIGIN


def test_a_signature_verifies_with_its_key_only() -> None:
    signed = checkpoint()
    assert signed.verify(KEY.public_key())
    assert not signed.verify(OTHER.public_key())
    # Right key id, wrong key: the signature check itself must refuse it.
    impostor = dataclasses.replace(signed, key_id=key_id(OTHER.public_key()))
    assert not impostor.verify(OTHER.public_key())
    for changed in (
        dataclasses.replace(signed, tree_size=4),
        dataclasses.replace(signed, root_hash=bytes(32)),
        dataclasses.replace(signed, timestamp=AT + timedelta(microseconds=1)),
        dataclasses.replace(signed, origin="another log"),
        dataclasses.replace(signed, signature=bytes(64)),
    ):
        assert not changed.verify(KEY.public_key())


def test_to_dict_writes_every_field() -> None:
    signed = checkpoint()
    data = signed.to_dict()
    assert data == {
        "origin": "governance-engine decision log",
        "tree_size": 3,
        "root_hash": ROOT.hex(),
        "timestamp": "2026-11-21T08:00:00.000000Z",
        "key_id": key_id(KEY.public_key()),
        "signature": base64.b64encode(signed.signature).decode("ascii"),
        "note": signed.note().decode(),
        "signed_note": signed.signed_note(),
    }
    # The signed note is the note, a blank line, and one signature line by the log's key name.
    text, signature_line = data["signed_note"].split("\n\n")
    assert text + "\n" == data["note"]
    assert signature_line.startswith("\u2014 governance-engine ")
    back = SignedCheckpoint.from_dict(data)
    assert back == dataclasses.replace(signed, timestamp=AT.astimezone(UTC))
    assert back.verify(KEY.public_key())


def test_from_dict_takes_the_default_origin_and_keeps_another() -> None:
    data = checkpoint().to_dict()
    del data["origin"]
    assert SignedCheckpoint.from_dict(data).origin == ORIGIN
    data["origin"] = "mirror"
    assert SignedCheckpoint.from_dict(data).origin == "mirror"


@pytest.mark.parametrize("key", ["tree_size", "root_hash", "timestamp", "key_id", "signature"])
def test_from_dict_names_a_missing_key(key: str) -> None:
    data = checkpoint().to_dict()
    del data[key]
    with pytest.raises(ValueError, match=rf"^checkpoint has no '{key}'$"):
        SignedCheckpoint.from_dict(data)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("tree_size", "three", r"^checkpoint is malformed: invalid literal for int\(\)"),
        ("root_hash", "zz", r"^checkpoint is malformed: non-hexadecimal number"),
        ("root_hash", 7, r"^checkpoint is malformed: fromhex\(\) argument must be str"),
        ("timestamp", "2026-11-21T08:00:00", r"^checkpoint is malformed: timestamp '2026-"),
        ("signature", "not base64!", r"^checkpoint is malformed: "),
        ("tree_size", -1, r"^checkpoint is malformed: bad tree size or root hash$"),
        ("root_hash", "00" * 31, r"^checkpoint is malformed: bad tree size or root hash$"),
        ("root_hash", "00" * 33, r"^checkpoint is malformed: bad tree size or root hash$"),
    ],
)
def test_from_dict_refuses_malformed_values(key: str, value: Any, message: str) -> None:
    data = checkpoint().to_dict()
    data[key] = value
    with pytest.raises(ValueError, match=message):
        SignedCheckpoint.from_dict(data)


def test_from_dict_accepts_the_edges() -> None:
    data = checkpoint().to_dict()
    data["tree_size"] = 0
    assert SignedCheckpoint.from_dict(data).tree_size == 0
    data["key_id"] = 12
    assert SignedCheckpoint.from_dict(data).key_id == "12"


def test_a_signature_with_characters_outside_base64_is_refused() -> None:
    data = checkpoint().to_dict()
    data["signature"] = data["signature"][:8] + "*" + data["signature"][8:]
    with pytest.raises(ValueError, match=r"^checkpoint is malformed: "):
        SignedCheckpoint.from_dict(data)
