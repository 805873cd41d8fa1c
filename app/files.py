"""Reading an uploaded CSV or XLSX into rows of cells, defensively.

This is the only place that touches file formats. It refuses, with a clear 4xx, what is not a
spreadsheet (binary garbage, a file that is not what its name says), what is too big (bytes,
rows, uncompressed XLSX size: a "zip bomb"), and hands every other row on, numbered as the price
administrator sees it in Excel, for validation to judge.

openpyxl is the library for XLSX: maintained, pure Python, with a streaming read-only mode; it
parses the XML through defusedxml when that is installed (it is a dependency here), which shuts
out entity-expansion attacks.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from app.errors import PayloadTooLarge, UnsupportedFile

Cell = str | int | Decimal | None


HEADER_SEARCH_ROWS = 20  # the region's sheets may have a title row or two above the headings


@dataclass(frozen=True)
class Sheet:
    headings: list[str]
    header_row: int
    rows: list[tuple[int, list[Cell]]]  # (row number as Excel shows it, cells)


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_xlsx_uncompressed_bytes: int


def file_format(filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise UnsupportedFile(
        f"{filename!r}: upload a .csv or .xlsx file (an old .xls must be saved as .xlsx first)"
    )


def read_sheet(
    content: bytes,
    filename: str,
    limits: Limits,
    is_header: Callable[[Sequence[str]], bool],
) -> Sheet:
    """The headings and data rows of the file's first sheet."""
    fmt = file_format(filename)
    if fmt == "xlsx":
        raw_rows = _xlsx_rows(content, filename, limits)
    else:
        raw_rows = _csv_rows(content, filename, limits)
    return _split_header(raw_rows, is_header)


def _split_header(
    raw_rows: list[tuple[int, list[Cell]]], is_header: Callable[[Sequence[str]], bool]
) -> Sheet:
    non_empty = [(n, cells) for n, cells in raw_rows if any(_blank(c) is False for c in cells)]
    if not non_empty:
        return Sheet(headings=[], header_row=0, rows=[])
    header_at = 0
    for index, (_, cells) in enumerate(non_empty[:HEADER_SEARCH_ROWS]):
        if is_header([_heading(c) for c in cells]):
            header_at = index
            break
    header_row, header_cells = non_empty[header_at]
    headings = [_heading(c) for c in header_cells]
    rows = [(n, cells) for n, cells in raw_rows if n > header_row]
    return Sheet(headings=headings, header_row=header_row, rows=rows)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _heading(cell: Cell) -> str:
    return "" if cell is None else " ".join(str(cell).split())


def _csv_rows(content: bytes, filename: str, limits: Limits) -> list[tuple[int, list[Cell]]]:
    if content.startswith(b"PK\x03\x04"):
        raise UnsupportedFile(f"{filename!r} is named .csv but is a zip/XLSX file: rename it")
    if b"\x00" in content:
        raise UnsupportedFile(f"{filename!r} is not a text file (it has NUL bytes)")
    text = _decode(content, filename)
    # The separator is the one the headings use; a title row above them may hold stray commas,
    # so judge by the line with the most separators among the first rows.
    head = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    delimiter = max((";", ",", "\t"), key=lambda d: max((line.count(d) for line in head),
                                                         default=0))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            if number > limits.max_rows + HEADER_SEARCH_ROWS:
                raise PayloadTooLarge(f"the file has more than {limits.max_rows} rows")
            rows.append((number, list(record)))
    except csv.Error as exc:
        raise UnsupportedFile(f"{filename!r} is not a readable CSV file: {exc}") from exc
    return rows


def _decode(content: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel on Swedish Windows saves CSV."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UnsupportedFile(
            f"{filename!r} is neither UTF-8 nor Windows-1252 text (byte {exc.start})"
        ) from exc
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if control > max(10, len(text) // 100):
        raise UnsupportedFile(f"{filename!r} is not a text file")
    return text


def _xlsx_rows(content: bytes, filename: str, limits: Limits) -> list[tuple[int, list[Cell]]]:
    if not content.startswith(b"PK\x03\x04"):
        raise UnsupportedFile(f"{filename!r} is named .xlsx but is not an Excel workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            uncompressed = sum(entry.file_size for entry in entries)
            names = {entry.filename for entry in entries}
    except zipfile.BadZipFile as exc:
        raise UnsupportedFile(f"{filename!r} is a damaged Excel workbook") from exc
    if uncompressed > limits.max_xlsx_uncompressed_bytes or len(entries) > 10_000:
        raise PayloadTooLarge(
            f"{filename!r} unpacks to {uncompressed} bytes, more than the limit of "
            f"{limits.max_xlsx_uncompressed_bytes}"
        )
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnsupportedFile(f"{filename!r} is a zip file but not an Excel workbook")

    from openpyxl import load_workbook  # imported here: only uploads of XLSX pay for it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise UnsupportedFile(f"{filename!r} could not be read as an Excel workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[Cell]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > limits.max_rows + HEADER_SEARCH_ROWS:
                raise PayloadTooLarge(f"the workbook has more than {limits.max_rows} rows")
            rows.append((number, [_xlsx_cell(v) for v in values]))
        return rows
    except (PayloadTooLarge, UnsupportedFile):
        raise
    except Exception as exc:
        raise UnsupportedFile(f"{filename!r} could not be read as an Excel workbook") from exc
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> Cell:
    """Excel numbers arrive as floats: through str, never Decimal(float), so 0.1 stays 0.1."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)
