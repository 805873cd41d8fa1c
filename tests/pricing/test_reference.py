"""TLV's reference lists: reading TLV's file as published, the code mapping, the taxa-against-list
check, the list's own rise, and the bundled 2025 and 2026 lists in data/reference/."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pricing.errors import PricingError
from pricing.reference import (
    CodeMapping,
    Column,
    ReferenceCodeError,
    ReferenceEntry,
    ReferenceList,
    ReferenceListError,
    TaxaOnlyReason,
    check_taxa_against_list,
    heading_field,
    is_reference_header,
    list_in_force,
    list_rise,
    lists_overlap,
    map_code,
    parse_reference_rows,
    parse_reference_sheet,
    reference_list_from_taxa,
    reference_price_for,
    stated_date,
)
from pricing.taxa import Category, Item, Kind
from pricing.taxa_validation import RawRow, validate_rows

D = Decimal
REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).parents[2].parent / "shared"
SHARED_XLSX = SHARED / "reference" / "tlv-referenspriser-2026-01-01.xlsx"
DATA_XLSX = REPO / "data" / "reference" / "tlv-referenspriser-2026-01-01.xlsx"
XLSX_SHA256 = "4bcf4eda75f55c189fcefeb436bfd5074611f9c60a89416c7535e06ca91f2861"
CSV_2026 = REPO / "tests" / "data" / "tlv-referenspriser-2026-01-01.csv"
CSV_2025 = REPO / "data" / "reference" / "region-jonkoping-2025-from-taxa.csv"
SCRIPT_2025 = REPO / "data" / "reference" / "make_2025_from_taxa.py"
TAXA_2025 = REPO / "data" / "taxa" / "region-jonkoping-2025-normal.csv"
CASES = yaml.safe_load((REPO / "tests" / "cases" / "reference_cases.yaml").read_text("utf-8"))

HEADINGS = [
    "Åtgärdsnummer",
    "Åtgärdsnamn",
    "Referenspris allmäntandvård   fr o m 1 jan 2026",
    "Referenspris specialisttandvård fr o m 1 jan 2026",
    "Tandteknisk kostnad",
    "Dentalt material i beräkningen av referenspris",
]


# --- helpers ------------------------------------------------------------------------------------


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def xlsx_rows(path: Path) -> list[list[object]]:
    """The first sheet's cells as openpyxl gives them (int, str, float, None)."""
    import openpyxl

    with warnings.catch_warnings():
        # TLV's workbook names its print area by a table: openpyxl warns, nothing is wrong.
        warnings.filterwarnings("ignore", message="Print area cannot be set", category=UserWarning)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def as_text(value: object) -> str:
    """How tests/data's CSV copy writes a cell: floats by repr, None as empty."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def list_2026() -> ReferenceList:
    return parse_reference_rows(
        csv_rows(CSV_2026),
        name="HSLF-FS 2025:68",
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 1, 14),
    )


def list_2025() -> ReferenceList:
    return parse_reference_rows(
        csv_rows(CSV_2025),
        name="2025 ur taxebeslut",
        valid_from=date(2025, 1, 15),
        valid_to=date(2025, 12, 31),
    )


def taxa_2025() -> tuple[Item, ...]:
    with TAXA_2025.open(encoding="utf-8", newline="") as handle:
        rows = [RawRow(n, row) for n, row in enumerate(csv.DictReader(handle), 2)]
    result = validate_rows(rows, {})
    assert result.ok
    return result.items


def item(code: str, price: str, reference: str | None = None, kind: Kind | None = None) -> Item:
    return Item(
        code=code,
        category=Category.S if "S" in code[1:] else Category.A,
        group="Grupp",
        kind=kind or (Kind.EXTERN if reference is not None else Kind.INTERN),
        texts=(f"text {code}",),
        price=D(price),
        reference_price=None if reference is None else D(reference),
    )


def entry(code: str, general: str | None, specialist: str | None = None) -> ReferenceEntry:
    return ReferenceEntry(
        code,
        f"åtgärd {code}",
        None if general is None else D(general),
        None if specialist is None else D(specialist),
    )


def ref_list(*entries: ReferenceEntry, **kwargs: Any) -> ReferenceList:
    return ReferenceList(entries={e.code: e for e in entries}, **kwargs)


def problems_of(rows: Sequence[Sequence[object]]) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ReferenceListError) as caught:
        parse_reference_rows(rows)
    return [(p.row, p.column, p.message) for p in caught.value.problems]


# --- the bundled 2026 list: TLV's file ----------------------------------------------------------


def test_the_2026_copy_in_tests_has_tlvs_200_codes() -> None:
    lst = list_2026()
    assert len(lst) == 200
    assert lst.stated_valid_from == date(2026, 1, 1)
    assert lst.notes == ()
    assert (lst.entries["103"].general, lst.entries["103"].specialist) == (D("445"), D("585"))
    assert lst.entries["111"].general == D("985") and lst.entries["111"].specialist is None
    assert lst.entries["115"].general is None and lst.entries["115"].specialist == D("1060")
    assert lst.entries["607"].technical == D("26.92826271744")
    assert lst.entries["704"].material == "Komposit"
    # a line break inside TLV's cell is one space in the name
    assert lst.entries["809"].name == (
        "Långtidstemporär tandstödd laboratorieframställd krona, brostöd eller hängande led, "
        "per led"
    )
    assert list(lst.entries)[:3] == ["101", "103", "107"] and lst.entries["101"].row == 2


def test_the_2026_xlsx_in_data_is_tlvs_file_byte_for_byte() -> None:
    assert hashlib.sha256(DATA_XLSX.read_bytes()).hexdigest() == XLSX_SHA256


def test_the_csv_copy_in_tests_is_the_xlsx_cell_by_cell() -> None:
    assert csv_rows(CSV_2026) == [[as_text(v) for v in row] for row in xlsx_rows(DATA_XLSX)]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside the project")
def test_the_real_xlsx_from_shared_reads_as_tlv_publishes_it() -> None:
    """The real file with its openpyxl cell types: int codes, text and number prices, floats."""
    assert SHARED_XLSX.read_bytes() == DATA_XLSX.read_bytes()
    rows = xlsx_rows(SHARED_XLSX)
    assert {type(row[0]) for row in rows[1:]} == {int}
    assert {type(row[4]) for row in rows[1:]} >= {float, type(None)}
    lst = parse_reference_rows(rows)
    assert lst.entries == list_2026().entries
    assert len(lst) == 200


def test_the_xlsx_as_app_files_hands_it_over() -> None:
    """app.files turns floats into repr text and splits off the headings: the same list."""
    rows = xlsx_rows(DATA_XLSX)
    cells = [[as_text(v) if isinstance(v, float) else v for v in row] for row in rows]
    assert is_reference_header([as_text(h) for h in cells[0]])
    sheet = parse_reference_sheet(cells[0], list(enumerate(cells[1:], 2)), header_row=1)
    assert sheet.entries == list_2026().entries


# --- the bundled 2025 list: taken from the region's decision -------------------------------------


def _script() -> ModuleType:
    name = "make_2025_from_taxa_under_test"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPT_2025)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_2025_list_is_what_the_script_makes(tmp_path: Path) -> None:
    script = _script()
    assert script.OUT == CSV_2025
    assert script.render(script.make_list(script.taxa_items())) == CSV_2025.read_bytes()
    out = tmp_path / "again.csv"
    assert script.main(["--out", str(out)]) == 0
    assert out.read_bytes() == CSV_2025.read_bytes()
    assert script.main(["--check"]) == 0
    out.write_bytes(out.read_bytes() + b"999,x,1,1,,\n")
    assert script.main(["--check", "--out", str(out)]) == 1


def test_the_2025_list_says_it_is_not_tlvs_file() -> None:
    title = csv_rows(CSV_2025)[0]
    assert len(title) == 1
    assert "INTE TLV:S EGEN FIL" in title[0] and "NOT TLV'S OWN FILE" in title[0]
    assert "2025-01-15 - 2025-12-31" in title[0]
    lst = list_2025()
    assert lst.stated_valid_from == date(2025, 1, 15)
    assert lst.notes == ("1 row(s) above the headings (row 2) skipped as a title",)
    assert len(lst) == 199
    # 103S is the specialist column of 103; 115 exists only as 115S
    assert (lst.entries["103"].general, lst.entries["103"].specialist) == (D("440"), D("580"))
    assert lst.entries["115"].general is None and lst.entries["115"].specialist == D("1165")
    assert lst.entries["101"].specialist is None  # the region has no 101S


def test_340_is_new_in_2026_against_2025() -> None:
    rise = list_rise(list_2025(), list_2026(), {})
    assert rise.new_codes == ("340",)
    assert rise.dropped_codes == ()
    check = check_taxa_against_list(taxa_2025(), list_2026())
    assert [e.code for e in check.only_in_list] == ["340"]


def test_the_2025_taxa_against_the_2026_list() -> None:
    """The real check (figures in data/reference/README.md)."""
    check = check_taxa_against_list(taxa_2025(), list_2026())
    assert (check.compared, check.unchanged, len(check.differences)) == (355, 3, 352)
    assert check.only_in_taxa == ()
    assert [m.region_code for m in check.variants] == [
        "541H",
        "541SH",
        "861L",
        "861SL",
        "862L",
        "862SL",
        "863L",
        "863SL",
        "865L",
        "865SL",
    ]
    by_code = {d.code: d for d in check.differences}
    d103s = by_code["103S"]
    assert (d103s.tlv_code, d103s.column, d103s.taxa_reference, d103s.list_reference) == (
        "103",
        Column.SPECIALIST,
        D("580"),
        D("585"),
    )
    assert d103s.change == D("5")
    assert by_code["111"].change_percent == (D("985") - D("790")) * 100 / D("790")
    assert not check.consistent


def test_the_2025_taxa_against_its_own_list_is_consistent() -> None:
    check = check_taxa_against_list(taxa_2025(), list_2025())
    assert check.differences == () and check.only_in_taxa == () and check.only_in_list == ()
    assert check.consistent and check.unchanged == check.compared == 355


def test_the_lists_own_rise_2025_to_2026() -> None:
    rise = list_rise(list_2025(), list_2026(), {"101": 10, "103S": 10})
    assert rise.compared == 345  # prices in both lists (the 2025 list has the region's columns)
    assert rise.weighted == 2
    # 101: 1015 → 1100, 103S: 580 → 585; (11000 + 5850) / (10150 + 5800) − 1
    assert rise.weighted_percent == (D(16850) - D(15950)) * 100 / D(15950)
    # domain.md §3: "median code +2.4 %" (199 åtgärder; 115 and 116 by their specialist price)
    assert rise.median_percent is not None
    assert rise.median_percent.quantize(D("0.01")) == D("2.38")


# --- golden cases -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_reference_case(case: dict[str, Any]) -> None:
    assert case.get("source") and case.get("title")
    expect = case["expect"]
    rows = case["rows"]
    if "problems" in expect:
        with pytest.raises(ReferenceListError) as caught:
            parse_reference_rows(rows)
        got = caught.value.problems
        assert len(got) == len(expect["problems"]), got
        for problem, want in zip(got, expect["problems"], strict=True):
            assert (problem.row, problem.column, problem.value) == (
                want["row"],
                want["column"],
                want["value"],
            )
            assert want["message"] in problem.message
        return
    lst = parse_reference_rows(rows)
    assert set(lst.entries) == set(expect["entries"])
    for code, want in expect["entries"].items():
        got = lst.entries[code]
        for column in ("general", "specialist", "technical"):
            if column in want:
                value = want[column]
                assert getattr(got, column) == (None if value is None else D(value)), column
        if "material" in want:
            assert got.material == want["material"]
    if "stated_valid_from" in expect:
        assert lst.stated_valid_from == date.fromisoformat(expect["stated_valid_from"])
    for words in expect.get("notes_contain", []):
        assert any(words in note for note in lst.notes), lst.notes


# --- reading: the rest of the branches ----------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Åtgärdsnummer", "code"),
        ("ÅTGÄRDSNUMMER", "code"),
        ("Åtgärdsnamn", "name"),
        ("Referenspris allmäntandvård   fr o m 1 jan 2026", "general"),
        ("Referenspris  allmäntandvård fr.o.m. 15 januari 2025", "general"),
        ("Referenspris specialisttandvård från och med 2027-01-15", "specialist"),
        ("Referenspris specialisttandvård 2026", "specialist"),
        ("Tandteknisk kostnad", "technical"),
        ("Dentalt material i beräkningen av referenspris", "material"),
        ("Referenspris", None),
        ("FTV pris", None),
        ("", None),
        (None, None),
    ],
)
def test_heading_field(heading: object, field: str | None) -> None:
    assert heading_field(heading) == field


@pytest.mark.parametrize(
    ("heading", "stated"),
    [
        ("Referenspris allmäntandvård   fr o m 1 jan 2026", date(2026, 1, 1)),
        ("Referenspris allmäntandvård fr o m 15 jan 2025", date(2025, 1, 15)),
        ("Referenspris allmäntandvård fr.o.m. 15 januari 2027", date(2027, 1, 15)),
        ("Referenspris allmäntandvård fr o m 2027-01-15", date(2027, 1, 15)),
        ("Referenspris allmäntandvård fr o m 31 feb 2026", None),  # no such day
        ("Referenspris allmäntandvård fr o m 1 foo 2026", None),  # no such month
        ("Referenspris allmäntandvård", None),
    ],
)
def test_stated_date(heading: str, stated: date | None) -> None:
    assert stated_date(heading) == stated


def test_headings_that_state_different_dates_are_noted() -> None:
    rows = [
        [
            "Åtgärdsnummer",
            "Åtgärdsnamn",
            "Referenspris allmäntandvård fr o m 1 jan 2026",
            "Referenspris specialisttandvård fr o m 15 jan 2025",
        ],
        [101, "x", "1", "2"],
    ]
    lst = parse_reference_rows(rows)
    assert lst.stated_valid_from is None
    assert lst.notes == ("the headings state different dates: 2025-01-15, 2026-01-01",)


def test_a_stated_date_other_than_valid_from_is_noted() -> None:
    rows = [HEADINGS, [101, "x", "1", "2"]]
    lst = parse_reference_rows(rows, valid_from=date(2026, 1, 15))
    assert lst.notes == (
        "the headings say from 2026-01-01, the list is given valid_from 2026-01-15",
    )


def test_unknown_and_doubled_headings() -> None:
    rows = [[*HEADINGS, "Kommentar"], [101, "x", "1", "2", None, None, "ok"]]
    assert parse_reference_rows(rows).notes == (
        "column 'Kommentar' is not part of a reference list: ignored",
    )
    doubled = [[*HEADINGS, "Åtgärdsnamn"], [101, "x", "1", "2"]]
    assert problems_of(doubled) == [
        (1, "Åtgärdsnamn", "a second 'Åtgärdsnamn' column: one of each")
    ]


def test_an_empty_file() -> None:
    assert problems_of([]) == [(None, None, "the file is empty")]
    assert problems_of([[None, ""], []]) == [(None, None, "the file is empty")]


def test_first_row_numbers_the_rows() -> None:
    rows = [HEADINGS, [101, "x", "abc", "1"]]
    with pytest.raises(ReferenceListError) as caught:
        parse_reference_rows(rows, first_row=5)
    assert [p.row for p in caught.value.problems] == [6]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (True, "not an åtgärd number"),
        ("10a", "not an åtgärd number"),
        (-101, "negative"),
        (D("101.5"), "not a whole åtgärd number"),
        (float("nan"), "not a whole åtgärd number"),
        (date(2026, 1, 1), "not an åtgärd number"),
    ],
)
def test_bad_codes(cell: object, message: str) -> None:
    [(row, column, got)] = problems_of([HEADINGS, [cell, "x", "1", "1"]])
    assert (row, column) == (2, "Åtgärdsnummer") and got.startswith(message)


@pytest.mark.parametrize("cell", ["101", " 101 ", 101, 101.0, D("101"), "101.0", "0101"])
def test_good_codes(cell: object) -> None:
    assert list(parse_reference_rows([HEADINGS, [cell, "x", "1", "1"]]).entries) == ["101"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1100", D("1100")),
        (1100, D("1100")),
        (1100.0, D("1100")),
        (1100.5, D("1100.50")),
        (D("1100.25"), D("1100.25")),
        ("1\u00a0100", D("1100")),
        ("-", None),
        ("\u2013", None),
        (" - ", None),
        ("", None),
        (None, None),
    ],
)
def test_price_cells(cell: object, expected: Decimal | None) -> None:
    lst = parse_reference_rows([HEADINGS, [101, "x", cell, "1"]])
    assert lst.entries["101"].general == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (True, "reference price: not a number"),
        (float("inf"), "reference price: not a number"),
        (date(2026, 1, 1), "reference price: not a number"),
        ("1,100.50", "both decimal comma and point"),
    ],
)
def test_bad_price_cells(cell: object, message: str) -> None:
    [(row, column, got)] = problems_of([HEADINGS, [101, "x", cell, "1"]])
    assert (row, column) == (2, " ".join(HEADINGS[2].split())) and message in got


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (586.752, D("586.752")),
        ("1 367,74817402084", D("1367.74817402084")),
        (3584, D("3584")),
        ("-", None),
        (None, None),
    ],
)
def test_technical_cost_is_kept_exactly(cell: object, expected: Decimal | None) -> None:
    lst = parse_reference_rows([HEADINGS, [101, "x", "1", "1", cell]])
    assert lst.entries["101"].technical == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("-5", "negative"),
        ("abc", "not a number"),
        (True, "not a number"),
        (float("nan"), "not a number"),
    ],
)
def test_bad_technical_cost(cell: object, message: str) -> None:
    assert problems_of([HEADINGS, [101, "x", "1", "1", cell]]) == [
        (2, "Tandteknisk kostnad", f"dental-technical cost: {message}")
    ]


def test_a_list_without_the_optional_columns() -> None:
    lst = parse_reference_rows([HEADINGS[:4], [101, "x", "1", "2"]])
    assert lst.entries["101"] == ReferenceEntry("101", "x", D("1"), D("2"), None, None, 2)


def test_the_error_is_a_pricing_error_with_all_problems() -> None:
    rows = [HEADINGS, [101, "x", "a", "b"], [102, "", "1", "1"]]
    with pytest.raises(PricingError) as caught:
        parse_reference_rows(rows)
    assert isinstance(caught.value, ReferenceListError)
    assert len(caught.value.problems) == 3
    assert str(caught.value) == "3 problem(s) in the reference list"


# --- the list as a value: dates, lookups --------------------------------------------------------


def test_list_dates() -> None:
    y2025 = ref_list(
        entry("101", "1015"), valid_from=date(2025, 1, 15), valid_to=date(2025, 12, 31)
    )
    y2026 = ref_list(entry("101", "1100"), valid_from=date(2026, 1, 1), valid_to=None)
    assert not y2025.in_force(date(2025, 1, 14))
    assert y2025.in_force(date(2025, 1, 15)) and y2025.in_force(date(2025, 12, 31))
    assert not y2025.in_force(date(2026, 1, 1)) and y2026.in_force(date(2030, 1, 1))
    assert not ref_list(entry("101", "1")).in_force(date(2026, 1, 1))  # undated
    assert list_in_force([y2025, y2026], date(2025, 6, 1)) is y2025
    assert list_in_force([y2025, y2026], date(2026, 6, 1)) is y2026
    assert list_in_force([y2025, y2026], date(2025, 1, 1)) is None
    assert not lists_overlap(y2025, y2026)
    early = ref_list(entry("101", "1"), valid_from=date(2025, 12, 31), name="early")
    assert lists_overlap(y2026, early) and lists_overlap(early, y2025)
    assert not lists_overlap(early, ref_list(entry("101", "1")))
    with pytest.raises(ReferenceListError, match="2 reference lists are in force on 2026-01-01"):
        list_in_force([y2026, early], date(2026, 1, 1))


def test_a_list_refuses_bad_dates_and_misfiled_entries() -> None:
    with pytest.raises(ReferenceListError, match="before valid_from") as caught:
        ref_list(entry("101", "1"), valid_from=date(2026, 1, 1), valid_to=date(2025, 1, 1))
    assert caught.value.problems[0].column == "valid_to"
    with pytest.raises(ReferenceListError, match="filed under"):
        ReferenceList(entries={"102": entry("101", "1")})


def test_price_for_a_region_code() -> None:
    lst = ref_list(entry("103", "445", "585"), entry("111", "985"))
    assert lst.price_for("103") == D("445")
    assert lst.price_for("103S") == D("585")
    assert lst.price_for("103SL") == D("585")
    assert lst.price_for("111S") is None  # '-' in TLV's list
    assert lst.price_for("999") is None
    assert lst.price_for("A11") is None
    assert len(lst) == 2 and lst.codes == ("103", "111") and lst.get("999") is None


# --- mapping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "tlv", "column", "variant"),
    [
        ("101", "101", Column.GENERAL, None),
        ("103S", "103", Column.SPECIALIST, None),
        ("103s", "103", Column.SPECIALIST, None),
        ("541H", "541", Column.GENERAL, "H"),
        ("541SH", "541", Column.SPECIALIST, "H"),
        ("861L", "861", Column.GENERAL, "L"),
        ("861SL", "861", Column.SPECIALIST, "L"),
        ("9010", "9010", Column.GENERAL, None),
        ("0101", "101", Column.GENERAL, None),
    ],
)
def test_map_code(code: str, tlv: str, column: Column, variant: str | None) -> None:
    mapping = map_code(code)
    assert mapping == CodeMapping(code, tlv, column, variant)
    assert mapping.is_variant is (variant is not None)


@pytest.mark.parametrize("code", ["A11", "O001", "ASYL", "S2", "", "10-1", "B909", "123456"])
def test_region_only_codes_do_not_map(code: str) -> None:
    assert map_code(code) is None


def test_reference_price_for() -> None:
    e103 = entry("103", "445", "585")
    assert reference_price_for("103", e103) == D("445")
    assert reference_price_for("103S", e103) == D("585")
    assert reference_price_for("111S", entry("111", "985")) is None
    with pytest.raises(ReferenceCodeError, match="not a TLV åtgärd code"):
        reference_price_for("A11", e103)
    with pytest.raises(ReferenceCodeError, match="is TLV åtgärd 107, not 103"):
        reference_price_for("107S", e103)


@given(
    digits=st.integers(min_value=0, max_value=99999),
    specialist=st.booleans(),
    variant=st.text(alphabet="ABCDEFGHIJKLMNOPQRTUVWXYZ", max_size=3),
    lower=st.booleans(),
)
def test_mapping_properties(digits: int, specialist: bool, variant: str, lower: bool) -> None:
    """Digits are the åtgärd, an S right after them the specialist column, the rest a variant;
    case does not matter; the price of a mapped code is its column's."""
    code = f"{digits}{'S' if specialist else ''}{variant}"
    mapping = map_code(code.lower() if lower else code)
    assert mapping is not None
    assert mapping.tlv_code == str(digits)
    assert mapping.column is (Column.SPECIALIST if specialist else Column.GENERAL)
    assert mapping.variant == (variant or None)
    e = entry(str(digits), "100", "200")
    assert reference_price_for(code, e) == (D("200") if specialist else D("100"))


@given(st.text(min_size=1, max_size=6).filter(lambda t: not t.strip()[:1].isdigit()))
def test_codes_not_starting_with_digits_never_map(code: str) -> None:
    assert map_code(code) is None


_cells = st.sampled_from(["str", "int", "float", "decimal"])


@given(
    prices=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 10**6), st.decimals("0", "99999.99", places=2)),
            st.one_of(st.none(), st.integers(0, 10**6)),
            _cells,
        ).filter(lambda t: t[0] is not None or t[1] is not None),
        min_size=1,
        max_size=20,
    ),
    code_cell=_cells,
    title=st.booleans(),
)
def test_reading_gives_back_what_was_written(
    prices: list[tuple[Decimal | int | None, int | None, str]], code_cell: str, title: bool
) -> None:
    """Whatever cell types a spreadsheet uses, the list read is the list written."""

    def cell(value: Decimal | int | None, how: str) -> object:
        if value is None:
            return "-"
        if how == "str":
            return str(value)
        if how == "float":
            return float(str(value))  # as Excel holds a number: the test's float, not pricing's
        if how == "decimal":
            return D(value)
        return int(value) if D(value) == int(value) else str(value)

    rows: list[list[object]] = [["Referenspriser"], []] if title else []
    rows.append([*HEADINGS, None, None])
    for n, (general, specialist, how) in enumerate(prices, start=100):
        rows.append(
            [
                cell(n, code_cell),
                f"åtgärd {n}",
                cell(general, how),
                cell(specialist, how),
                None,
                None,
                None,
                None,
            ]
        )
    lst = parse_reference_rows(rows)
    assert list(lst.entries) == [str(n) for n in range(100, 100 + len(prices))]
    for (general, specialist, _), got in zip(prices, lst.entries.values(), strict=True):
        assert got.general == (None if general is None else D(general))
        assert got.specialist == (None if specialist is None else D(specialist))


# --- a list from a taxa -------------------------------------------------------------------------


def test_reference_list_from_taxa() -> None:
    items = [
        item("103", "515", "440"),
        item("103S", "680", "580"),
        item("115S", "1165", "1165"),
        item("541H", "4940", "4350"),
        item("541", "4350", "4350"),
        item("A11", "2275"),
        Item(None, None, "", Kind.INTERN, ("ny",), D("1"), None),
    ]
    lst = reference_list_from_taxa(items, name="n", valid_from=date(2025, 1, 15))
    assert list(lst.entries) == ["103", "115", "541"]
    assert (lst.entries["103"].general, lst.entries["103"].specialist) == (D("440"), D("580"))
    assert (lst.entries["115"].general, lst.entries["115"].specialist) == (None, D("1165"))
    assert lst.entries["541"].name == "text 541H"  # the first code seen names the åtgärd
    assert lst.valid_from == date(2025, 1, 15) and lst.name == "n"


def test_reference_list_from_taxa_refuses_disagreeing_codes() -> None:
    items = [
        item("541", "4350", "4350"),
        item("541H", "4940", "4355"),
        item("X1", "1", "1", kind=Kind.EXTERN),
    ]
    with pytest.raises(ReferenceListError) as caught:
        reference_list_from_taxa(items)
    assert [(p.value, p.message) for p in caught.value.problems] == [
        (
            "4355",
            "541H has referenspris 4355, 541 has 4350: one åtgärd and column, one reference price",
        ),
        ("X1", "not a TLV åtgärd code"),
    ]


# --- a taxa against a list ----------------------------------------------------------------------


def test_check_taxa_against_list() -> None:
    items = [
        item("101", "1100", "1015"),
        item("103", "515", "440"),
        item("103S", "680", "580"),
        item("111S", "900", "800"),  # the list has no specialist price for 111
        item("541H", "4940", "4350"),
        item("999", "10", "10"),  # not in the list
        item("X1", "1", "1", kind=Kind.EXTERN),  # extern but not a TLV code
        item("A11", "2275"),  # intern: skipped
        item("101", "1", "1"),  # the same code again: looked at once
    ]
    lst = ref_list(
        entry("101", "1100", "1100"),
        entry("103", "440", "585"),
        entry("111", "985"),
        entry("541", "4400", "5700"),
        entry("340", "525", "575"),
        name="2026",
    )
    check = check_taxa_against_list(items, lst)
    assert check.list_name == "2026"
    assert (check.compared, check.unchanged) == (4, 1)
    assert [(d.code, d.taxa_reference, d.list_reference, d.change) for d in check.differences] == [
        ("101", D("1015"), D("1100"), D("85")),
        ("103S", D("580"), D("585"), D("5")),
        ("541H", D("4350"), D("4400"), D("50")),
    ]
    assert check.differences[0].change_percent == D(85) * 100 / D(1015)
    assert [(c.code, c.reason) for c in check.only_in_taxa] == [
        ("111S", TaxaOnlyReason.NO_PRICE_IN_COLUMN),
        ("999", TaxaOnlyReason.NOT_IN_LIST),
        ("X1", TaxaOnlyReason.NOT_A_TLV_CODE),
    ]
    assert [e.code for e in check.only_in_list] == ["340"]
    assert check.variants == (CodeMapping("541H", "541", Column.GENERAL, "H"),)


def test_an_extern_code_without_referenspris_differs_from_the_list() -> None:
    check = check_taxa_against_list(
        [item("101", "1100", None, kind=Kind.EXTERN)], ref_list(entry("101", "1100"))
    )
    [difference] = check.differences
    assert difference.taxa_reference is None and difference.change is None
    assert difference.change_percent is None


# --- the list's own rise ------------------------------------------------------------------------


def test_list_rise_weighted_and_median() -> None:
    old = ref_list(
        entry("101", "1000", "1000"), entry("103", "400"), entry("111", "800"), entry("200", "50")
    )
    new = ref_list(
        entry("101", "1100", "1200"), entry("103", "404"), entry("111", "1000"), entry("340", "525")
    )
    volumes = {"101": 1, "101S": 2, "103": 10, "103SL": 5, "A11": 100, "200": 7}
    rise = list_rise(old, new, volumes)
    assert [(c.tlv_code, c.column, c.volume) for c in rise.changes] == [
        ("101", Column.GENERAL, 1),
        ("101", Column.SPECIALIST, 2),
        ("103", Column.GENERAL, 10),
        ("111", Column.GENERAL, 0),
    ]
    # (1100 + 2·1200 + 10·404) / (1000 + 2·1000 + 10·400) − 1; 103SL has no 103 specialist price
    assert rise.weighted_percent == (D(7540) - D(7000)) * 100 / D(7000)
    assert rise.weighted == 3 and rise.compared == 4
    # one change per åtgärd (101's general, not its specialist too): 10 %, 1 %, 25 % → 10 %
    assert rise.median_percent == D(10)
    assert (rise.new_codes, rise.dropped_codes) == (("340",), ("200",))


def test_list_rise_without_volumes_and_even_median() -> None:
    old = ref_list(entry("101", "100"), entry("103", "100"))
    new = ref_list(entry("101", "110"), entry("103", "120"))
    rise = list_rise(old, new, {})
    assert rise.weighted_percent is None and rise.weighted == 0
    assert rise.median_percent == D(15)
    assert list_rise(old, ref_list(entry("999", "1")), {}).median_percent is None


@pytest.mark.parametrize("volume", [-1, True, D(1), "1"])
def test_list_rise_refuses_bad_volumes(volume: object) -> None:
    lst = ref_list(entry("101", "100"))
    with pytest.raises(ReferenceCodeError, match="whole number"):
        list_rise(lst, lst, {"101": volume})  # type: ignore[dict-item]
