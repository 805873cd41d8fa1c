"""What the reference-list endpoints answer (and ``taxa reference … --json`` prints).

Amounts are Decimal, which JSON shows as strings ("445.00"). Percentages are shown rounded to
two decimals (halves up); ``exact`` objects give them unrounded. TLV's dental-technical cost is
a string with every decimal TLV published ("26.92826271744").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from app.models import ReferenceListRow
from app.reference.lists import CodeAnswer, ListView, ReferenceImport, Rise, origin_description
from app.taxa.schemas import ScheduleRef
from pricing.deviation import presented
from pricing.reference import ListRise, ReferenceCheck, ReferenceEntry, TaxaOnlyCode

if TYPE_CHECKING:
    from app.volumes.schemas import DeviationOut


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class ReferenceListRef(BaseModel):
    id: int | None = Field(description="null in a dry run (nothing stored)")
    name: str = Field(description="TLV's föreskrift, e.g. HSLF-FS 2025:68")
    valid_from: date
    valid_to: date | None = Field(description="The last day in force; null: open-ended")
    origin: str = Field(
        description="tlv_file (TLV's own file) or region_decision (the prices a "
        "region's taxa decision prints, TLV's file not at hand)"
    )
    origin_description: str
    from_region_decision: bool = Field(
        description="True when the list is taken from the region's decision, not TLV's own file"
    )

    @classmethod
    def of(cls, view: ListView) -> ReferenceListRef:
        return cls(
            id=view.id or None,
            name=view.name,
            valid_from=view.valid_from,
            valid_to=view.valid_to,
            origin=view.origin,
            origin_description=origin_description(view.origin),
            from_region_decision=view.origin == "region_decision",
        )

    @classmethod
    def of_row(cls, row: ReferenceListRow) -> ReferenceListRef:
        return cls(
            id=row.id,
            name=row.name,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            origin=row.origin,
            origin_description=origin_description(row.origin),
            from_region_decision=row.origin == "region_decision",
        )


class ReferenceListOut(ReferenceListRef):
    stated_valid_from: date | None = Field(description="The date the file's headings state")
    source_filename: str | None
    sha256: str | None
    imported_by: str
    imported_at: datetime
    codes: int = Field(description="TLV åtgärder in the list")
    notes: list[str] = Field(description="What the import noticed without refusing")

    @classmethod
    def of_stored(cls, row: ReferenceListRow, codes: int) -> ReferenceListOut:
        return cls(
            **ReferenceListRef.of_row(row).model_dump(),
            stated_valid_from=row.stated_valid_from,
            source_filename=row.source_filename,
            sha256=row.source_sha256,
            imported_by=row.imported_by,
            imported_at=row.imported_at,
            codes=codes,
            notes=list(row.import_notes),
        )


class ReferenceEntryOut(BaseModel):
    code: str = Field(description="TLV's åtgärd number")
    name: str
    general: Decimal | None = Field(description="Referenspris allmäntandvård; null: '-'")
    specialist: Decimal | None = Field(description="Referenspris specialisttandvård; null: '-'")
    technical: str | None = Field(description="Tandteknisk kostnad, exactly as published")
    material: str | None = Field(description="Dentalt material i beräkningen (text)")
    row: int | None = Field(description="The row of the file it came from")

    @classmethod
    def of(cls, e: ReferenceEntry) -> ReferenceEntryOut:
        return cls(
            code=e.code,
            name=e.name,
            general=e.general,
            specialist=e.specialist,
            technical=_exact(e.technical),
            material=e.material,
            row=e.row,
        )


class ReferenceListDetail(ReferenceListOut):
    entries: list[ReferenceEntryOut] = Field(description="In the file's order")


class ReferenceCodeOut(BaseModel):
    reference_list: ReferenceListRef
    code: str = Field(description="The code asked about, as given")
    tlv_code: str = Field(description="TLV's åtgärd the code maps to")
    column: str = Field(description="general or specialist (an S after the digits)")
    variant: str | None = Field(description="The region's variant letters (541H → H), to confirm")
    reference_price: Decimal | None = Field(description="The column's price; null: '-'")
    entry: ReferenceEntryOut
    notes: list[str]

    @classmethod
    def of(cls, view: ListView, answer: CodeAnswer) -> ReferenceCodeOut:
        return cls(
            reference_list=ReferenceListRef.of(view),
            code=answer.asked,
            tlv_code=answer.mapping.tlv_code,
            column=answer.mapping.column.value,
            variant=answer.mapping.variant,
            reference_price=answer.reference_price,
            entry=ReferenceEntryOut.of(answer.entry),
            notes=list(answer.notes),
        )


class ListRiseExact(BaseModel):
    weighted_percent: str | None
    median_percent: str | None


class ListRiseOut(BaseModel):
    """The reference list's own rise on the list before it (principle 2 holds "if the
    reference list is not raised more than normal")."""

    previous: ReferenceListRef | None = Field(
        description="The stored list in force the day before; null: measured from the taxa's "
        "own referenspris column (see note)"
    )
    weighted_percent: Decimal | None = Field(
        description="Σ volume × new / Σ volume × old − 1, over the åtgärd-columns in both "
        "lists; null without volumes on them"
    )
    median_percent: Decimal | None = Field(description="The median åtgärd's change, unweighted")
    compared: int = Field(description="Åtgärd-columns priced in both lists")
    weighted: int = Field(description="Of those, with a volume")
    new_codes: list[str] = Field(description="TLV åtgärder only in this list")
    dropped_codes: list[str] = Field(description="TLV åtgärder only in the list before")
    note: str | None
    exact: ListRiseExact

    @classmethod
    def of(cls, rise: ListRise, previous: ListView | None, note: str | None = None) -> ListRiseOut:
        return cls(
            previous=None if previous is None else ReferenceListRef.of(previous),
            weighted_percent=presented(rise.weighted_percent),
            median_percent=presented(rise.median_percent),
            compared=rise.compared,
            weighted=rise.weighted,
            new_codes=list(rise.new_codes),
            dropped_codes=list(rise.dropped_codes),
            note=note,
            exact=ListRiseExact(
                weighted_percent=_exact(rise.weighted_percent),
                median_percent=_exact(rise.median_percent),
            ),
        )


class ReferenceImportOut(BaseModel):
    dry_run: bool
    reference_list: ReferenceListRef
    stated_valid_from: date | None
    sha256: str
    codes: int
    general_prices: int = Field(description="Åtgärder with a general price")
    specialist_prices: int = Field(description="Åtgärder with a specialist price")
    ended: ReferenceListRef | None = Field(
        description="The open-ended list this one closes (its valid_to becomes the day before)"
    )
    previous: ReferenceListRef | None = Field(description="The list in force the day before")
    change: ListRiseOut | None = Field(
        description="Against the list before: the median change and the new and dropped "
        "åtgärder (weighted figures need volumes: see the deviation and the proposals)"
    )
    notes: list[str]

    @classmethod
    def of(cls, outcome: ReferenceImport, dry_run: bool) -> ReferenceImportOut:
        ref = outcome.ref
        stored = None if outcome.row is None else outcome.row.id
        view = ListView(id=stored or 0, origin=outcome.origin, ref=ref)
        return cls(
            dry_run=dry_run,
            reference_list=ReferenceListRef.of(view),
            stated_valid_from=ref.stated_valid_from,
            sha256=outcome.sha256,
            codes=len(ref),
            general_prices=sum(1 for e in ref.entries.values() if e.general is not None),
            specialist_prices=sum(1 for e in ref.entries.values() if e.specialist is not None),
            ended=None if outcome.ended is None else ReferenceListRef.of_row(outcome.ended),
            previous=None if outcome.previous is None else ReferenceListRef.of(outcome.previous),
            change=None if outcome.rise is None else ListRiseOut.of(outcome.rise, outcome.previous),
            notes=list(ref.notes),
        )


# --- a taxa against a list ----------------------------------------------------------------------


class DifferenceOut(BaseModel):
    code: str
    tlv_code: str
    column: str
    taxa_reference: Decimal | None = Field(description="The taxa's referenspris (old)")
    list_reference: Decimal = Field(description="The list's (new)")
    change: Decimal | None
    change_percent: Decimal | None = Field(description="Two decimals")


class ListOnlyOut(BaseModel):
    code: str
    name: str
    general: Decimal | None
    specialist: Decimal | None
    finding: str


class TaxaOnlyOut(BaseModel):
    code: str
    tlv_code: str | None
    column: str | None
    reason: str = Field(description="not_a_tlv_code, not_in_list or no_price_in_column")
    taxa_reference: Decimal | None
    detail: str


class VariantOut(BaseModel):
    code: str
    tlv_code: str
    column: str
    variant: str
    finding: str


class ReferenceCheckOut(BaseModel):
    schedule: ScheduleRef
    reference_list: ReferenceListRef
    consistent: bool = Field(description="The taxa's referenspris column is exactly the list")
    compared: int = Field(description="Extern codes the list prices")
    unchanged: int
    differences: list[DifferenceOut] = Field(
        description="old (taxa) → new (list), in the taxa's order"
    )
    only_in_list: list[ListOnlyOut] = Field(
        description="TLV åtgärder no code of the taxa has: each needs a price"
    )
    only_in_taxa: list[TaxaOnlyOut]
    variants: list[VariantOut] = Field(
        description="Codes mapped through the region's variant "
        "letters, for the administrator to confirm"
    )

    @classmethod
    def of(cls, check: ReferenceCheck, schedule: ScheduleRef, view: ListView) -> ReferenceCheckOut:
        return cls(
            schedule=schedule,
            reference_list=ReferenceListRef.of(view),
            consistent=check.consistent,
            compared=check.compared,
            unchanged=check.unchanged,
            differences=[
                DifferenceOut(
                    code=d.code,
                    tlv_code=d.tlv_code,
                    column=d.column.value,
                    taxa_reference=d.taxa_reference,
                    list_reference=d.list_reference,
                    change=d.change,
                    change_percent=presented(d.change_percent),
                )
                for d in check.differences
            ],
            only_in_list=[needs_price(e) for e in check.only_in_list],
            only_in_taxa=[taxa_only(t) for t in check.only_in_taxa],
            variants=[
                variant_finding(m.region_code, m.tlv_code, m.column.value, m.variant or "")
                for m in check.variants
            ],
        )


def needs_price(e: ReferenceEntry) -> ListOnlyOut:
    return ListOnlyOut(
        code=e.code,
        name=e.name,
        general=e.general,
        specialist=e.specialist,
        finding=f"TLV åtgärd {e.code} is in the list but no code of the taxa "
        "has it: it needs a price (none is guessed)",
    )


def taxa_only(t: TaxaOnlyCode) -> TaxaOnlyOut:
    return TaxaOnlyOut(
        code=t.code,
        tlv_code=t.tlv_code,
        column=None if t.column is None else t.column.value,
        reason=t.reason.value,
        taxa_reference=t.taxa_reference,
        detail=t.detail,
    )


def variant_finding(code: str, tlv_code: str, column: str, variant: str) -> VariantOut:
    return VariantOut(
        code=code,
        tlv_code=tlv_code,
        column=column,
        variant=variant,
        finding=f"{code} mapped to TLV åtgärd {tlv_code}, {column} price "
        f"(variant {variant!r}): confirm",
    )


def against_list(out: DeviationOut, rise: Rise, view: ListView) -> None:
    """A deviation answer computed on ``view``'s prices: say so, and give the list's own rise."""
    out.reference_list = ReferenceListRef.of(view)
    out.list_rise = (
        None if rise.rise is None else ListRiseOut.of(rise.rise, rise.previous, rise.note)
    )
    origin = " (taken from the region's taxa decision)" if view.origin == "region_decision" else ""
    out.notes.append(
        f"reference prices from {view.name}{origin}, in force {view.valid_from} – "
        f"{view.valid_to or 'further notice'}, each code mapped onto TLV's"
    )
    if rise.rise is None and rise.note:
        out.notes.append(rise.note)
