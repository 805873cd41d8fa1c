"""The spreadsheet reader (app.files) on the largest files it accepts: time and peak memory.

`.venv/bin/python bench/reader.py` — measured, never asserted. Files:

* taxa 20 000 rows: the row limit in the service's own export format (9 columns, ~1 MB XLSX)
* 480 000 cells: near the cell limit (500 000, rows included), 20 000 rows × 23 numbers
* the same two as CSV
* dimension bomb: 1.5 KB declaring A1:XFD1048576 with one cell at XFD1048576 (refused, 413)

Time is the median of three untraced runs; peak memory is Python's (tracemalloc) in a
fourth run. The service cuts a read at TAXA_MAX_READ_SECONDS (20 s); not here.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from app.errors import PayloadTooLarge  # noqa: E402
from app.files import Limits, read_rows  # noqa: E402

LIMITS = Limits(
    max_rows=20_000, max_xlsx_uncompressed_bytes=50 * 1024 * 1024, max_seconds=600
)  # measured here, not cut
TAXA_ROW = [
    "101",
    "A",
    "Us,riskbedömn och hälsofr åtg",
    "extern",
    "Basundersökning, utförd av tandläkare",
    1100.5,
    1015,
    "per_atgard",
    129,
]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv(rows: list[list[object]]) -> bytes:
    return "\n".join(";".join(str(c) for c in row) for row in rows).encode()


def bomb() -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": "<Types/>",
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="http://schemas.openxmlformats.org'
        '/officeDocument/2006/relationships"><sheets><sheet r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{rels}"><Relationship Id="rId1" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><dimension ref="A1:XFD1048576"'
        '/><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        "</worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def measure(name: str, content: bytes, filename: str, runs: int = 3) -> None:
    """Time without tracing (median of ``runs``), then one traced run for the peak."""

    def read() -> str:
        try:
            return f"{len(read_rows(content, filename, LIMITS))} rows"
        except PayloadTooLarge as exc:
            return f"413: {exc.detail}"

    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        outcome = read()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    read()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"| {name} | {len(content) / 1024:,.0f} KiB | {statistics.median(times):.2f} s | "
        f"{peak / 2**20:.1f} MiB | {outcome} |"
    )


def main() -> None:
    taxa = [
        [
            "code",
            "category",
            "group",
            "kind",
            "text",
            "price",
            "reference_price",
            "unit",
            "source_row",
        ]
    ] + [TAXA_ROW] * 20_000
    cells = [[f"c{i}" for i in range(23)]] + [[n + i for i in range(23)] for n in range(20_000)]
    files: list[tuple[str, Callable[[], bytes], str]] = [
        ("taxa, 20 000 rows, XLSX", lambda: xlsx(taxa), "t.xlsx"),
        ("taxa, 20 000 rows, CSV", lambda: csv(taxa), "t.csv"),
        ("480 000 cells, XLSX", lambda: xlsx(cells), "c.xlsx"),
        ("480 000 cells, CSV", lambda: csv(cells), "c.csv"),
        ("dimension bomb, XLSX", bomb, "b.xlsx"),
    ]
    print("| file | size | time (median of 3) | peak memory | outcome |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, make, filename in files:
        measure(name, make(), filename)


if __name__ == "__main__":
    main()
