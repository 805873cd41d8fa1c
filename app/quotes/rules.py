"""The subsidy rule sets, read once per process.

``data/subsidy/*.json`` (one rule set per period, see its README) are validated with
:func:`pricing.subsidy_rules.rule_set_from_mapping` and checked not to overlap. The loader is
cached: the quote router's lifespan calls it at start-up, so a broken file stops the service
from starting (:class:`DataFileError` names the file and the bad value) instead of failing the
first quote. Jour windows come from :mod:`app.jour.windows`, shared with the lookups.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from app.config import DATA_DIR, DataFileError, read_data_json
from pricing.subsidy_rules import (
    RuleSet,
    RuleSetDataError,
    check_rule_sets,
    rule_set_from_mapping,
)

SUBSIDY_DIR = DATA_DIR / "subsidy"


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
            rule_sets.append(rule_set_from_mapping(read_data_json(path)))  # type: ignore[arg-type]
        except RuleSetDataError as exc:
            raise DataFileError(f"{path}: {exc}") from exc
    try:
        check_rule_sets(rule_sets)
    except RuleSetDataError as exc:
        raise DataFileError(f"{directory}: {exc}") from exc
    return tuple(sorted(rule_sets, key=lambda rule_set: rule_set.valid_from))
