"""The spreadsheet reader within bounds: a sheet's declared dimension is never trusted, rows,
columns, cells and time are capped, and each limit is named in a 413 — through every upload."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from app.errors import PayloadTooLarge
from app.files import Limits, read_rows

LIMITS = Limits(max_rows=20_000, max_xlsx_uncompressed_bytes=50 * 1024 * 1024)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def workbook(sheet_data: str, dimension: str = "A1:XFD1048576") -> bytes:
    """A minimal XLSX whose only sheet declares ``dimension`` and holds ``sheet_data``."""
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Type="x" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
        '<sheet name="Taxa" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE}"><Relationship '
        'Id="rId1" Type="x" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{sheet_data}</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


HEADINGS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>price</t></is></c></row>'
)


def far_cell(ref: str) -> bytes:
    """The dimension bomb: declares the whole sheet, holds one cell far out."""
    row = "".join(ch for ch in ref if ch.isdigit())
    return workbook(f'{HEADINGS}<row r="{row}"><c r="{ref}"><v>1</v></c></row>')


@pytest.mark.parametrize(
    ("ref", "limit"),
    [("XFD2", "100 columns"), ("A1048576", "20000 rows"), ("XFD1048576", "100 columns")],
)
def test_a_dimension_bomb_is_413_at_once_in_little_memory(ref: str, limit: str) -> None:
    content = far_cell(ref)
    assert len(content) < 2048
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooLarge, match=limit):
            read_rows(content, "bomb.xlsx", LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes"


def test_the_declared_dimension_is_ignored_for_a_good_sheet() -> None:
    content = workbook(
        HEADINGS + '<row r="3"><c r="A3" t="inlineStr"><is><t>101</t></is></c>'
        '<c r="B3"><v>1150.5</v></c></row>'
    )
    assert read_rows(content, "t.xlsx", LIMITS) == [(1, ["code", "price"]), (3, ["101", "1150.5"])]


def test_cells_are_read_as_excel_stores_them() -> None:
    """Shared strings, numbers through their shortest repr (never Decimal(float)), booleans,
    a formula's cached result (none here: openpyxl saves no result); an empty cell is None, an
    empty row is left out, and a row keeps its Excel number."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "price", "flag"])
    sheet.append(["101", 1100.1, True])
    sheet.append([None])
    sheet.append(["ASYL", 1100, None, "=1+1"])
    out = io.BytesIO()
    book.save(out)
    assert read_rows(out.getvalue(), "t.xlsx", LIMITS) == [
        (1, ["code", "price", "flag"]),
        (2, ["101", "1100.1", "True"]),
        (4, ["ASYL", 1100]),
    ]


def test_too_many_cells_is_413_even_when_they_are_empty() -> None:
    row = '<row r="2">' + '<c r="A2"/>' * 50 + "</row>"
    limits = replace(LIMITS, max_cells=40)
    with pytest.raises(PayloadTooLarge, match="more than 40 cells"):
        read_rows(workbook(HEADINGS + row), "t.xlsx", limits)


def test_reading_longer_than_the_time_limit_is_413() -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 3000))
    with pytest.raises(PayloadTooLarge, match="took longer than 0 s"):
        read_rows(workbook(HEADINGS + rows), "t.xlsx", replace(LIMITS, max_seconds=0.0))


def test_csv_is_bounded_too() -> None:
    wide = b"code;price\n101;" + b";" * 150 + b"x\n"
    with pytest.raises(PayloadTooLarge, match="100 columns"):
        read_rows(wide, "t.csv", LIMITS)
    trailing = b"code;price" + b";" * 150 + b"\n101;5\n"  # empty columns count against nothing
    assert len(read_rows(trailing, "t.csv", LIMITS)[0][1]) == 152
    with pytest.raises(PayloadTooLarge, match="more than 10 cells"):
        read_rows(b"a;b;c;d\n" * 3, "t.csv", replace(LIMITS, max_cells=10))


@pytest.mark.parametrize("path", ["/v1/imports", "/v1/volumes", "report"])
def test_every_upload_answers_the_bomb_with_413_naming_the_limit(
    client: TestClient, admin: dict[str, str], bundled: list[int], path: str
) -> None:
    if path == "report":
        path = f"/v1/schedules/{bundled[0]}/report"
    response = client.post(
        path,
        headers=admin,
        files={"file": ("bomb.xlsx", far_cell("XFD2"))},
        data={"name": "Bomb", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["detail"] == "the file has more than 100 columns (the limit)"
