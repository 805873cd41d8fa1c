"""Reading an uploaded CSV or XLSX into rows of cells, defensively and within bounds.

This is the only place that touches file formats. It refuses, with a clear 4xx, what is not a
spreadsheet (binary garbage, a file that is not what its name says), what is too big (bytes,
rows, columns, cells, uncompressed XLSX size, reading time), and hands every other row on,
numbered as the price administrator sees it in Excel, for validation to judge.

An XLSX sheet is read here, not by openpyxl: openpyxl's streaming mode trusts the sheet's
declared ``<dimension>`` and pads every row to it, so a 1.5 KB file declaring A1:XFD1048576
with one far cell costs minutes of CPU and gigabytes. This reader streams the sheet's XML with
defusedxml (no entity expansion), keeps one cell in memory at a time, never looks at the declared
dimension, and stops at the first cell, row or column past a limit, or when the time is up.
Cells are read as Excel stores them: numbers, shared and inline strings, booleans, cached
formula results; a date cell arrives as its serial number (no file read here has dates).
"""

from __future__ import annotations

import csv
import io
import posixpath
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from defusedxml.ElementTree import iterparse

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
    """What one file may hold. Rows are data rows (title rows above the headings are extra)."""

    max_rows: int
    max_xlsx_uncompressed_bytes: int
    max_columns: int = 100
    max_cells: int = 500_000  # cells parsed, empty ones included: what reading costs
    max_seconds: float = 20.0

    @classmethod
    def of(cls, settings: Any) -> Limits:
        """The limits an :class:`app.config.Settings` sets."""
        return cls(
            settings.max_rows,
            settings.max_xlsx_uncompressed_bytes,
            settings.max_columns,
            settings.max_cells,
            settings.max_read_seconds,
        )


class _Budget:
    """Counts the cells read and the time spent; raises 413 past either limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        self.started = time.monotonic()
        self.last_row = limits.max_rows + HEADER_SEARCH_ROWS

    def cell(self) -> None:
        self.cells += 1
        if self.cells > self.limits.max_cells:
            raise PayloadTooLarge(
                f"the file has more than {self.limits.max_cells} cells (the limit)"
            )
        if self.cells % 1024 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.limits.max_seconds:
            raise PayloadTooLarge(
                f"the file took longer than {self.limits.max_seconds:g} s to read (the limit)"
            )

    def row(self, number: int) -> None:
        if number > self.last_row:
            raise PayloadTooLarge(f"the file has more than {self.limits.max_rows} rows (the limit)")

    def column(self, number: int) -> None:
        if number > self.limits.max_columns:
            raise PayloadTooLarge(
                f"the file has more than {self.limits.max_columns} columns (the limit)"
            )


def file_format(filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise UnsupportedFile(
        f"{filename!r}: upload a .csv or .xlsx file (an old .xls must be saved as .xlsx first)"
    )


def read_rows(content: bytes, filename: str, limits: Limits) -> list[tuple[int, list[Cell]]]:
    """Every row of the file's first sheet that has a value, as (row number, cells)."""
    budget = _Budget(limits)
    if file_format(filename) == "xlsx":
        return _xlsx_rows(content, filename, limits, budget)
    return _csv_rows(content, filename, budget)


def read_sheet(
    content: bytes,
    filename: str,
    limits: Limits,
    is_header: Callable[[Sequence[str]], bool],
) -> Sheet:
    """The headings and data rows of the file's first sheet."""
    return _split_header(read_rows(content, filename, limits), is_header)


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


# --- CSV ---------------------------------------------------------------------------------------


def _csv_rows(content: bytes, filename: str, budget: _Budget) -> list[tuple[int, list[Cell]]]:
    if content.startswith(b"PK\x03\x04"):
        raise UnsupportedFile(f"{filename!r} is named .csv but is a zip/XLSX file: rename it")
    if b"\x00" in content:
        raise UnsupportedFile(f"{filename!r} is not a text file (it has NUL bytes)")
    text = _decode(content, filename)
    # The separator is the one the headings use; a title row above them may hold stray commas,
    # so judge by the line with the most separators among the first rows.
    head = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    delimiter = max(
        (";", ",", "\t"), key=lambda d: max((line.count(d) for line in head), default=0)
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            for _ in record:
                budget.cell()
            filled = [index for index, cell in enumerate(record, start=1) if cell.strip()]
            if filled:  # empty rows and trailing separators count against no limit
                budget.row(number)
                budget.column(filled[-1])
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


# --- XLSX --------------------------------------------------------------------------------------


_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_SHARED_STRINGS = "xl/sharedStrings.xml"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_STRICT_RELATIONSHIP_ID = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"


class _Damaged(Exception):
    """The workbook's XML is not what an XLSX has."""


def _local(tag: str) -> str:
    """An element's name without its namespace (transitional and strict OOXML alike)."""
    return tag.rsplit("}", 1)[-1]


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _xlsx_rows(
    content: bytes, filename: str, limits: Limits, budget: _Budget
) -> list[tuple[int, list[Cell]]]:
    if not content.startswith(b"PK\x03\x04"):
        raise UnsupportedFile(f"{filename!r} is named .xlsx but is not an Excel workbook")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise UnsupportedFile(f"{filename!r} is a damaged Excel workbook") from exc
    with archive:
        entries = archive.infolist()
        uncompressed = sum(entry.file_size for entry in entries)
        names = {entry.filename for entry in entries}
        if uncompressed > limits.max_xlsx_uncompressed_bytes or len(entries) > 10_000:
            raise PayloadTooLarge(
                f"{filename!r} unpacks to {uncompressed} bytes, more than the limit of "
                f"{limits.max_xlsx_uncompressed_bytes}"
            )
        if "[Content_Types].xml" not in names or _WORKBOOK not in names:
            raise UnsupportedFile(f"{filename!r} is a zip file but not an Excel workbook")
        try:
            sheet_path = _first_sheet_path(archive, names)
            shared = _shared_strings(archive, names, budget)
            with archive.open(sheet_path) as source:
                return list(_sheet_rows(source, shared, budget))
        except (PayloadTooLarge, UnsupportedFile):
            raise
        except Exception as exc:  # a broken zip member or XML: zlib, ParseError, KeyError, ...
            raise UnsupportedFile(f"{filename!r} could not be read as an Excel workbook") from exc


def _first_sheet_path(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The part name of the workbook's first sheet, by the workbook's own relationships."""
    relationship = None
    with archive.open(_WORKBOOK) as source:
        for _, element in iterparse(source):
            if _local(element.tag) == "sheet":
                relationship = element.get(_RELATIONSHIP_ID) or element.get(_STRICT_RELATIONSHIP_ID)
                break
    if relationship is None or _WORKBOOK_RELS not in names:
        raise _Damaged("no sheet")
    with archive.open(_WORKBOOK_RELS) as source:
        for _, element in iterparse(source):
            if _local(element.tag) == "Relationship" and element.get("Id") == relationship:
                target = element.get("Target") or ""
                path = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target))
                )
                if path in names:
                    return path
                break
    raise _Damaged("the first sheet is missing")


def _shared_strings(archive: zipfile.ZipFile, names: set[str], budget: _Budget) -> list[str]:
    """The workbook's shared strings; each counts as a cell against the limit."""
    if _SHARED_STRINGS not in names:
        return []
    strings: list[str] = []
    with archive.open(_SHARED_STRINGS) as source:
        for _, element in iterparse(source):
            if _local(element.tag) == "si":
                budget.cell()
                strings.append(_text_of(element))
                element.clear()
    return strings


def _text_of(element: Any) -> str:
    """The text of a string item (<si> or <is>): its runs, without phonetic guides (<rPh>)."""
    parts: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _sheet_rows(
    source: IO[bytes], shared: list[str], budget: _Budget
) -> Iterator[tuple[int, list[Cell]]]:
    """Rows with at least one value. Only end events are handled (half the events to loop
    over), and each element is cleared as soon as it is read: what is left of a row until its
    end is a list of empty elements, at most ``max_cells`` of them."""
    row_number = 0
    cells: dict[int, Cell] = {}
    column = 0
    tags: _Tags | None = None
    columns: dict[str, int] = {}  # "AB" → 28, computed once per column
    for _, element in iterparse(source):
        tag = element.tag
        if tags is None:
            tags = _Tags(tag[: tag.index("}") + 1] if tag.startswith("{") else "")
        if tag == tags.cell:
            budget.cell()
            ref = element.get("r")
            letters = ref.rstrip("0123456789") if ref else ""
            if 0 < len(letters) <= 3 and letters.isalpha() and letters.isascii():
                found = columns.get(letters)
                if found is None:
                    found = columns[letters] = _column_number(letters)
                column = found
            else:
                column += 1
            value = _cell_value(element, shared, tags)
            element.clear()
            if value is not None:
                budget.column(column)
                cells[column] = value
        elif tag == tags.row:
            budget.cell()  # an empty row costs a little too: a million of them is refused
            given = element.get("r")
            row_number = int(given) if given and given.isdigit() else row_number + 1
            element.clear()
            if cells:
                budget.row(row_number)
                yield row_number, [cells.get(i) for i in range(1, max(cells) + 1)]
            cells, column = {}, 0
            budget.check_time()


@dataclass(frozen=True)
class _Tags:
    """The sheet's element names in its namespace (transitional or strict OOXML)."""

    namespace: str

    @property
    def cell(self) -> str:
        return self.namespace + "c"

    @property
    def row(self) -> str:
        return self.namespace + "row"

    @property
    def value(self) -> str:
        return self.namespace + "v"

    @property
    def inline(self) -> str:
        return self.namespace + "is"


def _cell_value(element: Any, shared: list[str], tags: _Tags) -> Cell:
    kind = element.get("t", "n")
    if kind == "inlineStr":
        inline = element.find(tags.inline)
        return None if inline is None else _text_of(inline)
    raw = element.findtext(tags.value)
    if not raw:  # no <v>, or an empty one (a formula openpyxl saved without its result)
        return None
    if kind == "s":
        return shared[int(raw)]
    if kind == "b":
        return str(raw.strip() == "1")
    if kind == "n":
        return _number(raw.strip())
    return str(raw)  # str (a formula's text), e (an error such as #N/A), d (an ISO date)


def _number(text: str) -> Cell:
    """Excel stores doubles: through float and its shortest repr, so 0.1 stays 0.1 (never
    Decimal(float)), and a whole number arrives as an int."""
    if not any(ch in text for ch in ".eE"):
        try:
            return int(text) if len(text) <= 20 else text  # longer: validation refuses it
        except ValueError:
            return text
    try:
        value = float(text)
    except ValueError:
        return text
    if value != value or value in (float("inf"), float("-inf")):
        return text
    shortest = repr(value)
    if value.is_integer() and abs(value) < 1e16:
        return int(value)
    return shortest
