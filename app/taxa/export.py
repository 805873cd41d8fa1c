"""A taxa written in the service's own format (CSV or XLSX), which imports back unchanged.

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-`` or ``@``) is
prefixed with an apostrophe; the import removes it again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from decimal import Decimal

from pricing.taxa import Item

EXPORT_COLUMNS = (
    "code",
    "category",
    "group",
    "kind",
    "text",
    "price",
    "reference_price",
    "unit",
    "source_row",
)


FORMULA_STARTS = ("=", "+", "-", "@")


def export_rows(items: Sequence[Item]) -> list[list[str]]:
    """One line per text of each item, in the service's own format (data/FORMAT.md)."""
    lines: list[list[str]] = []
    for item in items:
        rows: list[int | None] = list(item.source_rows) or [None]
        for index, text in enumerate(item.texts):
            source_row = rows[index] if index < len(rows) else None
            lines.append(
                [
                    item.code or "",
                    item.category.value if item.category else "",
                    item.group,
                    item.kind.value,
                    text,
                    _amount(item.price),
                    "" if item.reference_price is None else _amount(item.reference_price),
                    item.unit.value,
                    str(source_row) if source_row else "",
                ]
            )
    return lines


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def neutralise(cell: str) -> str:
    """Keep a spreadsheet program from running text as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def export_csv(items: Sequence[Item]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for line in export_rows(items):
        writer.writerow([neutralise(c) for c in line])
    return buffer.getvalue().encode("utf-8")


def sheet_title(name: str) -> str:
    """A name Excel takes for a sheet: none of / \\ [ ] : ? *, at most 31 characters."""
    title = re.sub(r"[/\\\[\]:?*]", "-", name).strip("'")[:31]
    return title or "taxa"


def export_xlsx(items: Sequence[Item], title: str) -> bytes:
    """Amounts as numbers (so a controller can sum them), text cells neutralised."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title(title)
    sheet.append(list(EXPORT_COLUMNS))
    for line in export_rows(items):
        cells: list[object] = []
        for column, value in zip(EXPORT_COLUMNS, line, strict=True):
            if column in ("price", "reference_price") and value:
                cells.append(Decimal(value))
            elif column == "source_row" and value:
                cells.append(int(value))
            else:
                cells.append(neutralise(value))
        sheet.append(cells)
    for column_cells in sheet.iter_cols(min_col=6, max_col=7, min_row=2):
        for cell in column_cells:
            cell.number_format = "0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
