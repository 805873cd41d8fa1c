"""Patient cost quotes (statligt tandvårdsstöd): the request and the answer.

Money is exact: amounts in are decimal strings (or whole numbers), never JSON numbers with a
fraction; amounts out are decimal strings with two decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from app.models import DATE_MAX, DATE_MIN, BoundedDate, date_in_bounds
from pricing.regional import RegionalSupport
from pricing.subsidy import Ersattning, ErsattningReason
from pricing.taxa import Variant

MAX_LINES = 500


def _instant_in_bounds(value: dt.datetime) -> dt.datetime:
    if not date_in_bounds(value.date()):
        raise ValueError(f"an instant from {DATE_MIN} to {DATE_MAX}")
    return value


# A time with its offset, within the dates the service takes (app.models.DATE_MIN/MAX).
BoundedInstant = Annotated[AwareDatetime, AfterValidator(_instant_in_bounds)]


ZERO = Decimal(0)


def _no_float(value: object) -> object:
    """Floats are never money: JSON 300.5 is refused, "300.50" and 300 are taken."""
    if isinstance(value, float):
        raise ValueError(
            f'give amounts as decimal strings such as "{value:.2f}", not JSON numbers with a '
            "fraction (floats are never money here)"
        )
    if isinstance(value, bool):
        raise ValueError("an amount, not true/false")
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(
        ge=0,
        max_digits=12,
        decimal_places=2,
        description="Kronor as a decimal string, at most two decimals, not negative",
        examples=["300.00"],
    ),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PeriodIn(_In):
    """The patient's open ersättningsperiod as Försäkringskassan has it."""

    start: BoundedDate | None = Field(
        None, description="The period's first day; null: no open period", examples=["2025-11-03"]
    )
    counted: Money = Field(
        ZERO, description="Amount counted toward the high-cost protection so far"
    )


class PatientIn(_In):
    """The patient as Försäkringskassan knows them before the quote."""

    birth_date: BoundedDate = Field(examples=["1955-04-02"])
    stb_eligible: StrictBool = Field(
        False, description="Särskilt tandvårdsbidrag: the clinic's assessment of the patient"
    )
    atb_available: Money = Field(ZERO, description="Allmänt tandvårdsbidrag balance")
    period: PeriodIn | None = Field(
        None, description="The open ersättningsperiod; null (or start null) when none is open"
    )
    stb_used_this_half_year: Money = Field(
        ZERO, description="STB already used in the half-year starting stb_half_year_start"
    )
    stb_half_year_start: BoundedDate | None = Field(
        None,
        description="1 January or 1 July: the half-year stb_used_this_half_year belongs to; "
        "null: the half-year of the first line",
    )
    regional_support: RegionalSupport | None = Field(
        None,
        description="Regional dental support (regionalt tandvårdsstöd): nodvandig (nödvändig "
        "tandvård) or sjukdomsbehandling (tandvård som ett led i en sjukdomsbehandling). The "
        "patient then pays the region's visit fee per visit (data/subsidy/regional/<owner>.json)"
        ", ATB and STB are not used; null: not in the regional support",
    )
    frikort_spent: Money = Field(
        ZERO,
        description="Regional support only: visit fees already counted toward the outpatient "
        "frikort (högkostnadsskydd för öppen vård)",
    )


class LineIn(_In):
    """One åtgärd. Give either ``date`` (and optionally ``variant``) or ``at``."""

    code: str = Field(min_length=1, max_length=20, examples=["501"])
    quantity: StrictInt = Field(
        1, ge=1, le=1_000_000, description="Units: åtgärder, minutes or kronor per the item's unit"
    )
    date: BoundedDate | None = Field(
        None, description="Treatment date (with variant)", examples=["2026-02-10"]
    )
    variant: Variant | None = Field(None, description="normal (default) or jour; only with date")
    at: BoundedInstant | None = Field(
        None,
        description="Instead of date/variant: the instant of treatment with its UTC offset. The "
        "date is then the local date in Europe/Stockholm, and the variant jour when the instant "
        "is jourtid under the owner's jour windows (data/jour/windows-<owner>.json, else "
        "windows-default.json); the line's notes say why",
        examples=["2025-12-24T19:30:00+01:00"],
    )
    specialist_referral: StrictBool = Field(
        False, description="Referred to a specialist: an S code gets its own reference price"
    )
    tooth_position: StrictInt | None = Field(
        None, description="1–8, or an FDI tooth number (11–48, 51–85)", examples=[6]
    )
    use_atb: StrictBool = Field(True, description="Pay with the ATB balance where it may")
    treatment_started: BoundedDate | None = Field(
        None, description="When the treatment began, if before this line (free-care transition)"
    )
    material_kr: Money = Field(
        ZERO,
        description="Dental material billed with the åtgärd, in kronor: part of the line's "
        "price for every rule (not on a code billed per minute, per krona or per visit)",
    )
    technical_kr: Money = Field(
        ZERO,
        description="Dental-technical work billed with the åtgärd, in kronor: part of the "
        "line's price for every rule (not on a code billed per minute, per krona or per visit)",
    )

    @model_validator(mode="after")
    def _date_or_at(self) -> LineIn:
        if self.at is not None and (self.date is not None or self.variant is not None):
            raise ValueError("give either 'at' or 'date'/'variant', not both")
        if self.at is None and self.date is None:
            raise ValueError("give 'date' (YYYY-MM-DD) or 'at' (an instant with its UTC offset)")
        return self


REQUEST_EXAMPLE: dict[str, Any] = {
    "owner": "region-jonkoping",
    "patient": {
        "birth_date": "1980-05-10",
        "stb_eligible": False,
        "atb_available": "300.00",
        "period": {"start": "2025-01-15", "counted": "2500.00"},
    },
    "lines": [
        {"code": "101", "quantity": 1, "date": "2025-03-10", "variant": "normal"},
        {"code": "121", "quantity": 2, "date": "2025-03-10"},
        {"code": "701", "quantity": 1, "date": "2025-03-10", "tooth_position": 2},
    ],
}


# Printed on the kostnadsförslag only: never stored, logged or echoed in an error answer
# (app.errors.NEVER_ECHOED names them).
PERSONAL_FIELDS = ("patient_name", "personnummer")


class QuoteIn(_In):
    """A quote: the patient's state before it and the åtgärder."""

    owner: str | None = Field(
        None,
        max_length=100,
        description="Whose taxa (default region-jonkoping)",
        examples=["region-jonkoping"],
    )
    patient: PatientIn
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)
    patient_name: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Printed on the kostnadsförslag (format=pdf/html) only; never stored, "
        "logged or echoed in an error",
    )
    personnummer: str | None = Field(
        None,
        min_length=1,
        max_length=20,
        description="Printed on the kostnadsförslag (format=pdf/html) only; never stored, "
        "logged or echoed in an error",
    )

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [REQUEST_EXAMPLE]})


class LineOut(BaseModel):
    """One line's breakdown: price = state + atb + stb + region + patient, exactly."""

    index: int = Field(description="The line's position in the request")
    code: str
    text: str = Field(description="The åtgärd's text in the taxa")
    quantity: int
    date: dt.date
    variant: str
    at: dt.datetime | None = Field(description="As given, when the line was given as an instant")
    tooth_position: int | None = Field(description="As given")
    schedule_id: int = Field(description="The taxa (schedule) the price comes from")
    rule: str = Field(
        description="no_support, region_free_care, regional_support, tiotandvard_67 or hkskydd"
    )
    rule_set: str = Field(description="The subsidy rule set in force on the date")
    ersattning: Ersattning | None = Field(
        description="The state's ersättning the line can give (förordning 2008:193 9–10 §§): "
        "allman (allmän tandvårdsersättning), sarskild (särskild tandvårdsersättning, the 67+ "
        "rule); null: none (ersattning_reason says why)"
    )
    ersattning_reason: ErsattningReason | None = Field(
        description="With ersattning null: intern_code, no_reference_price, region_free_care, "
        "regional_support. With allman for a patient of the 67+ rule's age: "
        "price_above_reference, outside_sarskild_scope, tooth_position"
    )
    price: Decimal = Field(description="The taxa price × quantity + material + technical")
    material_kr: Decimal
    technical_kr: Decimal
    reference_price: Decimal | None = Field(
        description="Referenspris × quantity used (always the normal taxa's); null: no support"
    )
    reference_code: str | None = Field(description="The code whose reference price was used")
    basis: Decimal = Field(
        description="What the rule worked on (hkskydd: min(price, reference) "
        "− STB − ATB; 67+: min(price, reference))"
    )
    counted: Decimal = Field(description="Added to the ersättningsperiod")
    atb: Decimal
    stb: Decimal
    state: Decimal
    state_by_rule: dict[str, Decimal] = Field(
        description="The state's amount per rule (hkskydd_50, hkskydd_85, tiotandvard_67)"
    )
    region: Decimal = Field(
        description="Paid by the region (free care by age; the rest of a regional-support visit)"
    )
    patient: Decimal
    period_start: dt.date | None = Field(description="The ersättningsperiod after this line")
    period_counted_after: Decimal
    notes: list[str]


class TotalsOut(BaseModel):
    price: Decimal
    state: Decimal
    atb: Decimal
    stb: Decimal
    region: Decimal
    patient: Decimal


class PeriodOut(BaseModel):
    start: dt.date | None
    counted: Decimal


class PatientOut(BaseModel):
    """The patient after the quote, in the request's shape: send it as the next quote's patient."""

    birth_date: dt.date
    stb_eligible: bool
    atb_available: Decimal
    period: PeriodOut | None
    stb_used_this_half_year: Decimal
    stb_half_year_start: dt.date | None
    regional_support: RegionalSupport | None
    frikort_spent: Decimal


class AtbCreditOut(BaseModel):
    """The ATB the patient will be credited on the next 1 July (after today)."""

    date: dt.date
    amount: Decimal
    age: int = Field(description="The age reached in that calendar year")
    rule_set: str
    transitional: bool = Field(
        description="The amount comes from the transitional rule (turned 65 before 2026)"
    )


class RegionalVisitOut(BaseModel):
    """One visit (a treatment date) of a patient in the regional dental support."""

    date: dt.date
    fee: Decimal = Field(description="The region's visit fee")
    patient: Decimal = Field(
        description="What the patient pays for the visit (less near the frikort ceiling, 0 "
        "from the free age or once the ceiling is reached, at most the visit's price)"
    )
    region: Decimal = Field(description="What the region pays: the rest of the visit's price")
    frikort_spent_after: Decimal
    line_indexes: list[int] = Field(description="The visit's lines (positions in the request)")
    fee_codes: list[str] = Field(description="The codes the region bills the fee with")
    notes: list[str]


class ThresholdsOut(BaseModel):
    """The high-cost protection's thresholds used for one ersättningsperiod."""

    rule_set: str
    period_start: dt.date
    lower: Decimal = Field(description="The karens: up to it the patient pays all")
    upper: Decimal = Field(description="Above it the state pays the upper percentage")
    how: str = Field(description="Where the amounts come from")


class RuleSetOut(BaseModel):
    id: str
    valid_from: dt.date
    valid_to: dt.date | None
    description: str


class QuoteOut(BaseModel):
    owner: str
    lines: list[LineOut] = Field(description="In the order computed: by date, then as given")
    totals: TotalsOut
    patient_after: PatientOut = Field(
        description="The patient's state after the quote (period, ATB balance, STB used, "
        "frikort spent), in the request's shape: send it as the next quote's patient"
    )
    atb_next_credit: AtbCreditOut | None = Field(
        description="What the patient will be credited on the next 1 July after today"
    )
    regional_visits: list[RegionalVisitOut] = Field(
        description="Regional dental support: each visit's fee and who pays it"
    )
    period_thresholds: list[ThresholdsOut] = Field(
        description="The thresholds used for each ersättningsperiod the quote touched"
    )
    rule_sets: list[RuleSetOut]
    notes: list[str] = Field(
        description="Whole-quote notes, with every uncertain (L) rule value used and its source"
    )
