"""The state dental support's parameters as dated, sourced data (statligt tandvårdsstöd).

A :class:`RuleSet` holds every number the law, an ordinance or an agency sets for one period:
the high-cost protection's thresholds and percentages, the ATB per age band, the STB amount and
its codes, the age limit of the regions' free care, the codes whose specialist (S) reference price
needs a referral, the utbyte code range and, from 2026, the 67+ rule (särskild
tandvårdsersättning, "tiotandvård"). Every value is a :class:`Sourced` value: the value, the text
of its source and a confidence (H read in statute or an agency's own text, M consistent secondary
sources, L one source or inferred). The calculation (:mod:`pricing.subsidy`) reports every L value
it used.

Rule sets arrive as plain mappings (JSON in ``data/subsidy/``): :func:`rule_set_from_mapping`
validates one strictly (unknown keys are errors: a typo must not silently drop a rule) and
:func:`rule_set_for` picks the set in force on a date. Validity is inclusive at both ends;
``valid_to`` None means open-ended.

Codes are matched on their *number*: the three leading digits of a TLV code (``"541SH"`` → 541).
A code that does not start with exactly three digits (``"A11"``, ``"9010"``) has no number and
falls in no range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
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


def code_number(code: str) -> int | None:
    """The TLV code's number (``"103S"`` → 103, ``"861SL"`` → 861), None for other codes."""
    match = _CODE_NUMBER.match(code)
    return int(match.group(1)) if match else None


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
    a tooth position ≤ ``max_tooth_position``.
    """

    min_age: Sourced[int]
    patient_share_percent: Sourced[Decimal]
    requires_price_at_most_reference: Sourced[bool]
    bidrag_pays_patient_share: Sourced[bool]
    counts_toward_period: Sourced[bool]
    included: tuple[Sourced[CodeRange], ...]
    excluded: tuple[Sourced[CodeRange], ...]
    position_limited: tuple[Sourced[CodeRange], ...]
    max_tooth_position: Sourced[int]

    def scope(self, code: str) -> TioScope:
        """Where ``code`` falls: an excluded range wins over an included one; a position limit
        is looked up only for an included code. The one reading of the scope, used by the quote
        engine and the board's report alike."""
        excluded = next((e for e in self.excluded if e.value.contains(code)), None)
        if excluded is not None:
            return TioScope(excluded=excluded, included=None, position_limited=None)
        included = next((e for e in self.included if e.value.contains(code)), None)
        limited = None
        if included is not None:
            limited = next((e for e in self.position_limited if e.value.contains(code)), None)
        return TioScope(excluded=None, included=included, position_limited=limited)


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
class RuleSet:
    """The state dental support's parameters in force from ``valid_from`` to ``valid_to``."""

    id: str
    valid_from: date
    valid_to: date | None
    description: str
    lower_threshold: Sourced[Decimal]
    upper_threshold: Sourced[Decimal]
    lower_percent: Sourced[Decimal]
    upper_percent: Sourced[Decimal]
    atb_bands: Sourced[tuple[AgeBand, ...]]
    stb_amount_per_half_year: Sourced[Decimal]
    stb_codes: Sourced[frozenset[str]]
    free_care_through_age: Sourced[int]
    free_care_transition: Sourced[FreeCareTransition] | None
    specialist_any_specialty_codes: Sourced[frozenset[str]]
    utbyte: Sourced[CodeRange]
    tiotandvard: TioTandvard | None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def atb_amount(self, age_in_year: int) -> Decimal:
        """The ATB credited each 1 July to a patient of this age in the calendar year (0: none)."""
        for band in self.atb_bands.value:
            if band.contains(age_in_year):
                return band.amount
        return Decimal("0")


def rule_set_for(day: date, rule_sets: Iterable[RuleSet]) -> RuleSet:
    """The one rule set in force on ``day``.

    Raises :class:`NoRuleSetForDate` when none covers the day and :class:`RuleSetDataError`
    when two do (overlapping data).
    """
    matches = [rule_set for rule_set in rule_sets if rule_set.covers(day)]
    if not matches:
        raise NoRuleSetForDate(day, f"no subsidy rule set is in force on {day.isoformat()}")
    if len(matches) > 1:
        ids = ", ".join(rule_set.id for rule_set in matches)
        raise RuleSetDataError("valid_from", f"rule sets {ids} overlap on {day.isoformat()}")
    return matches[0]


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
    keys = {
        "min_age",
        "patient_share_percent",
        "requires_price_at_most_reference",
        "bidrag_pays_patient_share",
        "counts_toward_period",
        "scope",
    }
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
        bidrag_pays_patient_share=_sourced(
            data["bidrag_pays_patient_share"], _join(path, "bidrag_pays_patient_share"), _flag
        ),
        counts_toward_period=_sourced(
            data["counts_toward_period"], _join(path, "counts_toward_period"), _flag
        ),
        included=included,
        excluded=_sourced_list(scope["excluded"], _join(scope_path, "excluded"), _code_range),
        position_limited=_sourced_list(
            scope["position_limited"], _join(scope_path, "position_limited"), _code_range
        ),
        max_tooth_position=max_position,
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
    _keys(
        hcp,
        "high_cost_protection",
        {"lower_threshold", "upper_threshold", "lower_percent", "upper_percent"},
    )
    lower = _sourced(hcp["lower_threshold"], "high_cost_protection.lower_threshold", _amount)
    upper = _sourced(hcp["upper_threshold"], "high_cost_protection.upper_threshold", _amount)
    if upper.value <= lower.value:
        raise RuleSetDataError(
            "high_cost_protection.upper_threshold.value", "must be above the lower threshold"
        )

    atb = _mapping(data["atb"], "atb")
    _keys(atb, "atb", {"bands"})
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
        lower_threshold=lower,
        upper_threshold=upper,
        lower_percent=_sourced(
            hcp["lower_percent"], "high_cost_protection.lower_percent", _percent
        ),
        upper_percent=_sourced(
            hcp["upper_percent"], "high_cost_protection.upper_percent", _percent
        ),
        atb_bands=_sourced(atb["bands"], "atb.bands", _bands),
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
