"""Signed notes and cosignatures (c2sp.org/signed-note, tlog-checkpoint, tlog-cosignature).

Checked three ways: against the published test vectors of the Go reference implementation
(golang.org/x/mod/sumdb/note, note_test.go: PeterNeumann's and EnochRoot's keys and notes,
typed in here); with a second verifier written below from the specification alone, sharing
no code with ``governance_engine.log.note``; and by tampering.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from governance_engine.log import note
from governance_engine.log.checkpoint import SignedCheckpoint, sign_checkpoint, verifier_key

# Published vectors (golang.org/x/mod/sumdb/note/note_test.go).
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
    "ngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwn"
    "WLox33WWd1RvMc+QQ=\n"
)


def peter_private_key() -> Ed25519PrivateKey:
    material = base64.b64decode(PETER_SKEY.split("+", 4)[-1])
    assert material[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(material[1:])


def test_signing_reproduces_the_published_note() -> None:
    signature = note.sign(TEXT, "PeterNeumann", peter_private_key())
    assert note.assemble(TEXT, [signature]) == TEXT + "\n" + PETER_SIG
    assert note.VerifierKey("PeterNeumann", peter_private_key().public_key()).encode() == (
        PETER_VKEY
    )


def test_published_keys_parse_and_notes_verify() -> None:
    peter, enoch = note.parse_verifier_key(PETER_VKEY), note.parse_verifier_key(ENOCH_VKEY)
    assert (peter.name, peter.key_id.hex()) == ("PeterNeumann", "c74f20a3")
    assert enoch.key_id.hex() == "af0cfe78"
    both = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert note.verify(both, peter) == TEXT
    assert note.verify(both, enoch) == TEXT
    assert independent_verify(both, PETER_VKEY) == TEXT
    assert independent_verify(both, ENOCH_VKEY) == TEXT


@pytest.mark.parametrize(
    "bad",
    [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        PETER_VKEY[:-1],
    ],
)
def test_mangled_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(note.NoteError):
        note.parse_verifier_key(bad)


@pytest.mark.parametrize(
    "mangled",
    [
        TEXT,  # no signatures
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1] + "A\n",  # signature bytes changed
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT.replace("answer", "Answer") + "\n" + PETER_SIG,
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    ],
)
def test_tampered_notes_do_not_verify(mangled: str) -> None:
    with pytest.raises(note.NoteError):
        note.verify(mangled, note.parse_verifier_key(PETER_VKEY))


def test_our_checkpoints_are_signed_notes_an_independent_verifier_accepts() -> None:
    key = Ed25519PrivateKey.generate()
    moment = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    signed = sign_checkpoint(key, tree_size=1337, root_hash=bytes(range(32)), timestamp=moment)
    vkey = verifier_key(key.public_key()).encode()
    text = signed.signed_note(key.public_key())
    lines = text.splitlines()
    assert lines[:4] == [
        "governance-engine decision log",
        "1337",
        base64.b64encode(bytes(range(32))).decode(),
        "2026-11-21T08:00:00.000000Z",
    ]
    assert lines[4] == ""
    assert lines[5].startswith("\u2014 governance-engine ")
    assert independent_verify(text, vkey) == "\n".join(lines[:4]) + "\n"
    parsed = SignedCheckpoint.from_note(text)
    assert (parsed.tree_size, parsed.root_hash, parsed.timestamp) == (
        1337,
        bytes(range(32)),
        moment,
    )
    assert parsed.verify(key.public_key())
    assert not parsed.verify(Ed25519PrivateKey.generate().public_key())
    # the JSON form older versions printed still verifies, and names the same note
    legacy = SignedCheckpoint.from_dict(signed.to_dict())
    assert legacy.verify(key.public_key())
    assert legacy.signed_note(key.public_key()) == text
    forged = text.replace("\n1337\n", "\n1338\n")
    with pytest.raises(ValueError, match="signature"):
        independent_verify(forged, vkey)
    assert not SignedCheckpoint.from_note(forged).verify(key.public_key())


def test_cosignatures_follow_tlog_cosignature() -> None:
    witness = Ed25519PrivateKey.generate()
    text = "example.com/log\n3\n" + base64.b64encode(bytes(32)).decode() + "\n"
    cosignature = note.cosign(text, "witness.example.org/w1", witness, 1679315147)
    raw = base64.b64decode(cosignature.line().split(" ")[2])
    public = note.raw_public_key(witness.public_key())
    expected_id = hashlib.sha256(b"witness.example.org/w1\n\x04" + public).digest()[:4]
    assert raw[:4] == expected_id
    assert struct.unpack(">Q", raw[4:12]) == (1679315147,)
    message = b"cosignature/v1\ntime 1679315147\n" + text.encode()
    witness.public_key().verify(raw[12:], message)  # raises if the spec's message differs
    key = note.VerifierKey("witness.example.org/w1", witness.public_key(), note.COSIGNATURE_V1)
    assert note.verify_cosignature(text, cosignature, key) == 1679315147
    with pytest.raises(note.NoteError):
        note.verify_cosignature(text.replace("\n3\n", "\n4\n"), cosignature, key)


# -- A second verifier, from c2sp.org/signed-note alone ---------------------------------------


def independent_verify(message: str, vkey: str) -> str:
    """Return the note's text if the verifier key ``vkey`` signed it; raise ValueError if not."""
    name, key_hash, encoded_key = vkey.split("+", 2)
    key_bytes = base64.b64decode(encoded_key)
    if key_bytes[0] != 1 or len(key_bytes) != 33:
        raise ValueError("not an Ed25519 verifier key")
    if hashlib.sha256(name.encode() + b"\x0a" + key_bytes).digest()[:4].hex() != key_hash:
        raise ValueError("key hash mismatch")
    public = Ed25519PublicKey.from_public_bytes(key_bytes[1:])
    body, separator, signatures = message.rpartition("\n\n")
    if not separator or not message.endswith("\n"):
        raise ValueError("malformed")
    text = body + "\n"
    for line in signatures.split("\n")[:-1]:
        prefix = "\u2014 " + name + " "
        if not line.startswith(prefix):
            continue
        blob = base64.b64decode(line[len(prefix) :])
        if blob[:4].hex() != key_hash:
            continue
        try:
            public.verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise ValueError("bad signature") from None
        return text
    raise ValueError("no signature by this key")


def test_verifier_keys_whose_base64_holds_a_plus_round_trip() -> None:
    for _ in range(500):
        key = note.VerifierKey("log.example.org", Ed25519PrivateKey.generate().public_key())
        if "+" in key.encode().split("+", 2)[2]:
            break
    parsed = note.parse_verifier_key(key.encode())
    assert parsed.key_id == key.key_id
    assert note.raw_public_key(parsed.public_key) == note.raw_public_key(key.public_key)
