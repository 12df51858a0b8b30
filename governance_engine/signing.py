"""The Ed25519 key that signs log checkpoints: from configuration, or made on first use.

``GOVERNANCE_SIGNING_KEY`` names a PEM (PKCS#8) private key file. When it is unset the key
lives at ``governance-keys/checkpoint-ed25519.pem`` under the working directory; if that file
does not exist it is generated, in a directory only the owner can enter, readable only by the
owner. Two processes starting at once agree on one key (the file is created exclusively).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from governance_engine.errors import ConfigurationError

DEFAULT_KEY_PATH = Path("governance-keys") / "checkpoint-ed25519.pem"


def key_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    configured = env.get("GOVERNANCE_SIGNING_KEY")
    return Path(configured) if configured else DEFAULT_KEY_PATH


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        _create(path)
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ConfigurationError(f"cannot read the signing key {path}: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"the signing key {path} is not an Ed25519 private key")
    return key


def _create(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first; use theirs
    except OSError as error:
        raise ConfigurationError(f"cannot create the signing key {path}: {error}") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(pem)
    except ValueError as error:
        raise ConfigurationError(f"not a PEM public key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigurationError("the public key is not an Ed25519 key")
    return key
