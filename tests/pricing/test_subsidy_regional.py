"""The regional dental support rules: the bundled file, validation of plain mappings, dates."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from mapping_edits import Edit, drop, put

from pricing.errors import NoRuleSet
from pricing.regional import RegionalRules, RegionalSupport, regional_rules_from_mapping
from pricing.subsidy_rules import Confidence, RuleSetDataError

REGIONAL = Path(__file__).resolve().parents[2] / "data" / "subsidy" / "regional"


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (REGIONAL / "region-jonkoping.json").read_text(encoding="utf-8")
    )
    return data


@pytest.fixture(scope="module")
def rules() -> RegionalRules:
    return regional_rules_from_mapping(_raw())


def test_every_owner_file_loads() -> None:
    files = sorted(REGIONAL.glob("*.json"))
    assert [path.stem for path in files] == ["region-jonkoping"]
    for path in files:
        loaded = regional_rules_from_mapping(json.loads(path.read_text(encoding="utf-8")))
        assert loaded.owner == path.stem


def test_the_jonkoping_values_and_their_confidence(rules: RegionalRules) -> None:
    assert [(p.valid_from, p.valid_to) for p in rules.periods] == [
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), None),
    ]
    for period in rules.periods:
        assert period.visit_fee.value == Decimal(250)
        assert period.fee_codes.value == frozenset({"951", "952", "953"})
        assert period.frikort_ceiling.value == Decimal(1400)
        assert period.free_from_age.value == 85
        assert period.free_from_age.confidence is Confidence.L
    y2024, y2025, y2026 = rules.periods
    assert y2025.visit_fee.confidence is Confidence.H and "951" in y2025.visit_fee.source
    assert y2026.visit_fee.confidence is Confidence.L  # the 2025 figure kept
    assert y2024.frikort_ceiling.confidence is Confidence.M
    assert y2026.frikort_ceiling.confidence is Confidence.L
    assert "2018" in y2026.visit_fee.source


def test_every_value_carries_a_source() -> None:
    for period in _raw()["periods"]:
        for key, leaf in period.items():
            if key in ("valid_from", "valid_to"):
                continue
            assert set(leaf) == {"value", "source", "confidence"}, key
            assert len(leaf["source"]) > 20, key


def test_the_period_in_force(rules: RegionalRules) -> None:
    assert rules.period_for(date(2025, 12, 31)).valid_from == date(2025, 1, 1)
    assert rules.period_for(date(2031, 1, 1)).valid_from == date(2026, 1, 1)
    with pytest.raises(NoRuleSet, match="2023-12-31"):
        rules.period_for(date(2023, 12, 31))
    assert rules.periods[2].label == "2026-01-01–"
    assert rules.periods[0].label == "2024-01-01–2024-12-31"


def test_the_forms_of_regional_support() -> None:
    assert [kind.value for kind in RegionalSupport] == ["nodvandig", "sjukdomsbehandling"]


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (drop("owner"), "owner", "missing"),
        (put("extra", 1), "extra", "unknown key"),
        (put("owner", " "), "owner", "non-empty string"),
        (put("periods", []), "periods", "non-empty list"),
        (put("periods", {}), "periods", "non-empty list"),
        (put("periods.0.visit_fee.value", 250), "periods[0].visit_fee.value", "string"),
        (put("periods.0.visit_fee.value", "-1"), "periods[0].visit_fee.value", "negative"),
        (put("periods.0.visit_fee.confidence", "X"), "periods[0].visit_fee.confidence", "H"),
        (drop("periods.0.visit_fee.source"), "periods[0].visit_fee.source", "missing"),
        (put("periods.1.frikort_ceiling.value", "0"), "periods[1].frikort_ceiling.value",
         "above 0"),
        (put("periods.1.fee_codes.value", []), "periods[1].fee_codes.value", "no fee code"),
        (put("periods.1.fee_codes.value", ["951", "951"]), "periods[1].fee_codes.value",
         "twice"),
        (put("periods.2.free_from_age.value", 0), "periods[2].free_from_age.value", "age"),
        (put("periods.2.free_from_age.value", "85"), "periods[2].free_from_age.value", "age"),
        (put("periods.0.valid_to", "2023-12-31"), "periods[0].valid_to", "before"),
        (put("periods.1.valid_from", "2024-12-31"), "periods[1].valid_from", "overlap"),
        (put("periods.0.valid_to", None), "periods[1].valid_from", "overlap"),
        (put("periods.2.visit_fe", {}), "periods[2].visit_fe", "unknown key"),
    ],
)  # fmt: skip
def test_bad_data_is_refused_with_the_field_named(edit: Edit, field: str, message: str) -> None:
    data = copy.deepcopy(_raw())
    edit(data)
    with pytest.raises(RuleSetDataError, match=message) as info:
        regional_rules_from_mapping(data)
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_a_non_mapping_is_refused() -> None:
    with pytest.raises(RuleSetDataError, match="expected an object"):
        regional_rules_from_mapping([])  # type: ignore[arg-type]
