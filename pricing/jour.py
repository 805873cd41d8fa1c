"""The jour (out-of-hours) taxa: a surcharge rule, the derived jour prices, and a check.

The 2025 decision (tjänsteskrivelse RJL 2024/12) says: "Tandvårdstaxa jourtid har ett generellt
påslag på 50 % på den normala taxan". The published jour table shows how it was applied: the
normal price × 1.5 rounded to a whole 5 kr, halves up; flat patient fees (besöksavgift 951–953,
ASYL, uteblivande 961–963) keep their price; reference prices are never surcharged (the state
support is computed on the reference price, so a jour patient pays the whole surcharge).

Decisions on units (the published 2025 jour table has no row for any of them, so the table gives
no guidance; these are ours, and :func:`check_jour` reports the items as only in the normal taxa):

* **per krona** (9009, 9013: "1st = 1skr", material sold at cost): never surcharged. The "price"
  is a conversion factor (1 kr per krona of material), not a fee for work; at a 5 kr step a
  surcharge would even round it to 0.
* **per minute** (9008, 9010, 9021: "… kr/tim. Deb per min."): surcharged like any fee, but
  rounded to :attr:`SurchargeRule.per_minute_step` (default 1 kr), the precision the region uses
  for its per-minute prices (3 405 kr/tim → 57 kr/min). Rounding a per-minute price to 5 kr
  would move the hourly rate by up to 150 kr.

Everything else (per åtgärd, per bracket, per tooth, per visit that is not exempt) gets
``price × (1 + percent/100)`` rounded to the rule's step with :func:`pricing.money.round_money`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pricing.errors import PricingError
from pricing.money import MoneyError, money, round_money
from pricing.taxa import Item, Unit

SUPPORTED_ROUNDING_MODES = frozenset({"half_up"})


class SurchargeRuleError(PricingError):
    """A surcharge rule that is malformed (bad percent, step, mode, or unknown keys)."""


class JourCheckError(PricingError):
    """Input the jour check cannot match (e.g. two items with the same key in one taxa)."""


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class SurchargeRule:
    """A general percentage surcharge on the normal taxa, with its rounding and exemptions.

    ``exempt_groups`` are compared with an item's åtgärdsgrupp ignoring case and runs of
    whitespace; ``exempt_codes`` exactly. ``source`` names the decision the rule comes from.
    """

    percent: Decimal
    step: Decimal
    source: str
    rounding_mode: str = "half_up"
    exempt_groups: frozenset[str] = field(default_factory=frozenset)
    exempt_codes: frozenset[str] = field(default_factory=frozenset)
    per_minute_step: Decimal = Decimal(1)
    valid_from: date | None = None
    valid_to: date | None = None

    def __post_init__(self) -> None:
        for name in ("percent", "step", "per_minute_step"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise SurchargeRuleError(f"{name} must be a finite Decimal, got {value!r}")
        if self.percent < 0:
            raise SurchargeRuleError(f"percent must not be negative, got {self.percent}")
        if self.step <= 0:
            raise SurchargeRuleError(f"rounding step must be positive, got {self.step}")
        if self.per_minute_step <= 0:
            raise SurchargeRuleError(
                f"per-minute rounding step must be positive, got {self.per_minute_step}"
            )
        if self.rounding_mode not in SUPPORTED_ROUNDING_MODES:
            raise SurchargeRuleError(
                f"rounding mode {self.rounding_mode!r} is not supported "
                f"(supported: {', '.join(sorted(SUPPORTED_ROUNDING_MODES))})"
            )
        if not isinstance(self.source, str) or not self.source.strip():
            raise SurchargeRuleError("a surcharge rule needs its source")
        if (
            self.valid_from is not None
            and self.valid_to is not None
            and self.valid_to < self.valid_from
        ):
            raise SurchargeRuleError(
                f"valid_to {self.valid_to} is before valid_from {self.valid_from}"
            )

    @property
    def factor(self) -> Decimal:
        """What a price is multiplied by: 1 + percent/100 (1.5 for 50 %)."""
        return 1 + self.percent / 100


_RULE_KEYS = frozenset(
    {
        "percent",
        "rounding_step",
        "rounding_mode",
        "per_minute_rounding_step",
        "exempt_groups",
        "exempt_codes",
        "source",
        "valid_from",
        "valid_to",
        # documentation only, not part of the rule:
        "region",
        "note",
    }
)


def _decimal_field(d: Mapping[str, Any], key: str, default: Decimal | None = None) -> Decimal:
    if key not in d:
        if default is None:
            raise SurchargeRuleError(f"missing {key!r}")
        return default
    raw = d[key]
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise SurchargeRuleError(
            f"{key!r} must be a decimal string or an integer (never a float), got {raw!r}"
        )
    try:
        return money(raw)
    except MoneyError as exc:
        raise SurchargeRuleError(f"{key!r} is not a number: {raw!r}") from exc


def _str_set(d: Mapping[str, Any], key: str) -> frozenset[str]:
    raw = d.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise SurchargeRuleError(f"{key!r} must be a list of non-empty strings, got {raw!r}")
    return frozenset(x.strip() for x in raw)


def _date_field(d: Mapping[str, Any], key: str) -> date | None:
    raw = d.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise SurchargeRuleError(f"{key!r} must be an ISO date string, got {raw!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise SurchargeRuleError(f"{key!r} is not an ISO date: {raw!r}") from exc


def surcharge_rule_from_mapping(d: Mapping[str, Any]) -> SurchargeRule:
    """A rule from a plain mapping as loaded from JSON; raises :class:`SurchargeRuleError`.

    Keys: ``percent`` and ``rounding_step`` (decimal strings or ints, never floats),
    ``rounding_mode`` (default ``"half_up"``), ``per_minute_rounding_step`` (default 1),
    ``exempt_groups``/``exempt_codes`` (lists of strings), ``source`` (required),
    ``valid_from``/``valid_to`` (ISO dates, optional); ``region`` and ``note`` are documentation.
    Unknown keys are an error (a typo must not silently drop an exemption).
    """
    if not isinstance(d, Mapping):
        raise SurchargeRuleError(f"a surcharge rule must be a mapping, got {type(d).__name__}")
    unknown = sorted(set(d) - _RULE_KEYS)
    if unknown:
        raise SurchargeRuleError(f"unknown keys in surcharge rule: {', '.join(unknown)}")
    mode = d.get("rounding_mode", "half_up")
    if not isinstance(mode, str):
        raise SurchargeRuleError(f"'rounding_mode' must be a string, got {mode!r}")
    source = d.get("source")
    if not isinstance(source, str):
        raise SurchargeRuleError("a surcharge rule needs its 'source' (a string)")
    return SurchargeRule(
        percent=_decimal_field(d, "percent"),
        step=_decimal_field(d, "rounding_step"),
        rounding_mode=mode,
        per_minute_step=_decimal_field(d, "per_minute_rounding_step", Decimal(1)),
        exempt_groups=_str_set(d, "exempt_groups"),
        exempt_codes=_str_set(d, "exempt_codes"),
        source=source,
        valid_from=_date_field(d, "valid_from"),
        valid_to=_date_field(d, "valid_to"),
    )


def exemption(item: Item, rule: SurchargeRule) -> str | None:
    """Why ``item`` is not surcharged under ``rule`` (a short reason), or None when it is."""
    if item.code is not None and item.code in rule.exempt_codes:
        return f"exempt code {item.code}"
    groups = {_normalise(g) for g in rule.exempt_groups}
    if _normalise(item.group) in groups:
        return f"exempt group {item.group}"
    if item.unit is Unit.PER_KRONA:
        return "price per krona of material (sold at cost), never surcharged"
    return None


def jour_price(item: Item, rule: SurchargeRule) -> Decimal:
    """The jour price of one item: price × (1 + percent/100) rounded, or the price if exempt."""
    if exemption(item, rule) is not None:
        return item.price
    step = rule.per_minute_step if item.unit is Unit.PER_MINUTE else rule.step
    return round_money(item.price * rule.factor, step)


def derive_jour(items: Sequence[Item], rule: SurchargeRule) -> list[Item]:
    """The jour taxa derived from the normal one: same items, jour prices, same reference."""
    return [replace(item, price=jour_price(item, rule)) for item in items]


class JourFindingKind(StrEnum):
    PRICE_DIFFERS = "price_differs"
    REFERENCE_DIFFERS = "reference_differs"
    TEXT_DIFFERS = "text_differs"
    ONLY_IN_PUBLISHED = "only_in_published"
    ONLY_IN_NORMAL = "only_in_normal"
    EXEMPT = "exempt"


@dataclass(frozen=True)
class JourFinding:
    """One finding of :func:`check_jour`.

    ``published`` is the price in the published jour taxa, ``expected`` the price the rule
    derives from the normal taxa, ``difference`` = published − expected. For
    ``reference_differs`` the three are reference prices (published, normal, difference). For
    ``only_in_normal`` ``expected`` is what the rule would give; for ``only_in_published``
    ``published`` is the published price. ``detail`` says it in words.
    """

    kind: JourFindingKind
    key: str
    code: str | None
    published: Decimal | None
    expected: Decimal | None
    difference: Decimal | None
    detail: str


@dataclass(frozen=True)
class JourCheck:
    """Every finding of a jour check, in a deterministic order (see :func:`check_jour`)."""

    findings: tuple[JourFinding, ...]
    matched: int
    rule_source: str

    def of_kind(self, kind: JourFindingKind) -> tuple[JourFinding, ...]:
        return tuple(f for f in self.findings if f.kind is kind)

    @property
    def consistent(self) -> bool:
        """True when nothing but exemptions was found."""
        return all(f.kind is JourFindingKind.EXEMPT for f in self.findings)


def _index(items: Sequence[Item], which: str) -> dict[str, Item]:
    out: dict[str, Item] = {}
    for item in items:
        if item.key in out:
            raise JourCheckError(f"two items with key {item.key!r} in the {which} taxa")
        out[item.key] = item
    return out


def _text_set(item: Item) -> frozenset[str]:
    return frozenset(_normalise(t) for t in item.texts)


def check_jour(
    published: Sequence[Item], base_normal: Sequence[Item], rule: SurchargeRule
) -> JourCheck:
    """Compare a published jour taxa with the one the rule derives from the normal taxa.

    Items are matched by :attr:`Item.key`. For each normal item, in the normal taxa's order,
    the findings come in this order: exempt (every exempt normal item, matched or not), then
    only in normal, or price differs, reference differs, text differs (texts compared as sets,
    ignoring case and whitespace). Then the items
    only in the published taxa, in its order. Nothing is raised for a finding; an item key
    occurring twice in one taxa raises :class:`JourCheckError` (the match would be ambiguous).
    """
    pub = _index(published, "published jour")
    normal = _index(base_normal, "normal")
    findings: list[JourFinding] = []
    matched = 0
    for key, item in normal.items():
        expected = jour_price(item, rule)
        reason = exemption(item, rule)
        other = pub.get(key)
        if reason is not None:
            findings.append(
                JourFinding(
                    JourFindingKind.EXEMPT,
                    key,
                    item.code,
                    other.price if other is not None else None,
                    expected,
                    other.price - expected if other is not None else None,
                    f"{key}: not surcharged ({reason})",
                )
            )
        if other is None:
            findings.append(
                JourFinding(
                    JourFindingKind.ONLY_IN_NORMAL,
                    key,
                    item.code,
                    None,
                    expected,
                    None,
                    f"{key} is in the normal taxa (price {item.price}) but not in the "
                    f"published jour taxa",
                )
            )
            continue
        matched += 1
        if other.price != expected:
            findings.append(
                JourFinding(
                    JourFindingKind.PRICE_DIFFERS,
                    key,
                    item.code,
                    other.price,
                    expected,
                    other.price - expected,
                    f"{key}: published jour price {other.price}, the rule gives {expected} "
                    f"(normal price {item.price})",
                )
            )
        if other.reference_price != item.reference_price:
            diff = (
                other.reference_price - item.reference_price
                if other.reference_price is not None and item.reference_price is not None
                else None
            )
            findings.append(
                JourFinding(
                    JourFindingKind.REFERENCE_DIFFERS,
                    key,
                    item.code,
                    other.reference_price,
                    item.reference_price,
                    diff,
                    f"{key}: reference price {other.reference_price} in the jour taxa, "
                    f"{item.reference_price} in the normal taxa (never surcharged)",
                )
            )
        if _text_set(other) != _text_set(item):
            findings.append(
                JourFinding(
                    JourFindingKind.TEXT_DIFFERS,
                    key,
                    item.code,
                    None,
                    None,
                    None,
                    f"{key}: text in the jour taxa {list(other.texts)!r}, "
                    f"in the normal taxa {list(item.texts)!r}",
                )
            )
    for key, other in pub.items():
        if key not in normal:
            findings.append(
                JourFinding(
                    JourFindingKind.ONLY_IN_PUBLISHED,
                    key,
                    other.code,
                    other.price,
                    None,
                    None,
                    f"{key} is in the published jour taxa (price {other.price}) but not in "
                    f"the normal taxa",
                )
            )
    return JourCheck(findings=tuple(findings), matched=matched, rule_source=rule.source)
