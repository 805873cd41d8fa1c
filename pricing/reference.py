"""TLV's reference price list as a value: reading it as TLV publishes it, mapping the region's
codes onto it, checking a taxa against it, and the list's own year-on-year rise.

Why a list of its own: the reference price of an åtgärd is the one in TLV's föreskrift in force on
the day the åtgärd is completed (HSLF-FS 2024:11 from 2025-01-15, HSLF-FS 2025:68 from 2026-01-01,
HSLF-FS 2026:22 from 2027-01-15), whatever the clinic's own taxa prints in its referenspris
column. So the list carries its own dates, and a taxa is checked against it, not the other way.

**Reading.** The file layer (``app/``) reads an XLSX or CSV and hands over rows of cell
values (``str``, ``int``, ``float`` from a spreadsheet, ``Decimal`` or ``None``).
:func:`parse_reference_rows` takes the whole sheet (title rows above the headings are skipped),
:func:`parse_reference_sheet` takes headings and numbered rows already split (as
``app.files.read_sheet`` does, with :func:`is_reference_header` as its header test). Both
accept TLV's file as published (see ``data/reference/README.md``): headings with a date and
irregular spacing (``Referenspris allmäntandvård   fr o m 1 jan 2026``), ``Åtgärdsnummer`` as
an Excel number (``101`` or ``101.0``), prices as *text* cells (``"1100"``), ``-`` for "no
price in this column", trailing empty columns. Every problem is collected and raised at once
in one :class:`ReferenceListError` (row as the spreadsheet numbers it, column as the file names
it, the value, a message); nothing half-read is returned.

Prices (general, specialist) are whole öre: more than two decimals is refused, as in a taxa. The
``Tandteknisk kostnad`` column is TLV's *calculation* figure (e.g. ``26.92826271744``), not a
price anyone pays, so it is kept exactly as published, any number of decimals. The ``Dentalt
material …`` column is a description of the material (``"Komposit"``), kept as text.

**Mapping** (``domain.md`` §1, §3): TLV lists one code with two prices, general and specialist;
the region writes the specialist price as its own code with an ``S`` (``103S``). Other trailing
letters (``541H``, ``861L``, ``861SL``) are the region's variants of the same TLV åtgärd; their
meaning is not stated in the decision, so each is mapped *and* reported for the administrator to
confirm. See :func:`map_code`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from pricing.errors import PricingError
from pricing.money import percent_change
from pricing.taxa import Item, Kind
from pricing.taxa_validation import AmountError, Finding, parse_amount

HEADER_SEARCH_ROWS = 20  # as app.files: a title row or two may sit above the headings
ABSENT_MARKS = frozenset({"", "-", "\u2013", "\u2014", "\u2212"})  # "-" and its typographic kin


class Column(StrEnum):
    """Which of TLV's two reference prices: allmäntandvård or specialisttandvård."""

    GENERAL = "general"
    SPECIALIST = "specialist"


class ReferenceListError(PricingError):
    """A reference list that cannot be read or built; ``problems`` holds every problem found.

    Each problem is a :class:`~pricing.taxa_validation.Finding` (row, column, value, message):
    the same shape as a taxa upload's, so ``app/`` answers both alike.
    """

    def __init__(self, message: str, problems: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Finding, ...] = tuple(problems)


class ReferenceCodeError(PricingError):
    """A code that is not a TLV åtgärd (or not the one asked about)."""


@dataclass(frozen=True)
class ReferenceEntry:
    """One TLV åtgärd of a list. Either price may be absent (TLV's ``-``).

    ``technical`` is TLV's dental-technical cost in the calculation of the reference price
    (exact, as published); ``material`` the dental material TLV's price assumes (text). ``row``
    is the spreadsheet row the entry came from, when it came from a file.
    """

    code: str
    name: str
    general: Decimal | None
    specialist: Decimal | None
    technical: Decimal | None = None
    material: str | None = None
    row: int | None = None

    def price(self, column: Column) -> Decimal | None:
        return self.general if column is Column.GENERAL else self.specialist


@dataclass(frozen=True)
class ReferenceList:
    """A reference list: TLV codes → entries, in the file's order, with its dates.

    ``valid_to`` is the last day in force (inclusive), None while open-ended. ``stated_valid_from``
    is the date the file's own headings state (``fr o m 1 jan 2026``), None when they state none;
    ``notes`` are what the reader noticed without refusing (skipped title rows, ignored columns,
    a stated date that differs from ``valid_from``). ``source`` names where the list comes from.
    """

    entries: Mapping[str, ReferenceEntry]
    name: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    stated_valid_from: date | None = None
    source: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (
            self.valid_from is not None
            and self.valid_to is not None
            and self.valid_to < self.valid_from
        ):
            raise ReferenceListError(
                f"valid_to {self.valid_to} is before valid_from {self.valid_from}",
                [
                    Finding(
                        None,
                        "valid_to",
                        self.valid_to.isoformat(),
                        f"before valid_from {self.valid_from}",
                    )
                ],
            )
        for code, entry in self.entries.items():
            if code != entry.code:
                raise ReferenceListError(f"entry {entry.code} is filed under {code}")

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, code: str) -> ReferenceEntry | None:
        return self.entries.get(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.entries)

    def in_force(self, on: date) -> bool:
        """Whether the list is in force on ``on`` (valid_from and valid_to both inclusive)."""
        if self.valid_from is None or on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to

    def price_for(self, region_code: str) -> Decimal | None:
        """The reference price of a region's code in this list (see :func:`map_code`), or None
        when the code is not a TLV code, the list lacks it, or the column is ``-``."""
        mapping = map_code(region_code)
        if mapping is None:
            return None
        entry = self.entries.get(mapping.tlv_code)
        return None if entry is None else entry.price(mapping.column)


def lists_overlap(a: ReferenceList, b: ReferenceList) -> bool:
    """Whether two lists are in force on a common day (an open end runs forever).

    A list without valid_from overlaps nothing: it is not dated yet.
    """
    if a.valid_from is None or b.valid_from is None:
        return False
    a_end = a.valid_to or date.max
    b_end = b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def list_in_force(lists: Iterable[ReferenceList], on: date) -> ReferenceList | None:
    """The list in force on ``on``, None when no list covers the day.

    Raises :class:`ReferenceListError` when two lists cover the day: stored lists must never
    overlap, and guessing which one applies would put a wrong reference price in a quote.
    """
    found = [lst for lst in lists if lst.in_force(on)]
    if len(found) > 1:
        names = ", ".join(lst.name or "(unnamed)" for lst in found)
        raise ReferenceListError(f"{len(found)} reference lists are in force on {on}: {names}")
    return found[0] if found else None


# --- mapping a region's code to TLV's -----------------------------------------------------------

_REGION_CODE = re.compile(r"(\d{1,5})(S?)([A-Z]*)")


@dataclass(frozen=True)
class CodeMapping:
    """How a region's code reads in TLV's list: the åtgärd, the column, and any variant letters.

    ``variant`` is the trailing letters other than the specialist ``S`` (``"H"`` for ``541H`` and
    ``541SH``, ``"L"`` for ``861L``), None for a plain code. A variant is the region's own
    distinction of the same TLV åtgärd; its meaning is not stated, so it is a finding to confirm.
    """

    region_code: str
    tlv_code: str
    column: Column
    variant: str | None = None

    @property
    def is_variant(self) -> bool:
        return self.variant is not None


def map_code(region_code: str) -> CodeMapping | None:
    """TLV's åtgärd and column for a region's code, or None when it is not a TLV-shaped code.

    The digits are TLV's åtgärd (leading zeros dropped: TLV numbers its åtgärder as numbers);
    an ``S`` right after them picks the specialist column; any letters after that are a variant
    (``541H`` → 541 general, variant H; ``861SL`` → 861 specialist, variant L). Letters are read
    in upper case. A code that does not start with digits (``A11``, ``O001``, ``ASYL``) is the
    region's own and has no TLV counterpart.
    """
    text = region_code.strip().upper()
    match = _REGION_CODE.fullmatch(text)
    if match is None:
        return None
    digits, specialist, rest = match.groups()
    return CodeMapping(
        region_code=region_code,
        tlv_code=str(int(digits)),
        column=Column.SPECIALIST if specialist else Column.GENERAL,
        variant=rest or None,
    )


def reference_price_for(region_code: str, entry: ReferenceEntry) -> Decimal | None:
    """The reference price ``entry`` gives the region's code: its general or specialist column.

    None when that column is ``-`` in TLV's list (e.g. ``111S``: 111 has no specialist price).
    Raises :class:`ReferenceCodeError` when the code is not TLV-shaped or names another åtgärd.
    """
    mapping = map_code(region_code)
    if mapping is None:
        raise ReferenceCodeError(f"{region_code!r} is not a TLV åtgärd code")
    if mapping.tlv_code != entry.code:
        raise ReferenceCodeError(
            f"{region_code!r} is TLV åtgärd {mapping.tlv_code}, not {entry.code}"
        )
    return entry.price(mapping.column)


# --- reading TLV's file -------------------------------------------------------------------------

_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("åtgärdsnummer", "åtgärdsnr", "åtgärdskod", "åtgärd", "kod", "code"),
    "name": ("åtgärdsnamn", "åtgärdstext", "benämning", "namn", "name", "text"),
    "general": ("referensprisallmäntandvård", "allmäntandvård", "general"),
    "specialist": ("referensprisspecialisttandvård", "specialisttandvård", "specialist"),
    "technical": ("tandtekniskkostnad", "tandteknik", "technical"),
    "material": ("dentaltmaterialiberäkningenavreferenspris", "dentaltmaterial", "material"),
}
REQUIRED_FIELDS = ("code", "name", "general", "specialist")
# TLV's own headings, for messages about a column the file lacks.
TLV_HEADINGS = {
    "code": "Åtgärdsnummer",
    "name": "Åtgärdsnamn",
    "general": "Referenspris allmäntandvård",
    "specialist": "Referenspris specialisttandvård",
    "technical": "Tandteknisk kostnad",
    "material": "Dentalt material i beräkningen av referenspris",
}
_BY_KEY = {alias: name for name, aliases in _FIELDS.items() for alias in aliases}
_DATE_PART = re.compile(r"\b(fr\.?\s*o\.?\s*m\.?|från och med|from|gäller)\b.*$")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_STATED_DATE = re.compile(
    r"(\d{1,2})\s*\.?\s*([a-zåäö]{3})[a-zåäö]*\.?\s+(\d{4})|(\d{4})-(\d{2})-(\d{2})"
)
_CODE_TEXT = re.compile(r"\d{1,5}(\.0+)?")


def _clean(cell: object) -> str:
    """A cell as text, runs of whitespace (line breaks in a cell, no-break spaces) made one."""
    if cell is None:
        return ""
    return _SPACES.sub(" ", str(cell)).strip()


def heading_field(heading: object) -> str | None:
    """Which field a heading is (``code``, ``name``, ``general``, ``specialist``, ``technical``,
    ``material``), or None. The date part (``fr o m 1 jan 2026``), case, spacing and
    punctuation do not matter."""
    text = _clean(heading).casefold()
    if not text:
        return None
    text = _DATE_PART.sub("", text)
    return _BY_KEY.get(_NOT_LETTERS.sub("", text))


def stated_date(heading: object) -> date | None:
    """The date a heading states (``fr o m 1 jan 2026`` → 2026-01-01), None if none or invalid."""
    text = _clean(heading).casefold()
    match = _STATED_DATE.search(text)
    if match is None:
        return None
    try:
        if match.group(4):
            return date(int(match.group(4)), int(match.group(5)), int(match.group(6)))
        month = _MONTHS.get(match.group(2))
        if month is None:
            return None
        return date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        return None


def is_reference_header(headings: Sequence[object]) -> bool:
    """Whether a row is the heading row of a reference list: it names the åtgärd number and at
    least one of the two reference prices. Meant as ``app.files.read_sheet``'s header test."""
    fields = {heading_field(h) for h in headings}
    return "code" in fields and bool(fields & {"general", "specialist"})


def _code(cell: object) -> str:
    """TLV's åtgärd number from a cell: 101, 101.0, "101", "101.0". Raises ValueError."""
    if isinstance(cell, bool):
        raise ValueError("not an åtgärd number")
    if isinstance(cell, int):
        number = cell
    elif isinstance(cell, float | Decimal):
        value = Decimal(str(cell))
        if not value.is_finite() or value != value.to_integral_value():
            raise ValueError("not a whole åtgärd number")
        number = int(value)
    elif isinstance(cell, str):
        text = _clean(cell)
        if not _CODE_TEXT.fullmatch(text):
            raise ValueError("not an åtgärd number (TLV's åtgärder are numbers: 101, 103 …)")
        number = int(Decimal(text))
    else:
        raise ValueError("not an åtgärd number")
    if number < 0:
        raise ValueError("negative")
    return str(number)


def _price(cell: object) -> Decimal | None:
    """A reference price: None for ``-`` or empty; refuses negative, non-numbers, > 2 decimals.

    Floats (an Excel number cell) go through ``str``, never ``Decimal(float)``: 1100.0 → 1100,
    and a float artefact such as 0.30000000000000004 is refused for its decimals.
    """
    if cell is None:
        return None
    if isinstance(cell, float):
        cell = str(cell)
    if isinstance(cell, str) and _clean(cell) in ABSENT_MARKS:
        return None
    if not isinstance(cell, str | int | Decimal):
        raise AmountError("not a number")
    return parse_amount(cell)


def _exact(cell: object) -> Decimal | None:
    """TLV's dental-technical cost: any number ≥ 0, kept exactly (it is a calculation figure)."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise AmountError("not a number")
    text = _clean(cell)
    if text in ABSENT_MARKS:
        return None
    text = text.replace(" ", "").replace(",", ".").replace("\u2212", "-")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise AmountError("not a number") from exc
    if not value.is_finite():
        raise AmountError("not a number")
    if value < 0:
        raise AmountError("negative")
    return value


def parse_reference_rows(
    rows: Sequence[Sequence[object]],
    *,
    first_row: int = 1,
    name: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    source: str = "",
) -> ReferenceList:
    """Read a whole sheet: ``rows[0]`` is spreadsheet row ``first_row``.

    The heading row is the first of the first :data:`HEADER_SEARCH_ROWS` non-empty rows that
    :func:`is_reference_header` accepts; rows above it (a title) are skipped and noted. Raises
    :class:`ReferenceListError` with every problem.
    """
    numbered = [(first_row + i, row) for i, row in enumerate(rows)]
    non_empty = [(n, row) for n, row in numbered if any(_clean(c) for c in row)]
    for n, row in non_empty[:HEADER_SEARCH_ROWS]:
        if is_reference_header(row):
            skipped = sum(1 for m, _ in non_empty if m < n)
            result = parse_reference_sheet(
                row,
                [(m, r) for m, r in numbered if m > n],
                header_row=n,
                name=name,
                valid_from=valid_from,
                valid_to=valid_to,
                source=source,
            )
            if not skipped:
                return result
            note = f"{skipped} row(s) above the headings (row {n}) skipped as a title"
            return ReferenceList(
                entries=result.entries,
                name=result.name,
                valid_from=result.valid_from,
                valid_to=result.valid_to,
                stated_valid_from=result.stated_valid_from,
                source=result.source,
                notes=(note, *result.notes),
            )
    first = non_empty[0] if non_empty else None
    problem = Finding(
        first[0] if first else None,
        None,
        " | ".join(_clean(c) for c in first[1] if _clean(c)) if first else None,
        "not TLV's reference list layout: no heading row naming Åtgärdsnummer and "
        "Referenspris allmäntandvård / specialisttandvård in the first "
        f"{HEADER_SEARCH_ROWS} rows"
        if first
        else "the file is empty",
    )
    raise ReferenceListError(problem.message, [problem])


def parse_reference_sheet(
    headings: Sequence[object],
    rows: Sequence[tuple[int, Sequence[object]]],
    *,
    header_row: int | None = None,
    name: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    source: str = "",
) -> ReferenceList:
    """Read a sheet whose headings and numbered data rows are already apart (``app.files``).

    Raises :class:`ReferenceListError` with every problem: a required heading missing (not
    TLV's layout), a heading twice, an empty or non-numeric code, a code twice, an empty name,
    a price that is not a number, negative or with more than two decimals, a row with neither
    price, a file without rows.
    """
    problems: list[Finding] = []
    notes: list[str] = []
    index: dict[str, int] = {}
    shown: dict[str, str] = {}
    for i, heading in enumerate(headings):
        text = _clean(heading)
        if not text:
            continue
        fld = heading_field(text)
        if fld is None:
            notes.append(f"column {text!r} is not part of a reference list: ignored")
        elif fld in index:
            problems.append(
                Finding(
                    header_row, text, text, f"a second {TLV_HEADINGS[fld]!r} column: one of each"
                )
            )
        else:
            index[fld] = i
            shown[fld] = text
    for fld in REQUIRED_FIELDS:
        if fld not in index:
            problems.append(
                Finding(
                    header_row,
                    TLV_HEADINGS[fld],
                    None,
                    f"not TLV's reference list layout: no column {TLV_HEADINGS[fld]!r}",
                )
            )
    stated = sorted(
        {
            d
            for fld in ("general", "specialist")
            if fld in shown
            for d in [stated_date(shown[fld])]
            if d is not None
        }
    )
    stated_from = stated[0] if len(stated) == 1 else None
    if len(stated) > 1:
        notes.append(
            "the headings state different dates: " + ", ".join(d.isoformat() for d in stated)
        )
    if stated_from is not None and valid_from is not None and stated_from != valid_from:
        notes.append(
            f"the headings say from {stated_from}, the list is given valid_from {valid_from}"
        )
    if problems:
        raise ReferenceListError(
            "not TLV's reference list layout: " + "; ".join(p.message for p in problems),
            problems,
        )

    def cell(row: Sequence[object], fld: str) -> object:
        i = index.get(fld)
        return row[i] if i is not None and i < len(row) else None

    entries: dict[str, ReferenceEntry] = {}
    data_rows = 0
    for n, row in rows:
        if not any(_clean(c) for c in row):
            continue
        data_rows += 1
        before = len(problems)

        def problem(fld: str, value: object, message: str, n: int = n) -> None:
            problems.append(
                Finding(n, shown[fld], None if value is None else _clean(value), message)
            )

        raw_code = cell(row, "code")
        code: str | None = None
        if _clean(raw_code) == "":
            problem("code", None, "empty Åtgärdsnummer: every row needs its åtgärd")
        else:
            try:
                code = _code(raw_code)
            except ValueError as exc:
                problem("code", raw_code, str(exc))
        if code is not None and code in entries:
            problem(
                "code",
                raw_code,
                f"åtgärd {code} also on row {entries[code].row}: one row per åtgärd",
            )
        text = _clean(cell(row, "name"))
        if not text:
            problem("name", None, "empty Åtgärdsnamn")
        prices: dict[str, Decimal | None] = {}
        for fld in ("general", "specialist"):
            raw = cell(row, fld)
            try:
                prices[fld] = _price(raw)
            except AmountError as exc:
                problem(fld, raw, f"reference price: {exc}")
                prices[fld] = None
        if len(problems) == before and prices["general"] is None and (prices["specialist"] is None):
            problem(
                "general",
                cell(row, "general"),
                "neither a general nor a specialist reference price ('-' in both)",
            )
        technical: Decimal | None = None
        if "technical" in index:
            raw = cell(row, "technical")
            try:
                technical = _exact(raw)
            except AmountError as exc:
                problem("technical", raw, f"dental-technical cost: {exc}")
        material = _clean(cell(row, "material")) or None
        if len(problems) > before or code is None:
            continue
        entries[code] = ReferenceEntry(
            code=code,
            name=text,
            general=prices["general"],
            specialist=prices["specialist"],
            technical=technical,
            material=material,
            row=n,
        )
    if data_rows == 0:
        problems.append(Finding(None, None, None, "the list has no rows of åtgärder"))
    if problems:
        raise ReferenceListError(f"{len(problems)} problem(s) in the reference list", problems)
    return ReferenceList(
        entries=entries,
        name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        stated_valid_from=stated_from,
        source=source,
        notes=tuple(notes),
    )


# --- a list from a taxa's own referenspris column -----------------------------------------------


def reference_list_from_taxa(
    items: Sequence[Item],
    *,
    name: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    source: str = "",
) -> ReferenceList:
    """The reference list a taxa prints: each extern code's referenspris, by TLV code and column.

    Why: where TLV's own file for a year is not at hand (2025), the region's decision printed
    the list's prices beside its own; this recovers them. ``103`` fills 103's general price,
    ``103S`` its specialist price; a column no code of the taxa fills is ``None`` (which here
    means "not in the region's taxa", not "absent in TLV's list"). Variants (``541H``) must agree
    with the other codes of their åtgärd and column. The name is the first text seen.

    Raises :class:`ReferenceListError` listing every extern code that is not TLV-shaped or
    whose referenspris disagrees with another code of the same åtgärd and column.
    """
    problems: list[Finding] = []
    found: dict[str, dict[Column, tuple[Decimal, str]]] = {}
    names: dict[str, str] = {}
    for item in items:
        if item.kind is not Kind.EXTERN or item.code is None or item.reference_price is None:
            continue
        mapping = map_code(item.code)
        row = item.source_rows[0] if item.source_rows else None
        if mapping is None:
            problems.append(Finding(row, "code", item.code, "not a TLV åtgärd code"))
            continue
        names.setdefault(mapping.tlv_code, item.text)
        columns = found.setdefault(mapping.tlv_code, {})
        earlier = columns.get(mapping.column)
        if earlier is None:
            columns[mapping.column] = (item.reference_price, item.code)
        elif earlier[0] != item.reference_price:
            problems.append(
                Finding(
                    row,
                    "reference_price",
                    str(item.reference_price),
                    f"{item.code} has referenspris {item.reference_price}, {earlier[1]} has "
                    f"{earlier[0]}: one åtgärd and column, one reference price",
                )
            )
    if problems:
        raise ReferenceListError(f"{len(problems)} problem(s) in the taxa's referenspris", problems)
    entries: dict[str, ReferenceEntry] = {}
    for code in sorted(found, key=int):
        columns = found[code]
        general = columns.get(Column.GENERAL)
        specialist = columns.get(Column.SPECIALIST)
        entries[code] = ReferenceEntry(
            code=code,
            name=names[code],
            general=general[0] if general else None,
            specialist=specialist[0] if specialist else None,
        )
    return ReferenceList(
        entries=entries, name=name, valid_from=valid_from, valid_to=valid_to, source=source
    )


# --- a taxa against a list ----------------------------------------------------------------------


class TaxaOnlyReason(StrEnum):
    NOT_A_TLV_CODE = "not_a_tlv_code"
    NOT_IN_LIST = "not_in_list"
    NO_PRICE_IN_COLUMN = "no_price_in_column"


@dataclass(frozen=True)
class ReferenceDifference:
    """An extern code whose referenspris in the taxa differs from the list's (old → new)."""

    code: str
    tlv_code: str
    column: Column
    taxa_reference: Decimal | None
    list_reference: Decimal
    change: Decimal | None
    change_percent: Decimal | None


@dataclass(frozen=True)
class TaxaOnlyCode:
    """An extern code of the taxa the list cannot price, and why."""

    code: str
    tlv_code: str | None
    column: Column | None
    reason: TaxaOnlyReason
    taxa_reference: Decimal | None
    detail: str


@dataclass(frozen=True)
class ReferenceCheck:
    """What :func:`check_taxa_against_list` finds; every tuple in the taxa's (or list's) order.

    ``differences``: extern codes priced by the list at another reference than the taxa's.
    ``unchanged``: how many extern codes the list prices exactly as the taxa does.
    ``only_in_list``: TLV åtgärder no code of the taxa maps to (need a price: 2026's ``340``).
    ``only_in_taxa``: extern codes the list cannot price. ``variants``: codes mapped through
    variant letters (``541H``), for the administrator to confirm.
    """

    list_name: str
    compared: int
    unchanged: int
    differences: tuple[ReferenceDifference, ...]
    only_in_list: tuple[ReferenceEntry, ...]
    only_in_taxa: tuple[TaxaOnlyCode, ...]
    variants: tuple[CodeMapping, ...]

    @property
    def consistent(self) -> bool:
        """True when the taxa's referenspris column is exactly the list (variants aside)."""
        return not (self.differences or self.only_in_list or self.only_in_taxa)


def check_taxa_against_list(items: Sequence[Item], ref_list: ReferenceList) -> ReferenceCheck:
    """Every way a taxa's extern codes and a reference list disagree. Returns findings only.

    Intern codes are not TLV's and are skipped. A code that occurs twice in ``items`` is looked
    at once (the first).
    """
    differences: list[ReferenceDifference] = []
    only_in_taxa: list[TaxaOnlyCode] = []
    variants: list[CodeMapping] = []
    covered: set[str] = set()
    seen: set[str] = set()
    compared = unchanged = 0
    for item in items:
        if item.kind is not Kind.EXTERN or item.code is None or item.code in seen:
            continue
        seen.add(item.code)
        mapping = map_code(item.code)
        old = item.reference_price
        if mapping is None:
            only_in_taxa.append(
                TaxaOnlyCode(
                    item.code,
                    None,
                    None,
                    TaxaOnlyReason.NOT_A_TLV_CODE,
                    old,
                    f"{item.code} is marked extern but is not a TLV åtgärd code",
                )
            )
            continue
        covered.add(mapping.tlv_code)
        if mapping.is_variant:
            variants.append(mapping)
        entry = ref_list.get(mapping.tlv_code)
        if entry is None:
            only_in_taxa.append(
                TaxaOnlyCode(
                    item.code,
                    mapping.tlv_code,
                    mapping.column,
                    TaxaOnlyReason.NOT_IN_LIST,
                    old,
                    f"TLV åtgärd {mapping.tlv_code} is not in the list",
                )
            )
            continue
        new = entry.price(mapping.column)
        if new is None:
            only_in_taxa.append(
                TaxaOnlyCode(
                    item.code,
                    mapping.tlv_code,
                    mapping.column,
                    TaxaOnlyReason.NO_PRICE_IN_COLUMN,
                    old,
                    f"the list has no {mapping.column.value} price for {mapping.tlv_code} ('-')",
                )
            )
            continue
        compared += 1
        if old == new:
            unchanged += 1
            continue
        differences.append(
            ReferenceDifference(
                code=item.code,
                tlv_code=mapping.tlv_code,
                column=mapping.column,
                taxa_reference=old,
                list_reference=new,
                change=None if old is None else new - old,
                change_percent=None if old is None else percent_change(new, old),
            )
        )
    only_in_list = tuple(e for code, e in ref_list.entries.items() if code not in covered)
    return ReferenceCheck(
        list_name=ref_list.name,
        compared=compared,
        unchanged=unchanged,
        differences=tuple(differences),
        only_in_list=only_in_list,
        only_in_taxa=tuple(only_in_taxa),
        variants=tuple(variants),
    )


# --- the list's own rise ------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeRise:
    """One TLV åtgärd and column in both lists: its old and new price and the volume on it."""

    tlv_code: str
    column: Column
    old: Decimal
    new: Decimal
    change_percent: Decimal | None
    volume: int


@dataclass(frozen=True)
class ListRise:
    """How much a reference list rose on the one before.

    ``weighted_percent`` = (Σ volume × new / Σ volume × old − 1) × 100 over the åtgärd-columns
    priced in both lists (volumes of the region's codes summed onto their TLV åtgärd and
    column: ``103`` → 103 general, ``103S`` and ``103SL`` → 103 specialist); None without
    volume on them. ``median_percent``: the median code's change, unweighted: one change per
    åtgärd priced in both lists, its general price's (its specialist price's where it has no
    general price in both), the mean of the middle two for an even count; so a code with two
    prices is not counted twice.
    ``changes`` by TLV code, general before specialist. ``new_codes`` / ``dropped_codes``: TLV
    åtgärder only in the new / only in the old list.
    """

    weighted_percent: Decimal | None
    median_percent: Decimal | None
    compared: int
    weighted: int
    changes: tuple[CodeRise, ...]
    new_codes: tuple[str, ...]
    dropped_codes: tuple[str, ...]


def _code_order(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (1 << 30, code)


def _median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _per_code(changes: Sequence[CodeRise]) -> list[Decimal]:
    """One change per åtgärd: the first column's (general before specialist, as listed)."""
    out: dict[str, Decimal] = {}
    for change in changes:
        if change.change_percent is not None:
            out.setdefault(change.tlv_code, change.change_percent)
    return list(out.values())


def list_rise(
    old_list: ReferenceList, new_list: ReferenceList, volumes: Mapping[str, int]
) -> ListRise:
    """The reference list's own rise from ``old_list`` to ``new_list``, volume-weighted.

    Principle 2 of the pricing principles holds "if the reference list is not raised more than
    normal", so this figure is reported next to every deviation against a new list.
    ``volumes`` are keyed by the region's codes (intern codes and codes that are not TLV-shaped
    are ignored). Volumes must be whole numbers ≥ 0 (:class:`ReferenceCodeError` otherwise).
    """
    by_column: dict[tuple[str, Column], int] = {}
    for code, volume in volumes.items():
        if isinstance(volume, bool) or not isinstance(volume, int) or volume < 0:
            raise ReferenceCodeError(f"volume for {code} must be a whole number ≥ 0: {volume!r}")
        mapping = map_code(code)
        if mapping is not None:
            key = (mapping.tlv_code, mapping.column)
            by_column[key] = by_column.get(key, 0) + volume
    changes: list[CodeRise] = []
    for code in sorted(set(old_list.entries) & set(new_list.entries), key=_code_order):
        old_entry, new_entry = old_list.entries[code], new_list.entries[code]
        for column in Column:
            old, new = old_entry.price(column), new_entry.price(column)
            if old is None or new is None:
                continue
            changes.append(
                CodeRise(
                    code,
                    column,
                    old,
                    new,
                    percent_change(new, old),
                    by_column.get((code, column), 0),
                )
            )
    before = sum((c.volume * c.old for c in changes), Decimal(0))
    after = sum((c.volume * c.new for c in changes), Decimal(0))
    return ListRise(
        weighted_percent=None if before == 0 else (after - before) * 100 / before,
        median_percent=_median(_per_code(changes)),
        compared=len(changes),
        weighted=sum(1 for c in changes if c.volume > 0),
        changes=tuple(changes),
        new_codes=tuple(sorted(set(new_list.entries) - set(old_list.entries), key=_code_order)),
        dropped_codes=tuple(sorted(set(old_list.entries) - set(new_list.entries), key=_code_order)),
    )
