"""What the taxa endpoints answer (procedures, schedules, imports). Amounts are Decimal, which
JSON shows as strings ("1100.00").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.errors import RowProblem
from app.models import Schedule
from pricing.diff import PriceChange, TaxaDiff
from pricing.taxa import Item


class ItemOut(BaseModel):
    code: str | None = Field(description="Åtgärd code; null for a row the region marked 'Ny kod'")
    category: str | None = Field(description="A (allmäntandvård) or S (specialisttandvård)")
    group: str = Field(description="Åtgärdsgrupp as the region writes it")
    kind: str = Field(description="extern (TLV code, has a referenspris) or intern")
    text: str
    alternative_texts: list[str] = Field(description="Texts of other rows with the same code")
    price: Decimal = Field(description="FTV price in kronor, per unit")
    reference_price: Decimal | None = Field(description="TLV referenspris; null for intern")
    unit: str = Field(description="per_atgard, per_minute, per_krona, per_bracket, ...")
    source_rows: list[int] = Field(description="Row numbers in the file the item came from")

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "code": "101",
                "category": "A",
                "group": "Us,riskbedömn och hälsofr åtg",
                "kind": "extern",
                "text": "Basundersökning, utförd av tandläkare",
                "alternative_texts": [],
                "price": "1100.00",
                "reference_price": "1015.00",
                "unit": "per_atgard",
                "source_rows": [129],
            }
        }
    )

    @classmethod
    def of(cls, item: Item) -> ItemOut:
        return cls(
            code=item.code,
            category=item.category.value if item.category else None,
            group=item.group,
            kind=item.kind.value,
            text=item.text,
            alternative_texts=list(item.alternative_texts),
            price=item.price,
            reference_price=item.reference_price,
            unit=item.unit.value,
            source_rows=list(item.source_rows),
        )


class ScheduleRef(BaseModel):
    # Every field but item_count is a column of Schedule under the same name: read from the row.
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    owner: str
    variant: str
    valid_from: date
    valid_to: date | None

    @classmethod
    def of(cls, s: Schedule) -> ScheduleRef:
        return cls.model_validate(s)


class ScheduleOut(ScheduleRef):
    status: str
    source_filename: str | None
    source_sha256: str | None
    imported_by: str
    imported_at: datetime
    activated_at: datetime | None
    item_count: int | None = None

    @classmethod
    def of(cls, s: Schedule, item_count: int | None = None) -> ScheduleOut:
        out = cls.model_validate(s)
        out.item_count = item_count
        return out


class ScheduleDetail(ScheduleOut):
    items: list[ItemOut]


class JourtidOut(BaseModel):
    """How a lookup ``at=`` an instant chose its variant."""

    at: datetime = Field(description="The instant asked for, as given")
    local_time: datetime = Field(description="The same instant in the windows' time zone")
    jour: bool
    reason: str = Field(
        description="Why, e.g. 'julafton: jourtid all day'", examples=["julafton: jourtid all day"]
    )
    windows: str = Field(description="The jour windows file that decided (data/jour/)")


class ProcedureOut(ItemOut):
    schedule: ScheduleRef = Field(description="The schedule in force that the price comes from")
    variant: str
    jourtid: JourtidOut | None = Field(None, description="Only for a lookup with at=")


class ProcedureList(BaseModel):
    on: date
    variant: str
    schedule: ScheduleRef
    items: list[ItemOut]
    jourtid: JourtidOut | None = Field(None, description="Only for a lookup with at=")


class ChangeOut(BaseModel):
    code: str | None
    text: str
    old_price: Decimal
    new_price: Decimal
    change_percent: Decimal | None = Field(description="Rounded to two decimals")
    old_reference_price: Decimal | None
    new_reference_price: Decimal | None

    @classmethod
    def of(cls, c: PriceChange) -> ChangeOut:
        from pricing.money import round_money

        return cls(
            code=c.code,
            text=c.text,
            old_price=c.old_price,
            new_price=c.new_price,
            change_percent=None if c.change_percent is None else round_money(c.change_percent),
            old_reference_price=c.old_reference_price,
            new_reference_price=c.new_reference_price,
        )


class DiffOut(BaseModel):
    against: ScheduleRef | None = Field(description="The schedule in force it is compared with")
    added: list[ItemOut]
    removed: list[ItemOut]
    changed: list[ChangeOut]
    unchanged: int

    @classmethod
    def of(cls, diff: TaxaDiff, against: ScheduleRef | None) -> DiffOut:
        return cls(
            against=against,
            added=[ItemOut.of(i) for i in diff.added],
            removed=[ItemOut.of(i) for i in diff.removed],
            changed=[ChangeOut.of(c) for c in diff.changed],
            unchanged=diff.unchanged,
        )


class ImportOut(BaseModel):
    dry_run: bool
    schedule_id: int | None = Field(description="The new draft; null on a dry run")
    status: str | None
    sha256: str
    rows: int
    items: int
    warnings: list[RowProblem]
    diff: DiffOut


class ActivationOut(BaseModel):
    schedule: ScheduleOut
    ended: ScheduleOut | None = Field(description="The schedule whose validity now ends")
