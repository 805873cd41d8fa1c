"""Regional dental support (regionalt tandvårdsstöd) as dated, sourced data per owner.

Patients in the regional dental support — nödvändig tandvård, and tandvård som ett led i en
sjukdomsbehandling — pay the region's outpatient visit fee per visit instead of the taxa price;
the region pays the rest. The fee counts toward the outpatient frikort (högkostnadsskydd for
öppen vård): once the patient has paid fees up to the ceiling, further visits are free. Patients
from an age (85 in Region Jönköping) pay no fee. ATB and STB are never used, and nothing counts
toward the state's ersättningsperiod (``../shared/domain.md`` §4). The quote engine
(:func:`pricing.subsidy.quote`) applies these rules; this module only holds and validates them.

Every parameter is a :class:`pricing.subsidy_rules.Sourced` value with a confidence, in periods
with validity dates (inclusive; ``valid_to`` None is open-ended), as loaded from
``data/subsidy/regional/<owner>.json`` by :func:`regional_rules_from_mapping`. Errors name the path
of the bad value (:class:`pricing.subsidy_rules.RuleSetDataError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pricing.subsidy_rules import (
    NoRuleSetForDate,
    RuleSetDataError,
    Sourced,
    _amount,
    _codes,
    _date,
    _join,
    _keys,
    _mapping,
    _sourced,
    _string,
)


class RegionalSupport(StrEnum):
    """The forms of regional dental support a patient can have (domain.md §4)."""

    NODVANDIG = "nodvandig"  # nödvändig tandvård (F-tandvård)
    SJUKDOMSBEHANDLING = "sjukdomsbehandling"  # tandvård som ett led i en sjukdomsbehandling (S)


@dataclass(frozen=True)
class RegionalPeriod:
    """The region's parameters in force from ``valid_from`` to ``valid_to`` (inclusive).

    ``visit_fee``: what the patient pays per visit (a visit is one treatment date);
    ``fee_codes``: the codes the region bills the fee with (951–953 in Jönköping's 2025 taxa);
    ``frikort_ceiling``: the outpatient högkostnadsskydd the fees count toward;
    ``free_from_age``: from this age (reached on the visit date) the patient pays no fee.
    """

    valid_from: date
    valid_to: date | None
    visit_fee: Sourced[Decimal]
    fee_codes: Sourced[frozenset[str]]
    frikort_ceiling: Sourced[Decimal]
    free_from_age: Sourced[int]

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def label(self) -> str:
        end = "" if self.valid_to is None else self.valid_to.isoformat()
        return f"{self.valid_from.isoformat()}–{end}"


@dataclass(frozen=True)
class RegionalRules:
    """One owner's regional dental support: its periods in date order, not overlapping."""

    owner: str
    description: str
    periods: tuple[RegionalPeriod, ...]

    def period_for(self, day: date) -> RegionalPeriod:
        """The period in force on ``day``; :class:`NoRuleSetForDate` if none is."""
        for period in self.periods:
            if period.covers(day):
                return period
        raise NoRuleSetForDate(
            day, f"no regional dental support rules of {self.owner} are in force on {day}"
        )


def _free_age(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 150:
        raise RuleSetDataError(path, f"expected an age (an integer 1–150), got {value!r}")
    return value


def _period(value: object, path: str) -> RegionalPeriod:
    data = _mapping(value, path)
    _keys(
        data,
        path,
        {"valid_from", "valid_to", "visit_fee", "fee_codes", "frikort_ceiling", "free_from_age"},
    )
    valid_from = _date(data["valid_from"], _join(path, "valid_from"))
    valid_to = (
        None if data["valid_to"] is None else _date(data["valid_to"], _join(path, "valid_to"))
    )
    if valid_to is not None and valid_to < valid_from:
        raise RuleSetDataError(_join(path, "valid_to"), "ends before valid_from")
    fee = _sourced(data["visit_fee"], _join(path, "visit_fee"), _amount)
    ceiling = _sourced(data["frikort_ceiling"], _join(path, "frikort_ceiling"), _amount)
    if ceiling.value <= 0:
        raise RuleSetDataError(_join(path, "frikort_ceiling.value"), "must be above 0")
    codes = _sourced(data["fee_codes"], _join(path, "fee_codes"), _codes)
    if not codes.value:
        raise RuleSetDataError(_join(path, "fee_codes.value"), "no fee code given")
    return RegionalPeriod(
        valid_from=valid_from,
        valid_to=valid_to,
        visit_fee=fee,
        fee_codes=codes,
        frikort_ceiling=ceiling,
        free_from_age=_sourced(data["free_from_age"], _join(path, "free_from_age"), _free_age),
    )


def regional_rules_from_mapping(mapping: Mapping[str, object]) -> RegionalRules:
    """Validate one owner's regional rules given as a plain mapping (as loaded from JSON).

    Layout (``data/subsidy/regional/README.md``): ``owner``, ``description`` and ``periods``, a
    non-empty list in date order whose periods do not overlap; every parameter a
    ``{"value", "source", "confidence"}`` object. Unknown keys are errors.
    """
    data = _mapping(mapping, "")
    _keys(data, "", {"owner", "description", "periods"})
    raw = data["periods"]
    if not isinstance(raw, list) or not raw:
        raise RuleSetDataError("periods", "expected a non-empty list of periods")
    periods = tuple(_period(item, _join("periods", index)) for index, item in enumerate(raw))
    for index, (earlier, later) in enumerate(zip(periods, periods[1:], strict=False), start=1):
        if earlier.valid_to is None or later.valid_from <= earlier.valid_to:
            raise RuleSetDataError(
                _join(_join("periods", index), "valid_from"),
                "periods must be in date order and not overlap",
            )
    return RegionalRules(
        owner=_string(data["owner"], "owner"),
        description=_string(data["description"], "description"),
        periods=periods,
    )
