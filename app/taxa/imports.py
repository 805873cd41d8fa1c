"""A price administrator's upload, end to end: read, validate, diff, and store a draft or nothing.

Shared by ``POST /v1/imports``, ``taxa import`` and the loading of the bundled 2025 taxa, so
there is one way in for a taxa.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from app.db import audit
from app.errors import FileRejected
from app.files import Cell, Limits, read_sheet
from app.taxa.export import FORMULA_STARTS
from app.taxa.schedules import create_draft, in_force, items_of
from pricing.diff import TaxaDiff, diff_taxa
from pricing.taxa import Item, Variant
from pricing.taxa_validation import (
    DISPLAY_NAMES,
    Finding,
    RawRow,
    ValidationResult,
    map_headings,
    validate_rows,
)


@dataclass(frozen=True)
class ImportOutcome:
    sha256: str
    validation: ValidationResult
    diff: TaxaDiff
    against_id: int | None
    schedule_id: int | None


def _looks_like_header(cells: Sequence[str]) -> bool:
    mapping, _, _ = map_headings(cells)
    return {"code", "price"} <= set(mapping.values())


def parse_taxa_file(content: bytes, filename: str, limits: Limits) -> ValidationResult:
    """Every finding about the file; raises only for what is not a readable spreadsheet."""
    sheet = read_sheet(content, filename, limits, _looks_like_header)
    if not sheet.headings:
        return ValidationResult((), (Finding(None, None, None, "the file is empty"),))
    mapping, missing, _unknown = map_headings(sheet.headings)
    if missing:
        return ValidationResult(
            (),
            tuple(
                Finding(
                    sheet.header_row,
                    DISPLAY_NAMES[c],
                    None,
                    f"missing column {DISPLAY_NAMES[c]!r} (or {c!r})",
                )
                for c in missing
            ),
        )
    names = {column: sheet.headings[index] for index, column in mapping.items()}
    rows = [
        RawRow(
            row=number,
            cells={
                column: _unneutralise(cells[index]) if index < len(cells) else None
                for index, column in mapping.items()
            },
        )
        for number, cells in sheet.rows
    ]
    screened, refused = _screen(rows, names)
    result = validate_rows(screened, names)
    extra = refused + _beyond_storage(result.items, names)
    if not extra:
        return result
    return replace(
        result, findings=tuple(sorted(result.findings + extra, key=lambda f: f.row or 0))
    )


# What the database stores (app.models.ScheduleItem): amounts as 64-bit öre, but no price is
# near that; a group name in 200 characters; a row number as a plain integer.
MAX_PRICE = Decimal("99999999.99")
MAX_GROUP = 200
_AMOUNT_CELL_LENGTH = 20  # "99 999 999,99 kr" is 16: longer is no price, and never parsed
_ROW_NUMBER = re.compile(r"^[0-9]{1,9}$")
_PLACEHOLDER = {"price": "0", "reference_price": None, "source_row": None}


def _screen(rows: list[RawRow], names: dict[str, str]) -> tuple[list[RawRow], tuple[Finding, ...]]:
    """Cells no validation rule should ever be handed (an amount of 4 000 digits, a row number
    written "²"): each is reported here, and validation sees a harmless placeholder instead, so
    it still reports the row's other problems."""
    refused: list[Finding] = []
    screened: list[RawRow] = []
    for raw in rows:
        cells = dict(raw.cells)
        for column, message in _refused_cells(cells):
            refused.append(
                Finding(raw.row, names.get(column, column), _shown(cells[column]), message)
            )
            cells[column] = _PLACEHOLDER[column]
        screened.append(RawRow(row=raw.row, cells=cells))
    return screened, tuple(refused)


def _refused_cells(cells: Mapping[str, object]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for column in ("price", "reference_price"):
        value = cells.get(column)
        if value is not None and len(str(value).strip()) > _AMOUNT_CELL_LENGTH:
            found.append((column, f"not an amount: at most {MAX_PRICE} kr"))
    row = cells.get("source_row")
    if row is not None and str(row).strip() and not _ROW_NUMBER.match(str(row).strip()):
        found.append(("source_row", "source_row is a whole row number (digits 0-9)"))
    return found


def _beyond_storage(items: Sequence[Item], names: dict[str, str]) -> tuple[Finding, ...]:
    found: list[Finding] = []
    for item in items:
        row = item.source_rows[0] if item.source_rows else None
        for column, amount in (("price", item.price), ("reference_price", item.reference_price)):
            if amount is not None and amount > MAX_PRICE:
                found.append(
                    Finding(
                        row,
                        names.get(column, column),
                        str(amount),
                        f"more than {MAX_PRICE} kr: is it a total?",
                    )
                )
        if len(item.group) > MAX_GROUP:
            found.append(
                Finding(
                    row,
                    names.get("group", "group"),
                    _shown(item.group),
                    f"an åtgärdsgrupp has at most {MAX_GROUP} characters",
                )
            )
    return tuple(found)


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _unneutralise(cell: Cell) -> Cell:
    """Undo export's guard against spreadsheet formulas ("'=..." back to "=...")."""
    if isinstance(cell, str) and len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def import_taxa(
    session: Session,
    *,
    content: bytes,
    filename: str,
    owner: str,
    name: str,
    variant: Variant,
    valid_from: date,
    dry_run: bool,
    actor: str,
    limits: Limits,
) -> ImportOutcome:
    sha256 = hashlib.sha256(content).hexdigest()
    validation = parse_taxa_file(content, filename, limits)
    if not validation.ok:
        raise FileRejected(
            f"{len(validation.errors)} problem(s) in {filename!r}; nothing was stored",
            problems=[finding_json(f) for f in validation.errors],
            warnings=[finding_json(f) for f in validation.warnings],
        )
    current = in_force(session, owner, variant, valid_from)
    old_items = items_of(session, current.id) if current and current.id else []
    diff = diff_taxa(old_items, validation.items)
    schedule_id = None
    if not dry_run:
        schedule = create_draft(
            session,
            owner=owner,
            name=name,
            variant=variant,
            valid_from=valid_from,
            items=validation.items,
            imported_by=actor,
            source_filename=filename,
            source_sha256=sha256,
            warnings=[finding_json(f) for f in validation.warnings],
        )
        schedule_id = schedule.id
        audit(
            session,
            actor=actor,
            action="import",
            target=f"schedule:{schedule_id}",
            sha256=sha256,
            filename=filename,
            owner=owner,
            name=name,
            variant=variant.value,
            valid_from=valid_from,
            items=len(validation.items),
            rows=validation.row_count,
            warnings=len(validation.warnings),
        )
    return ImportOutcome(sha256, validation, diff, current.id if current else None, schedule_id)


def finding_json(f: Finding) -> dict[str, object]:
    return {"row": f.row, "column": f.column, "value": f.value, "message": f.message}
