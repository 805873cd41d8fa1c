"""Patient cost under the state dental support (statligt tandvårdsstöd): the quote engine.

``quote(patient, lines, resolve_taxa, rule_sets, *, regional_rules=None, today=None)`` estimates
what a clinic would bill: for each line the price, the reference price used, which ersättning it
can give (:class:`Ersattning`: allmän or särskild tandvårdsersättning, or none and why —
förordning 2008:193 9–10 §§), what the ATB, the STB, the state, the region and the patient pay,
and the notes that explain it. Försäkringskassan holds the patient's authoritative state (period
start, amount counted, ATB balance); the caller passes it in as :class:`PatientState` and gets the
state after the quote back (:attr:`Quote.patient_after`), so a treatment quoted in several parts
gives the same figures as one quote (for a patient in the regional support, a visit — one date —
must stay in one part: each part charges the visit fee).

How a line is priced (the rule sets in ``data/subsidy`` hold every number):

1. **Price and reference.** ``price`` = the unit price of the line's variant (normal or jour)
   × quantity + ``material_kr`` + ``technical_kr`` (the dental material and dental-technical
   work billed with the åtgärd): the WHOLE price, for every rule below. Material or technical
   costs on a code billed per minute, per krona (material sold at cost) or per visit (a flat
   fee) are refused: they go on their own line. The reference price is always taken from the
   NORMAL taxa (reference prices are never surcharged; jour patients pay the whole surcharge) ×
   quantity; TLV's reference price covers material and technical work. An S code without
   ``specialist_referral`` gets the general code's reference price ("103S" → "103"; "541SH" →
   "541H"); with no general code (115S, 116S) it gets no support. Utbytesåtgärder (921–941) use
   the reference price carried on the utbyte code itself, capped by the price as always.
2. **Regional dental support** (``regional_support``, only for a patient with
   ``PatientState.regional_support`` "nodvandig" or "sjukdomsbehandling"; the owner's
   :class:`pricing.regional.RegionalRules` must be passed). Free care by age (rule 4) still
   comes first. Otherwise the patient pays the region's visit fee per VISIT (a visit = one
   treatment date) instead of the taxa price, the region pays the rest; the fee is charged on the
   visit's lines in order (never more than a line's price, so a visit priced below the fee costs
   the patient only its price — noted). No fee from the rules' age (85, reached on the visit
   date). The fees paid count toward the outpatient frikort: ``frikort_spent`` is what counted
   before the quote; the patient pays at most what is left up to the ceiling, and nothing once it
   is reached. ATB and STB are not used, the state pays nothing and nothing is counted toward the
   ersättningsperiod. A line with one of the region's fee codes (951–953) is refused: the quote
   charges the fee itself. ersättning: none (``regional_support``).
3. **No support** (rule ``no_support``): intern items, extern items without a reference price.
   The patient pays all; nothing is counted. ersättning: none (``intern_code`` /
   ``no_reference_price``).
4. **Free care by age** (``region_free_care``): the patient's age in the line's calendar year
   (year − birth year) ≤ the rule set's free-care age: the region pays the whole price, the
   state, ATB, STB and patient nothing, nothing is counted. With ``treatment_started`` before the
   rule set's transition date, the older age limit applies (prop. 2023/24:158). Intern items are
   never free care here (the region's own fees are out of scope), except for a patient in the
   regional support. ersättning: none (``region_free_care``).
5. **Särskild tandvårdsersättning, the 67+ rule** (``tiotandvard_67``, only if the rule set has
   one, from 2026-01-01): age reached in the calendar year the åtgärd is completed (line year −
   birth year) ≥ min age, code in scope (see :class:`pricing.subsidy_rules.TioTandvard`; new fixed
   prosthetics only on tooth position ≤ 5) and the whole price ≤ the reference price. capped =
   min(price, reference); STB then ATB may pay out of it (as in rule 6; the part they pay gets no
   ersättning); basis = capped − STB − ATB; state = 90 % of the basis (100 − the patient's share
   %); the patient pays the rest. No karens; the line is NOT counted toward the ordinary
   ersättningsperiod and does not open one. ATB used here lowers the patient's cost by only 10 %
   of it (a note says so; ``use_atb=False`` keeps it). ersättning: ``sarskild``. Otherwise the
   ordinary protection applies and, for a patient of the age, ``ersattning_reason`` says why
   (``price_above_reference``, ``outside_sarskild_scope``, ``tooth_position``) and a note too.
6. **High-cost protection, allmän tandvårdsersättning** (``hkskydd_50``, ``hkskydd_85``):
   capped = min(price, reference). STB pays first (eligible patient, code — or its general code
   — on the STB list, up to what is left of the half-year amount; half-years start 1 January and
   1 July), then ATB (``use_atb``, up to the balance). Both only out of the capped amount: neither
   pays the part above the reference price. basis = capped − STB − ATB; it is counted toward the
   ersättningsperiod: up to the karens (lower threshold) the state pays nothing, between the
   thresholds the lower percentage, above the upper threshold the upper percentage; a line
   straddling a threshold is split. patient = price − state − ATB − STB (the part above the
   reference price is the patient's). ersättning: ``allman``.

Thresholds: the rule set in force on the line's date gives them for the line's period
(:meth:`pricing.subsidy_rules.RuleSet.thresholds`): fixed 3 000 / 15 000 until 2025; from
2026-01-01 0.0507 / 0.2534 × the prisbasbelopp of the year the PERIOD STARTS, rounded down to
whole 50 kr; a period started before 2026 keeps 3 000 and (L, unsettled: 14 850 by the formula)
15 000. A period starting in a year whose prisbasbelopp is not in the data uses the last known
one, flagged L and said in the notes. :attr:`Quote.period_thresholds` lists every period's
thresholds used.

Periods: lines are processed in date order (stable for equal dates). A line that counts opens a
period when none is open, or when its date is one year or more after the period start (the
period covers start .. start + 1 year − 1 day; a 29 February start ends on 28 February), and
the counted amount resets to 0.

ATB: the balance given is used; the 1 July credit within the quote is not added (a note says so
when the lines span a 1 July). :attr:`Quote.atb_next_credit` says what the patient will be
credited on the next 1 July after ``today`` (or after the first line's date without ``today``):
the amount for the age reached in that calendar year under the rule set in force on that day
(from 2026 the upper band starts at the riktålder, and whoever turned 65 before 2026 keeps 600).

Rounding: amounts are exact Decimals; the ONE rounding step is the state amount of each line,
rounded to öre with :func:`pricing.money.round_money` (halves up). ATB, STB and visit fees are
taken exactly (balances, fees and prices are whole öre). ``patient = price − state − atb − stb −
region`` exactly, so every line and every total adds up. ``state_by_rule`` shows each rule's
share rounded to öre, with any öre of difference put on the last rule so the shares sum to
``state``.

Notes: every L (uncertain) value used — of a rule set or of the regional rules — is listed once
in :attr:`Quote.notes` with its source (``uncertain value (L) used from rule set 2026: …``).

Invalid input raises :class:`SubsidyInputError` (or its :class:`UnknownCode` /
:class:`NoRuleSet` subclasses) with ``field`` naming the offending field, e.g.
``"lines[2].code"``, ``"lines[0].material_kr"``, ``"patient.regional_support"`` or
``"patient.period_start"`` (after the first line, or after ``today``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from pricing.errors import NoRuleSet, PricingError, UnknownCode
from pricing.money import ORE, ZERO, round_money
from pricing.regional import RegionalPeriod, RegionalRules, RegionalSupport
from pricing.subsidy_rules import (
    CodeRange,
    Confidence,
    RuleSet,
    Sourced,
    Thresholds,
    TioTandvard,
    code_number,
    general_code,
    rule_set_for,
)
from pricing.taxa import Item, Kind, Unit, Variant

TaxaResolver = Callable[[date, Variant], Mapping[str, Item]]
"""code → :class:`Item` in force on the day for the variant (the caller's snapshot lookup)."""

_HUNDRED = Decimal(100)
_new = object.__new__
_L = Confidence.L
_NO_EXTRAS_UNITS = frozenset({Unit.PER_MINUTE, Unit.PER_KRONA, Unit.PER_VISIT})


class SubsidyInputError(PricingError):
    """Input the quote cannot work with; ``field`` names it (``"lines[0].quantity"``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class QuoteUnknownCode(UnknownCode, SubsidyInputError):
    """A line's code is not in the taxa in force on its date for its variant."""


class QuoteNoRuleSet(NoRuleSet, SubsidyInputError):
    """No subsidy rule set (or taxa, or regional rules) is in force on a line's date."""


class Rule(StrEnum):
    """Which rule decided a line."""

    NO_SUPPORT = "no_support"
    FREE_CARE = "region_free_care"
    TIOTANDVARD = "tiotandvard_67"
    HKSKYDD = "hkskydd"
    REGIONAL = "regional_support"


class Ersattning(StrEnum):
    """The state's ersättning a line can give (förordning 2008:193 9–10 §§)."""

    ALLMAN = "allman"  # allmän tandvårdsersättning: the high-cost protection
    SARSKILD = "sarskild"  # särskild tandvårdsersättning: the 67+ rule ("tiotandvård")


class ErsattningReason(StrEnum):
    """Why a line gives no ersättning, or (for a patient of the 67+ age) allmän, not särskild.

    With ``ersattning`` None: ``intern_code``, ``no_reference_price``, ``region_free_care``,
    ``regional_support``. With ``ersattning`` "allman" for a patient of the 67+ rule's age:
    ``price_above_reference`` (the whole price, material included, exceeds the reference),
    ``outside_sarskild_scope`` (the code is not in the rule's scope), ``tooth_position`` (new
    fixed prosthetics behind the covered tooth positions, or no position given).
    """

    INTERN_CODE = "intern_code"
    NO_REFERENCE_PRICE = "no_reference_price"
    FREE_CARE = "region_free_care"
    REGIONAL_SUPPORT = "regional_support"
    PRICE_ABOVE_REFERENCE = "price_above_reference"
    OUTSIDE_SARSKILD_SCOPE = "outside_sarskild_scope"
    TOOTH_POSITION = "tooth_position"


@dataclass(frozen=True)
class PatientState:
    """The patient as Försäkringskassan (and, for regional support, the region) knows them.

    ``period_start`` None means no open ersättningsperiod (then ``period_counted`` must be 0).
    ``stb_used_this_half_year`` is what STB already paid in the half-year starting
    ``stb_half_year_start`` (1 January or 1 July); None means the half-year of the first line.
    ``atb_available`` is the ATB balance; the 1 July credit and the two-year expiry are FK's
    business and are not modelled inside one quote. ``regional_support``: None, or
    ``"nodvandig"`` / ``"sjukdomsbehandling"`` (:class:`pricing.regional.RegionalSupport`) for a
    patient in the regional dental support; ``frikort_spent``: what already counted toward the
    outpatient frikort (used only for regional support).
    """

    birth_date: date
    stb_eligible: bool = False
    atb_available: Decimal = ZERO
    period_start: date | None = None
    period_counted: Decimal = ZERO
    stb_used_this_half_year: Decimal = ZERO
    stb_half_year_start: date | None = None
    regional_support: str | None = None
    frikort_spent: Decimal = ZERO


@dataclass(frozen=True)
class QuoteLine:
    """One åtgärd to quote. ``tooth_position``: 1–8 or an FDI tooth number (11–48, 51–85).

    ``treatment_started``: when the treatment this line belongs to started, if before the line
    (decides the free-care transition rule); None means the line's own date. ``material_kr`` and
    ``technical_kr``: dental material and dental-technical costs billed with the åtgärd, in
    kronor; part of the line's price for every rule.
    """

    code: str
    quantity: int
    date: datetime.date
    variant: Variant = Variant.NORMAL
    specialist_referral: bool = False
    tooth_position: int | None = None
    use_atb: bool = True
    treatment_started: datetime.date | None = None
    material_kr: Decimal = ZERO
    technical_kr: Decimal = ZERO


@dataclass(frozen=True)
class LineResult:
    """The breakdown of one line. price = state + atb + stb + region + patient, exactly.

    ``price`` includes ``material_kr`` and ``technical_kr``. ``reference_price`` is the line
    total of the reference price used (None without support); ``basis`` the amount the rule
    worked on (hkskydd and 67+: min(price, ref) − STB − ATB); ``counted`` what was added to the
    ersättningsperiod. ``ersattning`` / ``ersattning_reason``: see :class:`ErsattningReason`.
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
    material_kr: Decimal = ZERO
    technical_kr: Decimal = ZERO
    ersattning: Ersattning | None = None
    ersattning_reason: ErsattningReason | None = None


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
class PeriodThresholds:
    """The thresholds a quote used for one ersättningsperiod under one rule set."""

    rule_set_id: str
    period_start: date
    lower: Decimal
    upper: Decimal
    how: str


@dataclass(frozen=True)
class AtbCredit:
    """The ATB the patient will be credited on ``date`` (a 1 July): ``amount`` for ``age``
    reached in that calendar year under rule set ``rule_set_id``; ``transitional``: the amount
    comes from the transitional rule (turned 65 before 2026)."""

    date: date
    amount: Decimal
    age: int
    rule_set_id: str
    transitional: bool


@dataclass(frozen=True)
class RegionalVisit:
    """One visit (a treatment date) of a patient in the regional dental support.

    ``fee`` is the region's visit fee; ``patient`` what the patient pays for the visit (the fee,
    less near the frikort ceiling, 0 from the free age or once the ceiling is reached, at most
    the visit's price); ``region`` the rest of the visit's price; ``frikort_spent_after`` the
    amount counted toward the frikort after the visit.
    """

    date: date
    owner: str
    fee: Decimal
    patient: Decimal
    region: Decimal
    frikort_spent_after: Decimal
    line_indexes: tuple[int, ...]
    fee_codes: tuple[str, ...]
    notes: tuple[str, ...]


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
    atb_next_credit: AtbCredit | None = None
    frikort_spent_after: Decimal = ZERO
    regional_visits: tuple[RegionalVisit, ...] = ()
    period_thresholds: tuple[PeriodThresholds, ...] = ()


def quote(
    patient: PatientState,
    lines: Sequence[QuoteLine],
    resolve_taxa: TaxaResolver,
    rule_sets: Iterable[RuleSet],
    *,
    regional_rules: RegionalRules | None = None,
    today: date | None = None,
) -> Quote:
    """Quote ``lines`` for ``patient`` under the rule sets in force on each line's date.

    ``regional_rules``: the owner's regional dental support rules (needed only for a patient
    with ``regional_support``). ``today``: the caller's date; a period start (or birth date)
    after it is refused, and :attr:`Quote.atb_next_credit` counts from it.
    """
    rule_sets = tuple(rule_sets)
    regional = _check_patient(patient, regional_rules, today)
    order = sorted(range(len(lines)), key=lambda i: lines[i].date)
    lookups = _Lookups(resolve_taxa, rule_sets, regional_rules if regional else None)
    prepared = [_prepare(i, lines[i], patient, lookups) for i in order]
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

    engine = _Engine(patient, regional)
    if engine.half_year is None and prepared:
        engine.half_year = _half_year(prepared[0].day)
    results = tuple([engine.line(p) for p in prepared])
    visits = engine.finish_visits(regional_rules)
    price = state = atb = stb = region = paid = ZERO
    for r in results:
        price += r.price
        state += r.state
        atb += r.atb
        stb += r.stb
        region += r.region
        paid += r.patient
    totals: Totals = _new(Totals)  # frozen dataclasses filled without __init__ (see _result)
    totals.__dict__.update(price=price, state=state, atb=atb, stb=stb, region=region, patient=paid)
    notes: list[str] = []
    if totals.atb > 0 and _crosses_july(results):
        notes.append(
            "ATB: the lines span a 1 July; the new ATB credit (and expiry of old ones) is not "
            "modelled: the balance given is used for every line"
        )
    reference_day = today or (prepared[0].day if prepared else None)
    credit = engine.atb_next_credit(reference_day, rule_sets)
    notes.extend(engine.notes)
    notes.extend(engine.uncertain_notes())
    rule_set_ids = tuple(dict.fromkeys([r.rule_set_id for r in results]))
    atb, counted, stb_used, frikort = engine.atb, engine.counted, engine.stb_used, engine.frikort
    patient_after: PatientState = _new(PatientState)  # as _Engine._result builds a LineResult
    patient_after.__dict__.update(
        patient.__dict__,
        atb_available=atb,
        period_start=engine.period_start,
        period_counted=counted,
        stb_used_this_half_year=stb_used,
        stb_half_year_start=engine.half_year,
        frikort_spent=frikort,
    )
    result: Quote = _new(Quote)
    result.__dict__.update(
        lines=results,
        totals=totals,
        period_after=Period(engine.period_start, counted),
        atb_remaining=atb,
        stb_half_year_start=engine.half_year,
        stb_used_after=stb_used,
        patient_after=patient_after,
        rule_set_ids=rule_set_ids,
        notes=tuple(dict.fromkeys(notes)),
        atb_next_credit=credit,
        frikort_spent_after=frikort,
        regional_visits=visits,
        period_thresholds=tuple(engine.thresholds_used.values()),
    )
    return result


# --- preparation: validate one line and look up what it needs -------------------------------


@dataclass(slots=True)
class _Prepared:
    """One line, checked, with what the calculation needs. Amounts are whole öre with two
    decimals (quantized once here: every amount the engine derives keeps two decimals)."""

    index: int
    line: QuoteLine
    day: date
    rule_set: RuleSet
    price: Decimal  # unit price × quantity + material + technical
    reference: Decimal | None  # the reference price × quantity; None: no support
    reference_code: str | None
    tooth_position: int | None
    notes: list[str]  # the line's own notes; the engine adds to them
    no_support: ErsattningReason | None = None  # why there is no reference price
    regional: RegionalPeriod | None = None  # the regional rules for a regional patient


def _check_amount(value: Decimal, field_name: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise SubsidyInputError(field_name, f"not an exact amount: {value!r}")
    if value < 0:
        raise SubsidyInputError(field_name, f"must not be negative, got {value}")
    if value != value.quantize(ORE):
        raise SubsidyInputError(field_name, f"more than two decimals: {value}")


def _regional_support(value: object) -> RegionalSupport | None:
    if value is None:
        return None
    allowed = ", ".join(f'"{kind.value}"' for kind in RegionalSupport)
    if not isinstance(value, str) or value not in RegionalSupport._value2member_map_:
        raise SubsidyInputError(
            "patient.regional_support", f"expected {allowed} or none, got {value!r}"
        )
    return RegionalSupport(value)


def _check_patient(
    patient: PatientState, regional_rules: RegionalRules | None, today: date | None
) -> RegionalSupport | None:
    _check_amount(patient.atb_available, "patient.atb_available")
    _check_amount(patient.period_counted, "patient.period_counted")
    _check_amount(patient.stb_used_this_half_year, "patient.stb_used_this_half_year")
    _check_amount(patient.frikort_spent, "patient.frikort_spent")
    if patient.period_start is None and patient.period_counted != 0:
        raise SubsidyInputError(
            "patient.period_counted", "an amount is counted but no period_start is given"
        )
    start = patient.stb_half_year_start
    if start is not None and (start.day != 1 or start.month not in (1, 7)):
        raise SubsidyInputError(
            "patient.stb_half_year_start", f"a half-year starts 1 January or 1 July, not {start}"
        )
    regional = _regional_support(patient.regional_support)
    if regional is not None and regional_rules is None:
        raise SubsidyInputError(
            "patient.regional_support",
            f"{regional.value}: no regional dental support rules were given for this owner",
        )
    if today is not None:
        if patient.birth_date > today:
            raise SubsidyInputError(
                "patient.birth_date",
                f"{patient.birth_date.isoformat()} is in the future (today is {today})",
            )
        if patient.period_start is not None and patient.period_start > today:
            raise SubsidyInputError(
                "patient.period_start",
                f"the period starts {patient.period_start.isoformat()}, in the future "
                f"(today is {today})",
            )
    return regional


@lru_cache(maxsize=4096)
def _whole_ore(value: Decimal) -> Decimal | None:
    """``value`` with two decimals if it is a non-negative whole number of öre, else None
    (memoised: a taxa's prices are few and recur on every line)."""
    if value.is_finite() and value >= 0:
        shown = value.quantize(ORE)
        if shown == value:
            return shown
    return None


def _taxa_amount(value: Decimal, index: int, code: str, what: str) -> Decimal:
    """A taxa amount the quote can use, with two decimals: non-negative whole öre (the taxa's
    own defect if not; the error names the line's code)."""
    shown = _whole_ore(value)
    if shown is not None:
        return shown
    raise SubsidyInputError(
        f"lines[{index}].code", f"{what} of {code} in the taxa is not a usable amount: {value}"
    )


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


def _line_price(index: int, line: QuoteLine, item: Item, unit_price: Decimal) -> Decimal:
    """unit price × quantity + material + technical; extras only where they make sense."""
    material, technical = line.material_kr, line.technical_kr
    # One unit: the taxa's own (memoised) amount, the same value; its hash, which the memoised
    # notes key on, is then computed once per process, not per line.
    price = unit_price if line.quantity == 1 else unit_price * line.quantity
    if material is ZERO and technical is ZERO:  # the defaults: nothing to check
        return price
    at = f"lines[{index}]"
    _check_amount(material, f"{at}.material_kr")
    _check_amount(technical, f"{at}.technical_kr")
    if not material and not technical:
        return price
    if item.unit in _NO_EXTRAS_UNITS:
        name = "material_kr" if material else "technical_kr"
        raise SubsidyInputError(
            f"{at}.{name}",
            f"{line.code} is billed {item.unit.value}: material and dental-technical costs "
            "cannot be added to it (bill material on its own line, e.g. a per-krona material "
            "code)",
        )
    return price + material + technical  # whole öre: the sum keeps two decimals


class _Lookups:
    """The rule set and taxa lookups of one quote, memoised by date (lines share dates)."""

    __slots__ = ("resolve_taxa", "rule_sets", "regional_rules", "_rule_sets", "_taxa")

    def __init__(
        self,
        resolve_taxa: TaxaResolver,
        rule_sets: Sequence[RuleSet],
        regional_rules: RegionalRules | None,
    ) -> None:
        self.resolve_taxa, self.rule_sets = resolve_taxa, rule_sets
        self.regional_rules = regional_rules
        self._rule_sets: dict[date, RuleSet] = {}
        self._taxa: dict[tuple[date, Variant], Mapping[str, Item]] = {}

    def rule_set(self, day: date, index: int) -> RuleSet:
        known = self._rule_sets.get(day)
        if known is None:
            try:
                known = self._rule_sets[day] = rule_set_for(day, self.rule_sets)
            except NoRuleSet as exc:
                raise QuoteNoRuleSet(f"lines[{index}].date", str(exc)) from exc
        return known

    def taxa(self, day: date, variant: Variant, index: int) -> Mapping[str, Item]:
        key = (day, variant)
        known = self._taxa.get(key)
        if known is None:
            try:
                known = self._taxa[key] = self.resolve_taxa(day, variant)
            except NoRuleSet as exc:
                raise QuoteNoRuleSet(f"lines[{index}].date", str(exc)) from exc
        return known


def _prepare(index: int, line: QuoteLine, patient: PatientState, lookups: _Lookups) -> _Prepared:
    quantity = line.quantity
    if type(quantity) is not int or quantity < 1:  # not bool either
        raise SubsidyInputError(
            f"lines[{index}].quantity", f"must be a whole number ≥ 1, got {quantity!r}"
        )
    if patient.birth_date > line.date:
        raise SubsidyInputError(
            "patient.birth_date",
            f"born {patient.birth_date.isoformat()}, after line {index} "
            f"dated {line.date.isoformat()}",
        )
    if line.treatment_started is not None and line.treatment_started > line.date:
        raise SubsidyInputError(
            f"lines[{index}].treatment_started",
            f"{line.treatment_started.isoformat()} is after the line's date "
            f"{line.date.isoformat()}",
        )
    position = line.tooth_position
    if position is not None and not (type(position) is int and 1 <= position <= 8):
        position = _tooth_position(position, f"lines[{index}].tooth_position")
    day = line.date
    rule_set = lookups.rule_set(day, index)
    taxa = lookups.taxa(day, line.variant, index)
    item = taxa.get(line.code)
    if item is None:
        raise QuoteUnknownCode(
            f"lines[{index}].code",
            f"{line.code!r} is not in the {line.variant.value} taxa in force on "
            f"{line.date.isoformat()}",
        )
    unit_price = _taxa_amount(item.price, index, line.code, "the price")
    price = _line_price(index, line, item, unit_price)
    regional_rules = lookups.regional_rules
    if regional_rules is not None:
        try:
            period = regional_rules.period_for(day)
        except NoRuleSet as exc:
            raise QuoteNoRuleSet(f"lines[{index}].date", str(exc)) from exc
        if line.code in period.fee_codes.value:
            raise SubsidyInputError(
                f"lines[{index}].code",
                f"{line.code} is {regional_rules.owner}'s visit fee for the regional dental "
                "support: the quote charges it per visit; leave it out",
            )
        return _Prepared(index, line, day, rule_set, price, None, None, position, [], None, period)
    if item.kind is not Kind.EXTERN:
        intern = (
            f"{line.code}: intern item, no state support: the patient pays the whole price "
            "and nothing is counted toward the high-cost protection"
        )
        return _Prepared(
            index, line, day, rule_set, price, None, None, position, [intern],
            ErsattningReason.INTERN_CODE,
        )  # fmt: skip

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
    normal = taxa if line.variant is Variant.NORMAL else lookups.taxa(day, Variant.NORMAL, index)
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
        return _Prepared(
            index, line, day, rule_set, price, None, None, position, notes,
            ErsattningReason.NO_REFERENCE_PRICE,
        )  # fmt: skip
    unit_reference = _taxa_amount(
        reference_item.reference_price, index, reference_code, "the reference price"
    )
    if reference_code != line.code:
        notes.append(
            f"{line.code} without specialist referral: the general reference price of "
            f"{reference_code} ({_kr(unit_reference)} kr) applies"
        )
    if rule_set.utbyte.value.contains(line.code):
        notes.append(
            f"{line.code}: utbytesåtgärd: the support is computed on the reference price of the "
            f"replaced treatment carried on the code ({_kr(unit_reference)} kr), "
            "capped by the price"
        )
    reference = unit_reference if line.quantity == 1 else unit_reference * line.quantity
    return _Prepared(index, line, day, rule_set, price, reference, reference_code, position, notes)


# --- the calculation ------------------------------------------------------------------------


_THRESHOLDS: dict[tuple[int, date], tuple[RuleSet, Thresholds, PeriodThresholds, str]] = {}


def _thresholds_of(rule_set: RuleSet, start: date) -> tuple[Thresholds, PeriodThresholds, str]:
    """The thresholds of a period that started ``start`` under ``rule_set``, what the quote
    reports of them and the note on how they were found: the same for every quote, so kept
    (by the rule set's identity, checked, and bounded)."""
    known = _THRESHOLDS.get((id(rule_set), start))
    if known is not None and known[0] is rule_set:
        return known[1], known[2], known[3]
    thresholds = rule_set.thresholds(start)
    how = thresholds.how
    note = (
        f"the ersättningsperiod starting {start.isoformat()} (rule set {rule_set.id}): {how}"
        if how
        else ""
    )
    used = PeriodThresholds(
        rule_set.id,
        start,
        thresholds.lower.value,
        thresholds.upper.value,
        how or "fixed amounts of the rule set",
    )
    if len(_THRESHOLDS) >= 4096:
        _THRESHOLDS.clear()
    _THRESHOLDS[(id(rule_set), start)] = (rule_set, thresholds, used, note)
    return thresholds, used, note


@lru_cache(maxsize=64)
def _rate(percent: Decimal) -> Decimal:
    """50 → 0.5: a percentage as an exact factor (percentages have at most two decimals, so
    the division is exact and x × rate equals x × percent / 100)."""
    return percent / _HUNDRED


@lru_cache(maxsize=4096)
def _kr(amount: Decimal) -> str:
    """1250 → '1 250.00' (notes only; memoised: taxa amounts repeat)."""
    return f"{amount:,.2f}".replace(",", " ")


@lru_cache(maxsize=4096)
def _above_reference(price: Decimal, reference: Decimal, extras: str) -> str:
    """The note on a price above the reference (memoised: a taxa's few prices recur)."""
    return (
        f"price {_kr(price)}{extras} above reference {_kr(reference)}: the patient pays the "
        f"difference {_kr(price - reference)}"
    )


def _half_year(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _one_year_after(start: date) -> date:
    """The first day after a period that starts ``start`` (29 Feb → 1 Mar next year)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return date(start.year + 1, 3, 1)


def _age_on(birth: date, day: date) -> int:
    """Age in whole years reached on ``day`` (a 29 February birthday counts on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _crosses_july(results: Sequence[LineResult]) -> bool:
    if not results:
        return False
    first, last = results[0].date, results[-1].date
    return any(first < date(year, 7, 1) <= last for year in range(first.year, last.year + 1))


def _extras(line: QuoteLine) -> str:
    """' (including material 200.00 kr)' for a note on the price, '' without extras."""
    parts = []
    if line.material_kr:
        parts.append(f"material {_kr(line.material_kr)} kr")
    if line.technical_kr:
        parts.append(f"dental-technical work {_kr(line.technical_kr)} kr")
    return f" (including {' and '.join(parts)})" if parts else ""


@dataclass
class _Visit:
    """A regional support visit in progress."""

    day: date
    period: RegionalPeriod
    due: Decimal  # what the patient is to pay for the visit (the fee, or less)
    charged: Decimal = ZERO
    price: Decimal = ZERO
    lines: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Engine:
    """The running state while lines are processed in date order."""

    patient: PatientState
    regional: RegionalSupport | None
    atb: Decimal = ZERO
    period_start: date | None = None
    period_end: date | None = None  # the first day after the period
    counted: Decimal = ZERO
    half_year: date | None = None
    stb_used: Decimal = ZERO
    frikort: Decimal = ZERO
    notes: list[str] = field(default_factory=list)
    thresholds_used: dict[tuple[str, date], PeriodThresholds] = field(default_factory=dict)
    visits: list[_Visit] = field(default_factory=list)
    _thresholds: dict[tuple[str, date], Thresholds] = field(default_factory=dict)
    _uncertain: dict[tuple[str, str, object], Sourced[object]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Whole öre (checked) with two decimals: every amount derived keeps two decimals, so
        # the results need no rounding or quantizing of their own (only the state is rounded).
        patient = self.patient
        self.atb = patient.atb_available.quantize(ORE)
        self.period_start = patient.period_start
        if patient.period_start is not None:
            self.period_end = _one_year_after(patient.period_start)
        self.counted = patient.period_counted.quantize(ORE)
        self.half_year = patient.stb_half_year_start
        self.stb_used = patient.stb_used_this_half_year.quantize(ORE)
        self.frikort = patient.frikort_spent.quantize(ORE)

    def use(self, where: RuleSet | RegionalPeriod, name: str, value: Sourced[object]) -> None:
        """Record that a value was used, so that L values are reported (once each)."""
        if value.confidence is _L:
            label = (
                f"rule set {where.id}"
                if isinstance(where, RuleSet)
                else f"regional rules {where.label}"
            )
            self._uncertain.setdefault((label, name, value), value)

    def uncertain_notes(self) -> list[str]:
        return [_uncertain_note(*key) for key in self._uncertain]

    # one line ------------------------------------------------------------------------------

    def line(self, p: _Prepared) -> LineResult:
        line, rule_set, price, notes = p.line, p.rule_set, p.price, p.notes
        half_year = self.half_year
        if (
            half_year is None
            or p.day.year != half_year.year
            or (p.day.month <= 6) != (half_year.month == 1)
        ):  # STB is not saved: a new half-year starts from 0
            self.half_year, self.stb_used = _half_year(p.day), ZERO
        age = p.day.year - self.patient.birth_date.year
        if p.regional is not None:
            return self._regional(p, p.regional, age, notes)
        reference = p.reference
        if reference is None:
            return self._result(p, Rule.NO_SUPPORT, None, notes, reason=p.no_support)
        if line.variant is Variant.JOUR:
            notes.append(
                f"{line.code}: jour price {_kr(price)}; the reference price is never surcharged, "
                "so the patient pays the whole surcharge"
            )
        if self._free_care(p, age, notes):
            return self._result(
                p, Rule.FREE_CARE, reference, notes, region=price, reason=ErsattningReason.FREE_CARE
            )

        tio = rule_set.tiotandvard
        fallback: ErsattningReason | None = None
        if tio is not None:
            if tio.min_age.confidence is _L:
                self.use(rule_set, "tiotandvard.min_age", tio.min_age)
            if age >= tio.min_age.value:
                why = self._tio_reason(p, tio, price, reference)
                if why is None:
                    return self._tiotandvard(p, tio, reference, notes)
                fallback, text = why
                notes.append(
                    f"{line.code}: {text}: the 67+ rule does not apply; ordinary "
                    "high-cost protection"
                )
        return self._hkskydd(p, reference, notes, fallback)

    def _free_care(self, p: _Prepared, age: int, notes: list[str]) -> bool:
        rule_set, line = p.rule_set, p.line
        if rule_set.free_care_through_age.confidence is _L:
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
        self, p: _Prepared, tio: TioTandvard, price: Decimal, reference: Decimal
    ) -> tuple[ErsattningReason, str] | None:
        """Why the 67+ rule does not apply to the line, or None if it does."""
        rule_set, scope = p.rule_set, tio.scope(p.line.code)
        if scope.excluded is not None:
            self.use(rule_set, "tiotandvard.scope.excluded", scope.excluded)
            return (
                ErsattningReason.OUTSIDE_SARSKILD_SCOPE,
                f"code outside the 67+ rule's scope (excluded: {scope.excluded.value})",
            )
        included = scope.included
        if included is None:
            return ErsattningReason.OUTSIDE_SARSKILD_SCOPE, "code not in the 67+ rule's scope"
        self.use(rule_set, "tiotandvard.scope.included", included)
        limited = scope.position_limited
        if limited is not None:
            self.use(rule_set, "tiotandvard.scope.position_limited", limited)
            self.use(rule_set, "tiotandvard.scope.max_tooth_position", tio.max_tooth_position)
            max_position = tio.max_tooth_position.value
            if p.tooth_position is None:
                return (
                    ErsattningReason.TOOTH_POSITION,
                    f"new fixed prosthetics/implants ({limited.value}) are covered only up to "
                    f"tooth position {max_position} and no tooth position was given",
                )
            if p.tooth_position > max_position:
                return (
                    ErsattningReason.TOOTH_POSITION,
                    f"new fixed prosthetics/implants ({limited.value}) on tooth position "
                    f"{p.tooth_position}, behind position {max_position}",
                )
        requires = tio.requires_price_at_most_reference
        self.use(rule_set, "tiotandvard.requires_price_at_most_reference", requires)
        if requires.value and price > reference:
            return (
                ErsattningReason.PRICE_ABOVE_REFERENCE,
                f"price {_kr(price)}{_extras(p.line)} above reference {_kr(reference)}",
            )
        return None

    def _pay_bidrag(self, p: _Prepared, payable: Decimal) -> tuple[Decimal, Decimal]:
        """STB first (it is not saved), then ATB, each out of ``payable``. STB pays for an
        eligible patient on a code (or its general code) on the STB list, up to what is left
        of the half-year amount; ATB (``use_atb``) up to the balance."""
        stb = ZERO
        if self.patient.stb_eligible:
            rule_set, code = p.rule_set, p.line.code
            self.use(rule_set, "stb.codes", rule_set.stb_codes)
            if (general_code(code) or code) in rule_set.stb_codes.value:
                amount = rule_set.stb_amount_per_half_year
                self.use(rule_set, "stb.amount_per_half_year", amount)
                left = amount.value.quantize(ORE) - self.stb_used
                stb = max(ZERO, min(left, payable))
                self.stb_used += stb
        atb = ZERO
        if p.line.use_atb and self.atb:
            atb = min(self.atb, payable - stb)
            self.atb -= atb
        return stb, atb

    def _open_period(self, p: _Prepared, notes: list[str]) -> None:
        """Open a period on the line's day: none is open, or the open one has ended."""
        day = p.day
        if self.period_start is None:
            notes.append(f"a new ersättningsperiod starts {day.isoformat()}")
        else:
            notes.append(
                f"the ersättningsperiod that started {self.period_start.isoformat()} has ended: "
                f"a new one starts {day.isoformat()} and the counted amount restarts at 0"
            )
        self.period_start, self.period_end, self.counted = day, _one_year_after(day), ZERO

    def _period_thresholds(self, rule_set: RuleSet, start: date) -> Thresholds:
        """The thresholds of the period that started ``start`` under ``rule_set``, found once
        per quote: the L values among them recorded, how they were found noted."""
        key = (rule_set.id, start)
        thresholds, used, how_note = _thresholds_of(rule_set, start)
        self._thresholds[key] = thresholds
        self.use(rule_set, "high_cost_protection.lower_threshold", thresholds.lower)
        self.use(rule_set, "high_cost_protection.upper_threshold", thresholds.upper)
        if how_note:
            self.notes.append(how_note)
        self.notes.extend(thresholds.notes)
        self.thresholds_used[key] = used
        return thresholds

    def _hkskydd(
        self,
        p: _Prepared,
        reference: Decimal,
        notes: list[str],
        reason: ErsattningReason | None,
    ) -> LineResult:
        rule_set, price = p.rule_set, p.price
        capped = min(price, reference)
        if price > reference:
            notes.append(_above_reference(price, reference, _extras(p.line)))
        stb, atb = self._pay_bidrag(p, capped)
        basis = capped - stb - atb
        end = self.period_end
        if end is None or p.day >= end:
            self._open_period(p, notes)
        start = self.period_start
        assert start is not None  # opened above
        thresholds = self._thresholds.get((rule_set.id, start))
        if thresholds is None:
            thresholds = self._period_thresholds(rule_set, start)
        lower, upper = rule_set.lower_percent, rule_set.upper_percent
        if lower.confidence is _L or upper.confidence is _L:
            self.use(rule_set, "high_cost_protection.lower_percent", lower)
            self.use(rule_set, "high_cost_protection.upper_percent", upper)
        low, high = thresholds.lower.value, thresholds.upper.value
        before = self.counted
        after = before + basis
        middle = min(after, high) - max(before, low)
        top = after - max(before, high)
        # Each rule's exact share; the state is their sum rounded once (a single share is the
        # state itself, rounded: no split to make).
        state_by_rule: dict[str, Decimal]
        if top > 0:
            high_share = top * _rate(upper.value)
            if middle > 0:
                low_share = middle * _rate(lower.value)
                state = round_money(low_share + high_share)
                state_by_rule = _split({"hkskydd_50": low_share, "hkskydd_85": high_share}, state)
            else:
                state = round_money(high_share)
                state_by_rule = {"hkskydd_85": state}
        elif middle > 0:
            state = round_money(middle * _rate(lower.value))
            state_by_rule = {"hkskydd_50": state}
        else:
            state, state_by_rule = ZERO, {}
        self.counted = after
        return self._result(
            p,
            Rule.HKSKYDD,
            reference,
            notes,
            basis=basis,
            counted=basis,
            atb=atb,
            stb=stb,
            state=state,
            state_by_rule=state_by_rule,
            ersattning=Ersattning.ALLMAN,
            reason=reason,
        )

    def _tiotandvard(
        self, p: _Prepared, tio: TioTandvard, reference: Decimal, notes: list[str]
    ) -> LineResult:
        price = p.price
        self.use(p.rule_set, "tiotandvard.patient_share_percent", tio.patient_share_percent)
        capped = min(price, reference)
        stb, atb = self._pay_bidrag(p, capped)
        basis = capped - stb - atb
        share = tio.patient_share_percent.value
        state = round_money(basis * _rate(_HUNDRED - share))
        paid = " after STB and ATB" if stb or atb else ""
        notes.append(
            f"67+ rule (särskild tandvårdsersättning): the patient pays {share} % of "
            f"{_kr(basis)}{paid}, the state the rest; no threshold"
        )
        if atb:
            notes.append(
                f"ATB {_kr(atb)} used on a 67+ line: the part ATB pays gets no ersättning, so "
                f"it lowers the patient's cost by only {share} % of it; set use_atb to false to "
                "keep the ATB for other care"
            )
        if stb:
            notes.append(
                f"STB {_kr(stb)} paid first, as ATB is (inferred, L: the statute as read names "
                "ATB); the part it pays gets no ersättning"
            )
        if price > capped:
            notes.append(
                f"price {_kr(price)}{_extras(p.line)} above reference {_kr(reference)}: the "
                f"patient pays the difference {_kr(price - reference)}"
            )
        notes.append("the 67+ line is not counted toward the ersättningsperiod")
        return self._result(
            p,
            Rule.TIOTANDVARD,
            reference,
            notes,
            basis=basis,
            atb=atb,
            stb=stb,
            state=state,
            state_by_rule={Rule.TIOTANDVARD.value: state},
            ersattning=Ersattning.SARSKILD,
        )

    # regional dental support ---------------------------------------------------------------

    def _regional(
        self, p: _Prepared, period: RegionalPeriod, age: int, notes: list[str]
    ) -> LineResult:
        price = p.price
        if self._free_care(p, age, notes):
            return self._result(
                p, Rule.FREE_CARE, None, notes, region=price, reason=ErsattningReason.FREE_CARE
            )
        visit = self.visits[-1] if self.visits else None
        if visit is None or visit.day != p.day:
            visit = self._open_visit(p.day, period)
        pays = min(price, visit.due - visit.charged)
        visit.charged += pays
        visit.price += price
        visit.lines.append(p.index)
        self.frikort += pays
        assert self.regional is not None
        notes.append(
            f"regional dental support ({self.regional.value}): the patient pays {_kr(pays)} of "
            f"the visit fee for {p.day.isoformat()}, the region the rest; no ATB, STB or state "
            "support; nothing is counted toward the ersättningsperiod"
        )
        return self._result(
            p, Rule.REGIONAL, None, notes, region=price - pays,
            reason=ErsattningReason.REGIONAL_SUPPORT,
        )  # fmt: skip

    def _open_visit(self, day: date, period: RegionalPeriod) -> _Visit:
        for name, value in (
            ("visit_fee", period.visit_fee),
            ("fee_codes", period.fee_codes),
            ("frikort_ceiling", period.frikort_ceiling),
            ("free_from_age", period.free_from_age),
        ):
            self.use(period, name, value)
        fee, ceiling = period.visit_fee.value.quantize(ORE), period.frikort_ceiling.value
        age, free_age = _age_on(self.patient.birth_date, day), period.free_from_age.value
        notes: list[str] = []
        if age >= free_age:
            due = ZERO
            notes.append(f"the patient is {age} ({free_age} or older): no visit fee")
        else:
            room = max(ZERO, ceiling - self.frikort)
            due = min(fee, room)
            if room == 0:
                notes.append(
                    f"frikort: {_kr(self.frikort)} already counted toward the ceiling "
                    f"{_kr(ceiling)}: no visit fee"
                )
            elif due < fee:
                notes.append(
                    f"frikort: the patient pays {_kr(due)} of the fee {_kr(fee)}, which reaches "
                    f"the ceiling {_kr(ceiling)}"
                )
        visit = _Visit(day, period, due, notes=notes)
        self.visits.append(visit)
        return visit

    def finish_visits(self, rules: RegionalRules | None) -> tuple[RegionalVisit, ...]:
        """The visits of the quote, and their notes in the quote's notes."""
        if rules is None or not self.visits:
            return ()
        self.notes.append(
            f"regional dental support ({rules.owner}): the patient pays the visit fee per visit "
            "(one treatment date) instead of the taxa price, the region the rest; the fees count "
            "toward the outpatient frikort"
        )
        visits: list[RegionalVisit] = []
        spent = self.patient.frikort_spent.quantize(ORE)
        for visit in self.visits:
            if visit.charged < visit.due:
                visit.notes.append(
                    f"the visit's price {_kr(visit.price)} is below the fee {_kr(visit.due)}: "
                    f"the patient pays {_kr(visit.charged)}"
                )
            spent += visit.charged
            fee_codes = tuple(sorted(visit.period.fee_codes.value))
            self.notes.extend(f"visit {visit.day.isoformat()}: {note}" for note in visit.notes)
            visits.append(
                RegionalVisit(
                    date=visit.day,
                    owner=rules.owner,
                    fee=visit.period.visit_fee.value.quantize(ORE),
                    patient=visit.charged,
                    region=visit.price - visit.charged,
                    frikort_spent_after=spent,
                    line_indexes=tuple(visit.lines),
                    fee_codes=fee_codes,
                    notes=tuple(visit.notes),
                )
            )
        return tuple(visits)

    # ATB credit ----------------------------------------------------------------------------

    def atb_next_credit(self, day: date | None, rule_sets: Sequence[RuleSet]) -> AtbCredit | None:
        """The ATB credited on the first 1 July after ``day`` (None without a day or rules)."""
        if day is None:
            return None
        july = date(day.year, 7, 1)
        credit_day = july if day < july else date(day.year + 1, 7, 1)
        try:
            rule_set = rule_set_for(credit_day, rule_sets)
        except NoRuleSet:
            self.notes.append(
                f"ATB: no rule set is in force on {credit_day.isoformat()}: the next credit is "
                "not known"
            )
            return None
        self.use(rule_set, "atb.bands", rule_set.atb_bands)
        amount, transitional = rule_set.atb_credit(self.patient.birth_date, credit_day.year)
        if transitional and rule_set.atb_transition is not None:
            self.use(rule_set, "atb.transition", rule_set.atb_transition)
        return AtbCredit(
            date=credit_day,
            amount=amount.quantize(ORE),
            age=credit_day.year - self.patient.birth_date.year,
            rule_set_id=rule_set.id,
            transitional=transitional,
        )

    def _result(
        self,
        p: _Prepared,
        rule: Rule,
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
        ersattning: Ersattning | None = None,
        reason: ErsattningReason | None = None,
    ) -> LineResult:
        line, price = p.line, p.price
        # A LineResult built without its frozen __init__ (which sets each of its 25 fields
        # through object.__setattr__, a third of the time of a line): the same fields, the
        # same object (LineResult has no __post_init__; test_subsidy checks the equality).
        result: LineResult = _new(LineResult)
        result.__dict__.update(
            index=p.index,
            code=line.code,
            quantity=line.quantity,
            date=line.date,
            variant=line.variant,
            rule=rule,
            rule_set_id=p.rule_set.id,
            price=price,
            reference_price=reference,
            reference_code=p.reference_code if reference is not None else None,
            basis=basis,
            counted=counted,
            atb=atb,
            stb=stb,
            state=state,
            state_by_rule=state_by_rule or {},
            region=region,
            patient=price - state - atb - stb - region,
            period_start=self.period_start,
            period_counted_after=self.counted,
            notes=tuple(notes),
            material_kr=line.material_kr
            if line.material_kr is ZERO
            else line.material_kr.quantize(ORE),
            technical_kr=line.technical_kr
            if line.technical_kr is ZERO
            else line.technical_kr.quantize(ORE),
            ersattning=ersattning,
            ersattning_reason=reason,
        )
        return result


def _split(exact: Mapping[str, Decimal], total: Decimal) -> dict[str, Decimal]:
    """Round each share to öre; put the öre of difference on the last so they sum to ``total``."""
    if len(exact) == 1:  # one share: it is the total, rounded once
        return dict.fromkeys(exact, total)
    names = list(exact)
    shares = {name: round_money(exact[name]) for name in names}
    if names:
        shares[names[-1]] += total - sum(shares.values(), ZERO)
    return shares


@lru_cache(maxsize=1024)
def _uncertain_note(label: str, name: str, value: Sourced[object]) -> str:
    """The note for an uncertain (L) value used (memoised: the same few values recur)."""
    return (
        f"uncertain value (L) used from {label}: {name} = {_show(value.value)} "
        f"(source: {value.source})"
    )


def _show(value: object) -> str:
    if isinstance(value, CodeRange):
        return str(value)
    if isinstance(value, frozenset):
        return ", ".join(sorted(str(v) for v in value))
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
