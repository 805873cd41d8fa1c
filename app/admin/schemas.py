"""What the key and audit endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.models import ApiKey

OwnerName = Annotated[str, Field(min_length=1, max_length=100)]


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    owner: str | None = Field(description="Whose taxa or volumes the write was for")
    target: str | None
    sha256: str | None
    detail: dict[str, object]


class KeyIn(BaseModel):
    role: str = Field(pattern="^(admin|clinic|board)$")
    name: str = Field(min_length=1, max_length=100)
    owners: list[OwnerName] | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="The owners the key may write for (import, activate, retire, volumes); "
        "absent or null: every owner. A key scoped to owners may only create keys within them.",
        examples=[["region-jonkoping"]],
    )


class KeyOut(BaseModel):
    id: int
    name: str
    role: str
    owners: list[str] | None
    key: str = Field(description="Shown once; only its SHA-256 is stored")


class KeyInfo(BaseModel):
    """A key as listed: never the key itself, which is not stored."""

    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    role: str
    owners: list[str] | None = Field(description="null: every owner")
    created_at: datetime
    last_used_at: datetime | None = Field(description="To the minute; null: never used")
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> KeyInfo:
        assert row.id is not None
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            role=row.role,
            owners=row.owners,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )
