"""Patient cost quotes (statligt tandvårdsstöd): the request and answer, and the run of a quote.

The HTTP route (``POST /v1/quotes``) and the CLI (``taxa quote FILE.json``) both validate the same
JSON with :class:`QuoteIn` and call :func:`run_quote`, which hands plain values to the pure
engine :func:`pricing.subsidy.quote`. Prices come from a :class:`app.snapshot.Snapshot` of the
schedules in force (no query per line); the rules from ``data/subsidy`` (:mod:`app.subsidy_data`).

Money is exact: amounts in are decimal strings (or whole numbers), never JSON numbers with a
fraction; amounts out are decimal strings with two decimals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from app.errors import InvalidInput
from app.jour_config import JourConfig, variant_at
from app.snapshot import Snapshot
from pricing.errors import NoRuleSet
from pricing.subsidy import (
    LineResult,
    PatientState,
    QuoteLine,
    SubsidyInputError,
    TaxaResolver,
    quote,
)
from pricing.subsidy_rules import RuleSet
from pricing.taxa import Item, Variant

MAX_LINES = 500
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

    start: dt.date | None = Field(
        None, description="The period's first day; null: no open period", examples=["2025-11-03"]
    )
    counted: Money = Field(
        ZERO, description="Amount counted toward the high-cost protection so far"
    )


class PatientIn(_In):
    """The patient as Försäkringskassan knows them before the quote."""

    birth_date: dt.date = Field(examples=["1955-04-02"])
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
    stb_half_year_start: dt.date | None = Field(
        None,
        description="1 January or 1 July: the half-year stb_used_this_half_year belongs to; "
        "null: the half-year of the first line",
    )


class LineIn(_In):
    """One åtgärd. Give either ``date`` (and optionally ``variant``) or ``at``."""

    code: str = Field(min_length=1, max_length=20, examples=["501"])
    quantity: StrictInt = Field(
        1, ge=1, le=1_000_000, description="Units: åtgärder, minutes or kronor per the item's unit"
    )
    date: dt.date | None = Field(
        None, description="Treatment date (with variant)", examples=["2026-02-10"]
    )
    variant: Variant | None = Field(None, description="normal (default) or jour; only with date")
    at: AwareDatetime | None = Field(
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
    treatment_started: dt.date | None = Field(
        None, description="When the treatment began, if before this line (free-care transition)"
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


class QuoteIn(_In):
    """A quote: the patient's state before it and the åtgärder."""

    owner: str | None = Field(
        None, description="Whose taxa (default region-jonkoping)", examples=["region-jonkoping"]
    )
    patient: PatientIn
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [REQUEST_EXAMPLE]})


# --- the answer -------------------------------------------------------------------------------


class LineOut(BaseModel):
    """One line's breakdown: price = state + atb + stb + region + patient, exactly."""

    index: int = Field(description="The line's position in the request")
    code: str
    quantity: int
    date: dt.date
    variant: str
    at: dt.datetime | None = Field(description="As given, when the line was given as an instant")
    schedule_id: int = Field(description="The taxa (schedule) the price comes from")
    rule: str = Field(description="no_support, region_free_care, tiotandvard_67 or hkskydd")
    rule_set: str = Field(description="The subsidy rule set in force on the date")
    price: Decimal
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
    region: Decimal = Field(description="Paid by the region (free care by age)")
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


class RuleSetOut(BaseModel):
    id: str
    valid_from: dt.date
    valid_to: dt.date | None
    description: str


class QuoteOut(BaseModel):
    owner: str
    lines: list[LineOut] = Field(description="In the order computed: by date, then as given")
    totals: TotalsOut
    period_after: PeriodOut
    atb_remaining: Decimal
    stb_used_after: Decimal
    stb_half_year_start: dt.date | None
    patient_after: PatientOut
    rule_sets: list[RuleSetOut]
    notes: list[str] = Field(
        description="Whole-quote notes, with every uncertain (L) rule value used and its source"
    )


# --- running a quote ----------------------------------------------------------------------------

_LINE_DATE = re.compile(r"^lines\[(\d+)\]\.date$")
_PATIENT_FIELDS = {
    "patient.period_start": "patient.period.start",
    "patient.period_counted": "patient.period.counted",
}


def _request_field(engine_field: str, lines: Sequence[LineIn]) -> str:
    """The engine's name of a field → the request's (``patient.period.start``, ``lines[0].at``)."""
    if engine_field in _PATIENT_FIELDS:
        return _PATIENT_FIELDS[engine_field]
    match = _LINE_DATE.match(engine_field)
    if match and lines[int(match.group(1))].at is not None:
        return f"lines[{match.group(1)}].at"
    return engine_field


def taxa_resolver(snap: Snapshot, owner: str) -> TaxaResolver:
    """(date, variant) → the items of ``owner``'s schedule in force, read from ``snap``."""

    def resolve(day: dt.date, variant: Variant) -> Mapping[str, Item]:
        view = snap.find(owner, variant, day)
        if view is None:
            raise NoRuleSet(f"no active {variant.value} taxa of {owner!r} covers {day.isoformat()}")
        return view.by_code

    return resolve


def _line(
    index: int, line: LineIn, jour: JourConfig, owner: str
) -> tuple[QuoteLine, str | None]:
    """The engine's line, and the note on how an instant was read (the owner's jour windows)."""
    note = None
    if line.at is not None:
        decided = variant_at(jour, owner, line.at)
        local = decided.decision.local
        day, variant = decided.decision.local_date, decided.variant
        note = (
            f"at {line.at.isoformat()} is {local:%Y-%m-%d %H:%M} local time: {decided.reason} "
            f"({decided.windows_file}): {variant.value} taxa"
        )
    else:
        assert line.date is not None
        day, variant = line.date, line.variant or Variant.NORMAL
    return (
        QuoteLine(
            code=line.code,
            quantity=line.quantity,
            date=day,
            variant=variant,
            specialist_referral=line.specialist_referral,
            tooth_position=line.tooth_position,
            use_atb=line.use_atb,
            treatment_started=line.treatment_started,
        ),
        note,
    )


def _patient(p: PatientIn) -> PatientState:
    period = p.period or PeriodIn(start=None, counted=ZERO)
    return PatientState(
        birth_date=p.birth_date,
        stb_eligible=p.stb_eligible,
        atb_available=p.atb_available,
        period_start=period.start,
        period_counted=period.counted,
        stb_used_this_half_year=p.stb_used_this_half_year,
        stb_half_year_start=p.stb_half_year_start,
    )


def engine_input(
    body: QuoteIn, jour: JourConfig, owner: str
) -> tuple[PatientState, list[QuoteLine]]:
    """The engine's patient and lines for ``body`` (instants read with the owner's windows)."""
    lines = [_line(i, line, jour, owner)[0] for i, line in enumerate(body.lines)]
    return _patient(body.patient), lines


def run_quote(
    body: QuoteIn,
    snap: Snapshot,
    rule_sets: Sequence[RuleSet],
    jour: JourConfig,
    today: dt.date,
    default_owner: str,
) -> QuoteOut:
    """Quote ``body`` on the schedules of ``snap``. Bad input raises a 422 error naming the field.

    ``today`` (the local date in Stockholm) only serves to refuse a birth date in the future.
    """
    owner = body.owner or default_owner
    if owner not in snap.owners():
        raise InvalidInput(f"no active taxa of owner {owner!r}", field="owner")
    if body.patient.birth_date > today:
        raise SubsidyInputError(
            "patient.birth_date",
            f"{body.patient.birth_date.isoformat()} is in the future (today is {today})",
        )
    converted = [_line(i, line, jour, owner) for i, line in enumerate(body.lines)]
    try:
        result = quote(
            _patient(body.patient),
            [line for line, _ in converted],
            taxa_resolver(snap, owner),
            rule_sets,
        )
    except SubsidyInputError as exc:
        field = _request_field(exc.field, body.lines)
        if field == exc.field:
            raise
        message = str(exc).removeprefix(f"{exc.field}: ")
        raise type(exc)(field, message) from exc
    by_id = {rule_set.id: rule_set for rule_set in rule_sets}
    after = result.patient_after
    return QuoteOut(
        owner=owner,
        lines=[
            _line_out(r, body.lines[r.index], converted[r.index][1], snap, owner)
            for r in result.lines
        ],
        totals=TotalsOut(**vars(result.totals)),
        period_after=PeriodOut(
            start=result.period_after.start, counted=result.period_after.counted
        ),
        atb_remaining=result.atb_remaining,
        stb_used_after=result.stb_used_after,
        stb_half_year_start=result.stb_half_year_start,
        patient_after=PatientOut(
            birth_date=after.birth_date,
            stb_eligible=after.stb_eligible,
            atb_available=after.atb_available,
            period=None
            if after.period_start is None
            else PeriodOut(start=after.period_start, counted=after.period_counted),
            stb_used_this_half_year=after.stb_used_this_half_year,
            stb_half_year_start=after.stb_half_year_start,
        ),
        rule_sets=[
            RuleSetOut(
                id=rs.id, valid_from=rs.valid_from, valid_to=rs.valid_to, description=rs.description
            )
            for rs in (by_id[i] for i in result.rule_set_ids)
        ],
        notes=list(result.notes),
    )


def _line_out(
    r: LineResult, given: LineIn, at_note: str | None, snap: Snapshot, owner: str
) -> LineOut:
    view = snap.find(owner, r.variant, r.date)
    assert view is not None  # the engine priced the line from it
    return LineOut(
        index=r.index,
        code=r.code,
        quantity=r.quantity,
        date=r.date,
        variant=r.variant.value,
        at=given.at,
        schedule_id=view.id,
        rule=r.rule.value,
        rule_set=r.rule_set_id,
        price=r.price,
        reference_price=r.reference_price,
        reference_code=r.reference_code,
        basis=r.basis,
        counted=r.counted,
        atb=r.atb,
        stb=r.stb,
        state=r.state,
        state_by_rule=dict(r.state_by_rule),
        region=r.region,
        patient=r.patient,
        period_start=r.period_start,
        period_counted_after=r.period_counted_after,
        notes=([at_note] if at_note else []) + list(r.notes),
    )
