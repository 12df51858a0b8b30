"""Queries over witness keys and the cosignatures they made."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Cosignature, WitnessKey


def all_keys(session: Session) -> list[WitnessKey]:
    return list(session.scalars(select(WitnessKey).order_by(WitnessKey.id)))


def key_named(session: Session, name: str) -> WitnessKey | None:
    return session.scalars(select(WitnessKey).where(WitnessKey.name == name)).one_or_none()


def cosignatures(session: Session, tree_size: int) -> list[tuple[Cosignature, WitnessKey]]:
    statement = (
        select(Cosignature, WitnessKey)
        .join(WitnessKey, WitnessKey.id == Cosignature.witness_key_id)
        .where(Cosignature.tree_size == tree_size)
        .order_by(WitnessKey.name)
    )
    return [(row[0], row[1]) for row in session.execute(statement)]


def cosignature(session: Session, tree_size: int, witness_key_id: int) -> Cosignature | None:
    return session.scalars(
        select(Cosignature).where(
            Cosignature.tree_size == tree_size, Cosignature.witness_key_id == witness_key_id
        )
    ).one_or_none()
