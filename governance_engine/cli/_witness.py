"""``governance-engine log witness``: what a member organization runs to co-sign checkpoints.

State directory (keep it; back it up):

    witness-ed25519.pem   the witness's private key (made on first use, owner only)
    name                  the witness's key name, e.g. ``witness.uni-example.ch/governance``
    log.vkey              the log's verifier key (pinned on first contact, or --log-key)
    checkpoint            the last checkpoint this witness accepted and co-signed
    evidence/<time>/      both notes and the proof, whenever a checkpoint was refused

Online (``--url``) it fetches the latest checkpoint and the consistency proof from the last
one it accepted, checks both, co-signs, and posts the cosignature back. Offline
(``--checkpoint FILE --proof FILE``) it checks the files and prints the cosignature line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from governance_engine.errors import ConfigurationError, InvalidInput
from governance_engine.log import note
from governance_engine.log.checkpoint import SignedCheckpoint
from governance_engine.log.witness import refusal
from governance_engine.signing import load_or_create_key

if TYPE_CHECKING:
    import httpx

API = "/api/v1/log"


def register(actions: Any) -> None:
    witness = actions.add_parser(
        "witness",
        help="co-sign the log's latest checkpoint as a witness, after checking it only grew",
        description="Fetch (--url) or read (--checkpoint, --proof) the log's latest "
        "checkpoint and the consistency proof from the last one this witness accepted; "
        "co-sign it (C2SP cosignature/v1) only if it is signed by the log's key and extends "
        "what this witness saw; post the cosignature back. Exit 1 and keep both notes under "
        "STATE/evidence/ on a rollback, fork or rewrite.",
    )
    witness.add_argument("--state", type=Path, required=True, help="the witness's directory")
    witness.add_argument("--name", help="the witness's key name (first run; then kept)")
    witness.add_argument("--url", help="the service's base URL, e.g. https://gov.example.org")
    witness.add_argument("--checkpoint", type=Path, help="offline: the checkpoint note")
    witness.add_argument("--proof", type=Path, help="offline: the consistency proof (JSON)")
    witness.add_argument("--log-key", type=Path, help="the log's verifier key (else pinned)")
    witness.add_argument("--no-post", action="store_true", help="print, do not post back")
    witness.add_argument(
        "--show-key", action="store_true", help="print this witness's verifier key and exit"
    )
    witness.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import httpx  # here, not at the top: --help stays fast

    if args.show_key:
        state = WitnessState(args.state, args.name)
        print(state.verifier_key().encode())
        return 0
    if (args.url is None) == (args.checkpoint is None):
        raise InvalidInput("give --url, or --checkpoint (with --proof) to witness offline")
    if args.url is not None:
        with httpx.Client(base_url=args.url.rstrip("/"), timeout=30) as client:
            return witness_online(
                args.state, client, name=args.name, log_key=args.log_key, post=not args.no_post
            )
    text = _read(args.checkpoint, "checkpoint")
    proof = json.loads(_read(args.proof, "proof")) if args.proof is not None else None
    return witness_offline(args.state, text, proof, name=args.name, log_key=args.log_key)


class WitnessState:
    """The witness's directory: its key, name, pinned log key and last accepted checkpoint."""

    def __init__(self, path: Path, name: str | None) -> None:
        self.path = path
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        named = path / "name"
        if name is not None:
            note.check_key_name(name)
            if named.exists() and named.read_text().strip() != name:
                raise ConfigurationError(
                    f"{path} belongs to witness {named.read_text().strip()}, not {name}"
                )
            named.write_text(name + "\n")
        if not named.exists():
            raise ConfigurationError(f"{path} has no witness name yet: pass --name NAME")
        self.name = named.read_text().strip()
        self.key: Ed25519PrivateKey = load_or_create_key(path / "witness-ed25519.pem")

    def verifier_key(self) -> note.VerifierKey:
        return note.VerifierKey(self.name, self.key.public_key(), note.COSIGNATURE_V1)

    def log_key(self, given: Path | None, fetch: Any = None) -> Ed25519PublicKey:
        pinned = self.path / "log.vkey"
        if given is not None:
            text = _read(given, "log key")
        elif pinned.exists():
            text = pinned.read_text()
        elif fetch is not None:
            text = fetch()
            print(f"pinned the log's key on first contact: {text.strip()}")
        else:
            raise ConfigurationError("the log's key is unknown: pass --log-key FILE")
        try:
            key = note.parse_verifier_key(text)
        except note.NoteError as error:
            raise ConfigurationError(f"the log's key: {error}") from None
        if pinned.exists() and pinned.read_text().strip() != key.encode():
            raise ConfigurationError(f"the log's key differs from the one pinned in {pinned}")
        pinned.write_text(key.encode() + "\n")
        return key.public_key

    def accepted(self) -> tuple[str, SignedCheckpoint] | None:
        saved = self.path / "checkpoint"
        if not saved.exists():
            return None
        text = saved.read_text(encoding="utf-8")
        return text, SignedCheckpoint.from_note(text)

    def accept(self, text: str) -> None:
        temporary = self.path / "checkpoint.new"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path / "checkpoint")

    def keep_evidence(self, reason: str, old: str | None, new: str, proof: Any) -> Path:
        folder = self.path / "evidence" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        folder.mkdir(parents=True)
        (folder / "offered.note").write_text(new, encoding="utf-8")
        if old is not None:
            (folder / "accepted.note").write_text(old, encoding="utf-8")
        (folder / "proof.json").write_text(json.dumps(proof, indent=2), encoding="utf-8")
        (folder / "reason.txt").write_text(reason + "\n", encoding="utf-8")
        return folder


def witness_online(
    state_dir: Path, client: httpx.Client, *, name: str | None, log_key: Path | None, post: bool
) -> int:
    """One round against a running service (``client`` has its base URL)."""
    import httpx

    state = WitnessState(state_dir, name)

    def fetch_key() -> str:
        return str(_get(client, f"{API}/public-key").json()["verifier_key"])

    key = state.log_key(log_key, fetch_key)
    text = _get(client, f"{API}/checkpoints/latest").text
    new = _parse(text)
    held = state.accepted()
    proof: Any = None
    if held is not None and held[1].tree_size < new.tree_size:
        params = {"first": held[1].tree_size, "second": new.tree_size}
        proof = _get(client, f"{API}/proofs/consistency", params=params).json()
    line = _decide(state, key, held, text, new, proof)
    if line is None:
        return 1
    if post:
        try:
            answer = client.post(
                f"{API}/checkpoints/{new.tree_size}/cosignatures",
                content=line.encode(),
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )
        except httpx.HTTPError as error:
            raise ConfigurationError(f"cannot post the cosignature: {error}") from None
        if answer.status_code != 201:
            print(
                f"governance-engine: error: the service refused the cosignature "
                f"({answer.status_code}): {_detail(answer)}",
                file=sys.stderr,
            )
            return 1
        print(f"posted the cosignature of size {new.tree_size}")
    return 0


def witness_offline(
    state_dir: Path, text: str, proof: Any, *, name: str | None, log_key: Path | None
) -> int:
    state = WitnessState(state_dir, name)
    key = state.log_key(log_key)
    new = _parse(text)
    held = state.accepted()
    return 0 if _decide(state, key, held, text, new, proof) is not None else 1


def _decide(
    state: WitnessState,
    key: Ed25519PublicKey,
    held: tuple[str, SignedCheckpoint] | None,
    text: str,
    new: SignedCheckpoint,
    proof: Any,
) -> str | None:
    """Check, then co-sign and remember; or refuse, keep the evidence, and return None."""
    old = held[1] if held is not None else None
    nodes: list[bytes] = []
    if old is not None and old.tree_size < new.tree_size:
        nodes = _proof_nodes(proof, old.tree_size, new.tree_size)
    why = refusal(old, new, nodes, key)
    if why is not None:
        folder = state.keep_evidence(why, held[0] if held else None, text, proof)
        print(f"governance-engine: refused: {why}; evidence kept in {folder}", file=sys.stderr)
        return None
    body = new.note().decode("utf-8")
    cosignature = note.cosign(body, state.name, state.key, int(time.time()))
    state.accept(note.assemble(body, [_log_signature(text), cosignature]))
    line = cosignature.line().rstrip("\n")
    grown = f" (extends {old.tree_size})" if old is not None else " (first checkpoint seen)"
    print(f"accepted the checkpoint of size {new.tree_size}{grown}")
    print(line)
    return line


def _log_signature(text: str) -> note.NoteSignature:
    _, signatures = note.split(text)
    return next(s for s in signatures if s.name == "governance-engine")


def _proof_nodes(proof: Any, first: int, second: int) -> list[bytes]:
    try:
        if (int(proof["first"]), int(proof["second"])) != (first, second):
            raise InvalidInput(f"the proof is not from size {first} to {second}")
        return [bytes.fromhex(node) for node in proof["proof"]]
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"the consistency proof is malformed: {error}") from None


def _parse(text: str) -> SignedCheckpoint:
    try:
        return SignedCheckpoint.from_note(text)
    except ValueError as error:  # NoteError is one
        raise InvalidInput(f"the checkpoint is malformed: {error}") from None


def _get(client: httpx.Client, path: str, **options: Any) -> httpx.Response:
    import httpx

    try:
        answer = client.get(path, **options)
    except httpx.HTTPError as error:
        raise ConfigurationError(f"cannot reach the service: {error}") from None
    if answer.status_code != 200:
        raise ConfigurationError(f"GET {path}: {answer.status_code} {_detail(answer)}")
    return answer


def _detail(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("detail", answer.text))[:300]
    except ValueError:
        return answer.text[:300]


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read the {what} {path}: {error}") from None
