"""``governance-engine log ...``: what auditors run against the decision log.

``verify``, ``checkpoint``, ``export`` and ``prove`` read the database; ``verify-export`` and
``verify-proof`` need only files the service published (an export, checkpoints, proofs, the
public key), so a third party can run them anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from governance_engine.cli import _witness
from governance_engine.cli._common import Commands, open_database
from governance_engine.clock import SystemClock
from governance_engine.errors import ConfigurationError, InvalidInput
from governance_engine.log import parse_timestamp
from governance_engine.log.checkpoint import SignedCheckpoint, verifier_key
from governance_engine.log.note import NoteError, VerifierKey, parse_verifier_key
from governance_engine.log.verifier import (
    Verdict,
    verify_consistency_document,
    verify_export,
    verify_inclusion_document,
)
from governance_engine.signing import key_path, load_or_create_key, load_public_key, public_key_pem

# services.exports.FORMATS, spelled here so that --help does not import the services
# (tests/cli/test_startup.py checks that the two agree).
EXPORT_FORMATS = ("jsonl", "csv")


def register(commands: Commands) -> None:
    log = commands.add_parser("log", help="verify, checkpoint, export and prove the decision log")
    actions = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)

    verify = actions.add_parser(
        "verify",
        help="recompute the hash chain and check it against the latest signed checkpoint; "
        "exit 1 and name what is wrong",
        description="Recompute the hash chain from the first entry, then check the log "
        "against the latest signed checkpoint: it must be at least that long (no rollback) "
        "and its first entries must have the signed Merkle root (no rewrite). Exit 1 with one "
        "line naming the first damaged seq or the checkpoint it contradicts.",
    )
    verify.add_argument(
        "--public-key",
        type=Path,
        help="check the checkpoint's signature with this key (PEM); default: the key of "
        "GOVERNANCE_SIGNING_KEY, when that file exists",
    )
    verify.add_argument(
        "--witnesses",
        type=int,
        default=0,
        metavar="N",
        help="also require N valid witness cosignatures on the latest checkpoint",
    )
    verify.add_argument(
        "--witness-key",
        type=Path,
        action="append",
        default=None,
        help="a witness verifier key file to trust (repeatable); default: the keys admins "
        "registered in the database",
    )
    verify.set_defaults(handler=_verify)
    _witness.register(actions)

    replay = actions.add_parser(
        "replay",
        help="rebuild the tables from the log alone and compare; exit 1 and list each difference",
        description="Rebuild proposals, revisions, ballots (with electorates), votes and "
        "decisions from the decision log alone, compare them with the tables, and recompute "
        "every closed ballot's outcome from its frozen rule. Exit 0 with a summary when all "
        "agree; exit 1 with one line per difference on stderr: "
        "TABLE[KEY] FIELD: log VALUE, table VALUE.",
    )
    replay.set_defaults(handler=_replay)

    checkpoint = actions.add_parser(
        "checkpoint",
        help="sign a Merkle checkpoint of the log as it stands (prints it as a C2SP signed note)",
        description="Verify the chain since the latest checkpoint, then sign the log's Merkle "
        "root and print the checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint). "
        "Refuses, signing nothing, when the log is shorter than or inconsistent with the "
        "latest checkpoint or its chain is broken.",
    )
    checkpoint.add_argument(
        "--json", action="store_true", help="print the JSON document instead of the note"
    )
    checkpoint.set_defaults(handler=_checkpoint)

    public_key = actions.add_parser(
        "public-key",
        help="print the checkpoint key as a note verifier key (name+keyid+base64 key)",
    )
    public_key.add_argument("--pem", action="store_true", help="print it as PEM instead")
    public_key.set_defaults(handler=_public_key)

    export = actions.add_parser("export", help="export the log as JSON Lines or CSV (streamed)")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="jsonl")
    export.add_argument("--output", type=Path, help="write here instead of standard output")
    export.add_argument("--proposal", type=int, dest="proposal_id")
    export.add_argument("--body", help="body slug")
    export.add_argument("--actor", type=int, dest="actor_id")
    export.add_argument("--action")
    export.add_argument("--since", type=_timestamp, help="ISO-8601 with a time zone")
    export.add_argument("--until", type=_timestamp, help="ISO-8601 with a time zone")
    export.set_defaults(handler=_export)

    prove = actions.add_parser("prove", help="print an inclusion or consistency proof as JSON")
    kinds = prove.add_subparsers(dest="proof_kind", metavar="KIND", required=True)
    inclusion = kinds.add_parser("inclusion", help="entry SEQ is in the log of TREE_SIZE entries")
    inclusion.add_argument("--seq", type=int, required=True)
    inclusion.add_argument("--tree-size", type=int)
    inclusion.set_defaults(handler=_prove_inclusion)
    consistency = kinds.add_parser("consistency", help="the log of SECOND entries extends FIRST")
    consistency.add_argument("--first", type=int, required=True)
    consistency.add_argument("--second", type=int)
    consistency.set_defaults(handler=_prove_consistency)

    verify_export_parser = actions.add_parser(
        "verify-export",
        help="check an unfiltered JSON Lines export against signed checkpoints (no database)",
    )
    verify_export_parser.add_argument("--export", type=Path, required=True)
    verify_export_parser.add_argument("--public-key", type=Path, required=True)
    verify_export_parser.add_argument(
        "--checkpoint", type=Path, action="append", default=[], help="repeatable"
    )
    verify_export_parser.set_defaults(handler=_verify_export)

    verify_proof = actions.add_parser(
        "verify-proof", help="check an inclusion or consistency proof (no database)"
    )
    proof_kinds = verify_proof.add_subparsers(dest="proof_kind", metavar="KIND", required=True)
    check_inclusion = proof_kinds.add_parser("inclusion")
    check_inclusion.add_argument("--proof", type=Path, required=True)
    check_inclusion.add_argument("--checkpoint", type=Path, required=True)
    check_inclusion.add_argument("--public-key", type=Path, required=True)
    check_inclusion.set_defaults(handler=_verify_inclusion)
    check_consistency = proof_kinds.add_parser("consistency")
    check_consistency.add_argument("--proof", type=Path, required=True)
    check_consistency.add_argument("--old-checkpoint", type=Path, required=True)
    check_consistency.add_argument("--checkpoint", type=Path, required=True)
    check_consistency.add_argument("--public-key", type=Path, required=True)
    check_consistency.set_defaults(handler=_verify_consistency)


def _timestamp(text: str) -> Any:
    try:
        return parse_timestamp(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _verify(args: argparse.Namespace) -> int:
    from governance_engine.services import log_audit

    public_key = _checkpoint_key(args.public_key)
    database = open_database()
    try:
        with database.reader() as session:
            audit = log_audit.audit_log(
                session,
                public_key=public_key,
                witnesses=args.witnesses,
                witness_keys=_witness_keys(args.witness_key),
            )
    finally:
        database.dispose()
    for line in audit.lines():
        print(line, file=sys.stdout if audit.ok else sys.stderr)
    return 0 if audit.ok else 1


def _witness_keys(paths: list[Path] | None) -> list[VerifierKey] | None:
    if paths is None:
        return None
    keys = []
    for path in paths:
        try:
            keys.append(parse_verifier_key(_read_text(path, "witness key")))
        except NoteError as error:
            raise ConfigurationError(f"the witness key {path}: {error}") from None
    return keys


def _checkpoint_key(path: Path | None) -> Any:
    if path is not None:
        return _public_key_file(path)
    own = key_path()
    return load_or_create_key(own).public_key() if own.exists() else None


def _replay(_args: argparse.Namespace) -> int:
    from governance_engine.services import replay as replay_service

    database = open_database()
    try:
        with database.reader() as session:
            report = replay_service.replay(session)
    finally:
        database.dispose()
    if report.ok:
        print(report.summary())
        return 0
    for line in report.lines():
        print(line, file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return 1


def _checkpoint(args: argparse.Namespace) -> int:
    from governance_engine.services import checkpoints

    key = load_or_create_key(key_path())
    database = open_database()
    try:
        with database.transaction() as session:
            row = checkpoints.create_checkpoint(session, at=SystemClock().now(), key=key)
            signed = checkpoints.to_signed(row, key.public_key())
    finally:
        database.dispose()
    if args.json:
        print(json.dumps(signed.to_dict(), indent=2))
    else:
        print(signed.signed_note(key.public_key()), end="")
    return 0


def _public_key(args: argparse.Namespace) -> int:
    key = load_or_create_key(key_path())
    if args.pem:
        print(public_key_pem(key), end="")
    else:
        print(verifier_key(key.public_key()).encode())
    return 0


def _export(args: argparse.Namespace) -> int:
    from governance_engine.services import exports
    from governance_engine.services.exports import LogFilter

    filters = LogFilter(
        proposal_id=args.proposal_id,
        body=args.body,
        actor_id=args.actor_id,
        action=args.action,
        since=args.since,
        until=args.until,
    )
    database = open_database()
    output = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        with database.reader() as session:
            progress = _progress_bar(exports.count(session, filters))
            for line in exports.export_lines(
                session, filters=filters, format=args.format, progress=progress
            ):
                output.write(line)
    finally:
        if args.output:
            output.close()
        database.dispose()
    return 0


def _progress_bar(total: int) -> Any:
    """A progress line on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int) -> None:
        share = done / total if total else 1.0
        filled = int(share * 30)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} entries")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _prove_inclusion(args: argparse.Namespace) -> int:
    from governance_engine.services import checkpoints

    database = open_database()
    try:
        with database.reader() as session:
            proof = checkpoints.prove_inclusion(session, seq=args.seq, tree_size=args.tree_size)
    finally:
        database.dispose()
    print(json.dumps(proof.to_dict(), indent=2))
    return 0


def _prove_consistency(args: argparse.Namespace) -> int:
    from governance_engine.services import checkpoints

    database = open_database()
    try:
        with database.reader() as session:
            proof = checkpoints.prove_consistency(session, first=args.first, second=args.second)
    finally:
        database.dispose()
    print(json.dumps(proof.to_dict(), indent=2))
    return 0


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"cannot read the {what} {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise InvalidInput(f"the {what} {path} is not JSON: {error}") from None


def _checkpoint_file(path: Path) -> SignedCheckpoint:
    """A checkpoint file: a signed note, or the JSON document older versions printed."""
    text = _read_text(path, "checkpoint")
    try:
        if text.lstrip().startswith("{"):
            return SignedCheckpoint.from_dict(_read_json(path, "checkpoint"))
        return SignedCheckpoint.from_note(text)
    except ValueError as error:  # NoteError is one
        raise InvalidInput(f"{path}: {error}") from None


def _public_key_file(path: Path) -> Any:
    """The log's public key: a note verifier key (``log public-key``), or PEM."""
    text = _read_text(path, "public key")
    if "BEGIN PUBLIC KEY" in text:
        return load_public_key(text.encode())
    try:
        return parse_verifier_key(text).public_key
    except NoteError as error:
        raise ConfigurationError(f"the public key {path}: {error}") from None


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read the {what} {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"the {what} {path} is not UTF-8 text") from None


def _export_documents(path: Path) -> Iterator[Any]:
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except (json.JSONDecodeError, RecursionError) as error:
                        raise InvalidInput(f"{path}:{number}: not JSON: {error}") from None
    except UnicodeDecodeError as error:
        raise InvalidInput(f"the export {path} is not UTF-8 text: {error.reason}") from None
    except OSError as error:
        raise InvalidInput(f"cannot read the export {path}: {error.strerror}") from None


def _report(verdict: Verdict) -> int:
    for note in verdict.notes:
        print(note)
    for problem in verdict.problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 0 if verdict.ok else 1


def _verify_export(args: argparse.Namespace) -> int:
    key = _public_key_file(args.public_key)
    signed = [_checkpoint_file(path) for path in args.checkpoint]
    return _report(verify_export(_export_documents(args.export), signed, key))


def _verify_inclusion(args: argparse.Namespace) -> int:
    key = _public_key_file(args.public_key)
    proof = _read_json(args.proof, "proof")
    return _report(verify_inclusion_document(proof, _checkpoint_file(args.checkpoint), key))


def _verify_consistency(args: argparse.Namespace) -> int:
    key = _public_key_file(args.public_key)
    proof = _read_json(args.proof, "proof")
    old, new = _checkpoint_file(args.old_checkpoint), _checkpoint_file(args.checkpoint)
    return _report(verify_consistency_document(proof, old, new, key))
