"""The HTTP baseline: a bare FastAPI app doing the same inserts as a vote (vote + log-like row).

Run by ``http_throughput.py`` under uvicorn with the database URL in ``BENCH_DATABASE_URL``.
No auth, no services, no chain head: one transaction with two Core INSERTs per request.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import create_engine, insert
from vote_throughput import bare_log, bare_votes

engine = create_engine(
    os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
    pool_size=10,
    max_overflow=10,
)
app = FastAPI()


class VoteIn(BaseModel):
    choice: str


@app.post("/ballots/{ballot_id}/votes/{voter_id}", status_code=201)
def cast(ballot_id: int, voter_id: int, vote: VoteIn) -> dict[str, str]:
    at = datetime.now(UTC)
    payload = {"voter_id": voter_id, "choice": vote.choice, "rationale": ""}
    document = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    prev = secrets.token_hex(32)
    digest = hashlib.sha256(prev.encode() + document).hexdigest()
    with engine.begin() as connection:
        connection.execute(
            insert(bare_votes).values(
                ballot_id=ballot_id,
                voter_id=voter_id,
                choice=vote.choice,
                rationale="",
                entered_by_id=voter_id,
                cast_at=at,
                updated_at=at,
                changes=0,
            )
        )
        connection.execute(
            insert(bare_log).values(
                seq=secrets.randbits(62),
                recorded_at=at,
                actor_id=voter_id,
                action="vote.cast",
                subject_type="ballot",
                subject_id=str(ballot_id),
                payload=json.dumps(payload),
                prev_hash=prev,
                hash=digest,
            )
        )
    return {"choice": vote.choice}
