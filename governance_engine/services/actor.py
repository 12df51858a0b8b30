"""Who an action runs on behalf of."""

from __future__ import annotations

from dataclasses import dataclass

from governance_engine.persistence.models import Person


@dataclass(frozen=True)
class Actor:
    """The person on whose authority an action runs; ``person_id`` None is the system itself."""

    person_id: int | None
    name: str
    is_admin: bool = False
    is_auditor: bool = False

    @classmethod
    def system(cls) -> Actor:
        return cls(person_id=None, name="system")

    @classmethod
    def of(cls, person: Person) -> Actor:
        return cls(person.id, person.name, person.is_admin, person.is_auditor)
