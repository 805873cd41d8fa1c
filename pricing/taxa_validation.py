"""Validating the rows of an uploaded taxa: every problem in one pass, nothing raised for a finding.

The file layer (``app/spreadsheet.py``) turns a CSV or XLSX into :class:`RawRow` values whose keys
are the canonical column names below; this module decides what is a valid taxa. It accepts the
region's own headings (``ATV-kod eller STV-kod``, ``FTV pris 2025`` …) and the service's export
format (``data/FORMAT.md``), and Swedish spreadsheet habits in amounts (decimal comma, thousands
separated by space or non-breaking space).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, StrEnum

from pricing.money import MoneyError, money
from pricing.taxa import Category, Item, Kind, Unit
from pricing.units import infer_unit

# Canonical column → the normalised headings that mean it (see normalise_heading).
HEADINGS: dict[str, tuple[str, ...]] = {
    "category": ("category", "atv-kodellerstv-kod", "kategori"),
    "group": ("group", "åtgärdsgrupp"),
    "kind": ("kind", "extern/internkod", "extern/intern"),
    "code": ("code", "åtgärd", "kod"),
    "text": ("text", "åtgärdstext"),
    "price": ("price", "ftvpris", "pris"),
    "reference_price": ("reference_price", "referenspris"),
    "unit": ("unit", "enhet"),
    "source_row": ("source_row",),
}
REQUIRED_COLUMNS = ("category", "kind", "code", "text", "price", "reference_price")

# What a price administrator would call each column in a message when the file has no heading.
DISPLAY_NAMES = {
    "category": "ATV-kod eller STV-kod",
    "group": "Åtgärdsgrupp",
    "kind": "Extern / intern kod",
    "code": "Åtgärd",
    "text": "Åtgärdstext",
    "price": "FTV pris",
    "reference_price": "Referenspris",
    "unit": "unit",
    "source_row": "source_row",
}

NEW_CODE_MARK = "ny kod"  # the region writes "Ny kod" in the category column of a codeless row
CODE_PATTERN = re.compile(r"^[A-Za-z0-9]{1,12}$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")

Cell = str | int | Decimal | None


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem with one cell (or row, or the whole file when row is None)."""

    row: int | None
    column: str | None
    value: str | None
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class RawRow:
    """One data row as the spreadsheet has it: its row number and cells by canonical column."""

    row: int
    cells: Mapping[str, Cell]


@dataclass(frozen=True)
class ValidationResult:
    items: tuple[Item, ...]
    findings: tuple[Finding, ...]
    row_count: int = 0

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_heading(heading: str) -> str:
    """Lower case, without spaces and without the year, so "FTV pris 2025" → "ftvpris"."""
    text = _SPACES.sub("", heading.strip().lower())
    return re.sub(r"\d{4}$", "", text)


def map_headings(
    headings: Sequence[str],
    known: Mapping[str, tuple[str, ...]] = HEADINGS,
    required: Sequence[str] = REQUIRED_COLUMNS,
) -> tuple[dict[int, str], list[str], list[str]]:
    """Which canonical column each heading is: (index → column, missing columns, unknown ones).

    ``known`` maps each canonical column to its normalised headings; the taxa's by default.
    """
    by_heading = {alias: column for column, aliases in known.items() for alias in aliases}
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, heading in enumerate(headings):
        if heading is None or not str(heading).strip():
            continue
        column = by_heading.get(normalise_heading(str(heading)))
        if column is None or column in mapping.values():
            unknown.append(str(heading))
        else:
            mapping[index] = column
    missing = [c for c in required if c not in mapping.values()]
    return mapping, missing, unknown


class AmountError(ValueError):
    """A cell that is not an amount of kronor with at most two decimals."""


def parse_amount(cell: Cell) -> Decimal:
    """An exact amount from a cell: "1 100", "1\u00a0100,50", "1100.50", 1100 or a Decimal.

    Floats never reach this function: the file layer turns an Excel number into ``str(value)``
    first, so a float artefact such as 12.300000000000001 is refused for its decimals.
    """
    if cell is None:
        raise AmountError("empty")
    if isinstance(cell, bool):
        raise AmountError("not a number")
    if isinstance(cell, int):
        amount = Decimal(cell)
    elif isinstance(cell, Decimal):
        amount = cell
    else:
        text = _SPACES.sub("", cell)
        if text.lower().endswith("kr"):
            text = text[:-2]
        if not text:
            raise AmountError("empty")
        if "," in text and "." in text:
            raise AmountError("both decimal comma and point: write e.g. 1100,50")
        text = text.replace(",", ".").replace("\u2212", "-")
        if not _AMOUNT.match(text):
            raise AmountError("not a number")
        try:
            amount = money(text)
        except MoneyError as exc:  # pragma: no cover - the pattern already rules it out
            raise AmountError("not a number") from exc
    if not amount.is_finite():
        raise AmountError("not a number")
    if amount < 0:
        raise AmountError("negative")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise AmountError("more than two decimals")
    return amount.quantize(Decimal("0.01"))


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    return _SPACES.sub(" ", str(cell)).strip()


@dataclass
class _Pending:
    """Rows with the same key, gathered before they become one Item."""

    first_row: int
    code: str | None
    category: Category | None
    group: str
    kind: Kind
    price: Decimal
    reference_price: Decimal | None
    unit: Unit
    texts: list[str] = field(default_factory=list)
    source_rows: list[int] = field(default_factory=list)


def validate_rows(rows: Sequence[RawRow], column_names: Mapping[str, str]) -> ValidationResult:
    """Check every row and gather rows with one code into one item; return every finding.

    ``column_names`` maps canonical column → the heading as the file wrote it, for messages.
    """
    findings: list[Finding] = []
    pending: dict[str, _Pending] = {}
    seen_rows: dict[tuple[str, ...], int] = {}

    def name(column: str) -> str:
        return column_names.get(column, DISPLAY_NAMES[column])

    def error(row: int, column: str, value: Cell, message: str) -> None:
        shown = None if value is None else str(value)
        findings.append(Finding(row, name(column), shown, message))

    def warn(row: int, column: str | None, value: Cell, message: str) -> None:
        shown = None if value is None else str(value)
        col = name(column) if column else None
        findings.append(Finding(row, col, shown, message, Severity.WARNING))

    data_rows = 0
    for raw in rows:
        cells = raw.cells
        if all(_text(v) == "" for v in cells.values()):
            continue  # blank lines between blocks are not rows
        data_rows += 1
        n = raw.row
        before = len(findings)

        category_text = _text(cells.get("category"))
        code = _text(cells.get("code"))
        new_code_row = category_text.lower() == NEW_CODE_MARK
        category: Category | None = None
        if new_code_row:
            if code:
                error(n, "code", code, 'a "Ny kod" row has no code yet: leave Åtgärd empty')
        elif category_text.upper() in ("A", "S"):
            category = Category(category_text.upper())
        elif category_text == "" and code == "":
            pass  # a codeless row exported by this service: no category either
        else:
            error(
                n,
                "category",
                category_text or None,
                "unknown category: write A (allmäntandvård) or S (specialisttandvård)",
            )

        if code and not CODE_PATTERN.match(code):
            error(n, "code", code, "a code is 1–12 letters and digits (e.g. 101, 103S, A11)")

        kind_text = _text(cells.get("kind")).lower()
        kind: Kind | None
        if kind_text in ("extern", "intern"):
            kind = Kind(kind_text)
        elif kind_text == "" and not code:
            kind = Kind.INTERN  # "Ny kod" rows: an item without a TLV code is always intern
        else:
            kind = None
            error(n, "kind", cells.get("kind"), "write Extern or Intern")
        if kind is Kind.EXTERN and not code:
            error(n, "code", None, "an extern row needs its TLV code")

        text = _text(cells.get("text"))
        if not text:
            error(n, "text", None, "empty åtgärdstext")

        price: Decimal | None = None
        try:
            price = parse_amount(cells.get("price"))
        except AmountError as exc:
            error(n, "price", cells.get("price"), f"price: {exc}")

        reference: Decimal | None = None
        ref_cell = cells.get("reference_price")
        if _text(ref_cell) != "":
            try:
                reference = parse_amount(ref_cell)
            except AmountError as exc:
                error(n, "reference_price", ref_cell, f"referenspris: {exc}")
            if kind is Kind.INTERN:
                error(
                    n,
                    "reference_price",
                    ref_cell,
                    "an intern code has no referenspris: leave it empty or mark the row Extern",
                )
        elif kind is Kind.EXTERN:
            error(n, "reference_price", ref_cell, "an extern row needs its referenspris")

        unit_text = _text(cells.get("unit"))
        unit = infer_unit(text)
        if unit_text:
            try:
                unit = Unit(unit_text.lower())
            except ValueError:
                error(n, "unit", unit_text, "unknown unit: " + ", ".join(u.value for u in Unit))

        source_rows = [n]
        src = _text(cells.get("source_row"))
        if src:
            if src.isdigit():
                source_rows = [int(src)]
            else:
                error(n, "source_row", src, "source_row is a whole row number")

        if len(findings) > before and any(f.severity is Severity.ERROR for f in findings[before:]):
            continue
        assert kind is not None and price is not None  # no error above means both were read

        signature = (
            code,
            category_text.upper(),
            _text(cells.get("group")),
            kind.value,
            text,
            str(price),
            str(reference),
            unit.value,
        )
        duplicate_of = seen_rows.get(signature)
        if duplicate_of is None:
            seen_rows[signature] = n

        group = _text(cells.get("group"))
        key = code if code else f"(ny kod) {text}"
        existing = pending.get(key)
        if existing is None:
            pending[key] = _Pending(
                n,
                code or None,
                category,
                group,
                kind,
                price,
                reference,
                unit,
                [text],
                list(source_rows),
            )
            continue
        conflicts = [
            ("price", price, existing.price),
            ("reference_price", reference, existing.reference_price),
            ("category", category, existing.category),
            ("kind", kind, existing.kind),
        ]
        clashed = False
        for column, value, first in conflicts:
            if value != first:
                clashed = True
                shown = value.value if isinstance(value, Enum) else value
                was = first.value if isinstance(first, Enum) else first
                error(
                    n,
                    column,
                    None if shown is None else str(shown),
                    f"code {code} has {was} on row {existing.first_row}: one code, one value",
                )
        if clashed:
            continue
        if duplicate_of is not None:
            warn(n, None, None, f"exact duplicate of row {duplicate_of}: one item, both rows kept")
        elif text not in existing.texts:
            warn(
                n,
                "text",
                text,
                f"code {code} also on row {existing.first_row} with another text at the same "
                "price: kept as an alternative text",
            )
        existing.texts.append(text)
        existing.source_rows.extend(source_rows)

    if data_rows == 0:
        findings.append(Finding(None, None, None, "the file has no rows of taxa"))

    items = tuple(
        Item(
            code=p.code,
            category=p.category,
            group=p.group,
            kind=p.kind,
            texts=tuple(p.texts),
            price=p.price,
            reference_price=p.reference_price,
            unit=p.unit,
            source_rows=tuple(p.source_rows),
        )
        for p in pending.values()
    )
    return ValidationResult(items=items, findings=tuple(findings), row_count=data_rows)
