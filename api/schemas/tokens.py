"""API tokens as admins and their owners see them: never the secret, never its hash."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from governance_engine.persistence.models import ApiToken
from governance_engine.services.directory import NewToken


class TokenIssue(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"person_id": 7, "label": "ci bot", "expires_at": "2027-01-01T00:00:00Z"}]
        },
    )

    person_id: int = Field(ge=1, description="Who the token acts as")
    label: str = Field(default="", max_length=200, description="What the token is for")
    expires_at: AwareDatetime | None = Field(
        default=None, description="Must be in the future; never expires when null"
    )


class TokenRevoke(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "laptop lost"}]}
    )

    reason: str = Field(default="", max_length=2000, description="Recorded in the log")


class TokenRead(BaseModel):
    id: int
    person_id: int
    prefix: str = Field(description="The first characters of the token, to recognise it")
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenRead:
        return cls(
            id=token.id,
            person_id=token.person_id,
            prefix=token.prefix,
            label=token.label,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
        )


class TokenIssued(TokenRead):
    secret: str = Field(
        description="The bearer token. Shown in this response only: it is stored as a hash "
        "and can never be read again.",
        examples=["ge_3q2-7wEvhZ0LJ0tLzvLXRzK0mZ3dCkS8wV8yqfQb1xU"],
    )

    @classmethod
    def of_new(cls, new: NewToken) -> TokenIssued:
        return cls(**TokenRead.of(new.token).model_dump(), secret=new.secret)
