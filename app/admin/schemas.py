"""What the API answers. Amounts are Decimal, which JSON shows as strings ("1100.00").
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    sha256: str | None
    detail: dict[str, object]


class KeyIn(BaseModel):
    role: str = Field(pattern="^(admin|clinic|board)$")
    name: str = Field(min_length=1, max_length=100)


class KeyOut(BaseModel):
    id: int
    name: str
    role: str
    key: str = Field(description="Shown once; only its SHA-256 is stored")
