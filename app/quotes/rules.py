"""The quote's data files, read once per process.

``data/subsidy/*.json`` (one rule set per period, see its README) are validated with
:func:`pricing.subsidy_rules.rule_set_from_mapping` and checked not to overlap;
``data/subsidy/regional/<owner>.json`` (the regional dental support of an owner) with
:func:`pricing.regional.regional_rules_from_mapping`; ``data/quotes/<owner>.json`` gives the
kostnadsförslag's terms per owner (:class:`EstimateTerms`: the name printed, how long an estimate
is valid; an owner without a file gets :data:`DEFAULT_VALID_MONTHS`). The loaders are cached:
the quote router's lifespan calls them at start-up, so a broken file stops the service from
starting (:class:`DataFileError` names the file and the bad value) instead of failing the first
quote. Jour windows come from :mod:`app.jour.windows`, shared with the lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from app.config import DATA_DIR, DataFileError, read_data_json
from pricing.regional import RegionalRules, regional_rules_from_mapping
from pricing.subsidy_rules import (
    RuleSet,
    RuleSetDataError,
    check_rule_sets,
    rule_set_from_mapping,
)

SUBSIDY_DIR = DATA_DIR / "subsidy"
REGIONAL_DIR = SUBSIDY_DIR / "regional"
ESTIMATE_DIR = DATA_DIR / "quotes"
DEFAULT_VALID_MONTHS = 3
MAX_VALID_MONTHS = 24


@lru_cache(maxsize=4)
def load_rule_sets(directory: Path | None = None) -> tuple[RuleSet, ...]:
    """Every rule set in ``directory`` (default ``data/subsidy``), ordered by validity."""
    directory = directory or SUBSIDY_DIR
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise DataFileError(f"{directory}: no subsidy rule set (*.json) found")
    rule_sets: list[RuleSet] = []
    for path in paths:
        try:
            rule_sets.append(rule_set_from_mapping(read_data_json(path)))
        except RuleSetDataError as exc:
            raise DataFileError(f"{path}: {exc}") from exc
    try:
        check_rule_sets(rule_sets)
    except RuleSetDataError as exc:
        raise DataFileError(f"{directory}: {exc}") from exc
    return tuple(sorted(rule_sets, key=lambda rule_set: rule_set.valid_from))


@lru_cache(maxsize=4)
def load_regional_rules(directory: Path | None = None) -> Mapping[str, RegionalRules]:
    """owner → the owner's regional dental support rules, one file ``<owner>.json`` each."""
    directory = directory or REGIONAL_DIR
    found: dict[str, RegionalRules] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            rules = regional_rules_from_mapping(read_data_json(path))
        except RuleSetDataError as exc:
            raise DataFileError(f"{path}: {exc}") from exc
        if rules.owner != path.stem:
            raise DataFileError(f"{path}: owner {rules.owner!r} is not the file's name")
        found[rules.owner] = rules
    return MappingProxyType(found)


@dataclass(frozen=True)
class EstimateTerms:
    """What a kostnadsförslag of ``owner`` says besides the figures."""

    owner: str
    name: str  # printed as the issuer: "Folktandvården Region Jönköpings län"
    valid_months: int  # the estimate is valid this many months from its date
    source: str | None = None  # where the terms come from (None: the service's default)


def default_terms(owner: str) -> EstimateTerms:
    return EstimateTerms(owner=owner, name=owner, valid_months=DEFAULT_VALID_MONTHS)


def _terms(data: object, path: Path) -> EstimateTerms:
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected an object")
    allowed = {"owner", "name", "valid_months", "source"}
    unknown = sorted(set(data) - allowed)
    missing = sorted({"owner", "name", "valid_months"} - set(data))
    if unknown or missing:
        raise DataFileError(f"{path}: unknown keys {unknown}, missing keys {missing}")
    owner, name, months, source = (
        data["owner"],
        data["name"],
        data["valid_months"],
        data.get("source"),
    )
    if owner != path.stem:
        raise DataFileError(f"{path}: owner: {owner!r} is not the file's name")
    if not isinstance(name, str) or not name.strip():
        raise DataFileError(f"{path}: name: expected the name to print, got {name!r}")
    if (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not (1 <= months <= MAX_VALID_MONTHS)
    ):
        raise DataFileError(
            f"{path}: valid_months: expected a whole number 1–{MAX_VALID_MONTHS}, got {months!r}"
        )
    if source is not None and not isinstance(source, str):
        raise DataFileError(f"{path}: source: expected text, got {source!r}")
    return EstimateTerms(owner=owner, name=name.strip(), valid_months=months, source=source)


@lru_cache(maxsize=4)
def load_estimate_terms(directory: Path | None = None) -> Mapping[str, EstimateTerms]:
    """owner → the kostnadsförslag's terms, one file ``<owner>.json`` each."""
    directory = directory or ESTIMATE_DIR
    return MappingProxyType(
        {path.stem: _terms(read_data_json(path), path) for path in sorted(directory.glob("*.json"))}
    )
