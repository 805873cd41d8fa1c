"""Patient cost quotes (statligt tandvårdsstöd): the request and answer, and the run of a quote.

The HTTP route (``POST /v1/quotes``) and the CLI (``taxa quote FILE.json``) both validate the same
JSON with :class:`QuoteIn` and call :func:`run_quote`, which hands plain values to the pure
engine :func:`pricing.subsidy.quote`. Prices come from a :class:`app.snapshot.Snapshot` of the
schedules in force (no query per line); the rules from ``data/subsidy`` (:mod:`app.quotes.rules`).

Money is exact: amounts in are decimal strings (or whole numbers), never JSON numbers with a
fraction; amounts out are decimal strings with two decimals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic_core import to_json

from app.errors import InvalidInput, value_at
from app.jour.windows import JourConfig, variant_at
from app.quotes.schemas import (
    ZERO,
    LineIn,
    PatientIn,
    PeriodIn,
    QuoteIn,
    QuoteOut,
)
from app.reference.lists import REGION_DECISION
from app.snapshot import Snapshot
from pricing.errors import NoRuleSet
from pricing.money import ORE
from pricing.money import ZERO as NO_COST
from pricing.regional import RegionalRules
from pricing.subsidy import (
    ErsattningReason,
    LineResult,
    PatientState,
    Quote,
    QuoteLine,
    SubsidyInputError,
    TaxaResolver,
    quote,
)
from pricing.subsidy_rules import RuleSet
from pricing.taxa import Item, Variant

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
    """(date, variant) → the items of ``owner``'s schedule in force, read from ``snap``, with
    the reference prices of TLV's list in force that day (the taxa's own column where none)."""

    def resolve(day: dt.date, variant: Variant) -> Mapping[str, Item]:
        found = snap.in_force(owner, variant, day)
        if found is None:
            raise NoRuleSet(f"no active {variant.value} taxa of {owner!r} covers {day.isoformat()}")
        return found[1]

    return resolve


def _line(index: int, line: LineIn, jour: JourConfig, owner: str) -> tuple[QuoteLine, str | None]:
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
    # Built without the frozen dataclass's __init__ (one object.__setattr__ per field, half
    # the cost of the conversion), as the engine builds its LineResult; QuoteLine has no
    # __post_init__, so it is the same object.
    quote_line: QuoteLine = object.__new__(QuoteLine)
    quote_line.__dict__.update(
        code=line.code,
        quantity=line.quantity,
        date=day,
        variant=variant,
        specialist_referral=line.specialist_referral,
        tooth_position=line.tooth_position,
        use_atb=line.use_atb,
        treatment_started=line.treatment_started,
        # The engine's own zero when none is billed: it then skips checking the amounts.
        material_kr=line.material_kr or NO_COST,
        technical_kr=line.technical_kr or NO_COST,
    )
    return quote_line, note


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
        regional_support=None if p.regional_support is None else p.regional_support.value,
        frikort_spent=p.frikort_spent,
    )


@dataclass(frozen=True)
class EngineInput:
    """What :func:`pricing.subsidy.quote` gets for a request: the patient, the lines, and how
    each line's instant (``at``) was read (None for a line given by date)."""

    patient: PatientState
    lines: list[QuoteLine]
    at_notes: list[str | None]


def engine_input(body: QuoteIn, jour: JourConfig, owner: str) -> EngineInput:
    """The engine's patient and lines for ``body`` (instants read with the owner's windows)."""
    converted = [_line(i, line, jour, owner) for i, line in enumerate(body.lines)]
    return EngineInput(
        _patient(body.patient), [line for line, _ in converted], [note for _, note in converted]
    )


def run_quote(
    body: QuoteIn,
    snap: Snapshot,
    rule_sets: Sequence[RuleSet],
    jour: JourConfig,
    today: dt.date,
    default_owner: str,
    regional_rules: Mapping[str, RegionalRules],
) -> QuoteOut:
    """Quote ``body`` on the schedules of ``snap``. Bad input raises a 422 error naming the field.

    ``today`` (the local date in Stockholm) refuses a birth date or period start in the future
    and dates the next ATB credit; ``regional_rules`` (owner → rules) serve a patient in the
    regional dental support.
    """
    return QuoteOut.model_validate(
        quote_tree(body, snap, rule_sets, jour, today, default_owner, regional_rules)
    )


def run_quote_json(
    body: QuoteIn,
    snap: Snapshot,
    rule_sets: Sequence[RuleSet],
    jour: JourConfig,
    today: dt.date,
    default_owner: str,
    regional_rules: Mapping[str, RegionalRules],
) -> bytes:
    """:func:`run_quote`'s answer as JSON, byte for byte what ``QuoteOut.model_dump_json()``
    gives, without building the models: pydantic-core serializes the plain tree the models
    would be validated from (a quarter of the time; tests/app/test_fast_paths.py checks both
    agree)."""
    return to_json(quote_tree(body, snap, rule_sets, jour, today, default_owner, regional_rules))


def quote_tree(
    body: QuoteIn,
    snap: Snapshot,
    rule_sets: Sequence[RuleSet],
    jour: JourConfig,
    today: dt.date,
    default_owner: str,
    regional_rules: Mapping[str, RegionalRules],
) -> dict[str, Any]:
    """The answer to ``body`` as plain values in :class:`QuoteOut`'s shape and field order."""
    owner = body.owner or default_owner
    if owner not in snap.owners():
        raise InvalidInput(f"no active taxa of owner {owner!r}", field="owner", value=owner)
    given = engine_input(body, jour, owner)
    try:
        result = quote(
            given.patient,
            given.lines,
            taxa_resolver(snap, owner),
            rule_sets,
            regional_rules=regional_rules.get(owner),
            today=today,
        )
    except SubsidyInputError as exc:
        field = _request_field(exc.field, body.lines)
        error = exc
        if field != exc.field:
            message = str(exc).removeprefix(f"{exc.field}: ")
            error = type(exc)(field, message)
        # The value sent, for the answer's problem (app.errors reads it).
        error.value = value_at(body.model_dump(mode="json"), field)  # type: ignore[attr-defined]
        if error is exc:
            raise
        raise error from exc
    return _quote_out(result, body, given, snap, owner, rule_sets)


def _quote_out(
    result: Quote,
    body: QuoteIn,
    given: EngineInput,
    snap: Snapshot,
    owner: str,
    rule_sets: Sequence[RuleSet],
) -> dict[str, Any]:
    by_id = {rule_set.id: rule_set for rule_set in rule_sets}
    after = result.patient_after
    credit = result.atb_next_credit
    totals = result.totals
    return {
        "owner": owner,
        "lines": [
            _line_out(r, body.lines[r.index], given.at_notes[r.index], snap, owner)
            for r in result.lines
        ],
        "totals": {
            "price": totals.price,
            "state": totals.state,
            "atb": totals.atb,
            "stb": totals.stb,
            "region": totals.region,
            "patient": totals.patient,
        },
        "patient_after": {
            "birth_date": after.birth_date,
            "stb_eligible": after.stb_eligible,
            "atb_available": after.atb_available,
            "period": None
            if after.period_start is None
            else {"start": after.period_start, "counted": after.period_counted},
            "stb_used_this_half_year": after.stb_used_this_half_year,
            "stb_half_year_start": after.stb_half_year_start,
            "regional_support": None
            if body.patient.regional_support is None
            else body.patient.regional_support.value,
            "frikort_spent": after.frikort_spent,
        },
        "atb_next_credit": None
        if credit is None
        else {
            "date": credit.date,
            "amount": credit.amount.quantize(ORE),
            "age": credit.age,
            "rule_set": credit.rule_set_id,
            "transitional": credit.transitional,
        },
        "regional_visits": [
            {
                "date": v.date,
                "fee": v.fee.quantize(ORE),
                "patient": v.patient,
                "region": v.region,
                "frikort_spent_after": v.frikort_spent_after,
                "line_indexes": list(v.line_indexes),
                "fee_codes": list(v.fee_codes),
                "notes": list(v.notes),
            }
            for v in result.regional_visits
        ],
        "period_thresholds": [
            {
                "rule_set": t.rule_set_id,
                "period_start": t.period_start,
                "lower": t.lower.quantize(ORE),
                "upper": t.upper.quantize(ORE),
                "how": t.how,
            }
            for t in result.period_thresholds
        ],
        "rule_sets": [
            {
                "id": rs.id,
                "valid_from": rs.valid_from,
                "valid_to": rs.valid_to,
                "description": rs.description,
            }
            for rs in (by_id[i] for i in result.rule_set_ids)
        ],
        "notes": list(result.notes),
    }


def _line_out(
    r: LineResult, given: LineIn, at_note: str | None, snap: Snapshot, owner: str
) -> dict[str, Any]:
    found = snap.in_force(owner, r.variant, r.date)
    assert found is not None  # the engine priced the line from it
    view = found[0]
    return {
        "index": r.index,
        "code": r.code,
        "text": view.by_code[r.code].text,
        "quantity": r.quantity,
        "date": r.date,
        "variant": r.variant.value,
        "at": given.at,
        "tooth_position": given.tooth_position,
        "schedule_id": view.id,
        "rule": r.rule.value,
        "rule_set": r.rule_set_id,
        # Enums as their values: pydantic-core serializes a str ~40 times faster than an enum.
        "ersattning": None if r.ersattning is None else r.ersattning.value,
        "ersattning_reason": None if r.ersattning_reason is None else r.ersattning_reason.value,
        "price": r.price,
        "material_kr": r.material_kr,
        "technical_kr": r.technical_kr,
        "reference_price": r.reference_price,
        "reference_code": r.reference_code,
        "basis": r.basis,
        "counted": r.counted,
        "atb": r.atb,
        "stb": r.stb,
        "state": r.state,
        "state_by_rule": dict(r.state_by_rule),
        "region": r.region,
        "patient": r.patient,
        "period_start": r.period_start,
        "period_counted_after": r.period_counted_after,
        "notes": ([at_note] if at_note else []) + _reference_notes(r, snap) + list(r.notes),
    }


def _reference_notes(r: LineResult, snap: Snapshot) -> list[str]:
    """Which reference list priced the line; a service with no list stored says nothing."""
    priced = r.reference_code is not None
    if not snap.reference_lists or not (
        priced or r.ersattning_reason is ErsattningReason.NO_REFERENCE_PRICE
    ):
        return []
    ref = snap.reference_list_on(r.date)
    if ref is None:
        return [
            f"no TLV reference list covers {r.date.isoformat()}: the reference price is "
            "the taxa's own referenspris column"
        ]
    named = _list_named(ref.name, ref.origin, ref.valid_from, ref.valid_to)
    if not priced:
        return [f"{r.code}: {named} has no reference price for it"]
    return [f"reference price from {named}"]


@lru_cache(maxsize=64)
def _list_named(name: str, origin: str, valid_from: dt.date, valid_to: dt.date | None) -> str:
    """A reference list as the notes name it (memoised: every line names one of a few)."""
    told = " (taken from the region's taxa decision)" if origin == REGION_DECISION else ""
    return f"{name}{told}, in force {valid_from.isoformat()} – {valid_to or 'further notice'}"
