"""TLV's reference lists as stored data: import a file, read lists back, look a code up, check a
taxa against a list, and give a taxa the reference prices of a list.

Shared by the routes (``app/reference/routes.py``), the CLI (``taxa reference …``), the
snapshot the quotes read (``app/snapshot.py``), the deviation analysis and the proposals. The
file is read by the one bounded reader (:func:`app.files.read_sheet`) and judged by the pure
:mod:`pricing.reference`; nothing here parses a cell. Helpers flush, never commit.

A stored list is never edited. The one exception is an open end: importing the next list
closes the open-ended list before it (its ``valid_to`` becomes the day before), as activating a
taxa ends the one it follows. Any other overlap of two lists is refused (409): a day has one
list in force, or a quote could not know which reference price applies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db import audit, bump_snapshot_version, now
from app.errors import Conflict, FileRejected, InvalidInput, NotFound
from app.files import Limits, read_sheet
from app.models import MAX_ID, ReferenceCodeRow, ReferenceListRow, from_ore, to_ore
from app.taxa.imports import finding_json
from pricing.reference import (
    CodeMapping,
    ListRise,
    ReferenceCheck,
    ReferenceEntry,
    ReferenceList,
    ReferenceListError,
    check_taxa_against_list,
    is_reference_header,
    list_rise,
    map_code,
    parse_reference_sheet,
    reference_list_from_taxa,
)
from pricing.taxa import Item, Kind
from pricing.taxa_validation import Finding
from pricing.validity import covers, overlaps

TLV_FILE = "tlv_file"
REGION_DECISION = "region_decision"
ORIGINS = {
    TLV_FILE: "TLV's own file, as published",
    REGION_DECISION: "taken from the region's taxa decision (its referenspris column), not "
    "TLV's own file",
}
# What the database stores (app.models.ReferenceCodeRow).
MAX_NAME, MAX_MATERIAL, MAX_TECHNICAL = 500, 500, 50
MAX_PRICE = Decimal("99999999.99")


@dataclass(frozen=True)
class ListView:
    """A stored list: its id and origin beside the pure list (which carries name and dates)."""

    id: int
    origin: str
    ref: ReferenceList

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def valid_from(self) -> date:
        assert self.ref.valid_from is not None  # every stored list is dated
        return self.ref.valid_from

    @property
    def valid_to(self) -> date | None:
        return self.ref.valid_to

    def covers(self, day: date) -> bool:
        return covers(self.valid_from, self.valid_to, day)


def origin_description(origin: str) -> str:
    return ORIGINS.get(origin, origin)


# --- reading stored lists -----------------------------------------------------------------------


def _entry(row: ReferenceCodeRow) -> ReferenceEntry:
    return ReferenceEntry(
        code=row.code,
        name=row.name,
        general=None if row.general_ore is None else from_ore(row.general_ore),
        specialist=None if row.specialist_ore is None else from_ore(row.specialist_ore),
        technical=None if row.technical is None else Decimal(row.technical),
        material=row.material,
        row=row.row,
    )


def _view(row: ReferenceListRow, codes: Iterable[ReferenceCodeRow]) -> ListView:
    assert row.id is not None
    entries = {c.code: _entry(c) for c in codes}
    ref = ReferenceList(
        entries=entries,
        name=row.name,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        stated_valid_from=row.stated_valid_from,
        source=row.source_filename or "",
        notes=tuple(row.import_notes),
    )
    return ListView(id=row.id, origin=row.origin, ref=ref)


def get_list_row(
    session: Session, list_id: int, field: str = "reference_list_id"
) -> ReferenceListRow:
    row = session.get(ReferenceListRow, list_id) if 1 <= list_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"no reference list with id {list_id}", field=field, value=list_id)
    return row


def load_list(
    session: Session, list_id: int, field: str = "reference_list_id"
) -> tuple[ReferenceListRow, ListView]:
    """A stored list (404 naming ``field`` when there is none)."""
    row = get_list_row(session, list_id, field)
    codes = session.exec(
        select(ReferenceCodeRow)
        .where(ReferenceCodeRow.reference_list_id == list_id)
        .order_by(col(ReferenceCodeRow.position))
    ).all()
    return row, _view(row, codes)


def load_lists(session: Session) -> list[ListView]:
    """Every stored list with its codes, oldest first (two queries)."""
    rows = session.exec(select(ReferenceListRow).order_by(col(ReferenceListRow.valid_from))).all()
    by_list: dict[int, list[ReferenceCodeRow]] = {r.id: [] for r in rows if r.id is not None}
    if by_list:
        for code in session.exec(
            select(ReferenceCodeRow).order_by(
                col(ReferenceCodeRow.reference_list_id), col(ReferenceCodeRow.position)
            )
        ).all():
            by_list.setdefault(code.reference_list_id, []).append(code)
    return [_view(r, by_list.get(r.id or 0, [])) for r in rows]


def code_counts(session: Session) -> dict[int, int]:
    """How many codes each stored list has."""
    return dict(
        session.exec(
            select(ReferenceCodeRow.reference_list_id, func.count()).group_by(
                col(ReferenceCodeRow.reference_list_id)
            )
        ).all()
    )


def list_on(lists: Iterable[ListView], day: date) -> ListView | None:
    """The list in force on ``day``; stored lists never overlap, so there is at most one."""
    for view in lists:
        if view.covers(day):
            return view
    return None


def list_before(session: Session, view: ListView) -> ListView | None:
    """The stored list in force the day before ``view`` starts: the one it follows."""
    day = view.valid_from - timedelta(days=1)
    row = session.exec(
        select(ReferenceListRow).where(
            col(ReferenceListRow.valid_from) <= day,
            col(ReferenceListRow.valid_to).is_(None) | (col(ReferenceListRow.valid_to) >= day),
        )
    ).first()
    if row is None or row.id is None:
        return None
    return load_list(session, row.id)[1]


# --- a code of a list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAnswer:
    """A region's (or TLV's) code looked up in a list: which åtgärd, column and variant, and
    the price that gives; ``notes`` say what the administrator should know."""

    asked: str
    mapping: CodeMapping
    entry: ReferenceEntry
    reference_price: Decimal | None
    notes: tuple[str, ...]


def look_up_code(view: ListView, code: str) -> CodeAnswer:
    """``103`` → 103 general; ``103S`` → 103 specialist; ``541H`` → 541 general, variant H."""
    mapping = map_code(code)
    if mapping is None:
        raise NotFound(
            f"{code!r} is not a TLV åtgärd code (the region's own codes, such as "
            "A11 or ASYL, have no reference price)",
            field="code",
            value=code,
        )
    entry = view.ref.get(mapping.tlv_code)
    if entry is None:
        raise NotFound(
            f"TLV åtgärd {mapping.tlv_code} is not in {view.name}", field="code", value=code
        )
    price = entry.price(mapping.column)
    notes: list[str] = []
    if mapping.column.value == "specialist":
        notes.append(f"{code}: the S picks the specialist column of TLV åtgärd {entry.code}")
    if mapping.variant is not None:
        notes.append(
            f"{code} is the region's variant {mapping.variant!r} of TLV åtgärd "
            f"{entry.code}: mapped to its {mapping.column.value} price; the variant's "
            "meaning is not stated in the decision, so confirm it"
        )
    if price is None:
        notes.append(
            f"the list has no {mapping.column.value} price for {entry.code} ('-'): "
            "no state support on this column"
        )
    return CodeAnswer(code, mapping, entry, price, tuple(notes))


# --- a taxa with a list's reference prices ------------------------------------------------------


def with_list_prices(items: Sequence[Item], ref: ReferenceList) -> list[Item]:
    """The items with each extern code's reference price taken from ``ref`` (103S → 103's
    specialist price, 541H → 541's general one); None where the list has none. Intern items
    are as they were."""
    return [
        replace(item, reference_price=ref.price_for(item.code))
        if item.kind is Kind.EXTERN and item.code is not None
        else item
        for item in items
    ]


def check_items(items: Sequence[Item], view: ListView) -> ReferenceCheck:
    return check_taxa_against_list(items, view.ref)


@dataclass(frozen=True)
class Rise:
    """The list's own rise, and what it was measured from (a stored list, or the taxa's own
    referenspris column when no stored list is in force the day before)."""

    rise: ListRise | None
    previous: ListView | None
    note: str | None


def rise_of(
    session: Session, view: ListView, volumes: Mapping[str, int], items: Sequence[Item]
) -> Rise:
    """The list's volume-weighted rise on the list in force the day before it starts."""
    previous = list_before(session, view)
    if previous is not None:
        return Rise(list_rise(previous.ref, view.ref, volumes), previous, None)
    try:
        own = reference_list_from_taxa(items, name="the taxa's referenspris column")
    except ReferenceListError as exc:
        return Rise(
            None,
            None,
            f"no stored list is in force on {view.valid_from - timedelta(1)}"
            f" and the taxa's referenspris column is not a list: {exc}",
        )
    return Rise(
        list_rise(own, view.ref, volumes),
        None,
        f"no stored reference list is in force on {view.valid_from - timedelta(1)}: "
        "the rise is measured from the taxa's own referenspris column",
    )


# --- importing a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceImport:
    sha256: str
    ref: ReferenceList
    origin: str
    row: ReferenceListRow | None  # None for a dry run
    ended: ReferenceListRow | None  # the open-ended list this one closed (valid_to set)
    previous: ListView | None  # the stored list in force the day before this one
    rise: ListRise | None  # unweighted (median) rise on ``previous``


def read_reference_file(
    content: bytes,
    filename: str,
    limits: Limits,
    *,
    name: str,
    valid_from: date | None,
    valid_to: date | None,
) -> ReferenceList:
    """TLV's file (XLSX or CSV, as published) read and judged; FileRejected with every problem.

    ``valid_from`` None: the date the file's headings state (``fr o m 1 jan 2026``); a file
    stating none needs it given (422 naming ``valid_from``).
    """
    sheet = read_sheet(content, filename, limits, is_reference_header)
    if not sheet.headings:
        raise FileRejected(
            f"{filename!r} is empty; nothing was stored",
            problems=[finding_json(Finding(None, None, None, "the file is empty"))],
        )
    try:
        ref = parse_reference_sheet(
            sheet.headings,
            sheet.rows,
            header_row=sheet.header_row,
            name=name,
            valid_from=valid_from,
            valid_to=valid_to,
            source=filename,
        )
    except ReferenceListError as exc:
        problems = exc.problems or (Finding(None, None, None, str(exc)),)
        raise FileRejected(
            f"{len(problems)} problem(s) in {filename!r}; nothing was stored",
            problems=[finding_json(p) for p in problems],
        ) from exc
    beyond = _beyond_storage(ref, sheet.headings)
    if beyond:
        raise FileRejected(
            f"{len(beyond)} problem(s) in {filename!r}; nothing was stored",
            problems=[finding_json(p) for p in beyond],
        )
    if valid_from is None:
        if ref.stated_valid_from is None:
            raise InvalidInput(
                "the file's headings state no date (fr o m …): give valid_from", field="valid_from"
            )
        if valid_to is not None and valid_to < ref.stated_valid_from:
            raise InvalidInput(
                f"valid_to {valid_to} is before the list's stated start {ref.stated_valid_from}",
                field="valid_to",
                value=valid_to,
            )
        ref = replace(ref, valid_from=ref.stated_valid_from)
    return ref


def _beyond_storage(ref: ReferenceList, headings: Sequence[str]) -> list[Finding]:
    """What the parser accepts but the database cannot hold (a name of 2 000 characters)."""
    found: list[Finding] = []
    for entry in ref.entries.values():
        for label, text, limit in (
            ("Åtgärdsnamn", entry.name, MAX_NAME),
            ("Dentalt material", entry.material, MAX_MATERIAL),
        ):
            if text is not None and len(text) > limit:
                found.append(
                    Finding(entry.row, label, text[:60] + "…", f"at most {limit} characters")
                )
        if entry.technical is not None and len(format(entry.technical, "f")) > MAX_TECHNICAL:
            found.append(
                Finding(
                    entry.row,
                    "Tandteknisk kostnad",
                    str(entry.technical)[:60],
                    f"at most {MAX_TECHNICAL} characters as a decimal",
                )
            )
        for label, price in (
            ("Referenspris allmäntandvård", entry.general),
            ("Referenspris specialisttandvård", entry.specialist),
        ):
            if price is not None and price > MAX_PRICE:
                found.append(Finding(entry.row, label, str(price), f"more than {MAX_PRICE} kr"))
    return found


def _place(
    session: Session, valid_from: date, valid_to: date | None, *, lock: bool
) -> ReferenceListRow | None:
    """The open-ended list the new one closes, if any; 409 for any other overlap."""
    query = select(ReferenceListRow)
    rows = session.exec(query.with_for_update() if lock else query).all()
    ended: ReferenceListRow | None = None
    clashes: list[ReferenceListRow] = []
    for other in rows:
        if not overlaps(other.valid_from, other.valid_to, valid_from, valid_to):
            continue
        if other.valid_to is None and other.valid_from < valid_from and ended is None:
            ended = other
            continue
        clashes.append(other)
    if clashes:
        listed = "; ".join(
            f"list {o.id} '{o.name}' ({o.valid_from} – {o.valid_to or 'open'})" for o in clashes
        )
        raise Conflict(
            f"the list ({valid_from} – {valid_to or 'open'}) overlaps {listed}: one list is in "
            "force on a day; stored lists are never edited, so choose other dates",
            field="valid_to" if valid_to is None else "valid_from",
            value=valid_from,
        )
    return ended


def import_reference_list(
    session: Session,
    *,
    content: bytes,
    filename: str,
    name: str,
    valid_from: date | None,
    valid_to: date | None,
    dry_run: bool,
    actor: str,
    limits: Limits,
    origin: str = TLV_FILE,
) -> ReferenceImport:
    """Read, judge and (unless ``dry_run``) store a list; every problem at once, nothing half
    stored. Raises FileRejected (422), InvalidInput (422) or Conflict (409, an overlap)."""
    if origin not in ORIGINS:
        raise InvalidInput(f"origin is one of {', '.join(ORIGINS)}", field="origin", value=origin)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise InvalidInput(
            f"valid_to {valid_to} is before valid_from {valid_from}",
            field="valid_to",
            value=valid_to,
        )
    sha256 = hashlib.sha256(content).hexdigest()
    ref = read_reference_file(
        content, filename, limits, name=name, valid_from=valid_from, valid_to=valid_to
    )
    start = ref.valid_from
    assert start is not None
    ended = _place(session, start, valid_to, lock=not dry_run)
    draft = ListView(id=0, origin=origin, ref=ref)
    previous = list_before(session, draft)  # an open-ended list it closes is in force then
    rise = None if previous is None else list_rise(previous.ref, ref, {})
    if dry_run:
        return ReferenceImport(sha256, ref, origin, None, ended, previous, rise)
    if ended is not None:
        ended.valid_to = start - timedelta(days=1)
        session.add(ended)
    row = ReferenceListRow(
        name=name,
        valid_from=start,
        valid_to=valid_to,
        stated_valid_from=ref.stated_valid_from,
        origin=origin,
        source_filename=filename,
        source_sha256=sha256,
        imported_by=actor,
        imported_at=now(),
        import_notes=list(ref.notes),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: a list imported meanwhile
        raise Conflict(
            "another reference list with overlapping dates was stored at the same "
            "moment; try again",
            field="valid_from",
            value=start,
        ) from exc
    assert row.id is not None
    session.add_all(
        ReferenceCodeRow(
            reference_list_id=row.id,
            position=position,
            code=entry.code,
            name=entry.name,
            general_ore=None if entry.general is None else to_ore(entry.general),
            specialist_ore=None if entry.specialist is None else to_ore(entry.specialist),
            technical=None if entry.technical is None else format(entry.technical, "f"),
            material=entry.material,
            row=entry.row,
        )
        for position, entry in enumerate(ref.entries.values())
    )
    bump_snapshot_version(session)  # quotes read the lists from the snapshot
    session.flush()
    audit(
        session,
        actor=actor,
        action="import_reference_list",
        target=f"reference_list:{row.id}",
        sha256=sha256,
        filename=filename,
        name=name,
        valid_from=start,
        valid_to=valid_to,
        origin=origin,
        codes=len(ref),
        ended=None if ended is None else {"reference_list": ended.id, "valid_to": ended.valid_to},
    )
    return ReferenceImport(sha256, ref, origin, row, ended, previous, rise)
