"""``taxa reference import | list | show | check``: TLV's reference lists.

The same work as the HTTP endpoints (``app/reference/routes.py``), on the database at
``DATABASE_URL``. ``--json`` prints the endpoint's JSON answer. Errors go to standard error with
exit status 1 (``app.cli.main`` prints them).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.console import CLI_ACTOR, database, limits, pct, read_file, schedule_in_force, today
from app.config import DEFAULT_OWNER, Settings
from pricing.taxa import Variant


def cmd_reference_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.reference.lists import import_reference_list
    from app.reference.schemas import ReferenceImportOut

    path = Path(args.file)
    content = read_file(path, settings)
    if content is None:
        return 2
    with database(settings, write=True) as session:
        outcome = import_reference_list(
            session,
            content=content,
            filename=path.name,
            name=args.name,
            valid_from=args.valid_from,
            valid_to=args.valid_to,
            dry_run=args.dry_run,
            actor=CLI_ACTOR,
            limits=limits(settings),
            origin=args.origin,
        )
        out = ReferenceImportOut.of(outcome, args.dry_run)
    if args.json:
        print(out.model_dump_json(indent=2))
        return 0
    ref = out.reference_list
    print(
        f"{path.name}: {out.codes} åtgärder ({out.general_prices} general, "
        f"{out.specialist_prices} specialist prices), valid {ref.valid_from} – "
        f"{ref.valid_to or 'open'} (the headings say from {out.stated_valid_from or '–'})"
    )
    if out.ended is not None:
        print(
            f"closes the open end of list {out.ended.id} '{out.ended.name}': it now ends "
            f"{out.ended.valid_to}"
        )
    if out.change is not None and out.previous is not None:
        print(
            f"against list {out.previous.id} '{out.previous.name}': median åtgärd "
            f"{pct(out.change.median_percent)}; new åtgärder: "
            f"{', '.join(out.change.new_codes) or 'none'}; dropped: "
            f"{', '.join(out.change.dropped_codes) or 'none'}"
        )
    for note in out.notes:
        print(f"note: {note}")
    print("dry run: nothing stored" if args.dry_run else f"stored as reference list {ref.id}")
    return 0


def cmd_reference_list(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import col, select

    from app.models import ReferenceListRow
    from app.reference.lists import code_counts

    with database(settings, write=False) as session:
        counts = code_counts(session)
        for r in session.exec(
            select(ReferenceListRow).order_by(col(ReferenceListRow.valid_from))
        ).all():
            print(
                f"{r.id}\t{r.valid_from}\t{r.valid_to or 'open'}\t"
                f"{counts.get(r.id or 0, 0)} codes\t{r.origin}\t{r.name}\t"
                f"{r.source_filename or ''}"
            )
    return 0


def cmd_reference_show(args: argparse.Namespace, settings: Settings) -> int:

    from app.reference.lists import load_list, look_up_code
    from app.reference.schemas import ReferenceCodeOut, ReferenceEntryOut

    with database(settings, write=False) as session:
        _, view = load_list(session, args.list_id, field="list_id")
    if args.code:
        out = ReferenceCodeOut.of(view, look_up_code(view, args.code))
        if args.json:
            print(out.model_dump_json(indent=2))
            return 0
        price = "-" if out.reference_price is None else out.reference_price
        print(
            f"{out.code} in {view.name}: TLV åtgärd {out.tlv_code} '{out.entry.name}', "
            f"{out.column} price {price} (general {out.entry.general or '-'}, specialist "
            f"{out.entry.specialist or '-'})"
        )
        for note in out.notes:
            print(f"note: {note}")
        return 0
    for entry in view.ref.entries.values():
        e = ReferenceEntryOut.of(entry)
        print(f"{e.code}\t{e.general or '-'}\t{e.specialist or '-'}\t{e.name}")
    return 0


def cmd_reference_check(args: argparse.Namespace, settings: Settings) -> int:

    from app.reference.lists import check_items, load_list
    from app.reference.schemas import ReferenceCheckOut
    from app.taxa.schedules import get_schedule, items_of
    from app.taxa.schemas import ScheduleRef

    with database(settings, write=False) as session:
        if args.schedule is not None:
            schedule = get_schedule(session, args.schedule)
        else:
            schedule = schedule_in_force(
                session, args.owner, Variant.NORMAL, args.in_force_on or today()
            )
        _, view = load_list(session, args.list_id, field="list")
        assert schedule.id is not None
        out = ReferenceCheckOut.of(
            check_items(items_of(session, schedule.id), view), ScheduleRef.of(schedule), view
        )
    if args.json:
        print(out.model_dump_json(indent=2))
        return 0
    _print_check(out)
    return 0


def _print_check(out: Any) -> None:
    s, r = out.schedule, out.reference_list
    print(
        f"schedule {s.id} '{s.name}' (from {s.valid_from}) against reference list {r.id} "
        f"'{r.name}' ({r.valid_from} – {r.valid_to or 'open'}; {r.origin_description})"
    )
    print(
        f"{out.compared} extern codes priced by the list: {out.unchanged} unchanged, "
        f"{len(out.differences)} differ"
    )
    for d in out.differences:
        print(f"  {d.code}: {d.taxa_reference} -> {d.list_reference} ({pct(d.change_percent)})")
    print(
        f"in the list, no code in the taxa (each needs a price): "
        f"{', '.join(e.code for e in out.only_in_list) or 'none'}"
    )
    for t in out.only_in_taxa:
        print(f"  not priced by the list: {t.code}: {t.detail}")
    print(f"variants to confirm: {', '.join(v.code for v in out.variants) or 'none'}")


def register(sub: Any) -> None:
    """Add ``taxa reference …`` to ``taxa``."""
    reference = sub.add_parser("reference", help="TLV's reference lists (dated, never edited)")
    rsub = reference.add_subparsers(dest="reference_command", required=True)

    p = rsub.add_parser("import", help="import TLV's list as published (XLSX or CSV)")
    p.add_argument("file")
    p.add_argument("--name", required=True, help="TLV's föreskrift, e.g. 'HSLF-FS 2025:68'")
    p.add_argument(
        "--valid-from",
        type=date.fromisoformat,
        help="YYYY-MM-DD (default: the date the headings state)",
    )
    p.add_argument(
        "--valid-to",
        type=date.fromisoformat,
        help="YYYY-MM-DD, the last day in force (default: open-ended)",
    )
    p.add_argument(
        "--origin",
        choices=["tlv_file", "region_decision"],
        default="tlv_file",
        help="region_decision: prices taken from a region's taxa decision, not TLV's own file",
    )
    p.add_argument("--dry-run", action="store_true", help="read and check, store nothing")
    p.add_argument("--json", action="store_true", help="print the endpoint's JSON")
    p.set_defaults(func=cmd_reference_import)

    rsub.add_parser("list", help="list the stored reference lists").set_defaults(
        func=cmd_reference_list
    )

    p = rsub.add_parser("show", help="one list's åtgärder, or one code's price")
    p.add_argument("list_id", type=int)
    p.add_argument("--code", help="a TLV (101) or region (103S, 541H) code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reference_show)

    p = rsub.add_parser("check", help="a taxa's referenspris column against a list")
    p.add_argument("--list", dest="list_id", type=int, required=True, help="reference list id")
    p.add_argument("--schedule", type=int, help="schedule id (default: normal taxa in force)")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument(
        "--on", dest="in_force_on", type=date.fromisoformat, help="YYYY-MM-DD (default: today)"
    )
    p.add_argument("--json", action="store_true", help="print the endpoint's JSON")
    p.set_defaults(func=cmd_reference_check)
