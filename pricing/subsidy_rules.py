"""The state dental support's parameters as dated, sourced data (statligt tandvårdsstöd).

A :class:`RuleSet` holds every number the law, an ordinance or an agency sets for one period:
the high-cost protection's thresholds and percentages, the ATB per age band, the STB amount and
its codes, the age limit of the regions' free care, the codes whose specialist (S) reference price
needs a referral, the utbyte code range and, from 2026, the 67+ rule (särskild
tandvårdsersättning, "tiotandvård"). Every value is a :class:`Sourced` value: the value, the text
of its source and a confidence (H read in statute or an agency's own text, M consistent secondary
sources, L one source or inferred). The calculation (:mod:`pricing.subsidy`) reports every L value
it used.

The high-cost protection's thresholds are either fixed amounts (:class:`FixedThresholds`, until
2025-12-31: TLV's föreskrift) or, from 2026-01-01, computed per ersättningsperiod
(:class:`PrisbasbeloppThresholds`, förordning 2008:193 5 §): factor × the prisbasbelopp of the
year the *period starts*, rounded down to whole 50 kr, with a transitional rule for periods that
started before 2026. :meth:`RuleSet.thresholds` gives them for a period start; a year whose
prisbasbelopp is not in the data gets the last known one, flagged L and said in a note.

Rule sets arrive as plain mappings (JSON in ``data/subsidy/``): :func:`rule_set_from_mapping`
validates one strictly (unknown keys are errors: a typo must not silently drop a rule) and
:func:`rule_set_for` picks the set in force on a date. Validity is inclusive at both ends;
``valid_to`` None means open-ended.

Codes are matched on their *number*: the three leading digits of a TLV code (``"541SH"`` → 541).
A code that does not start with exactly three digits (``"A11"``, ``"9010"``) has no number and
falls in no range. :func:`code_number`, :func:`general_code` and :meth:`TioTandvard.scope` are
memoised (the quote engine asks them for every line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Generic, TypeVar

from pricing.errors import NoRuleSet, PricingError

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_CODE_NUMBER = re.compile(r"^(\d{3})(?!\d)")
_SPECIALIST_CODE = re.compile(r"^(\d{3})S([A-Z]*)$")


class RuleSetDataError(PricingError):
    """A rule set (as a plain mapping) that is malformed. ``field`` is the path of the bad value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NoRuleSetForDate(NoRuleSet):
    """No rule set is in force on ``day``."""

    def __init__(self, day: date, message: str) -> None:
        super().__init__(message)
        self.day = day


class Confidence(StrEnum):
    """H: statute or agency text. M: consistent secondary sources. L: one source, or inferred."""

    H = "H"
    M = "M"
    L = "L"


@dataclass(frozen=True)
class Sourced(Generic[T_co]):
    """A rule value with the text of its source and how sure we are of it."""

    value: T_co
    source: str
    confidence: Confidence

    @property
    def uncertain(self) -> bool:
        """True for L values: the calculation must say it used one."""
        return self.confidence is Confidence.L


_RANK = {Confidence.H: 2, Confidence.M: 1, Confidence.L: 0}


def weakest(*confidences: Confidence) -> Confidence:
    """The lowest of the confidences (a value computed from others is as sure as its weakest)."""
    return min(confidences, key=_RANK.__getitem__)


@lru_cache(maxsize=8192)
def code_number(code: str) -> int | None:
    """The TLV code's number (``"103S"`` → 103, ``"861SL"`` → 861), None for other codes."""
    match = _CODE_NUMBER.match(code)
    return int(match.group(1)) if match else None


@lru_cache(maxsize=8192)
def general_code(code: str) -> str | None:
    """The general-dentistry code of a specialist (S) code, None if ``code`` is not an S code.

    ``"103S"`` → ``"103"``, ``"541SH"`` → ``"541H"``, ``"861SL"`` → ``"861L"``.
    """
    match = _SPECIALIST_CODE.match(code)
    return match.group(1) + match.group(2) if match else None


@dataclass(frozen=True)
class AgeBand:
    """ATB for patients whose age in the calendar year is from_age..to_age (inclusive)."""

    from_age: int
    to_age: int | None
    amount: Decimal

    def contains(self, age: int) -> bool:
        return age >= self.from_age and (self.to_age is None or age <= self.to_age)


@dataclass(frozen=True)
class CodeRange:
    """Codes whose number lies in first..last (inclusive), with what the range is."""

    first: int
    last: int
    label: str

    def contains(self, code: str) -> bool:
        number = code_number(code)
        return number is not None and self.first <= number <= self.last

    def __str__(self) -> str:
        span = str(self.first) if self.first == self.last else f"{self.first}–{self.last}"
        return f"{span} ({self.label})"


@dataclass(frozen=True)
class FreeCareTransition:
    """Treatment started before ``started_before`` finishes under the older age limit."""

    started_before: date
    through_age: int


@dataclass(frozen=True)
class TioTandvard:
    """Särskild tandvårdsersättning for patients 67+ ("tiotandvård"), from 2026-01-01.

    A line is in scope when its code is in an ``included`` range and in no ``excluded`` range;
    a code in a ``position_limited`` range (new fixed prosthetics, implants) is in scope only on
    a tooth position ≤ ``max_tooth_position``. The rule itself (ATB and STB may pay, the part
    they pay gets no ersättning; not counted in the ordinary period) is in
    :mod:`pricing.subsidy`, not switchable data: the statute settles it.
    """

    min_age: Sourced[int]
    patient_share_percent: Sourced[Decimal]
    requires_price_at_most_reference: Sourced[bool]
    included: tuple[Sourced[CodeRange], ...]
    excluded: tuple[Sourced[CodeRange], ...]
    position_limited: tuple[Sourced[CodeRange], ...]
    max_tooth_position: Sourced[int]
    _scopes: dict[str, TioScope] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def scope(self, code: str) -> TioScope:
        """Where ``code`` falls: an excluded range wins over an included one; a position limit
        is looked up only for an included code. The one reading of the scope, used by the quote
        engine and the board's report alike. Memoised per code."""
        known = self._scopes.get(code)
        if known is not None:
            return known
        excluded = next((e for e in self.excluded if e.value.contains(code)), None)
        if excluded is not None:
            scope = TioScope(excluded=excluded, included=None, position_limited=None)
        else:
            included = next((e for e in self.included if e.value.contains(code)), None)
            limited = None
            if included is not None:
                limited = next((e for e in self.position_limited if e.value.contains(code)), None)
            scope = TioScope(excluded=None, included=included, position_limited=limited)
        if len(self._scopes) < 8192:
            self._scopes[code] = scope
        return scope


@dataclass(frozen=True)
class TioScope:
    """The scope entries that decide whether a code is in the 67+ rule (see
    :meth:`TioTandvard.scope`). ``position_limited`` is set for an included code that is covered
    only up to ``max_tooth_position``."""

    excluded: Sourced[CodeRange] | None
    included: Sourced[CodeRange] | None
    position_limited: Sourced[CodeRange] | None

    @property
    def in_scope(self) -> bool:
        """In scope (on some tooth position): included and not excluded."""
        return self.excluded is None and self.included is not None


@dataclass(frozen=True)
class Thresholds:
    """The karens (lower threshold) and upper threshold of one ersättningsperiod.

    ``how`` says how they were found (empty for fixed amounts); ``notes`` what the quote must
    say about them (a prisbasbelopp not known, an unsettled transitional value).
    """

    lower: Sourced[Decimal]
    upper: Sourced[Decimal]
    how: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FixedThresholds:
    """Thresholds as fixed amounts (until 2025-12-31: TLV's föreskrift, 3 000 / 15 000 kr)."""

    lower: Sourced[Decimal]
    upper: Sourced[Decimal]

    def for_period(self, start: date) -> Thresholds:
        return Thresholds(self.lower, self.upper)


@dataclass(frozen=True)
class ThresholdTransition:
    """A period that started before ``started_before`` keeps these thresholds."""

    started_before: Sourced[date]
    lower: Sourced[Decimal]
    upper: Sourced[Decimal]


def _kr(amount: Decimal) -> str:
    """59200 → '59 200', 3000.50 → '3 000.50' (notes and sources only)."""
    shown = f"{amount:,.2f}".replace(",", " ")
    return shown.removesuffix(".00")


def floor_to(amount: Decimal, step: Decimal) -> Decimal:
    """``amount`` rounded DOWN to a multiple of ``step`` (förordning 5 §: "avrundat nedåt till
    helt femtiotal kronor"). A threshold the statute defines, not a payment: payments are
    rounded only by :func:`pricing.money.round_money`."""
    return (amount / step).to_integral_value(rounding=ROUND_FLOOR) * step


@dataclass(frozen=True)
class PrisbasbeloppThresholds:
    """From 2026-01-01 (förordning 2008:193 5 §): karens = ``lower_factor`` × prisbasbelopp and
    upper threshold = ``upper_factor`` × prisbasbelopp, each rounded down to ``round_down_to``
    kr, with the prisbasbelopp of the year the period STARTS, for the whole period.

    ``prisbasbelopp`` holds the known years in order. A period starting in a year not in it
    gets the nearest earlier known year (flagged L, said in a note); a year before the first
    known one gets the first. ``transition``: periods started before a date keep older
    thresholds.
    """

    lower_factor: Sourced[Decimal]
    upper_factor: Sourced[Decimal]
    round_down_to: Sourced[Decimal]
    prisbasbelopp: tuple[tuple[int, Sourced[Decimal]], ...]
    transition: ThresholdTransition | None
    _periods: dict[tuple[int, bool], Thresholds] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def prisbasbelopp_for(self, year: int) -> tuple[int, Sourced[Decimal]]:
        """(the year whose prisbasbelopp is used, its value) for a period starting in ``year``."""
        known = dict(self.prisbasbelopp)
        if year in known:
            return year, known[year]
        earlier = [y for y, _ in self.prisbasbelopp if y < year]
        used = earlier[-1] if earlier else self.prisbasbelopp[0][0]
        return used, known[used]

    def formula(self, year: int) -> tuple[Decimal, Decimal]:
        """(karens, upper threshold) by the formula with the prisbasbelopp used for ``year``."""
        pbb = self.prisbasbelopp_for(year)[1].value
        step = self.round_down_to.value
        return (
            floor_to(self.lower_factor.value * pbb, step),
            floor_to(self.upper_factor.value * pbb, step),
        )

    def for_period(self, start: date) -> Thresholds:
        """The thresholds of a period that started ``start`` (memoised per year and rule)."""
        transition = self.transition
        if transition is not None and start < transition.started_before.value:
            key = (start.year, True)
            known = self._periods.get(key)
            if known is None:
                known = self._periods[key] = self._transitional(start, transition)
            return known
        key = (start.year, False)
        known = self._periods.get(key)
        if known is None:
            known = self._periods[key] = self._computed(start.year)
        return known

    def _computed(self, year: int) -> Thresholds:
        used, pbb = self.prisbasbelopp_for(year)
        step = self.round_down_to.value
        notes: list[str] = []
        confidence = weakest(
            self.lower_factor.confidence,
            self.upper_factor.confidence,
            self.round_down_to.confidence,
            pbb.confidence,
        )
        if used != year:
            confidence = Confidence.L
            notes.append(
                f"the prisbasbelopp for {year} is not in the rule data: the last known one "
                f"({used}: {_kr(pbb.value)} kr) is used for periods starting in {year}; the "
                f"thresholds may change when the {year} figure is entered"
            )
        lower, upper = self.formula(year)

        def sourced(name: str, factor: Sourced[Decimal], value: Decimal) -> Sourced[Decimal]:
            return Sourced(
                value,
                f"{name} = {factor.value} × prisbasbelopp {used} ({_kr(pbb.value)} kr), "
                f"rounded down to whole {_kr(step)} kr = {_kr(value)} kr ({factor.source}; "
                f"prisbasbelopp: {pbb.source})",
                confidence,
            )

        how = (
            f"karens {_kr(lower)} kr and upper threshold {_kr(upper)} kr: "
            f"{self.lower_factor.value} and {self.upper_factor.value} × the prisbasbelopp of "
            f"{used} ({_kr(pbb.value)} kr), each rounded down to whole {_kr(step)} kr"
        )
        return Thresholds(
            sourced("karens", self.lower_factor, lower),
            sourced("upper threshold", self.upper_factor, upper),
            how,
            tuple(notes),
        )

    def _transitional(self, start: date, transition: ThresholdTransition) -> Thresholds:
        before = transition.started_before.value
        notes: list[str] = []
        formula_lower, formula_upper = self.formula(start.year)
        used = self.prisbasbelopp_for(start.year)[0]
        if transition.upper.uncertain and formula_upper != transition.upper.value:
            notes.append(
                f"the upper threshold of a period started before {before.isoformat()} is "
                f"unsettled: {_kr(transition.upper.value)} kr by the older rule, "
                f"{_kr(formula_upper)} kr by the new formula with the prisbasbelopp of {used}; "
                f"{_kr(transition.upper.value)} kr is used"
            )
        if transition.lower.uncertain and formula_lower != transition.lower.value:
            notes.append(
                f"the karens of a period started before {before.isoformat()} is unsettled: "
                f"{_kr(transition.lower.value)} kr by the older rule, {_kr(formula_lower)} kr "
                f"by the new formula; {_kr(transition.lower.value)} kr is used"
            )
        how = (
            f"started before {before.isoformat()}: the transitional rule keeps karens "
            f"{_kr(transition.lower.value)} kr and upper threshold "
            f"{_kr(transition.upper.value)} kr"
        )
        return Thresholds(transition.lower, transition.upper, how, tuple(notes))


@dataclass(frozen=True)
class AtbTransition:
    """Whoever turned ``turned_age`` before ``before`` keeps ``amount`` of ATB a year
    (from 2026: the upper band follows the riktålder; those who turned 65 before 2026 keep 600)."""

    turned_age: int
    before: date
    amount: Decimal

    def applies(self, birth_date: date) -> bool:
        year = birth_date.year + self.turned_age
        try:
            birthday = birth_date.replace(year=year)
        except ValueError:  # 29 February: the birthday is 1 March in other years
            birthday = date(year, 3, 1)
        return birthday < self.before


@dataclass(frozen=True)
class RuleSet:
    """The state dental support's parameters in force from ``valid_from`` to ``valid_to``.

    ``high_cost_thresholds`` is fixed amounts or the prisbasbelopp formula; use
    :meth:`thresholds` with the period's start to get the amounts.
    """

    id: str
    valid_from: date
    valid_to: date | None
    description: str
    high_cost_thresholds: FixedThresholds | PrisbasbeloppThresholds
    lower_percent: Sourced[Decimal]
    upper_percent: Sourced[Decimal]
    atb_bands: Sourced[tuple[AgeBand, ...]]
    atb_transition: Sourced[AtbTransition] | None
    stb_amount_per_half_year: Sourced[Decimal]
    stb_codes: Sourced[frozenset[str]]
    free_care_through_age: Sourced[int]
    free_care_transition: Sourced[FreeCareTransition] | None
    specialist_any_specialty_codes: Sourced[frozenset[str]]
    utbyte: Sourced[CodeRange]
    tiotandvard: TioTandvard | None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def thresholds(self, period_start: date) -> Thresholds:
        """The karens and upper threshold of a period that started ``period_start``."""
        return self.high_cost_thresholds.for_period(period_start)

    def atb_amount(self, age_in_year: int) -> Decimal:
        """The ATB credited each 1 July to a patient of this age in the calendar year (0: none),
        by the age bands alone (see :meth:`atb_credit` for the transitional rule)."""
        for band in self.atb_bands.value:
            if band.contains(age_in_year):
                return band.amount
        return Decimal("0")

    def atb_credit(self, birth_date: date, year: int) -> tuple[Decimal, bool]:
        """(the ATB credited on 1 July of ``year`` to a patient born ``birth_date``, whether the
        transitional rule gave it). Age is the age in the calendar year of the credit."""
        amount = self.atb_amount(year - birth_date.year)
        transition = self.atb_transition
        if (
            transition is not None
            and transition.value.applies(birth_date)
            and transition.value.amount > amount
        ):
            return transition.value.amount, True
        return amount, False


def rule_set_for(day: date, rule_sets: Iterable[RuleSet]) -> RuleSet:
    """The one rule set in force on ``day``.

    Raises :class:`NoRuleSetForDate` when none covers the day and :class:`RuleSetDataError`
    when two do (overlapping data).
    """
    rule_sets = tuple(rule_sets)
    found: RuleSet | None = None
    for rule_set in rule_sets:  # no list built: this runs for every date of every quote
        if rule_set.valid_from <= day and (rule_set.valid_to is None or day <= rule_set.valid_to):
            if found is not None:
                ids = ", ".join(r.id for r in rule_sets if r.covers(day))
                raise RuleSetDataError(
                    "valid_from", f"rule sets {ids} overlap on {day.isoformat()}"
                )
            found = rule_set
    if found is None:
        raise NoRuleSetForDate(day, f"no subsidy rule set is in force on {day.isoformat()}")
    return found


def check_rule_sets(rule_sets: Sequence[RuleSet]) -> None:
    """Raise :class:`RuleSetDataError` if two rule sets share an id or overlap in time."""
    seen: set[str] = set()
    for rule_set in rule_sets:
        if rule_set.id in seen:
            raise RuleSetDataError("id", f"rule set id {rule_set.id!r} occurs twice")
        seen.add(rule_set.id)
    ordered = sorted(rule_sets, key=lambda rule_set: rule_set.valid_from)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.valid_to is None or later.valid_from <= earlier.valid_to:
            raise RuleSetDataError(
                "valid_from", f"rule sets {earlier.id} and {later.id} overlap in time"
            )


# --- validation of plain mappings (as loaded from JSON) -------------------------------------

_Parse = Callable[[object, str], T]


def _mapping(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise RuleSetDataError(path, f"expected an object, got {type(value).__name__}")
    return value


def _keys(
    data: Mapping[str, object],
    path: str,
    required: AbstractSet[str],
    optional: AbstractSet[str] = frozenset(),
) -> None:
    missing = sorted(required - data.keys())
    if missing:
        raise RuleSetDataError(_join(path, missing[0]), "missing")
    unknown = sorted(data.keys() - required - optional)
    if unknown:
        raise RuleSetDataError(_join(path, unknown[0]), "unknown key")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _string(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleSetDataError(path, "expected a non-empty string")
    return value


def _amount(value: object, path: str) -> Decimal:
    """An amount of money: a string such as "3000" or "3000.00", never a number (floats)."""
    if not isinstance(value, str):
        raise RuleSetDataError(path, f'an amount must be a string such as "3000", got {value!r}')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise RuleSetDataError(path, f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise RuleSetDataError(path, f"not a non-negative amount: {value!r}")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise RuleSetDataError(path, f"more than two decimals: {value!r}")
    return amount


def _percent(value: object, path: str) -> Decimal:
    percent = _amount(value, path)
    if percent > 100:
        raise RuleSetDataError(path, f"a percentage must be 0–100, got {value!r}")
    return percent


def _age(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 150:
        raise RuleSetDataError(path, f"expected an age (an integer 0–150), got {value!r}")
    return value


def _flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise RuleSetDataError(path, f"expected true or false, got {value!r}")
    return value


def _date(value: object, path: str) -> date:
    if not isinstance(value, str):
        raise RuleSetDataError(path, f'expected a date as "YYYY-MM-DD", got {value!r}')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RuleSetDataError(path, f"not a date (YYYY-MM-DD): {value!r}") from None


def _codes(value: object, path: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise RuleSetDataError(path, "expected a list of codes")
    codes = [_string(item, _join(path, index)) for index, item in enumerate(value)]
    if len(set(codes)) != len(codes):
        raise RuleSetDataError(path, "a code occurs twice")
    return frozenset(codes)


def _code_number_field(value: object, path: str) -> int:
    if not isinstance(value, str) or not re.fullmatch(r"\d{3}", value):
        raise RuleSetDataError(path, f'expected a three-digit code such as "301", got {value!r}')
    return int(value)


def _code_range(value: object, path: str) -> CodeRange:
    data = _mapping(value, path)
    _keys(data, path, {"from", "to", "label"})
    first = _code_number_field(data["from"], _join(path, "from"))
    last = _code_number_field(data["to"], _join(path, "to"))
    if last < first:
        raise RuleSetDataError(_join(path, "to"), f"range ends ({last}) before it starts ({first})")
    return CodeRange(first, last, _string(data["label"], _join(path, "label")))


def _bands(value: object, path: str) -> tuple[AgeBand, ...]:
    if not isinstance(value, list) or not value:
        raise RuleSetDataError(path, "expected a non-empty list of age bands")
    bands: list[AgeBand] = []
    for index, item in enumerate(value):
        item_path = _join(path, index)
        data = _mapping(item, item_path)
        _keys(data, item_path, {"from_age", "to_age", "amount"})
        from_age = _age(data["from_age"], _join(item_path, "from_age"))
        to_age = (
            None if data["to_age"] is None else _age(data["to_age"], _join(item_path, "to_age"))
        )
        if to_age is not None and to_age < from_age:
            raise RuleSetDataError(_join(item_path, "to_age"), "band ends before it starts")
        if bands:
            previous = bands[-1]
            if previous.to_age is None or from_age <= previous.to_age:
                raise RuleSetDataError(
                    _join(item_path, "from_age"), "age bands must be in order and not overlap"
                )
        bands.append(AgeBand(from_age, to_age, _amount(data["amount"], _join(item_path, "amount"))))
    return tuple(bands)


def _transition(value: object, path: str) -> FreeCareTransition:
    data = _mapping(value, path)
    _keys(data, path, {"started_before", "through_age"})
    return FreeCareTransition(
        _date(data["started_before"], _join(path, "started_before")),
        _age(data["through_age"], _join(path, "through_age")),
    )


def _sourced(value: object, path: str, parse: _Parse[T]) -> Sourced[T]:
    data = _mapping(value, path)
    _keys(data, path, {"value", "source", "confidence"})
    confidence = data["confidence"]
    if confidence not in ("H", "M", "L"):
        raise RuleSetDataError(
            _join(path, "confidence"), f'expected "H", "M" or "L", got {confidence!r}'
        )
    return Sourced(
        parse(data["value"], _join(path, "value")),
        _string(data["source"], _join(path, "source")),
        Confidence(confidence),
    )


def _sourced_list(value: object, path: str, parse: _Parse[T]) -> tuple[Sourced[T], ...]:
    if not isinstance(value, list):
        raise RuleSetDataError(path, "expected a list")
    return tuple(_sourced(item, _join(path, index), parse) for index, item in enumerate(value))


def _tiotandvard(value: object, path: str) -> TioTandvard:
    data = _mapping(value, path)
    keys = {"min_age", "patient_share_percent", "requires_price_at_most_reference", "scope"}
    _keys(data, path, keys)
    scope_path = _join(path, "scope")
    scope = _mapping(data["scope"], scope_path)
    _keys(scope, scope_path, {"included", "excluded", "position_limited", "max_tooth_position"})
    included = _sourced_list(scope["included"], _join(scope_path, "included"), _code_range)
    if not included:
        raise RuleSetDataError(_join(scope_path, "included"), "the scope includes no codes")
    max_position = _sourced(
        scope["max_tooth_position"], _join(scope_path, "max_tooth_position"), _age
    )
    if not 1 <= max_position.value <= 8:
        raise RuleSetDataError(
            _join(scope_path, "max_tooth_position.value"), "a tooth position is 1–8"
        )
    return TioTandvard(
        min_age=_sourced(data["min_age"], _join(path, "min_age"), _age),
        patient_share_percent=_sourced(
            data["patient_share_percent"], _join(path, "patient_share_percent"), _percent
        ),
        requires_price_at_most_reference=_sourced(
            data["requires_price_at_most_reference"],
            _join(path, "requires_price_at_most_reference"),
            _flag,
        ),
        included=included,
        excluded=_sourced_list(scope["excluded"], _join(scope_path, "excluded"), _code_range),
        position_limited=_sourced_list(
            scope["position_limited"], _join(scope_path, "position_limited"), _code_range
        ),
        max_tooth_position=max_position,
    )


def _factor(value: object, path: str) -> Decimal:
    """A factor such as "0.0507" (a string, 0 < factor ≤ 1, any number of decimals)."""
    if not isinstance(value, str):
        raise RuleSetDataError(path, f'a factor must be a string such as "0.0507", got {value!r}')
    try:
        factor = Decimal(value)
    except InvalidOperation:
        raise RuleSetDataError(path, f"not a number: {value!r}") from None
    if not factor.is_finite() or not 0 < factor <= 1:
        raise RuleSetDataError(path, f"a factor must be above 0 and at most 1, got {value!r}")
    return factor


def _positive_amount(value: object, path: str) -> Decimal:
    amount = _amount(value, path)
    if amount <= 0:
        raise RuleSetDataError(path, f"must be above 0, got {value!r}")
    return amount


def _fixed_thresholds(hcp: Mapping[str, object], path: str) -> FixedThresholds:
    lower = _sourced(hcp["lower_threshold"], _join(path, "lower_threshold"), _amount)
    upper = _sourced(hcp["upper_threshold"], _join(path, "upper_threshold"), _amount)
    if upper.value <= lower.value:
        raise RuleSetDataError(
            _join(path, "upper_threshold.value"), "must be above the lower threshold"
        )
    return FixedThresholds(lower, upper)


def _prisbasbelopp(value: object, path: str) -> tuple[tuple[int, Sourced[Decimal]], ...]:
    data = _mapping(value, path)
    if not data:
        raise RuleSetDataError(path, "no prisbasbelopp given")
    years: list[tuple[int, Sourced[Decimal]]] = []
    for key in data:
        if not re.fullmatch(r"(19|20)\d\d", key):
            raise RuleSetDataError(_join(path, key), 'expected a year such as "2026"')
        years.append((int(key), _sourced(data[key], _join(path, key), _positive_amount)))
    return tuple(sorted(years, key=lambda pair: pair[0]))


def _threshold_transition(value: object, path: str) -> ThresholdTransition:
    data = _mapping(value, path)
    _keys(data, path, {"periods_started_before", "lower_threshold", "upper_threshold"})
    lower = _sourced(data["lower_threshold"], _join(path, "lower_threshold"), _amount)
    upper = _sourced(data["upper_threshold"], _join(path, "upper_threshold"), _amount)
    if upper.value <= lower.value:
        raise RuleSetDataError(
            _join(path, "upper_threshold.value"), "must be above the lower threshold"
        )
    return ThresholdTransition(
        _sourced(data["periods_started_before"], _join(path, "periods_started_before"), _date),
        lower,
        upper,
    )


def _formula_thresholds(value: object, path: str) -> PrisbasbeloppThresholds:
    data = _mapping(value, path)
    _keys(
        data,
        path,
        {"lower_factor", "upper_factor", "round_down_to", "prisbasbelopp"},
        {"transition"},
    )
    lower = _sourced(data["lower_factor"], _join(path, "lower_factor"), _factor)
    upper = _sourced(data["upper_factor"], _join(path, "upper_factor"), _factor)
    if upper.value <= lower.value:
        raise RuleSetDataError(_join(path, "upper_factor.value"), "must be above the lower factor")
    transition = data.get("transition")
    return PrisbasbeloppThresholds(
        lower_factor=lower,
        upper_factor=upper,
        round_down_to=_sourced(
            data["round_down_to"], _join(path, "round_down_to"), _positive_amount
        ),
        prisbasbelopp=_prisbasbelopp(data["prisbasbelopp"], _join(path, "prisbasbelopp")),
        transition=None
        if transition is None
        else _threshold_transition(transition, _join(path, "transition")),
    )


def _atb_transition(value: object, path: str) -> AtbTransition:
    data = _mapping(value, path)
    _keys(data, path, {"turned_age", "before", "amount"})
    return AtbTransition(
        _age(data["turned_age"], _join(path, "turned_age")),
        _date(data["before"], _join(path, "before")),
        _amount(data["amount"], _join(path, "amount")),
    )


def rule_set_from_mapping(d: Mapping[str, object]) -> RuleSet:
    """Validate a rule set given as a plain mapping (as loaded from JSON) and build it.

    The layout is the one of ``data/subsidy/*.json`` (see its README). Raises
    :class:`RuleSetDataError` naming the path of the first bad value.
    """
    data = _mapping(d, "")
    _keys(
        data,
        "",
        {
            "id",
            "valid_from",
            "valid_to",
            "description",
            "high_cost_protection",
            "atb",
            "stb",
            "free_care",
            "specialist",
            "utbyte",
            "tiotandvard",
        },
    )
    valid_from = _date(data["valid_from"], "valid_from")
    valid_to = None if data["valid_to"] is None else _date(data["valid_to"], "valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise RuleSetDataError("valid_to", "ends before valid_from")

    hcp = _mapping(data["high_cost_protection"], "high_cost_protection")
    formula_key = "thresholds_from_prisbasbelopp"
    percents = {"lower_percent", "upper_percent"}
    thresholds: FixedThresholds | PrisbasbeloppThresholds
    if formula_key in hcp:
        _keys(hcp, "high_cost_protection", {formula_key} | percents)
        thresholds = _formula_thresholds(hcp[formula_key], f"high_cost_protection.{formula_key}")
    else:
        _keys(hcp, "high_cost_protection", {"lower_threshold", "upper_threshold"} | percents)
        thresholds = _fixed_thresholds(hcp, "high_cost_protection")

    atb = _mapping(data["atb"], "atb")
    _keys(atb, "atb", {"bands"}, {"transition"})
    stb = _mapping(data["stb"], "stb")
    _keys(stb, "stb", {"amount_per_half_year", "codes"})
    free_care = _mapping(data["free_care"], "free_care")
    _keys(free_care, "free_care", {"through_age"}, {"transition"})
    specialist = _mapping(data["specialist"], "specialist")
    _keys(specialist, "specialist", {"any_specialty_codes"})
    utbyte = _mapping(data["utbyte"], "utbyte")
    _keys(utbyte, "utbyte", {"codes"})

    transition = free_care.get("transition")
    return RuleSet(
        id=_string(data["id"], "id"),
        valid_from=valid_from,
        valid_to=valid_to,
        description=_string(data["description"], "description"),
        high_cost_thresholds=thresholds,
        lower_percent=_sourced(
            hcp["lower_percent"], "high_cost_protection.lower_percent", _percent
        ),
        upper_percent=_sourced(
            hcp["upper_percent"], "high_cost_protection.upper_percent", _percent
        ),
        atb_bands=_sourced(atb["bands"], "atb.bands", _bands),
        atb_transition=None
        if atb.get("transition") is None
        else _sourced(atb["transition"], "atb.transition", _atb_transition),
        stb_amount_per_half_year=_sourced(
            stb["amount_per_half_year"], "stb.amount_per_half_year", _amount
        ),
        stb_codes=_sourced(stb["codes"], "stb.codes", _codes),
        free_care_through_age=_sourced(free_care["through_age"], "free_care.through_age", _age),
        free_care_transition=None
        if transition is None
        else _sourced(transition, "free_care.transition", _transition),
        specialist_any_specialty_codes=_sourced(
            specialist["any_specialty_codes"], "specialist.any_specialty_codes", _codes
        ),
        utbyte=_sourced(utbyte["codes"], "utbyte.codes", _code_range),
        tiotandvard=None
        if data["tiotandvard"] is None
        else _tiotandvard(data["tiotandvard"], "tiotandvard"),
    )
