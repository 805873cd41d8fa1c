"""Patient cost under the state dental support (statligt tandvårdsstöd): the quote engine.

``quote(patient, lines, resolve_taxa, rule_sets)`` estimates what a clinic would bill: for each
line the price, the reference price used, what the ATB, the STB, the state, the region and the
patient pay, and the notes that explain it. Försäkringskassan holds the patient's authoritative
state (period start, amount counted, ATB balance); the caller passes it in as
:class:`PatientState` and gets the state after the quote back (:attr:`Quote.patient_after`), so a
treatment quoted in several parts gives the same figures as one quote.

How a line is priced (the rule sets in ``data/subsidy`` hold every number):

1. **Price and reference.** ``price`` = the unit price of the line's variant (normal or jour)
   × quantity. The reference price is always taken from the NORMAL taxa (reference prices are
   never surcharged; jour patients pay the whole surcharge) × quantity. An S code without
   ``specialist_referral`` gets the general code's reference price ("103S" → "103"; "541SH" →
   "541H"); with no general code (115S, 116S) it gets no support. Utbytesåtgärder (921–941)
   use the reference price carried on the utbyte code itself, capped by the price as always.
2. **No support** (rule ``no_support``): intern items, extern items without a reference price.
   The patient pays all; nothing is counted.
3. **Free care by age** (``region_free_care``): the patient's age in the line's calendar year
   (year − birth year) ≤ the rule set's free-care age: the region pays the whole price, the
   state, ATB, STB and patient nothing, nothing is counted. With ``treatment_started`` before the
   rule set's transition date, the older age limit applies (prop. 2023/24:158). Intern items are
   never free care here (the region's own fees are out of scope).
4. **67+ rule** (``tiotandvard_67``, only if the rule set has one): age in the calendar year
   ≥ min age, code in scope (see :class:`pricing.subsidy_rules.TioTandvard`; new fixed
   prosthetics only on tooth position ≤ 5) and unit price ≤ unit reference. basis =
   min(price, reference) (= price); state = basis − 10 % of it; the patient pays the rest. No
   threshold. Whether ATB/STB may pay the 10 % and whether the line counts toward the ordinary
   period are rule-set flags (both False in 2026, L). Otherwise the ordinary protection applies
   and, for a patient 67+, a note says why.
5. **High-cost protection** (``hkskydd_50``, ``hkskydd_85``): capped = min(price, reference).
   STB pays first (eligible patient, code — or its general code — on the STB list, up to what is
   left of the half-year amount; half-years start 1 January and 1 July), then ATB
   (``use_atb``, up to the balance). Both only out of the capped amount: neither pays the part
   above the reference price. basis = capped − STB − ATB; it is counted toward the
   ersättningsperiod: up to the lower threshold the state pays nothing, between the thresholds
   the lower percentage, above the upper threshold the upper percentage; a line straddling a
   threshold is split. patient = price − state − ATB − STB (the part above the reference price
   is the patient's).

Periods: lines are processed in date order (stable for equal dates). A line that counts opens a
period when none is open, or when its date is one year or more after the period start (the
period covers start .. start + 1 year − 1 day; a 29 February start ends on 28 February), and
the counted amount resets to 0.

Rounding: amounts are exact Decimals; the ONE rounding step is the state amount of each line,
rounded to öre with :func:`pricing.money.round_money` (halves up). ATB and STB amounts are taken
exactly (balances and prices are whole öre). ``patient = price − state − atb − stb − region``
exactly, so every line and every total adds up. ``state_by_rule`` shows each rule's share rounded
to öre, with any öre of difference put on the last rule so the shares sum to ``state``.

Invalid input raises :class:`SubsidyInputError` (or its :class:`UnknownCode` /
:class:`NoRuleSet` subclasses) with ``field`` naming the offending field, e.g.
``"lines[2].code"`` or ``"patient.period_start"``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pricing.errors import NoRuleSet, PricingError, UnknownCode
from pricing.money import ORE, ZERO, round_money
from pricing.subsidy_rules import (
    CodeRange,
    RuleSet,
    Sourced,
    TioTandvard,
    code_number,
    general_code,
    rule_set_for,
)
from pricing.taxa import Item, Kind, Variant

TaxaResolver = Callable[[date, Variant], Mapping[str, Item]]
"""code → :class:`Item` in force on the day for the variant (the caller's snapshot lookup)."""

_HUNDRED = Decimal(100)


class SubsidyInputError(PricingError):
    """Input the quote cannot work with; ``field`` names it (``"lines[0].quantity"``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class QuoteUnknownCode(UnknownCode, SubsidyInputError):
    """A line's code is not in the taxa in force on its date for its variant."""


class QuoteNoRuleSet(NoRuleSet, SubsidyInputError):
    """No subsidy rule set (or taxa) is in force on a line's date."""


class Rule(StrEnum):
    """Which rule decided a line."""

    NO_SUPPORT = "no_support"
    FREE_CARE = "region_free_care"
    TIOTANDVARD = "tiotandvard_67"
    HKSKYDD = "hkskydd"


@dataclass(frozen=True)
class PatientState:
    """The patient as Försäkringskassan knows them before the quote.

    ``period_start`` None means no open ersättningsperiod (then ``period_counted`` must be 0).
    ``stb_used_this_half_year`` is what STB already paid in the half-year starting
    ``stb_half_year_start`` (1 January or 1 July); None means the half-year of the first line.
    ``atb_available`` is the ATB balance; the 1 July credit and the two-year expiry are FK's
    business and are not modelled inside one quote.
    """

    birth_date: date
    stb_eligible: bool = False
    atb_available: Decimal = ZERO
    period_start: date | None = None
    period_counted: Decimal = ZERO
    stb_used_this_half_year: Decimal = ZERO
    stb_half_year_start: date | None = None


@dataclass(frozen=True)
class QuoteLine:
    """One åtgärd to quote. ``tooth_position``: 1–8 or an FDI tooth number (11–48, 51–85).

    ``treatment_started``: when the treatment this line belongs to started, if before the line
    (decides the free-care transition rule); None means the line's own date.
    """

    code: str
    quantity: int
    date: datetime.date
    variant: Variant = Variant.NORMAL
    specialist_referral: bool = False
    tooth_position: int | None = None
    use_atb: bool = True
    treatment_started: datetime.date | None = None


@dataclass(frozen=True)
class LineResult:
    """The breakdown of one line. price = state + atb + stb + region + patient, exactly.

    ``reference_price`` is the line total of the reference price used (None without support);
    ``basis`` the amount the rule worked on (hkskydd: min(price, ref) − STB − ATB; 67+:
    min(price, ref)); ``counted`` what was added to the ersättningsperiod.
    """

    index: int
    code: str
    quantity: int
    date: datetime.date
    variant: Variant
    rule: Rule
    rule_set_id: str
    price: Decimal
    reference_price: Decimal | None
    reference_code: str | None
    basis: Decimal
    counted: Decimal
    atb: Decimal
    stb: Decimal
    state: Decimal
    state_by_rule: Mapping[str, Decimal]
    region: Decimal
    patient: Decimal
    period_start: datetime.date | None
    period_counted_after: Decimal
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Totals:
    price: Decimal
    state: Decimal
    atb: Decimal
    stb: Decimal
    region: Decimal
    patient: Decimal


@dataclass(frozen=True)
class Period:
    """An ersättningsperiod: its start (None: none open) and the amount counted so far."""

    start: date | None
    counted: Decimal


@dataclass(frozen=True)
class Quote:
    """The quote: lines in the order computed (date order; ``index`` is the input position)."""

    lines: tuple[LineResult, ...]
    totals: Totals
    period_after: Period
    atb_remaining: Decimal
    stb_half_year_start: date | None
    stb_used_after: Decimal
    patient_after: PatientState
    rule_set_ids: tuple[str, ...]
    notes: tuple[str, ...]


def quote(
    patient: PatientState,
    lines: Sequence[QuoteLine],
    resolve_taxa: TaxaResolver,
    rule_sets: Iterable[RuleSet],
) -> Quote:
    """Quote ``lines`` for ``patient`` under the rule sets in force on each line's date."""
    rule_sets = tuple(rule_sets)
    _check_patient(patient)
    order = sorted(range(len(lines)), key=lambda i: lines[i].date)
    prepared = [_prepare(i, lines[i], patient, resolve_taxa, rule_sets) for i in order]
    if prepared and patient.period_start is not None and patient.period_start > prepared[0].day:
        raise SubsidyInputError(
            "patient.period_start",
            f"the period starts {patient.period_start.isoformat()}, after line "
            f"{prepared[0].index} dated {prepared[0].day.isoformat()}",
        )
    stb_start = patient.stb_half_year_start
    if prepared and stb_start is not None and stb_start > prepared[0].day:
        raise SubsidyInputError(
            "patient.stb_half_year_start",
            f"the half-year starts after line {prepared[0].index} "
            f"dated {prepared[0].day.isoformat()}",
        )

    engine = _Engine(patient)
    if engine.half_year is None and prepared:
        engine.half_year = _half_year(prepared[0].day)
    results = tuple(engine.line(p) for p in prepared)
    totals = Totals(
        price=sum((r.price for r in results), ZERO),
        state=sum((r.state for r in results), ZERO),
        atb=sum((r.atb for r in results), ZERO),
        stb=sum((r.stb for r in results), ZERO),
        region=sum((r.region for r in results), ZERO),
        patient=sum((r.patient for r in results), ZERO),
    )
    notes: list[str] = []
    if totals.atb > 0 and _crosses_july(results):
        notes.append(
            "ATB: the lines span a 1 July; the new ATB credit (and expiry of old ones) is not "
            "modelled: the balance given is used for every line"
        )
    notes.extend(engine.uncertain_notes())
    rule_set_ids = tuple(dict.fromkeys(r.rule_set_id for r in results))
    atb, counted, stb_used = _ore(engine.atb), _ore(engine.counted), _ore(engine.stb_used)
    patient_after = replace(
        patient,
        atb_available=atb,
        period_start=engine.period_start,
        period_counted=counted,
        stb_used_this_half_year=stb_used,
        stb_half_year_start=engine.half_year,
    )
    return Quote(
        lines=results,
        totals=totals,
        period_after=Period(engine.period_start, counted),
        atb_remaining=atb,
        stb_half_year_start=engine.half_year,
        stb_used_after=stb_used,
        patient_after=patient_after,
        rule_set_ids=rule_set_ids,
        notes=tuple(notes),
    )


# --- preparation: validate one line and look up what it needs -------------------------------


@dataclass(frozen=True)
class _Prepared:
    index: int
    line: QuoteLine
    day: date
    rule_set: RuleSet
    item: Item
    reference_item: Item | None  # the item whose reference price applies; None: no support
    reference_code: str | None
    tooth_position: int | None
    notes: tuple[str, ...]


def _check_amount(value: Decimal, field_name: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise SubsidyInputError(field_name, f"not an exact amount: {value!r}")
    if value < 0:
        raise SubsidyInputError(field_name, f"must not be negative, got {value}")
    if value != value.quantize(ORE):
        raise SubsidyInputError(field_name, f"more than two decimals: {value}")


def _check_patient(patient: PatientState) -> None:
    _check_amount(patient.atb_available, "patient.atb_available")
    _check_amount(patient.period_counted, "patient.period_counted")
    _check_amount(patient.stb_used_this_half_year, "patient.stb_used_this_half_year")
    if patient.period_start is None and patient.period_counted != 0:
        raise SubsidyInputError(
            "patient.period_counted", "an amount is counted but no period_start is given"
        )
    start = patient.stb_half_year_start
    if start is not None and (start.day != 1 or start.month not in (1, 7)):
        raise SubsidyInputError(
            "patient.stb_half_year_start", f"a half-year starts 1 January or 1 July, not {start}"
        )


def _check_taxa_amount(value: Decimal, field_name: str, what: str) -> None:
    """A taxa amount the quote can use: non-negative whole öre (the taxa's own defect if not)."""
    if not value.is_finite() or value < 0 or value != value.quantize(ORE):
        raise SubsidyInputError(field_name, f"{what} in the taxa is not a usable amount: {value}")


def _tooth_position(value: int | None, field_name: str) -> int | None:
    """1–8 as given, or the position digit of an FDI tooth number (quadrants 1–8)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SubsidyInputError(field_name, f"not a tooth position: {value!r}")
    if 1 <= value <= 8:
        return value
    quadrant, position = divmod(value, 10)
    if 1 <= quadrant <= 4 and 1 <= position <= 8 or 5 <= quadrant <= 8 and 1 <= position <= 5:
        return position
    raise SubsidyInputError(
        field_name, f"not a tooth position (1–8) or FDI tooth number (11–48, 51–85): {value}"
    )


def _prepare(
    index: int,
    line: QuoteLine,
    patient: PatientState,
    resolve_taxa: TaxaResolver,
    rule_sets: Sequence[RuleSet],
) -> _Prepared:
    at = f"lines[{index}]"
    if isinstance(line.quantity, bool) or not isinstance(line.quantity, int) or line.quantity < 1:
        raise SubsidyInputError(
            f"{at}.quantity", f"must be a whole number ≥ 1, got {line.quantity!r}"
        )
    if patient.birth_date > line.date:
        raise SubsidyInputError(
            "patient.birth_date",
            f"born {patient.birth_date.isoformat()}, after line {index} "
            f"dated {line.date.isoformat()}",
        )
    if line.treatment_started is not None and line.treatment_started > line.date:
        raise SubsidyInputError(
            f"{at}.treatment_started",
            f"{line.treatment_started.isoformat()} is after the line's date "
            f"{line.date.isoformat()}",
        )
    position = _tooth_position(line.tooth_position, f"{at}.tooth_position")
    try:
        rule_set = rule_set_for(line.date, rule_sets)
    except NoRuleSet as exc:
        raise QuoteNoRuleSet(f"{at}.date", str(exc)) from exc
    taxa = _resolve(resolve_taxa, line.date, line.variant, at)
    item = taxa.get(line.code)
    if item is None:
        raise QuoteUnknownCode(
            f"{at}.code",
            f"{line.code!r} is not in the {line.variant.value} taxa in force on "
            f"{line.date.isoformat()}",
        )
    _check_taxa_amount(item.price, f"{at}.code", f"the price of {line.code}")
    if item.kind is not Kind.EXTERN:
        return _Prepared(
            index,
            line,
            line.date,
            rule_set,
            item,
            None,
            None,
            position,
            (
                f"{line.code}: intern item, no state support: the patient pays the whole price "
                "and nothing is counted toward the high-cost protection",
            ),
        )

    notes: list[str] = []
    reference_code = line.code
    general = general_code(line.code)
    if general is not None:
        if line.specialist_referral:
            if f"{code_number(line.code):03d}" not in rule_set.specialist_any_specialty_codes.value:
                notes.append(
                    f"{line.code}: specialist reference price used on referral; it assumes the "
                    "åtgärd is within the specialty the patient was referred to (not checked)"
                )
        else:
            reference_code = general
    normal = (
        taxa
        if line.variant is Variant.NORMAL
        else _resolve(resolve_taxa, line.date, Variant.NORMAL, at)
    )
    reference_item = normal.get(reference_code)
    if reference_item is None and reference_code == line.code:
        reference_item = item  # a jour-only code: its own (unsurcharged) reference column
    if reference_item is None or reference_item.reference_price is None:
        if reference_code != line.code:
            notes.append(
                f"{line.code} without specialist referral: the general code {reference_code} "
                "has no reference price in the taxa: no state support"
            )
        else:
            notes.append(f"{line.code}: no reference price in the taxa: no state support")
        return _Prepared(index, line, line.date, rule_set, item, None, None, position, tuple(notes))
    _check_taxa_amount(
        reference_item.reference_price, f"{at}.code", f"the reference price of {reference_code}"
    )
    if reference_code != line.code:
        notes.append(
            f"{line.code} without specialist referral: the general reference price of "
            f"{reference_code} ({_kr(reference_item.reference_price)} kr) applies"
        )
    if rule_set.utbyte.value.contains(line.code):
        notes.append(
            f"{line.code}: utbytesåtgärd: the support is computed on the reference price of the "
            f"replaced treatment carried on the code ({_kr(reference_item.reference_price)} kr), "
            "capped by the price"
        )
    return _Prepared(
        index,
        line,
        line.date,
        rule_set,
        item,
        reference_item,
        reference_code,
        position,
        tuple(notes),
    )


def _resolve(
    resolve_taxa: TaxaResolver, day: date, variant: Variant, at: str
) -> Mapping[str, Item]:
    try:
        return resolve_taxa(day, variant)
    except NoRuleSet as exc:
        raise QuoteNoRuleSet(f"{at}.date", str(exc)) from exc


# --- the calculation ------------------------------------------------------------------------


def _kr(amount: Decimal) -> str:
    """1250 → '1 250.00' (notes only)."""
    return f"{amount:,.2f}".replace(",", " ")


def _half_year(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _one_year_after(start: date) -> date:
    """The first day after a period that starts ``start`` (29 Feb → 1 Mar next year)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return date(start.year + 1, 3, 1)


def _crosses_july(results: Sequence[LineResult]) -> bool:
    if not results:
        return False
    first, last = results[0].date, results[-1].date
    return any(first < date(year, 7, 1) <= last for year in range(first.year, last.year + 1))


@dataclass
class _Engine:
    """The running state while lines are processed in date order."""

    patient: PatientState
    atb: Decimal = ZERO
    period_start: date | None = None
    counted: Decimal = ZERO
    half_year: date | None = None
    stb_used: Decimal = ZERO
    _uncertain: dict[tuple[str, str, str], Sourced[object]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.atb = self.patient.atb_available
        self.period_start = self.patient.period_start
        self.counted = self.patient.period_counted
        self.half_year = self.patient.stb_half_year_start
        self.stb_used = self.patient.stb_used_this_half_year

    def use(self, rule_set: RuleSet, name: str, value: Sourced[object]) -> None:
        """Record that a value was used, so that L values are reported."""
        if value.uncertain:
            self._uncertain.setdefault((rule_set.id, name, _show(value.value)), value)

    def uncertain_notes(self) -> list[str]:
        return [
            f"uncertain value (L) used from rule set {rule_set_id}: {name} = {shown} "
            f"(source: {value.source})"
            for (rule_set_id, name, shown), value in self._uncertain.items()
        ]

    # one line ------------------------------------------------------------------------------

    def line(self, p: _Prepared) -> LineResult:
        line, rule_set = p.line, p.rule_set
        price = p.item.price * line.quantity
        notes = list(p.notes)
        half_year = _half_year(p.day)
        if half_year != self.half_year:  # STB is not saved: a new half-year starts from 0
            self.half_year, self.stb_used = half_year, ZERO
        if p.reference_item is None or p.reference_item.reference_price is None:
            return self._result(p, Rule.NO_SUPPORT, price, None, notes)
        unit_reference = p.reference_item.reference_price
        if line.variant is Variant.JOUR:
            notes.append(
                f"{line.code}: jour price {_kr(price)}; the reference price is never surcharged, "
                "so the patient pays the whole surcharge"
            )
        reference = unit_reference * line.quantity
        age = line.date.year - self.patient.birth_date.year

        if self._free_care(p, age, notes):
            return self._result(p, Rule.FREE_CARE, price, reference, notes, region=price)

        tio = rule_set.tiotandvard
        if tio is not None:
            self.use(rule_set, "tiotandvard.min_age", tio.min_age)
            if age >= tio.min_age.value:
                reason = self._tio_reason(p, tio, p.item.price, unit_reference)
                if reason is None:
                    return self._tiotandvard(p, tio, price, reference, notes)
                notes.append(
                    f"{line.code}: {reason}: the 67+ rule does not apply; ordinary "
                    "high-cost protection"
                )
        return self._hkskydd(p, price, reference, notes)

    def _free_care(self, p: _Prepared, age: int, notes: list[str]) -> bool:
        rule_set, line = p.rule_set, p.line
        self.use(rule_set, "free_care.through_age", rule_set.free_care_through_age)
        limit = rule_set.free_care_through_age.value
        transition = rule_set.free_care_transition
        if age <= limit:
            notes.append(
                f"free care by age: the patient turns {age} in {line.date.year} "
                f"(free through the year they turn {limit}): the region pays"
            )
            return True
        if transition is None or age > transition.value.through_age:
            return False
        self.use(rule_set, "free_care.transition", transition)
        started_before = transition.value.started_before
        if line.treatment_started is not None and line.treatment_started < started_before:
            notes.append(
                f"free care by age under the older rule: the treatment started "
                f"{line.treatment_started.isoformat()}, before {started_before.isoformat()}, and "
                f"the patient turns {age} in {line.date.year} (free through "
                f"{transition.value.through_age} under the older rule): the region pays"
            )
            return True
        if line.treatment_started is None:
            notes.append(
                f"the patient turns {age} in {line.date.year}: if this treatment started before "
                f"{started_before.isoformat()} it is free under the older rule (free through "
                f"{transition.value.through_age}); give treatment_started to apply it"
            )
        return False

    def _tio_reason(
        self, p: _Prepared, tio: TioTandvard, unit_price: Decimal, unit_reference: Decimal
    ) -> str | None:
        """Why the 67+ rule does not apply to the line, or None if it does."""
        rule_set, scope = p.rule_set, tio.scope(p.line.code)
        if scope.excluded is not None:
            self.use(rule_set, "tiotandvard.scope.excluded", scope.excluded)
            return f"code outside the 67+ rule's scope (excluded: {scope.excluded.value})"
        included = scope.included
        if included is None:
            return "code not in the 67+ rule's scope"
        self.use(rule_set, "tiotandvard.scope.included", included)
        limited = scope.position_limited
        if limited is not None:
            self.use(rule_set, "tiotandvard.scope.position_limited", limited)
            self.use(rule_set, "tiotandvard.scope.max_tooth_position", tio.max_tooth_position)
            max_position = tio.max_tooth_position.value
            if p.tooth_position is None:
                return (
                    f"new fixed prosthetics/implants ({limited.value}) are covered only up to "
                    f"tooth position {max_position} and no tooth position was given"
                )
            if p.tooth_position > max_position:
                return (
                    f"new fixed prosthetics/implants ({limited.value}) on tooth position "
                    f"{p.tooth_position}, behind position {max_position}"
                )
        self.use(
            rule_set,
            "tiotandvard.requires_price_at_most_reference",
            tio.requires_price_at_most_reference,
        )
        if tio.requires_price_at_most_reference.value and unit_price > unit_reference:
            return f"price {_kr(unit_price)} above reference {_kr(unit_reference)}"
        return None

    def _stb_available(self, p: _Prepared) -> Decimal:
        """What STB can still pay on this line (0 if the patient or code has none)."""
        rule_set, line = p.rule_set, p.line
        if not self.patient.stb_eligible:
            return ZERO
        self.use(rule_set, "stb.codes", rule_set.stb_codes)
        code = general_code(line.code) or line.code
        if code not in rule_set.stb_codes.value:
            return ZERO
        self.use(rule_set, "stb.amount_per_half_year", rule_set.stb_amount_per_half_year)
        return max(ZERO, rule_set.stb_amount_per_half_year.value - self.stb_used)

    def _pay_bidrag(self, p: _Prepared, payable: Decimal) -> tuple[Decimal, Decimal]:
        """STB first (it is not saved), then ATB, each out of ``payable``."""
        stb = min(self._stb_available(p), payable)
        atb = min(self.atb, payable - stb) if p.line.use_atb else ZERO
        self.stb_used += stb
        self.atb -= atb
        return stb, atb

    def _count(self, p: _Prepared, notes: list[str]) -> Decimal:
        """Open a period if needed; return what was counted before this line."""
        day = p.day
        if self.period_start is None:
            self.period_start, self.counted = day, ZERO
            notes.append(f"a new ersättningsperiod starts {day.isoformat()}")
        elif day >= _one_year_after(self.period_start):
            notes.append(
                f"the ersättningsperiod that started {self.period_start.isoformat()} has ended: "
                f"a new one starts {day.isoformat()} and the counted amount restarts at 0"
            )
            self.period_start, self.counted = day, ZERO
        return self.counted

    def _hkskydd(
        self, p: _Prepared, price: Decimal, reference: Decimal, notes: list[str]
    ) -> LineResult:
        rule_set = p.rule_set
        capped = min(price, reference)
        if price > reference:
            notes.append(
                f"price {_kr(price)} above reference {_kr(reference)}: the patient pays the "
                f"difference {_kr(price - reference)}"
            )
        stb, atb = self._pay_bidrag(p, capped)
        basis = capped - stb - atb
        before = self._count(p, notes)
        for name, value in (
            ("high_cost_protection.lower_threshold", rule_set.lower_threshold),
            ("high_cost_protection.upper_threshold", rule_set.upper_threshold),
            ("high_cost_protection.lower_percent", rule_set.lower_percent),
            ("high_cost_protection.upper_percent", rule_set.upper_percent),
        ):
            self.use(rule_set, name, value)
        low, high = rule_set.lower_threshold.value, rule_set.upper_threshold.value
        after = before + basis
        middle = max(ZERO, min(after, high) - max(before, low))
        top = max(ZERO, after - max(before, high))
        exact = {
            "hkskydd_50": middle * rule_set.lower_percent.value / _HUNDRED,
            "hkskydd_85": top * rule_set.upper_percent.value / _HUNDRED,
        }
        bands = {"hkskydd_50": middle, "hkskydd_85": top}
        shares = {name: amount for name, amount in exact.items() if bands[name] > 0}
        state = round_money(sum(shares.values(), ZERO))
        self.counted = after
        return self._result(
            p,
            Rule.HKSKYDD,
            price,
            reference,
            notes,
            basis=basis,
            counted=basis,
            atb=atb,
            stb=stb,
            state=state,
            state_by_rule=_split(shares, state),
        )

    def _tiotandvard(
        self,
        p: _Prepared,
        tio: TioTandvard,
        price: Decimal,
        reference: Decimal,
        notes: list[str],
    ) -> LineResult:
        rule_set = p.rule_set
        for name, value in (
            ("tiotandvard.patient_share_percent", tio.patient_share_percent),
            ("tiotandvard.bidrag_pays_patient_share", tio.bidrag_pays_patient_share),
            ("tiotandvard.counts_toward_period", tio.counts_toward_period),
        ):
            self.use(rule_set, name, value)
        basis = min(price, reference)
        share = basis * tio.patient_share_percent.value / _HUNDRED
        state = round_money(basis - share)
        stb = atb = ZERO
        if tio.bidrag_pays_patient_share.value:
            stb, atb = self._pay_bidrag(p, basis - state)
        notes.append(
            f"67+ rule (särskild tandvårdsersättning): the patient pays "
            f"{tio.patient_share_percent.value} % of {_kr(basis)}, the state the rest; "
            "no threshold"
        )
        counted = ZERO
        if tio.counts_toward_period.value:
            self._count(p, notes)
            counted = basis - stb - atb
            self.counted += counted
        else:
            notes.append("the 67+ line is not counted toward the ersättningsperiod")
        return self._result(
            p,
            Rule.TIOTANDVARD,
            price,
            reference,
            notes,
            basis=basis,
            counted=counted,
            atb=atb,
            stb=stb,
            state=state,
            state_by_rule={Rule.TIOTANDVARD.value: state},
        )

    def _result(
        self,
        p: _Prepared,
        rule: Rule,
        price: Decimal,
        reference: Decimal | None,
        notes: list[str],
        *,
        basis: Decimal = ZERO,
        counted: Decimal = ZERO,
        atb: Decimal = ZERO,
        stb: Decimal = ZERO,
        state: Decimal = ZERO,
        state_by_rule: Mapping[str, Decimal] | None = None,
        region: Decimal = ZERO,
    ) -> LineResult:
        line = p.line
        price, atb, stb, state, region = (_ore(x) for x in (price, atb, stb, state, region))
        return LineResult(
            index=p.index,
            code=line.code,
            quantity=line.quantity,
            date=line.date,
            variant=line.variant,
            rule=rule,
            rule_set_id=p.rule_set.id,
            price=price,
            reference_price=None if reference is None else _ore(reference),
            reference_code=p.reference_code if reference is not None else None,
            basis=_ore(basis),
            counted=_ore(counted),
            atb=atb,
            stb=stb,
            state=state,
            state_by_rule={k: _ore(v) for k, v in (state_by_rule or {}).items()},
            region=region,
            patient=price - state - atb - stb - region,
            period_start=self.period_start,
            period_counted_after=_ore(self.counted),
            notes=tuple(notes),
        )


def _ore(amount: Decimal) -> Decimal:
    """Show an amount that is already whole öre with two decimals (never rounds: checked)."""
    shown = amount.quantize(ORE)
    if shown != amount:  # pragma: no cover - inputs are checked to be whole öre
        raise AssertionError(f"{amount} is not whole öre")
    return shown


def _split(exact: Mapping[str, Decimal], total: Decimal) -> dict[str, Decimal]:
    """Round each share to öre; put the öre of difference on the last so they sum to ``total``."""
    names = list(exact)
    shares = {name: round_money(exact[name]) for name in names}
    if names:
        shares[names[-1]] += total - sum(shares.values(), ZERO)
    return shares


def _show(value: object) -> str:
    if isinstance(value, CodeRange):
        return str(value)
    if isinstance(value, frozenset):
        return ", ".join(sorted(str(v) for v in value))
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
