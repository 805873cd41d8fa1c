"""Reading a taxa's rows: amounts in Swedish habits, headings, and every finding in one pass."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.taxa import Category, Kind, Unit
from pricing.taxa_validation import (
    AmountError,
    RawRow,
    Severity,
    map_headings,
    normalise_heading,
    parse_amount,
    validate_rows,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1100", "1100.00"),
        ("1 100", "1100.00"),
        ("1\u00a0100", "1100.00"),  # non-breaking space, as Excel writes it in Swedish
        ("1\u202f100", "1100.00"),  # narrow no-break space
        ("1 100,50", "1100.50"),
        ("1100.5", "1100.50"),
        ("12 145 kr", "12145.00"),
        ("0", "0.00"),
        (" 57 ", "57.00"),
        (1100, "1100.00"),
        (Decimal("7.5"), "7.50"),
        ("1100.0", "1100.00"),  # an Excel float read through its text
    ],
)
def test_amounts_in_swedish_habits(cell: str | int | Decimal, expected: str) -> None:
    assert parse_amount(cell) == Decimal(expected)
    assert str(parse_amount(cell)) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (None, "empty"),
        ("", "empty"),
        ("  ", "empty"),
        ("fem", "not a number"),
        ("1.100,50", "both decimal comma and point"),
        ("-5", "negative"),
        ("\u22125", "negative"),  # a typographic minus
        ("10,555", "more than two decimals"),
        ("12.300000000000001", "more than two decimals"),  # a float artefact from Excel
        ("1e3", "not a number"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
    ],
)
def test_bad_amounts_say_why(cell: str | None, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_amount(cell)


@pytest.mark.parametrize(
    ("heading", "normalised"),
    [
        ("FTV pris 2025", "ftvpris"),
        ("FTV  pris\u00a02026", "ftvpris"),
        ("Referenspris 2025", "referenspris"),
        ("Extern / intern kod", "extern/internkod"),
        ("ATV-kod eller STV-kod", "atv-kodellerstv-kod"),
        ("reference_price", "reference_price"),
    ],
)
def test_headings_ignore_case_spacing_and_year(heading: str, normalised: str) -> None:
    assert normalise_heading(heading) == normalised


def test_map_headings_finds_missing_and_unknown() -> None:
    mapping, missing, unknown = map_headings(["Åtgärd", "FTV pris 2027", "Kommentar", ""])
    assert mapping == {0: "code", 1: "price"}
    assert missing == ["category", "kind", "text", "reference_price"]
    assert unknown == ["Kommentar"]


def row(n: int, **cells: str) -> RawRow:
    base = {
        "category": "A",
        "group": "G",
        "kind": "Extern",
        "code": "101",
        "text": "Bas",
        "price": "100",
        "reference_price": "90",
    }
    base.update(cells)
    return RawRow(n, base)


def test_rows_with_one_code_become_one_item_with_every_row() -> None:
    result = validate_rows(
        [
            row(2),
            row(3, text="Annan text"),
            row(4),
            row(
                5,
                code="",
                category="Ny kod",
                kind="",
                reference_price="",
                text="Retainer, per bracket",
            ),
        ],
        {},
    )
    assert result.ok
    first, new_code = result.items
    assert first.texts == ("Bas", "Annan text", "Bas")
    assert first.source_rows == (2, 3, 4)
    assert first.alternative_texts == ("Annan text",)
    assert (first.category, first.kind, first.price) == (Category.A, Kind.EXTERN, Decimal("100"))
    assert (new_code.code, new_code.kind, new_code.category) == (None, Kind.INTERN, None)
    assert new_code.unit is Unit.PER_BRACKET and new_code.key == "(ny kod) Retainer, per bracket"
    assert [(f.row, f.severity) for f in result.findings] == [
        (3, Severity.WARNING),
        (4, Severity.WARNING),
    ]


def test_a_file_of_blank_rows_is_an_empty_file() -> None:
    result = validate_rows([RawRow(2, {"code": "", "price": None})], {})
    assert not result.ok
    assert [f.message for f in result.errors] == ["the file has no rows of taxa"]


def test_one_row_with_several_problems_reports_each() -> None:
    result = validate_rows([row(7, category="Q", price="x", code="1 01", kind="Extern")], {})
    assert [(f.row, f.column) for f in result.errors] == [
        (7, "ATV-kod eller STV-kod"),
        (7, "Åtgärd"),
        (7, "FTV pris"),
    ]
    assert result.items == ()


def test_conflicting_reference_and_kind_are_both_named() -> None:
    result = validate_rows([row(2), row(3, reference_price="95")], {"reference_price": "Ref"})
    assert [(f.row, f.column, f.value) for f in result.errors] == [(3, "Ref", "95.00")]
    assert "code 101 has 90.00 on row 2" in result.errors[0].message


def test_explicit_unit_wins_and_unknown_unit_is_an_error() -> None:
    ok = validate_rows([row(2, unit="per_minute")], {})
    assert ok.items[0].unit is Unit.PER_MINUTE
    bad = validate_rows([row(2, unit="per_hour")], {})
    assert [f.column for f in bad.errors] == ["unit"]
