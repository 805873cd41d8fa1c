"""The subsidy rule sets: the bundled data files, validation of plain mappings, picking by date."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from mapping_edits import Edit, drop, put

from pricing.errors import NoRuleSet, PricingError
from pricing.subsidy_rules import (
    AtbTransition,
    CodeRange,
    Confidence,
    PrisbasbeloppThresholds,
    RuleSet,
    RuleSetDataError,
    check_rule_sets,
    code_number,
    floor_to,
    general_code,
    rule_set_for,
    rule_set_from_mapping,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "subsidy"


def _raw(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return data


NAMES = ("2024-01-01", "2024", "2025", "2026", "2027")


@pytest.fixture(scope="module")
def rule_sets() -> dict[str, RuleSet]:
    return {name: rule_set_from_mapping(_raw(name)) for name in NAMES}


# --- the bundled files ---------------------------------------------------------------------


def test_every_data_file_loads_and_the_sets_do_not_overlap() -> None:
    files = sorted(DATA.glob("*.json"))
    assert [path.stem for path in files] == list(NAMES)
    loaded = [rule_set_from_mapping(json.loads(path.read_text(encoding="utf-8"))) for path in files]
    assert [rule_set.id for rule_set in loaded] == list(NAMES)
    check_rule_sets(loaded)


def test_the_sets_follow_each_other_without_a_gap(rule_sets: dict[str, RuleSet]) -> None:
    spans = [(rs.valid_from, rs.valid_to) for rs in rule_sets.values()]
    assert spans == [
        (date(2024, 1, 1), date(2024, 1, 14)),  # before TLV's list of 2024-01-15
        (date(2024, 1, 15), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), None),
    ]


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


@pytest.mark.parametrize("name", NAMES)
def test_every_value_carries_a_source_and_a_confidence(name: str) -> None:
    leaves = list(_leaves(_raw(name)))
    assert len(leaves) >= 9  # thresholds ×2, percents ×2, ATB, STB ×2, free care, specialist
    for path, leaf in leaves:
        assert set(leaf) == {"value", "source", "confidence"}, path
        assert leaf["confidence"] in ("H", "M", "L"), path
        assert len(leaf["source"]) > 20, path


VIDEO = {"250", "251", "252", "350", "351", "352"}


def test_2024_values(rule_sets: dict[str, RuleSet]) -> None:
    rs = rule_sets["2024"]
    thresholds = rs.thresholds(date(2024, 3, 1))
    assert (thresholds.lower.value, thresholds.upper.value) == (Decimal(3000), Decimal(15000))
    assert thresholds.how == "" and thresholds.notes == ()
    assert (rs.lower_percent.value, rs.upper_percent.value) == (Decimal(50), Decimal(85))
    assert thresholds.lower.confidence is Confidence.H
    assert "TLV's föreskrift" in thresholds.lower.source  # not förordning 5 § (it delegated)
    assert rs.free_care_through_age.value == 23
    assert rs.free_care_transition is None
    assert rs.stb_amount_per_half_year.value == Decimal(600)
    assert rs.tiotandvard is None
    assert rs.atb_transition is None
    assert [(b.from_age, b.to_age, b.amount) for b in rs.atb_bands.value] == [
        (24, 29, Decimal(600)),
        (30, 64, Decimal(300)),
        (65, None, Decimal(600)),
    ]


def test_the_video_consultations_are_stb_codes_from_2024_01_15(
    rule_sets: dict[str, RuleSet],
) -> None:
    assert not VIDEO & rule_sets["2024-01-01"].stb_codes.value
    assert len(rule_sets["2024-01-01"].stb_codes.value) == 25
    for name in ("2024", "2025", "2026", "2027"):
        codes = rule_sets[name].stb_codes.value
        assert codes >= VIDEO and len(codes) == 31, name
        assert rule_sets[name].stb_codes.value - VIDEO == rule_sets["2024-01-01"].stb_codes.value
    assert "340" not in rule_sets["2026"].stb_codes.value  # probably added in 2026 (L): not read
    assert "340" in rule_sets["2026"].stb_codes.source


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


def test_2026_values_and_their_sources(rule_sets: dict[str, RuleSet]) -> None:
    rs = rule_sets["2026"]
    formula = rs.high_cost_thresholds
    assert isinstance(formula, PrisbasbeloppThresholds)
    assert (formula.lower_factor.value, formula.upper_factor.value) == (
        Decimal("0.0507"),
        Decimal("0.2534"),
    )
    assert formula.round_down_to.value == Decimal(50)
    assert [(year, pbb.value) for year, pbb in formula.prisbasbelopp] == [
        (2025, Decimal(58800)),
        (2026, Decimal(59200)),
    ]
    assert all(
        value.confidence is Confidence.H
        for value in (formula.lower_factor, formula.upper_factor, rs.lower_percent)
    )
    assert rs.stb_amount_per_half_year.value == Decimal(1000)
    assert rs.stb_amount_per_half_year.confidence is Confidence.H
    assert [(b.from_age, b.to_age, b.amount) for b in rs.atb_bands.value] == [
        (20, 23, Decimal(600)),
        (24, 65, Decimal(300)),
        (66, None, Decimal(600)),
    ]
    assert rs.atb_bands.confidence is Confidence.H
    assert rs.atb_transition is not None
    assert rs.atb_transition.value == AtbTransition(65, date(2026, 1, 1), Decimal(600))
    tio = rs.tiotandvard
    assert tio is not None
    assert tio.min_age.value == 67 and tio.min_age.confidence is Confidence.H
    assert tio.patient_share_percent.value == Decimal(10)
    assert tio.patient_share_percent.confidence is Confidence.H
    assert tio.requires_price_at_most_reference.value is True
    assert "material" in tio.requires_price_at_most_reference.source
    assert tio.max_tooth_position.value == 5
    assert all(entry.confidence is Confidence.L for entry in tio.position_limited)


def test_2027_values(rule_sets: dict[str, RuleSet]) -> None:
    rs = rule_sets["2027"]
    assert [(b.from_age, b.to_age, b.amount) for b in rs.atb_bands.value] == [
        (20, 23, Decimal(600)),
        (24, 66, Decimal(300)),
        (67, None, Decimal(600)),
    ]
    formula = rs.high_cost_thresholds
    assert isinstance(formula, PrisbasbeloppThresholds)
    assert formula.transition is None  # a period started before 2026 has ended by 2027
    assert 2027 not in dict(formula.prisbasbelopp)  # not yet known: the answer says so
    assert rs.tiotandvard == rule_sets["2026"].tiotandvard
    assert rs.stb_amount_per_half_year.value == Decimal(1000)


# --- thresholds from the prisbasbelopp (förordning 5 § from 2026) --------------------------


def test_e10_a_period_starting_2026_03_01(rule_sets: dict[str, RuleSet]) -> None:
    thresholds = rule_sets["2026"].thresholds(date(2026, 3, 1))
    assert (thresholds.lower.value, thresholds.upper.value) == (Decimal(3000), Decimal(15000))
    assert thresholds.lower.confidence is Confidence.H and thresholds.notes == ()
    assert "59 200" in thresholds.how and "rounded down to whole 50 kr" in thresholds.how
    assert "0.0507 × prisbasbelopp 2026" in thresholds.lower.source


def test_a_period_started_before_2026_keeps_3000_and_an_unsettled_15000(
    rule_sets: dict[str, RuleSet],
) -> None:
    thresholds = rule_sets["2026"].thresholds(date(2025, 9, 1))
    assert (thresholds.lower.value, thresholds.upper.value) == (Decimal(3000), Decimal(15000))
    assert thresholds.lower.confidence is Confidence.H
    assert thresholds.upper.confidence is Confidence.L
    assert len(thresholds.notes) == 1 and "14 850" in thresholds.notes[0]
    assert "transitional rule" in thresholds.how


def test_a_period_in_a_year_without_a_prisbasbelopp_uses_the_last_known_and_says_so(
    rule_sets: dict[str, RuleSet],
) -> None:
    thresholds = rule_sets["2027"].thresholds(date(2027, 2, 1))
    assert (thresholds.lower.value, thresholds.upper.value) == (Decimal(3000), Decimal(15000))
    assert thresholds.lower.confidence is Confidence.L
    assert thresholds.upper.confidence is Confidence.L
    assert "the prisbasbelopp for 2027 is not in the rule data" in thresholds.notes[0]
    assert "2026: 59 200" in thresholds.notes[0]
    known = rule_sets["2027"].thresholds(date(2026, 12, 31))  # a 2026 period, a 2027 line
    assert known.lower.confidence is Confidence.H and known.notes == ()


@pytest.mark.parametrize(
    ("pbb", "lower", "upper"),
    [("58800", "2950", "14850"), ("59200", "3000", "15000"), ("60000", "3000", "15200"),
     ("70000", "3500", "17700"), ("59171", "2950", "14950")],
)  # fmt: skip
def test_the_formula_rounds_down_to_whole_50(pbb: str, lower: str, upper: str) -> None:
    data = _raw("2027")
    data["high_cost_protection"]["thresholds_from_prisbasbelopp"]["prisbasbelopp"]["2027"] = {
        "value": pbb, "source": "test value for the formula", "confidence": "H"
    }  # fmt: skip
    thresholds = rule_set_from_mapping(data).thresholds(date(2027, 5, 1))
    assert (thresholds.lower.value, thresholds.upper.value) == (Decimal(lower), Decimal(upper))
    assert thresholds.lower.confidence is Confidence.H


def test_a_period_before_every_known_year_uses_the_first(rule_sets: dict[str, RuleSet]) -> None:
    formula = rule_sets["2027"].high_cost_thresholds
    assert isinstance(formula, PrisbasbeloppThresholds)
    assert formula.prisbasbelopp_for(2020) == (2025, dict(formula.prisbasbelopp)[2025])


def test_floor_to() -> None:
    assert floor_to(Decimal("3001.44"), Decimal(50)) == Decimal(3000)
    assert floor_to(Decimal("3000"), Decimal(50)) == Decimal(3000)
    assert floor_to(Decimal("2999.99"), Decimal(50)) == Decimal(2950)


# --- ATB -----------------------------------------------------------------------------------


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
        ("2026", 65, "300"),
        ("2026", 66, "600"),
        ("2027", 66, "300"),
        ("2027", 67, "600"),
    ],
)
def test_atb_by_age_in_the_calendar_year(
    rule_sets: dict[str, RuleSet], name: str, age: int, amount: str
) -> None:
    assert rule_sets[name].atb_amount(age) == Decimal(amount)


@pytest.mark.parametrize(
    ("name", "birth", "year", "amount", "transitional"),
    [
        ("2026", date(1960, 12, 31), 2026, "600", False),  # 66 in 2026: the band
        ("2026", date(1961, 1, 1), 2026, "300", False),  # turns 65 on 2026-01-01: not before
        ("2027", date(1961, 1, 1), 2027, "300", False),
        ("2027", date(1960, 6, 1), 2027, "600", False),
        ("2027", date(2007, 6, 1), 2027, "600", False),
        ("2027", date(2008, 6, 1), 2027, "0", False),
    ],
)
def test_atb_credit(
    rule_sets: dict[str, RuleSet], name: str, birth: date, year: int, amount: str,
    transitional: bool,
) -> None:  # fmt: skip
    assert rule_sets[name].atb_credit(birth, year) == (Decimal(amount), transitional)


def test_the_atb_transition_keeps_600_for_who_turned_65_before_2026() -> None:
    # The bands of the statute make the transitional rule redundant for 2026–2031; a set whose
    # upper band starts at 68 shows it working.
    data = _raw("2027")
    data["atb"]["bands"]["value"] = [
        {"from_age": 20, "to_age": 23, "amount": "600"},
        {"from_age": 24, "to_age": 67, "amount": "300"},
        {"from_age": 68, "to_age": None, "amount": "600"},
    ]
    rs = rule_set_from_mapping(data)
    assert rs.atb_credit(date(1960, 12, 31), 2027) == (Decimal(600), True)  # 67, turned 65 in 2025
    assert rs.atb_credit(date(1961, 1, 1), 2028) == (Decimal(300), False)  # 67, turned 65 in 2026
    assert rs.atb_credit(date(1960, 2, 29), 2027) == (Decimal(600), True)
    assert AtbTransition(65, date(2026, 1, 1), Decimal(600)).applies(date(1960, 2, 29))
    assert not AtbTransition(65, date(2025, 3, 1), Decimal(600)).applies(date(1960, 2, 29))


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
        (date(2024, 1, 1), "2024-01-01"),
        (date(2024, 1, 14), "2024-01-01"),
        (date(2024, 1, 15), "2024"),
        (date(2024, 12, 31), "2024"),
        (date(2025, 1, 1), "2025"),
        (date(2025, 12, 31), "2025"),
        (date(2026, 1, 1), "2026"),
        (date(2026, 12, 31), "2026"),
        (date(2027, 1, 1), "2027"),
        (date(2031, 6, 1), "2027"),
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

HCP = "high_cost_protection"
TIO = "tiotandvard"


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (drop("id"), "id", "missing"),
        (put("extra", 1), "extra", "unknown key"),
        (put(f"{HCP}.lower_thresold", {}), f"{HCP}.lower_thresold", "unknown key"),
        (put(f"{HCP}.lower_threshold.value", 3000.0), f"{HCP}.lower_threshold.value", "string"),
        (put(f"{HCP}.lower_threshold.value", "3 000"), f"{HCP}.lower_threshold.value", "amount"),
        (put(f"{HCP}.lower_threshold.value", "-1"), f"{HCP}.lower_threshold.value", "negative"),
        (put(f"{HCP}.lower_threshold.value", "1.005"), f"{HCP}.lower_threshold.value", "decimals"),
        (put(f"{HCP}.upper_threshold.value", "3000"), f"{HCP}.upper_threshold.value", "above"),
        (put(f"{HCP}.lower_percent.value", "101"), f"{HCP}.lower_percent.value", "0–100"),
        (put(f"{HCP}.lower_threshold.confidence", "X"), f"{HCP}.lower_threshold.confidence", "H"),
        (put(f"{HCP}.lower_threshold.source", " "), f"{HCP}.lower_threshold.source", "string"),
        (drop(f"{HCP}.lower_threshold.source"), f"{HCP}.lower_threshold.source", "missing"),
        (put(f"{HCP}.lower_threshold", "3000"), f"{HCP}.lower_threshold", "object"),
        (put("valid_from", "2025-13-01"), "valid_from", "not a date"),
        (put("valid_from", 20250101), "valid_from", "YYYY-MM-DD"),
        (put("valid_to", "2024-12-31"), "valid_to", "before"),
        (put("atb.bands.value", []), "atb.bands.value", "non-empty"),
        (put("atb.bands.value.1.from_age", 23), "atb.bands.value[1].from_age", "overlap"),
        (put("atb.bands.value.0.to_age", 10), "atb.bands.value[0].to_age", "before it starts"),
        (put("atb.bands.value.0.from_age", True), "atb.bands.value[0].from_age", "age"),
        (put("atb.bands.value.0.amount", 600), "atb.bands.value[0].amount", "string"),
        (put("stb.codes.value", ["101", "101"]), "stb.codes.value", "twice"),
        (put("stb.codes.value", "101"), "stb.codes.value", "list"),
        (put("free_care.through_age.value", -1), "free_care.through_age.value", "age"),
        (put("utbyte.codes.value.to", "920"), "utbyte.codes.value.to", "before it starts"),
        (put("utbyte.codes.value.from", "92"), "utbyte.codes.value.from", "three-digit"),
        (put("free_care.transition.value.started_before", "x"),
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
        (put(f"{TIO}.scope.included", []), f"{TIO}.scope.included", "no codes"),
        (put(f"{TIO}.scope.max_tooth_position.value", 9),
         f"{TIO}.scope.max_tooth_position.value", "1–8"),
        (put(f"{TIO}.min_age.value", "67"), f"{TIO}.min_age.value", "age"),
        (put(f"{TIO}.requires_price_at_most_reference.value", "no"),
         f"{TIO}.requires_price_at_most_reference.value", "true or false"),
        (put(f"{TIO}.counts_toward_period", {}), f"{TIO}.counts_toward_period", "unknown key"),
        (drop(f"{TIO}.scope.excluded"), f"{TIO}.scope.excluded", "missing"),
        (put(f"{TIO}.scope.excluded", {}), f"{TIO}.scope.excluded", "list"),
    ],
)  # fmt: skip
def test_bad_67_plus_data_is_refused(edit: Edit, field: str, message: str) -> None:
    data = copy.deepcopy(_raw("2026"))
    edit(data)
    with pytest.raises(RuleSetDataError, match=message) as info:
        rule_set_from_mapping(data)
    assert info.value.field == field


FORMULA = f"{HCP}.thresholds_from_prisbasbelopp"


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (put(f"{FORMULA}.lower_factor.value", "5.07%"), f"{FORMULA}.lower_factor.value",
         "not a number"),
        (put(f"{FORMULA}.lower_factor.value", 0.0507), f"{FORMULA}.lower_factor.value",
         "string"),
        (put(f"{FORMULA}.lower_factor.value", "1.5"), f"{FORMULA}.lower_factor.value",
         "at most 1"),
        (put(f"{FORMULA}.upper_factor.value", "0.05"), f"{FORMULA}.upper_factor.value",
         "above the lower factor"),
        (put(f"{FORMULA}.round_down_to.value", "0"), f"{FORMULA}.round_down_to.value",
         "above 0"),
        (put(f"{FORMULA}.prisbasbelopp", {}), f"{FORMULA}.prisbasbelopp", "no prisbasbelopp"),
        (put(f"{FORMULA}.prisbasbelopp.26", {}), f"{FORMULA}.prisbasbelopp.26", "a year"),
        (put(f"{FORMULA}.prisbasbelopp.2026.value", "59 200"),
         f"{FORMULA}.prisbasbelopp.2026.value", "amount"),
        (put(f"{FORMULA}.transition.upper_threshold.value", "3000"),
         f"{FORMULA}.transition.upper_threshold.value", "above the lower"),
        (put(f"{FORMULA}.transition.periods_started_before.value", "2026"),
         f"{FORMULA}.transition.periods_started_before.value", "not a date"),
        (drop(f"{FORMULA}.transition.lower_threshold"),
         f"{FORMULA}.transition.lower_threshold", "missing"),
        (put(f"{HCP}.lower_threshold", {}), f"{HCP}.lower_threshold", "unknown key"),
        (drop(f"{FORMULA}.prisbasbelopp"), f"{FORMULA}.prisbasbelopp", "missing"),
        (put("atb.transition.value.turned_age", "65"), "atb.transition.value.turned_age", "age"),
        (put("atb.transition.value.amount", 600), "atb.transition.value.amount", "string"),
        (put("atb.transition.value.extra", 1), "atb.transition.value.extra", "unknown key"),
    ],
)  # fmt: skip
def test_bad_threshold_and_atb_data_of_2026_is_refused(
    edit: Edit, field: str, message: str
) -> None:
    data = copy.deepcopy(_raw("2026"))
    edit(data)
    with pytest.raises(RuleSetDataError, match=message) as info:
        rule_set_from_mapping(data)
    assert info.value.field == field


def test_fixed_and_formula_thresholds_may_not_be_mixed() -> None:
    data = copy.deepcopy(_raw("2025"))
    data[HCP]["thresholds_from_prisbasbelopp"] = _raw("2026")[HCP]["thresholds_from_prisbasbelopp"]
    with pytest.raises(RuleSetDataError, match="unknown key") as info:
        rule_set_from_mapping(data)
    assert info.value.field == f"{HCP}.lower_threshold"


def test_the_67_plus_scope_is_memoised_per_code(rule_sets: dict[str, RuleSet]) -> None:
    tio = rule_sets["2026"].tiotandvard
    assert tio is not None
    first = tio.scope("541SH")
    assert tio.scope("541SH") is first and first.in_scope
    assert tio.scope("101").excluded is not None and not tio.scope("A11").in_scope


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
