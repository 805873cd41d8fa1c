"""Runs every golden case of tests/cases/subsidy*.yaml against the quote engine.

Each file has its default taxa and its cases; every case runs with the rule sets of data/subsidy/
and the regional rules of data/subsidy/regional/region-jonkoping.json.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from pricing.regional import RegionalRules, regional_rules_from_mapping
from pricing.subsidy import LineResult, PatientState, Quote, QuoteLine, quote
from pricing.subsidy_rules import RuleSet, rule_set_from_mapping
from pricing.taxa import Category, Item, Kind, Unit, Variant

ROOT = Path(__file__).resolve().parents[2]
CASE_FILES = sorted((ROOT / "tests" / "cases").glob("subsidy*.yaml"))
RULE_SETS: tuple[RuleSet, ...] = tuple(
    rule_set_from_mapping(json.loads(path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "data" / "subsidy").glob("*.json"))
)
REGIONAL: RegionalRules = regional_rules_from_mapping(
    json.loads(
        (ROOT / "data" / "subsidy" / "regional" / "region-jonkoping.json").read_text("utf-8")
    )
)
DOCUMENTS: dict[str, dict[str, Any]] = {
    path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in CASE_FILES
}
CASES: list[tuple[str, dict[str, Any]]] = [
    (name, case) for name, document in DOCUMENTS.items() for case in document["cases"]
]

LINE_FIELDS = {"code", "quantity", "date", "variant", "specialist_referral", "tooth_position",
               "use_atb", "treatment_started", "material_kr", "technical_kr"}  # fmt: skip
PATIENT_FIELDS = {"birth_date", "stb_eligible", "atb_available", "period_start",
                  "period_counted", "stb_used_this_half_year", "stb_half_year_start",
                  "regional_support", "frikort_spent"}  # fmt: skip
MONEY = {"atb_available", "period_counted", "stb_used_this_half_year", "frikort_spent",
         "material_kr", "technical_kr"}  # fmt: skip
DATES = {"birth_date", "period_start", "stb_half_year_start", "date", "treatment_started"}


def _date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _items(rows: Mapping[str, Mapping[str, Any]]) -> dict[str, Item]:
    items = {}
    for code, row in rows.items():
        assert set(row) <= {"price", "reference", "kind", "unit"}, code
        kind = Kind(row.get("kind", "extern"))
        reference = row.get("reference")
        items[str(code)] = Item(
            code=str(code),
            category=Category.S if "S" in str(code)[3:] else Category.A,
            group="",
            kind=kind,
            texts=(str(code),),
            price=Decimal(str(row["price"])),
            reference_price=None if reference is None else Decimal(str(reference)),
            unit=Unit(row.get("unit", "per_atgard")),
        )
    return items


def _patient(data: Mapping[str, Any]) -> PatientState:
    assert set(data) <= PATIENT_FIELDS, set(data) - PATIENT_FIELDS
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in MONEY:
            values[key] = Decimal(str(value))
        elif key in DATES:
            values[key] = _date(value)
        else:
            values[key] = value
    return PatientState(**values)


def _line(data: Mapping[str, Any]) -> QuoteLine:
    assert set(data) <= LINE_FIELDS, set(data) - LINE_FIELDS
    values: dict[str, Any] = {"quantity": 1, **data}
    values["code"] = str(values["code"])
    for key in ("date", "treatment_started"):
        if key in values:
            values[key] = _date(values[key])
    for key in ("material_kr", "technical_kr"):
        if key in values:
            values[key] = Decimal(str(values[key]))
    if "variant" in values:
        values["variant"] = Variant(values["variant"])
    return QuoteLine(**values)


def _expected(actual: object, expected: object) -> object:
    """The expected value in the type of the actual one."""
    if expected is None:
        return None
    if isinstance(actual, Decimal):
        return Decimal(str(expected))
    if isinstance(actual, date):
        return _date(expected)
    if isinstance(actual, str):  # StrEnum values compare as their string
        return str(expected)
    if isinstance(actual, tuple) and isinstance(expected, list):
        return tuple(expected)
    return expected


def _check_object(where: str, actual: object, expected: Mapping[str, Any]) -> None:
    """Every key of ``expected`` against the attribute of ``actual`` of that name."""
    assert actual is not None, where
    for key, want in expected.items():
        if key == "notes_contain":
            notes = getattr(actual, "notes")  # noqa: B009 - a dataclass with notes
            for words in want:
                assert any(words in note for note in notes), (where, words, notes)
            continue
        value = getattr(actual, key)
        assert value == _expected(value, want), (where, key, value, want)


def _check_line(where: str, line: LineResult, expected: Mapping[str, Any]) -> None:
    for key, want in expected.items():
        if key == "notes_contain":
            for words in want:
                assert any(words in note for note in line.notes), (where, words, line.notes)
        elif key == "state_by_rule":
            shares = {name: Decimal(str(amount)) for name, amount in want.items()}
            assert dict(line.state_by_rule) == shares, (where, line.state_by_rule)
        else:
            actual = getattr(line, key)
            assert actual == _expected(actual, want), (where, key, actual, want)


def _check(case_id: str, result: Quote, expect: Mapping[str, Any]) -> None:
    known = {"lines", "totals", "period_after", "atb_remaining", "stb_used_after", "notes_contain",
             "atb_next_credit", "frikort_spent_after", "regional_visits",
             "period_thresholds"}  # fmt: skip
    assert set(expect) <= known, set(expect) - known
    if "lines" in expect:
        assert len(result.lines) == len(expect["lines"]), case_id
        for number, (line, want) in enumerate(zip(result.lines, expect["lines"], strict=True)):
            _check_line(f"{case_id} line {number}", line, want)
    for group in ("totals", "period_after", "atb_next_credit"):
        if group in expect:
            _check_object(f"{case_id} {group}", getattr(result, group), expect[group])
    for group in ("regional_visits", "period_thresholds"):
        if group in expect:
            actual = getattr(result, group)
            assert len(actual) == len(expect[group]), (case_id, group, actual)
            for number, (item, want) in enumerate(zip(actual, expect[group], strict=True)):
                _check_object(f"{case_id} {group}[{number}]", item, want)
    for key in ("atb_remaining", "stb_used_after", "frikort_spent_after"):
        if key in expect:
            assert getattr(result, key) == Decimal(str(expect[key])), (case_id, key)
    for words in expect.get("notes_contain", []):
        assert any(words in note for note in result.notes), (case_id, words, result.notes)


def test_the_cases_files_are_well_formed() -> None:
    ids = [case["id"] for _, case in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for worked in ("E1", "E2", "E3", "E6", "E7", "E8", "E9", "E10"):
        assert worked in ids
    for prefix in ("E4", "E5"):
        assert any(case_id.startswith(prefix) for case_id in ids)
    for _, case in CASES:
        assert set(case) <= {"id", "title", "source", "taxa", "patient", "lines", "expect",
                             "today"}  # fmt: skip
        assert case["source"].strip() and case["title"].strip(), case["id"]
        assert case["expect"], case["id"]


@pytest.mark.parametrize(("file_name", "case"), CASES, ids=[case["id"] for _, case in CASES])
def test_golden_case(file_name: str, case: dict[str, Any]) -> None:
    document = DOCUMENTS[file_name]
    normal = _items({**document["taxa"], **case.get("taxa", {})})
    jour = _items(document.get("jour_taxa", {}))

    def resolve(day: date, variant: Variant) -> Mapping[str, Item]:
        return normal if variant is Variant.NORMAL else jour

    result = quote(
        _patient(case["patient"]),
        [_line(line) for line in case["lines"]],
        resolve,
        RULE_SETS,
        regional_rules=REGIONAL,
        today=_date(case.get("today")),
    )
    for line in result.lines:
        assert line.patient + line.state + line.atb + line.stb + line.region == line.price
    _check(case["id"], result, case["expect"])
