"""Signed notes (c2sp.org/signed-note) with Ed25519, and cosignatures (c2sp.org/tlog-cosignature).

A note is UTF-8 text of one or more newline-terminated lines, then a blank line, then one
line per signature: ``— <key name> base64(key ID || signature)``. The key ID is the first
4 bytes of ``SHA-256(key name || 0x0A || type byte || public key)``: type 0x01 for an Ed25519
note signature (over the text), 0x04 for an Ed25519 cosignature/v1 (over ``cosignature/v1\\n
time T\\n`` and the text, with an 8-byte big-endian T before the signature).

A verifier key is written ``<name>+<key ID, 8 hex digits>+base64(type byte || public key)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
_DASH = "\u2014 "  # an em dash and a space open every signature line
_MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note, key or signature that is malformed or does not verify; says which."""


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: bytes  # 4 bytes
    signature: bytes  # what follows the key ID

    def line(self) -> str:
        encoded = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{_DASH}{self.name} {encoded}\n"


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A named public key of one signature type, as a verifier key string names it."""

    name: str
    public_key: Ed25519PublicKey
    kind: int = ED25519

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, raw_public_key(self.public_key))

    def encode(self) -> str:
        material = bytes([self.kind]) + raw_public_key(self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(material).decode('ascii')}"

    def matches(self, signature: NoteSignature) -> bool:
        return signature.name == self.name and signature.key_id == self.key_id


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, kind: int, raw_key: bytes) -> bytes:
    """The first 4 bytes of SHA-256(name || 0x0A || kind || key)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([kind]) + raw_key).digest()[:4]


def check_key_name(name: str) -> str:
    """Rule (signed-note): a key name is non-empty, with no space, newline or ``+``."""
    if not name or any(char.isspace() or char == "+" for char in name):
        raise NoteError(f"{name!r} is not a key name: it must be non-empty, without spaces or '+'")
    return name


def parse_verifier_key(text: str) -> VerifierKey:
    """``name+hex8+base64(type || key)`` back into a key; NoteError says what is wrong."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is name+keyid+key (three parts joined by '+')")
    name, hex_id, encoded = parts
    check_key_name(name)
    try:
        material = base64.b64decode(encoded, validate=True)
        wanted = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError):
        raise NoteError("the verifier key's key ID or key is not encoded right") from None
    if len(wanted) != 4 or len(material) != 33 or material[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("the verifier key is not an Ed25519 key of 32 bytes with a 4-byte ID")
    key = VerifierKey(name, Ed25519PublicKey.from_public_bytes(material[1:]), material[0])
    if key.key_id != wanted:
        raise NoteError("the verifier key's key ID does not match its name and key")
    return key


def sign(text: str, name: str, private_key: Ed25519PrivateKey) -> NoteSignature:
    """An Ed25519 note signature of ``text`` by the key called ``name``."""
    _check_text(text)
    raw = raw_public_key(private_key.public_key())
    return NoteSignature(
        name, key_id(check_key_name(name), ED25519, raw), private_key.sign(text.encode())
    )


def assemble(text: str, signatures: list[NoteSignature]) -> str:
    """The note: its text, a blank line, and one line per signature."""
    _check_text(text)
    return text + "\n" + "".join(signature.line() for signature in signatures)


def split(note: str) -> tuple[str, list[NoteSignature]]:
    """A note's text and its signature lines, unverified; NoteError when malformed."""
    if any(ord(char) < 0x20 and char != "\n" for char in note):
        raise NoteError("malformed note: it holds control characters")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("malformed note: no blank line before the signatures")
    text, lines = note[: cut + 1], note[cut + 2 :].splitlines()
    if not lines or len(lines) > _MAX_SIGNATURES:
        raise NoteError("malformed note: it needs 1 to 100 signature lines")
    signatures = []
    for line in lines:
        if not line.startswith(_DASH):
            raise NoteError(f"malformed note: {line[:40]!r} is not a signature line")
        name, _, encoded = line[len(_DASH) :].partition(" ")
        try:
            check_key_name(name)
            raw = base64.b64decode(encoded, validate=True)
        except (NoteError, binascii.Error):
            raise NoteError(f"malformed note: bad signature line {line[:40]!r}") from None
        if len(raw) < 5:
            raise NoteError("malformed note: a signature is too short")
        signatures.append(NoteSignature(name, raw[:4], raw[4:]))
    return text, signatures


def verify(note: str, key: VerifierKey) -> str:
    """The note's text, if ``key`` signed it (other signatures are ignored); else NoteError."""
    text, signatures = split(note)
    for signature in signatures:
        if key.matches(signature):
            try:
                key.public_key.verify(signature.signature, text.encode())
            except InvalidSignature:
                raise NoteError(f"invalid signature for key {key.name}") from None
            return text
    raise NoteError(f"the note has no signature by {key.name}+{key.key_id.hex()}")


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: a header line, a time line, then the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> NoteSignature:
    """A cosignature/v1 of the checkpoint ``text`` by the witness key ``name`` at ``timestamp``."""
    _check_text(text)
    if not 0 <= timestamp < 2**63:
        raise NoteError("a cosignature's timestamp must be between 0 and 2^63 - 1")
    raw = raw_public_key(private_key.public_key())
    signed = private_key.sign(cosigned_message(text, timestamp))
    return NoteSignature(
        name,
        key_id(check_key_name(name), COSIGNATURE_V1, raw),
        struct.pack(">Q", timestamp) + signed,
    )


def verify_cosignature(text: str, signature: NoteSignature, key: VerifierKey) -> int:
    """The timestamp of a valid cosignature/v1 by ``key`` on ``text``; NoteError otherwise."""
    if signature.name != key.name or signature.key_id != key_id(
        key.name, COSIGNATURE_V1, raw_public_key(key.public_key)
    ):
        raise NoteError(f"the cosignature is not by {key.name}")
    if len(signature.signature) != 8 + 64:
        raise NoteError("a cosignature is an 8-byte time and a 64-byte signature")
    (timestamp,) = struct.unpack(">Q", signature.signature[:8])
    if timestamp >= 2**63:
        raise NoteError("the cosignature's timestamp is out of range")
    try:
        key.public_key.verify(signature.signature[8:], cosigned_message(text, timestamp))
    except InvalidSignature:
        raise NoteError(f"invalid cosignature by {key.name}") from None
    return int(timestamp)


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise NoteError("malformed note: text must be non-empty lines, each ending in a newline")
    if any(ord(char) < 0x20 and char != "\n" for char in text):
        raise NoteError("malformed note: text holds control characters")
