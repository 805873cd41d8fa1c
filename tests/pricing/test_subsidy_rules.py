"""The subsidy rule sets: the bundled data files, validation of plain mappings, picking by date."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pricing.errors import NoRuleSet, PricingError
from pricing.subsidy_rules import (
    CodeRange,
    Confidence,
    RuleSet,
    RuleSetDataError,
    check_rule_sets,
    code_number,
    general_code,
    rule_set_for,
    rule_set_from_mapping,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "subsidy"


def _raw(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def rule_sets() -> dict[str, RuleSet]:
    return {name: rule_set_from_mapping(_raw(name)) for name in ("2024", "2025", "2026")}


# --- the bundled files ---------------------------------------------------------------------


def test_every_data_file_loads_and_the_sets_do_not_overlap() -> None:
    files = sorted(DATA.glob("*.json"))
    assert [path.stem for path in files] == ["2024", "2025", "2026"]
    loaded = [rule_set_from_mapping(json.loads(path.read_text(encoding="utf-8"))) for path in files]
    assert [rule_set.id for rule_set in loaded] == ["2024", "2025", "2026"]
    check_rule_sets(loaded)


def test_the_sets_follow_each_other_without_a_gap(rule_sets: dict[str, RuleSet]) -> None:
    assert rule_sets["2024"].valid_from == date(2024, 1, 1)
    assert rule_sets["2024"].valid_to == date(2024, 12, 31)
    assert rule_sets["2025"].valid_from == date(2025, 1, 1)
    assert rule_sets["2025"].valid_to == date(2025, 12, 31)
    assert rule_sets["2026"].valid_from == date(2026, 1, 1)
    assert rule_sets["2026"].valid_to is None


def _leaves(node: object, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every {"value", "source", "confidence"} object in a raw rule set."""
    if isinstance(node, dict):
        if "value" in node:
            yield path, node
            return
        for key, child in node.items():
            yield from _leaves(child, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _leaves(child, f"{path}[{index}]")


@pytest.mark.parametrize("name", ["2024", "2025", "2026"])
def test_every_value_carries_a_source_and_a_confidence(name: str) -> None:
    leaves = list(_leaves(_raw(name)))
    assert len(leaves) >= 9  # thresholds ×2, percents ×2, ATB, STB ×2, free care, specialist
    for path, leaf in leaves:
        assert set(leaf) == {"value", "source", "confidence"}, path
        assert leaf["confidence"] in ("H", "M", "L"), path
        assert len(leaf["source"]) > 20, path


def test_2024_values(rule_sets: dict[str, RuleSet]) -> None:
    rs = rule_sets["2024"]
    assert (rs.lower_threshold.value, rs.upper_threshold.value) == (Decimal(3000), Decimal(15000))
    assert (rs.lower_percent.value, rs.upper_percent.value) == (Decimal(50), Decimal(85))
    assert rs.lower_threshold.confidence is Confidence.H
    assert rs.free_care_through_age.value == 23
    assert rs.free_care_transition is None
    assert rs.stb_amount_per_half_year.value == Decimal(600)
    assert rs.tiotandvard is None
    assert [(b.from_age, b.to_age, b.amount) for b in rs.atb_bands.value] == [
        (24, 29, Decimal(600)),
        (30, 64, Decimal(300)),
        (65, None, Decimal(600)),
    ]


def test_2025_values(rule_sets: dict[str, RuleSet]) -> None:
    rs = rule_sets["2025"]
    assert rs.free_care_through_age.value == 19
    assert rs.free_care_transition is not None
    assert rs.free_care_transition.value.started_before == date(2025, 1, 1)
    assert rs.free_care_transition.value.through_age == 23
    assert [(b.from_age, b.to_age, b.amount) for b in rs.atb_bands.value] == [
        (20, 23, Decimal(600)),
        (24, 64, Decimal(300)),
        (65, None, Decimal(600)),
    ]
    assert rs.atb_bands.confidence is Confidence.M
    assert rs.tiotandvard is None
    assert rs.utbyte.value == CodeRange(921, 941, "utbytesåtgärder")
    assert rs.specialist_any_specialty_codes.value == frozenset(
        {"103", "107", "108", "115", "116", "301", "302", "303"}
    )
    assert "101" in rs.stb_codes.value and "343" in rs.stb_codes.value
    assert len(rs.stb_codes.value) == 25


def test_2026_values_and_their_flags(rule_sets: dict[str, RuleSet]) -> None:
    rs = rule_sets["2026"]
    assert rs.lower_threshold.value == Decimal(3000)
    assert rs.upper_threshold.value == Decimal(15000)
    assert rs.lower_threshold.confidence is Confidence.L
    assert rs.upper_threshold.confidence is Confidence.L
    assert "not found" in rs.lower_threshold.source
    assert rs.stb_amount_per_half_year.value == Decimal(1000)
    assert rs.stb_amount_per_half_year.confidence is Confidence.M
    tio = rs.tiotandvard
    assert tio is not None
    assert tio.min_age.value == 67 and tio.min_age.confidence is Confidence.H
    assert tio.patient_share_percent.value == Decimal(10)
    assert tio.patient_share_percent.confidence is Confidence.H
    assert tio.requires_price_at_most_reference.value is True
    assert tio.bidrag_pays_patient_share.confidence is Confidence.L
    assert tio.counts_toward_period.confidence is Confidence.L
    assert tio.max_tooth_position.value == 5
    assert all(entry.confidence is Confidence.L for entry in tio.position_limited)


@pytest.mark.parametrize(
    ("name", "age", "amount"),
    [
        ("2024", 23, "0"),
        ("2024", 24, "600"),
        ("2024", 29, "600"),
        ("2024", 30, "300"),
        ("2024", 64, "300"),
        ("2024", 65, "600"),
        ("2024", 101, "600"),
        ("2025", 19, "0"),
        ("2025", 20, "600"),
        ("2025", 23, "600"),
        ("2025", 24, "300"),
        ("2025", 65, "600"),
    ],
)
def test_atb_by_age_in_the_calendar_year(
    rule_sets: dict[str, RuleSet], name: str, age: int, amount: str
) -> None:
    assert rule_sets[name].atb_amount(age) == Decimal(amount)


@pytest.mark.parametrize(
    ("code", "in_scope"),
    [("101", False), ("124S", False), ("206", False), ("301", True), ("401", True),
     ("501", True), ("541SH", True), ("701", True), ("800", True), ("861L", True),
     ("900", False), ("924", False), ("A11", False)],
)  # fmt: skip
def test_67_plus_scope_ranges(rule_sets: dict[str, RuleSet], code: str, in_scope: bool) -> None:
    tio = rule_sets["2026"].tiotandvard
    assert tio is not None
    included = any(entry.value.contains(code) for entry in tio.included)
    excluded = any(entry.value.contains(code) for entry in tio.excluded)
    assert (included and not excluded) is in_scope


# --- picking by date -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 1), "2024"),
        (date(2024, 12, 31), "2024"),
        (date(2025, 1, 1), "2025"),
        (date(2025, 12, 31), "2025"),
        (date(2026, 1, 1), "2026"),
        (date(2031, 6, 1), "2026"),
    ],
)
def test_rule_set_for_picks_the_set_in_force(
    rule_sets: dict[str, RuleSet], day: date, expected: str
) -> None:
    assert rule_set_for(day, rule_sets.values()).id == expected


def test_rule_set_for_a_date_no_set_covers(rule_sets: dict[str, RuleSet]) -> None:
    with pytest.raises(NoRuleSet, match="2023-12-31") as info:
        rule_set_for(date(2023, 12, 31), rule_sets.values())
    assert info.value.day == date(2023, 12, 31)  # type: ignore[attr-defined]
    with pytest.raises(NoRuleSet):
        rule_set_for(date(2025, 5, 5), [])


def test_overlapping_sets_are_refused(rule_sets: dict[str, RuleSet]) -> None:
    raw = _raw("2025")
    raw["id"] = "2025b"
    raw["valid_from"] = "2025-06-01"
    other = rule_set_from_mapping(raw)
    with pytest.raises(RuleSetDataError, match="overlap"):
        rule_set_for(date(2025, 7, 1), [*rule_sets.values(), other])
    with pytest.raises(RuleSetDataError, match="overlap"):
        check_rule_sets([*rule_sets.values(), other])
    with pytest.raises(RuleSetDataError, match="twice"):
        check_rule_sets([rule_sets["2025"], rule_sets["2025"]])


# --- validation of plain mappings ----------------------------------------------------------

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


def _delete(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[key]
        del node[last]

    return edit


HCP = "high_cost_protection"
TIO = "tiotandvard"


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (_delete("id"), "id", "missing"),
        (_set("extra", 1), "extra", "unknown key"),
        (_set(f"{HCP}.lower_thresold", {}), f"{HCP}.lower_thresold", "unknown key"),
        (_set(f"{HCP}.lower_threshold.value", 3000.0), f"{HCP}.lower_threshold.value", "string"),
        (_set(f"{HCP}.lower_threshold.value", "3 000"), f"{HCP}.lower_threshold.value", "amount"),
        (_set(f"{HCP}.lower_threshold.value", "-1"), f"{HCP}.lower_threshold.value", "negative"),
        (_set(f"{HCP}.lower_threshold.value", "1.005"), f"{HCP}.lower_threshold.value", "decimals"),
        (_set(f"{HCP}.upper_threshold.value", "3000"), f"{HCP}.upper_threshold.value", "above"),
        (_set(f"{HCP}.lower_percent.value", "101"), f"{HCP}.lower_percent.value", "0–100"),
        (_set(f"{HCP}.lower_threshold.confidence", "X"), f"{HCP}.lower_threshold.confidence", "H"),
        (_set(f"{HCP}.lower_threshold.source", " "), f"{HCP}.lower_threshold.source", "string"),
        (_delete(f"{HCP}.lower_threshold.source"), f"{HCP}.lower_threshold.source", "missing"),
        (_set(f"{HCP}.lower_threshold", "3000"), f"{HCP}.lower_threshold", "object"),
        (_set("valid_from", "2025-13-01"), "valid_from", "not a date"),
        (_set("valid_from", 20250101), "valid_from", "YYYY-MM-DD"),
        (_set("valid_to", "2024-12-31"), "valid_to", "before"),
        (_set("atb.bands.value", []), "atb.bands.value", "non-empty"),
        (_set("atb.bands.value.1.from_age", 23), "atb.bands.value[1].from_age", "overlap"),
        (_set("atb.bands.value.0.to_age", 10), "atb.bands.value[0].to_age", "before it starts"),
        (_set("atb.bands.value.0.from_age", True), "atb.bands.value[0].from_age", "age"),
        (_set("atb.bands.value.0.amount", 600), "atb.bands.value[0].amount", "string"),
        (_set("stb.codes.value", ["101", "101"]), "stb.codes.value", "twice"),
        (_set("stb.codes.value", "101"), "stb.codes.value", "list"),
        (_set("free_care.through_age.value", -1), "free_care.through_age.value", "age"),
        (_set("utbyte.codes.value.to", "920"), "utbyte.codes.value.to", "before it starts"),
        (_set("utbyte.codes.value.from", "92"), "utbyte.codes.value.from", "three-digit"),
        (_set("free_care.transition.value.started_before", "x"),
         "free_care.transition.value.started_before", "not a date"),
    ],
)  # fmt: skip
def test_bad_data_is_refused_with_the_field_named(edit: Edit, field: str, message: str) -> None:
    data = _raw("2025")
    edit(data)
    with pytest.raises(RuleSetDataError, match=message) as info:
        rule_set_from_mapping(data)
    assert info.value.field == field
    assert isinstance(info.value, PricingError)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith(field)


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (_set(f"{TIO}.scope.included", []), f"{TIO}.scope.included", "no codes"),
        (_set(f"{TIO}.scope.max_tooth_position.value", 9),
         f"{TIO}.scope.max_tooth_position.value", "1–8"),
        (_set(f"{TIO}.min_age.value", "67"), f"{TIO}.min_age.value", "age"),
        (_set(f"{TIO}.counts_toward_period.value", "no"), f"{TIO}.counts_toward_period.value",
         "true or false"),
        (_delete(f"{TIO}.scope.excluded"), f"{TIO}.scope.excluded", "missing"),
        (_set(f"{TIO}.scope.excluded", {}), f"{TIO}.scope.excluded", "list"),
    ],
)  # fmt: skip
def test_bad_67_plus_data_is_refused(edit: Edit, field: str, message: str) -> None:
    data = copy.deepcopy(_raw("2026"))
    edit(data)
    with pytest.raises(RuleSetDataError, match=message) as info:
        rule_set_from_mapping(data)
    assert info.value.field == field


def test_a_non_mapping_is_refused() -> None:
    with pytest.raises(RuleSetDataError, match="expected an object"):
        rule_set_from_mapping([])  # type: ignore[arg-type]


# --- code helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "number", "general"),
    [
        ("101", 101, None),
        ("103S", 103, "103"),
        ("541H", 541, None),
        ("541SH", 541, "541H"),
        ("861SL", 861, "861L"),
        ("A11", None, None),
        ("9010", None, None),
        ("10001", None, None),
        ("O001", None, None),
    ],
)
def test_code_number_and_general_code(code: str, number: int | None, general: str | None) -> None:
    assert code_number(code) == number
    assert general_code(code) == general


def test_code_range_contains_by_number() -> None:
    utbyte = CodeRange(921, 941, "utbyte")
    assert utbyte.contains("921") and utbyte.contains("941S") and utbyte.contains("924")
    assert not utbyte.contains("920") and not utbyte.contains("942") and not utbyte.contains("A11")
    assert str(utbyte) == "921–941 (utbyte)"
    assert str(CodeRange(807, 807, "x")) == "807 (x)"
