"""Validating the rows of an uploaded volume file: every problem in one pass, nothing raised.

A volume file is the clinic system's statistics of billed åtgärder: one row per code, usually
per clinic (``Klinik``) and patient category (``Patientkategori``) too. The service sums the
volumes per code; the deviation analysis (:mod:`pricing.deviation`) takes those sums.

The file layer (``app/spreadsheet.py``) turns a CSV or XLSX into :class:`RawRow` values whose
keys are the canonical columns below; this module decides what is a valid volume file. It
accepts the headings a price administrator writes (``Åtgärd``/``Kod``/``code``,
``Volym``/``Antal``/``volume``, a year after a heading is ignored: ``Volym 2024``) and Swedish
spreadsheet habits: thousands separated by a space, a non-breaking or a thin space (``1 234``).

A volume is a count of billed units (åtgärder, minutes, kronor of material: the item's unit),
so a whole number ≥ 0. Decimals are refused rather than rounded: "1,5" may be a decimal comma
or a thousands comma, and either way the file is not what the analysis needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pricing.taxa_validation import (
    CODE_PATTERN,
    Finding,
    RawRow,
    Severity,
    map_headings,
)

# Canonical column → the normalised headings that mean it (see normalise_heading).
VOLUME_HEADINGS: dict[str, tuple[str, ...]] = {
    "code": ("code", "åtgärd", "åtgärdskod", "kod"),
    "volume": ("volume", "volym", "antal", "antalåtgärder"),
    "clinic": ("clinic", "klinik", "mottagning"),
    "patient_category": ("patient_category", "patientkategori", "patientgrupp"),
}
REQUIRED_VOLUME_COLUMNS = ("code", "volume")
VOLUME_DISPLAY_NAMES = {
    "code": "Åtgärd",
    "volume": "Volym",
    "clinic": "Klinik",
    "patient_category": "Patientkategori",
}
# A single cell above this is a mistake (an amount in kronor pasted into the count column,
# a row of totals): the largest plausible regional volume, kronor of material included, is
# orders of magnitude smaller.
MAX_VOLUME = 1_000_000_000
TOTAL_ROW_WORDS = frozenset({"summa", "total", "totalt", "totals", "sum"})

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_WHOLE = re.compile(r"^[-\u2212]?\d+$")
_DECIMAL = re.compile(r"^[-\u2212]?\d*[.,]\d+$")

Cell = str | int | Decimal | None


@dataclass(frozen=True)
class VolumeValidation:
    """Volumes summed per code (in the order codes first appear), and every finding."""

    totals: Mapping[str, int]
    findings: tuple[Finding, ...]
    row_count: int
    clinics: tuple[str, ...]
    patient_categories: tuple[str, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_volume(self) -> int:
        return sum(self.totals.values())


def map_volume_headings(headings: Sequence[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """Which canonical column each heading is: (index → column, missing columns, unknown ones)."""
    return map_headings(headings, VOLUME_HEADINGS, REQUIRED_VOLUME_COLUMNS)


class VolumeCellError(ValueError):
    """A cell that is not a whole number of billed units ≥ 0."""


def parse_volume(cell: Cell) -> int:
    """A volume from a cell: 1234, "1234", "1 234", "1\u00a0234", Decimal("12").

    Floats never reach this function: the file layer turns an Excel number into ``str(value)``
    first (12.0 arrives as "12"), so 12.5 arrives as "12.5" and is refused for its decimals.
    """
    if cell is None:
        raise VolumeCellError("empty volume: write 0 for none")
    if isinstance(cell, bool):
        raise VolumeCellError("not a number")
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, Decimal):
        if not cell.is_finite():
            raise VolumeCellError("not a number")
        if cell != cell.to_integral_value():
            raise VolumeCellError("decimals: a volume is a whole number of billed units")
        value = int(cell)
    else:
        text = _SPACES.sub("", cell)
        if not text:
            raise VolumeCellError("empty volume: write 0 for none")
        if _DECIMAL.match(text):
            raise VolumeCellError(
                "decimals: a volume is a whole number of billed units (write 1234 or 1 234)"
            )
        if not _WHOLE.match(text):
            raise VolumeCellError("not a number")
        value = int(text.replace("\u2212", "-"))
    if value < 0:
        raise VolumeCellError("negative volume")
    if value > MAX_VOLUME:
        raise VolumeCellError(
            f"more than {MAX_VOLUME:_} in one row: is it an amount or a total?".replace("_", " ")
        )
    return value


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    return _SPACES.sub(" ", str(cell)).strip()


def validate_volume_rows(
    rows: Sequence[RawRow], column_names: Mapping[str, str]
) -> VolumeValidation:
    """Check every row and sum the volumes per code; return every finding.

    ``column_names`` maps canonical column → the heading as the file wrote it, for messages.
    Codes are compared in upper case (``103s`` is ``103S``, with a warning). Two rows with the
    same code, clinic and patient category are summed, with a warning (a pasted block twice?).
    """
    findings: list[Finding] = []
    totals: dict[str, int] = {}
    seen: dict[tuple[str, str, str], int] = {}
    clinics: dict[str, None] = {}
    categories: dict[str, None] = {}

    def name(column: str) -> str:
        return column_names.get(column, VOLUME_DISPLAY_NAMES[column])

    def error(row: int, column: str, value: Cell, message: str) -> None:
        findings.append(Finding(row, name(column), None if value is None else str(value), message))

    def warn(row: int, column: str | None, value: str | None, message: str) -> None:
        findings.append(
            Finding(row, name(column) if column else None, value, message, Severity.WARNING)
        )

    data_rows = 0
    for raw in rows:
        cells = raw.cells
        if all(_text(v) == "" for v in cells.values()):
            continue  # blank lines are not rows
        data_rows += 1
        n = raw.row
        ok = True

        written = _text(cells.get("code"))
        code = written.upper()
        if not code:
            error(n, "code", None, "empty code: every row needs its åtgärd code")
            ok = False
        elif code.casefold() in TOTAL_ROW_WORDS:
            error(
                n,
                "code",
                written,
                "a row of totals: remove it, the service sums the volumes per code",
            )
            ok = False
        elif not CODE_PATTERN.match(code):
            error(n, "code", written, "a code is 1–12 letters and digits (e.g. 101, 103S, A11)")
            ok = False

        volume = 0
        try:
            volume = parse_volume(cells.get("volume"))
        except VolumeCellError as exc:
            error(n, "volume", cells.get("volume"), str(exc))
            ok = False

        clinic = _text(cells.get("clinic"))
        category = _text(cells.get("patient_category"))
        if not ok:
            continue
        if written != code:
            warn(n, "code", written, f"code {written!r} read as {code!r}")
        if clinic:
            clinics.setdefault(clinic, None)
        if category:
            categories.setdefault(category, None)
        key = (code, clinic, category)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = n
        else:
            where = ", ".join(x for x in (clinic, category) if x)
            warn(
                n,
                None,
                None,
                f"code {code}{' (' + where + ')' if where else ''} also on row {earlier}: "
                "the volumes are summed",
            )
        totals[code] = totals.get(code, 0) + volume

    if data_rows == 0:
        findings.append(Finding(None, None, None, "the file has no rows of volumes"))
    return VolumeValidation(
        totals=totals,
        findings=tuple(findings),
        row_count=data_rows,
        clinics=tuple(clinics),
        patient_categories=tuple(categories),
    )
