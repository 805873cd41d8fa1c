"""Tables. Money is stored as integer öre (exact on SQLite and PostgreSQL alike), never NUMERIC.

The schema is created by Alembic migrations only (``migrations/``); ``alembic check`` in the test
run proves these models and the migrations agree.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import pydantic
from sqlalchemy import JSON, BigInteger, Column, Index, MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints, so migrations can alter them on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

# Ids are INTEGER on both databases: a larger id in a path, query or body names nothing (404).
MAX_ID = 2**31 - 1

# Every date the service takes lies here: far from date.min/date.max, so date arithmetic (a day
# before, a year on, a half-year's start) never overflows, and wide enough for any taxa.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)
BoundedDate = Annotated[date, pydantic.Field(ge=DATE_MIN, le=DATE_MAX)]


# Text the databases store: PostgreSQL takes no NUL character in a string.
STORABLE_TEXT = r"^[^\x00]*$"


def date_in_bounds(day: date) -> bool:
    return DATE_MIN <= day <= DATE_MAX


def to_ore(amount: Decimal) -> int:
    """Kronor to öre; the amount has at most two decimals by the time it is stored."""
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise ValueError(f"{amount} has fractions of an öre")
    return int(ore)


def from_ore(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(Decimal("0.01"))


class Schedule(SQLModel, table=True):
    """One version of one taxa (owner + variant). Never edited in place after import."""

    __tablename__ = "schedule"
    __table_args__ = (Index("ix_schedule_owner_variant_status", "owner", "variant", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=100)
    name: str = Field(max_length=200)
    variant: str = Field(max_length=10)  # normal | jour
    valid_from: date
    valid_to: date | None = None
    status: str = Field(max_length=10, default="draft")  # draft | active | retired
    source_filename: str | None = Field(default=None, max_length=255)
    source_sha256: str | None = Field(default=None, max_length=64)
    imported_by: str = Field(max_length=100)
    imported_at: datetime
    activated_at: datetime | None = None
    activated_by: str | None = Field(default=None, max_length=100)
    derived_from_id: int | None = Field(default=None, foreign_key="schedule.id")
    # The import's warnings ({row, column, value, message}), kept so that the board's report
    # shows what the administrator was told, rather than validating stored rows again.
    import_warnings: list[dict[str, object]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class ScheduleItem(SQLModel, table=True):
    """One åtgärd of a schedule; rows of the file with one code are one item."""

    __tablename__ = "schedule_item"
    __table_args__ = (
        UniqueConstraint("schedule_id", "position", name="uq_schedule_item_position"),
        Index("ix_schedule_item_schedule_code", "schedule_id", "code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="schedule.id")
    position: int  # order in the file
    code: str | None = Field(default=None, max_length=12)
    category: str | None = Field(default=None, max_length=1)
    group_name: str = Field(max_length=200)
    kind: str = Field(max_length=10)  # extern | intern
    texts: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # 64-bit: an int4 would stop at 21 474 836.47 kr on PostgreSQL.
    price_ore: int = Field(sa_column=Column(BigInteger, nullable=False))
    reference_price_ore: int | None = Field(default=None, sa_column=Column(BigInteger))
    unit: str = Field(max_length=20)
    source_rows: list[int] = Field(sa_column=Column(JSON, nullable=False))


class ApiKey(SQLModel, table=True):
    """An API key; only its SHA-256 is kept (the key itself is 256 random bits, shown once)."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    key_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)  # first characters, to recognise a key in the audit log
    created_at: datetime
    revoked_at: datetime | None = None
    # The owners the key may write for; null: every owner.
    owners: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    last_used_at: datetime | None = None  # written at most once a minute per key and worker


class AuditEvent(SQLModel, table=True):
    """Every write: who, when, what, and the checksum of the file involved."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=50)
    owner: str | None = Field(default=None, max_length=100, index=True)  # whose data was written
    target: str | None = Field(default=None, max_length=200)
    sha256: str | None = Field(default=None, max_length=64)
    detail: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))


class SnapshotVersion(SQLModel, table=True):
    """One row whose counter goes up whenever the schedules in force change.

    Every worker compares it with the version of its in-memory snapshot (one cheap query, at most
    once a second) instead of querying prices per request.
    """

    __tablename__ = "snapshot_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class VolumeSet(SQLModel, table=True):
    """An imported file of volumes (billed åtgärder per code), summed per code on import."""

    __tablename__ = "volume_set"

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=100)
    name: str = Field(max_length=200)
    source_filename: str | None = Field(default=None, max_length=255)
    source_sha256: str | None = Field(default=None, max_length=64)
    imported_by: str = Field(max_length=100)
    imported_at: datetime
    row_count: int
    clinics: list[str] = Field(sa_column=Column(JSON, nullable=False))
    patient_categories: list[str] = Field(sa_column=Column(JSON, nullable=False))


class VolumeEntry(SQLModel, table=True):
    """One code's summed volume in a volume set (a count of the item's unit, whole and ≥ 0)."""

    __tablename__ = "volume_entry"
    __table_args__ = (UniqueConstraint("volume_set_id", "code", name="uq_volume_entry_code"),)

    id: int | None = Field(default=None, primary_key=True)
    volume_set_id: int = Field(foreign_key="volume_set.id")
    code: str = Field(max_length=12)
    volume: int = Field(sa_column=Column(BigInteger, nullable=False))


class ReferenceListRow(SQLModel, table=True):
    """One TLV reference list (a föreskrift) as imported: dated, never edited.

    Only an open end may be closed, when the next list is imported (its valid_from − 1 day),
    as a taxa's activation ends the one before. ``origin``: ``tlv_file`` (TLV's own file) or
    ``region_decision`` (the prices a region's taxa decision prints, when TLV's file is not at
    hand: data/reference/README.md).
    """

    __tablename__ = "reference_list"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)  # TLV's föreskrift, e.g. "HSLF-FS 2025:68"
    valid_from: date
    valid_to: date | None = None  # the last day in force; null: open-ended
    stated_valid_from: date | None = None  # the date the file's headings state
    origin: str = Field(max_length=20, default="tlv_file")
    source_filename: str | None = Field(default=None, max_length=255)
    source_sha256: str | None = Field(default=None, max_length=64)
    imported_by: str = Field(max_length=100)
    imported_at: datetime
    import_notes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class ReferenceCodeRow(SQLModel, table=True):
    """One TLV åtgärd of a reference list: its general and specialist price (either may be
    absent: TLV's "-"), the dental-technical cost exactly as published (text: TLV's calculation
    figure has up to 14 decimals), the material as text."""

    __tablename__ = "reference_code"
    __table_args__ = (UniqueConstraint("reference_list_id", "code", name="uq_reference_code_code"),)

    id: int | None = Field(default=None, primary_key=True)
    reference_list_id: int = Field(foreign_key="reference_list.id")
    position: int  # order in the file
    code: str = Field(max_length=12)
    name: str = Field(max_length=500)
    general_ore: int | None = Field(default=None, sa_column=Column(BigInteger))
    specialist_ore: int | None = Field(default=None, sa_column=Column(BigInteger))
    technical: str | None = Field(default=None, max_length=50)
    material: str | None = Field(default=None, max_length=500)
    row: int | None = None  # the spreadsheet row it came from
