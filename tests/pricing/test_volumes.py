"""pricing.volumes: one volume cell, and the rows of a volume file (every finding, summed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.taxa_validation import RawRow, Severity
from pricing.volumes import (
    VolumeCellError,
    map_volume_headings,
    parse_volume,
    validate_volume_rows,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (0, 0),
        (5223, 5223),
        ("5223", 5223),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1\u202f234\u2009567", 1234567),
        (" 12 ", 12),
        (Decimal("12"), 12),
        (Decimal("12.00"), 12),
        ("1000000000", 1_000_000_000),
    ],
)
def test_whole_numbers(cell: object, expected: int) -> None:
    assert parse_volume(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (None, "empty volume"),
        ("", "empty volume"),
        ("  ", "empty volume"),
        ("-5", "negative volume"),
        ("\u22125", "negative volume"),
        (-1, "negative volume"),
        ("12,5", "decimals"),
        ("12.5", "decimals"),
        ("1,234", "decimals"),  # a thousands comma is not read as one: ambiguous
        (",5", "decimals"),
        (Decimal("12.5"), "decimals"),
        (Decimal("NaN"), "not a number"),
        ("tolv", "not a number"),
        ("12 st", "not a number"),
        ("1e3", "not a number"),
        (True, "not a number"),
        ("1000000001", "more than 1 000 000 000 in one row"),
    ],
)
def test_refused_cells(cell: object, message: str) -> None:
    with pytest.raises(VolumeCellError, match=message):
        parse_volume(cell)  # type: ignore[arg-type]


def test_headings() -> None:
    mapping, missing, unknown = map_volume_headings(
        ["Klinik", "Åtgärd", "Volym 2024", "Patientkategori", "Kommentar", "Kod", ""]
    )
    assert mapping == {0: "clinic", 1: "code", 2: "volume", 3: "patient_category"}
    assert missing == [] and unknown == ["Kommentar", "Kod"]
    assert map_volume_headings(["code", "antal"])[0] == {0: "code", 1: "volume"}
    assert map_volume_headings(["Klinik"])[1] == ["code", "volume"]


def rows(*cells: tuple[str | None, str | None, str | None]) -> list[RawRow]:
    return [
        RawRow(n, {"clinic": c, "code": k, "volume": v})
        for n, (c, k, v) in enumerate(cells, start=2)
    ]


def test_rows_are_summed_per_code_in_first_seen_order() -> None:
    result = validate_volume_rows(
        rows(
            ("A", "121", "10"),
            ("A", "101", "1"),
            ("B", "101", "2"),
            (None, None, None),
            ("B", "121", "0"),
        ),
        {},
    )
    assert result.ok and result.findings == ()
    assert list(result.totals.items()) == [("121", 10), ("101", 3)]
    assert (result.row_count, result.total_volume, result.clinics) == (4, 13, ("A", "B"))


def test_every_error_at_once_nothing_summed_from_bad_rows() -> None:
    result = validate_volume_rows(
        rows(("A", "", "1"), ("A", "101", "x"), ("A", "TOTALT", "9"), ("A", "121", "4")),
        {"volume": "Antal"},
    )
    assert [(f.row, f.column, f.value, f.severity) for f in result.findings] == [
        (2, "Åtgärd", None, Severity.ERROR),
        (3, "Antal", "x", Severity.ERROR),
        (4, "Åtgärd", "TOTALT", Severity.ERROR),
    ]
    assert not result.ok and dict(result.totals) == {"121": 4}


def test_no_rows_is_an_error() -> None:
    result = validate_volume_rows(rows((None, " ", None)), {})
    assert [f.message for f in result.errors] == ["the file has no rows of volumes"]


def test_duplicates_and_lower_case_codes_are_warnings() -> None:
    result = validate_volume_rows(rows(("A", "103s", "1"), ("A", "103S", "2")), {})
    assert result.ok and dict(result.totals) == {"103S": 3}
    assert [(f.row, f.message) for f in result.warnings] == [
        (2, "code '103s' read as '103S'"),
        (3, "code 103S (A) also on row 2: the volumes are summed"),
    ]
