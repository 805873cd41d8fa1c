"""``taxa derive-jour``, ``taxa jour-check``, ``taxa volumes …`` and ``taxa deviation``.

The same work as the HTTP endpoints (``app/analysis.py``), on the database at ``DATABASE_URL``.
``--json`` prints the endpoint's JSON answer. Errors go to standard error with exit status 1
(``app.cli.main`` prints them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.config import DEFAULT_OWNER, Settings
from pricing.deviation import DEFAULT_LIMIT_PERCENT
from pricing.taxa import Variant

CLI_ACTOR = "cli"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _today() -> date:
    return datetime.now(STOCKHOLM).date()


def _percent_argument(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not value.is_finite() or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"a percentage from 0 to 100: {text!r}")
    return value


def _kr(amount: Decimal | None) -> str:
    return "–" if amount is None else f"{amount:,.2f}".replace(",", " ") + " kr"


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{value} %"


def _schedule_in_force(session: Any, owner: str, variant: Variant, on: date) -> Any:
    from app.errors import NotFound
    from app.schedules import in_force

    found = in_force(session, owner, variant, on)
    if found is None:
        raise NotFound(f"no active {variant.value} taxa of {owner!r} is in force on {on} "
                       "(run `taxa load-bundled` on an empty database, or give --schedule)")
    return found


def _schedule_ref(s: Any) -> Any:
    from app.schemas import ScheduleRef

    return ScheduleRef.of(s)


# --- jour -------------------------------------------------------------------------------------


def cmd_derive_jour(args: argparse.Namespace, settings: Settings) -> int:
    from app.analysis import choose_rule, derive_jour_schedule
    from app.db import make_engine, transaction
    from app.jour_config import jour_config
    from app.schedules import get_schedule

    rule = None
    if args.rule:
        rule = json.loads(Path(args.rule).read_text(encoding="utf-8"))
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            base = get_schedule(session, args.schedule)
            chosen = choose_rule(jour_config(), base, rule)
            derived = derive_jour_schedule(session, base, chosen, CLI_ACTOR)
    finally:
        engine.dispose()
    print(f"draft jour schedule {derived.schedule.id} '{derived.schedule.name}' derived from "
          f"schedule {base.id} with {chosen.file or args.rule}: {len(derived.items)} items, "
          f"{len(derived.not_surcharged)} kept at the normal price:")
    for item, reason in derived.not_surcharged:
        print(f"  {item.key}: {item.price} ({reason})")
    print(f"check it with `taxa jour-check {derived.schedule.id}`, activate it with "
          f"`taxa activate {derived.schedule.id}`")
    return 0


def cmd_jour_check(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session

    from app.analysis import run_jour_check
    from app.analysis_schemas import JourCheckOut, JourRuleOut
    from app.db import make_engine
    from app.jour_config import jour_config
    from app.schedules import get_schedule

    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            if args.schedule is not None:
                schedule = get_schedule(session, args.schedule)
            else:
                schedule = _schedule_in_force(session, args.owner, Variant.JOUR,
                                              args.in_force_on or _today())
            check, base, chosen = run_jour_check(session, jour_config(), schedule, args.base)
    finally:
        engine.dispose()
    out = JourCheckOut.of(check, _schedule_ref(schedule), _schedule_ref(base),
                          JourRuleOut.of(chosen.rule, chosen.file))
    if args.json:
        print(out.model_dump_json(indent=2))
        return 0
    print(f"jour schedule {schedule.id} '{schedule.name}' against normal schedule {base.id} "
          f"'{base.name}', rule {chosen.file}: {check.matched} items in both; "
          + ("consistent (only exemptions)" if check.consistent else "findings:"))
    for kind, count in out.counts.items():
        print(f"  {kind}: {count}")
    for finding in check.findings:
        print(f"{finding.kind.value}\t{finding.detail}")
    return 0


# --- volumes ----------------------------------------------------------------------------------


def _limits(settings: Settings) -> Any:
    from app.spreadsheet import Limits

    return Limits(settings.max_rows, settings.max_xlsx_uncompressed_bytes)


def _read_file(path: Path, settings: Settings) -> bytes | None:
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        print(f"{path}: {size} bytes, more than the limit of {settings.max_upload_bytes}",
              file=sys.stderr)
        return None
    return path.read_bytes()


def cmd_volumes_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, transaction
    from app.imports import finding_json
    from app.volumes import import_volumes

    path = Path(args.file)
    content = _read_file(path, settings)
    if content is None:
        return 2
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            stored, validation = import_volumes(
                session, content=content, filename=path.name, owner=args.owner,
                name=args.name or path.stem, actor=CLI_ACTOR, limits=_limits(settings))
    finally:
        engine.dispose()
    for warning in validation.warnings:
        print("warning:", json.dumps(finding_json(warning), ensure_ascii=False))
    print(f"stored volume set {stored.id} '{stored.name}': {validation.row_count} rows, "
          f"{len(validation.totals)} codes, total volume {validation.total_volume}, "
          f"{len(validation.clinics)} clinics")
    return 0


def cmd_volumes_list(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session, col, select

    from app.db import make_engine
    from app.models import VolumeSet
    from app.volumes import totals_by_set

    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            totals = totals_by_set(session)
            for v in session.exec(select(VolumeSet).order_by(col(VolumeSet.id))).all():
                codes, total = totals.get(v.id or 0, (0, 0))
                print(f"{v.id}\t{v.owner}\t{codes} codes\t{total}\t{v.source_filename or ''}"
                      f"\t{v.name}")
    finally:
        engine.dispose()
    return 0


# --- deviation --------------------------------------------------------------------------------


def cmd_deviation(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session

    from app.analysis import run_deviation
    from app.analysis_schemas import DeviationOut, VolumesRef
    from app.db import make_engine
    from app.schedules import get_schedule
    from app.volumes import (
        EXAMPLE_VOLUMES,
        get_volume_set,
        parse_volume_file,
        rejected,
        volumes_of,
    )

    example = args.volumes_id is None and args.volumes_file is None
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            if args.schedule is not None:
                schedule = get_schedule(session, args.schedule)
            else:
                schedule = _schedule_in_force(session, args.owner, Variant.NORMAL,
                                              args.in_force_on or _today())
            if args.volumes_id is not None:
                stored = get_volume_set(session, args.volumes_id)
                volumes = volumes_of(session, args.volumes_id)
                source = VolumesRef(id=stored.id, name=stored.name,
                                    source_filename=stored.source_filename,
                                    sha256=stored.source_sha256, codes=len(volumes),
                                    total_volume=sum(volumes.values()))
            else:
                path = Path(args.volumes_file) if args.volumes_file else EXAMPLE_VOLUMES
                content = _read_file(path, settings)
                if content is None:
                    return 2
                validation = parse_volume_file(content, path.name, _limits(settings))
                if not validation.ok:
                    raise rejected(validation, path.name)
                volumes = dict(validation.totals)
                source = VolumesRef(
                    id=None, name="EXAMPLE volumes: INVENTED, not real statistics" if example
                    else path.stem, source_filename=str(path),
                    sha256=hashlib.sha256(content).hexdigest(), codes=len(volumes),
                    total_volume=sum(volumes.values()))
            analysis, previous = run_deviation(session, schedule, volumes, args.limit,
                                               args.previous)
    finally:
        engine.dispose()
    out = DeviationOut.of(analysis, _schedule_ref(schedule), source,
                          None if previous is None else _schedule_ref(previous),
                          None if args.json else args.top)
    if args.json:
        print(out.model_dump_json(indent=2))
        return 0
    _print_deviation(out, example)
    return 0


def _figures_line(label: str, f: Any) -> str:
    state = {True: "within", False: "NOT within", None: "cannot be computed"}[f.within]
    return (f"{label}: deviation {_pct(f.deviation_percent)} (limit {f.limit_percent} %): "
            f"{state}; headroom {_kr(f.headroom)}; revenue {_kr(f.revenue)} against "
            f"referenspris revenue {_kr(f.reference_revenue)} ({f.items} items, volume "
            f"{f.volume})")


def _print_deviation(out: Any, example: bool) -> None:
    s, v = out.schedule, out.volumes
    if example:
        print("NOTE: the bundled EXAMPLE volumes are INVENTED, not real statistics "
              "(data/volumes/, data/make_example_volumes.py)")
    print(f"schedule {s.id} '{s.name}' ({s.owner}, {s.variant}, from {s.valid_from}); volumes: "
          f"{v.name} ({v.source_filename}), {v.codes} codes, total {v.total_volume}")
    print(_figures_line("total", out.total))
    print(f"uniform change of every compared price that lands on the limit: "
          f"{_pct(out.uniform_change_percent)}")
    print(_figures_line("without utbytesåtgärder", out.without_utbyte))
    print(_figures_line("utbytesåtgärder only", out.utbyte))
    print("per category:")
    for c in out.by_category:
        print(f"  {c.category or '(none)'}: {_pct(c.figures.deviation_percent)}, headroom "
              f"{_kr(c.figures.headroom)}")
    print("per åtgärdsgrupp:")
    for g in out.by_group:
        print(f"  {g.group}: {_pct(g.figures.deviation_percent)} "
              f"({g.figures.items} items, revenue {_kr(g.figures.revenue)})")
    print(f"top {len(out.contributions)} of {out.contributions_total} contributions "
          "(volume × (price − referenspris)):")
    for c in out.contributions:
        print(f"  {c.key}: {c.volume} × ({c.price} − {c.reference_price}) = "
              f"{_kr(c.contribution)}{'  (utbyte)' if c.utbyte else ''}")
    p = out.price_position
    print(f"priced above / at / below the referenspris: {p.above} / {p.at} / {p.below}")
    lo = out.left_out
    print(f"left out: {len(lo.intern)} intern, {len(lo.no_reference)} without referenspris "
          f"(revenue {_kr(lo.revenue)}); {len(lo.no_volume)} without volume"
          + (": " + ", ".join(o.key for o in lo.no_volume) if lo.no_volume else ""))
    _print_codes("volumes for codes not in the taxa", (f"{u.code} ({u.volume})"
                                                      for u in out.unknown_volumes))
    y = out.year_on_year
    if y is not None:
        print(f"since schedule {y.previous.id} '{y.previous.name}': referenspris "
              f"{_pct(y.reference_change_percent)}, FTV price {_pct(y.price_change_percent)} "
              f"({y.reference_codes} codes), all codes {_pct(y.price_change_all_percent)}")
    for note in out.notes:
        print(f"note: {note}")


def _print_codes(label: str, codes: Iterable[str]) -> None:
    listed = list(codes)
    print(f"{label}: {', '.join(listed) if listed else 'none'}")


def register(sub: Any) -> None:
    """Add the subcommands to ``taxa``'s subparsers (called from ``app.cli.build_parser``)."""
    p = sub.add_parser("derive-jour", help="derive a draft jour taxa from a normal one")
    p.add_argument("schedule", type=int, help="the normal schedule's id")
    p.add_argument("--rule", help="a surcharge rule JSON file (default: the owner's bundled "
                   "rule in data/jour/ for the schedule's valid_from)")
    p.set_defaults(func=cmd_derive_jour)

    p = sub.add_parser("jour-check", help="check a jour taxa against the rule on a normal one")
    p.add_argument("schedule", type=int, nargs="?",
                   help="the jour schedule's id (default: the one in force --on)")
    p.add_argument("--base", type=int, help="the normal schedule's id (default: the one it "
                   "was derived from, else the normal taxa in force on its valid_from)")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument("--on", dest="in_force_on", type=date.fromisoformat,
                   help="YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="print the endpoint's JSON")
    p.set_defaults(func=cmd_jour_check)

    volumes = sub.add_parser("volumes", help="volume files (billed åtgärder per code)")
    vsub = volumes.add_subparsers(dest="volumes_command", required=True)
    p = vsub.add_parser("import", help="import a volume file (CSV or XLSX) as a volume set")
    p.add_argument("file")
    p.add_argument("--name")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.set_defaults(func=cmd_volumes_import)
    vsub.add_parser("list", help="list the stored volume sets").set_defaults(
        func=cmd_volumes_list)

    p = sub.add_parser("deviation", help="the 7 %% rule: revenue against the referenspris list",
                       description="Default: the normal taxa in force today with the bundled "
                       "EXAMPLE volumes (INVENTED, not real statistics).")
    p.add_argument("--schedule", type=int, help="schedule id (default: normal taxa in force)")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument("--on", dest="in_force_on", type=date.fromisoformat,
                   help="YYYY-MM-DD (default: today)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--volumes-id", type=int, help="a stored volume set")
    source.add_argument("--volumes-file", help="a volume file, read without storing it")
    p.add_argument("--limit", type=_percent_argument, default=DEFAULT_LIMIT_PERCENT,
                   help="the allowed deviation in %% (default 7)")
    p.add_argument("--previous", type=int, help="schedule to compare year on year")
    p.add_argument("--top", type=int, default=15, help="contributions to list (default 15)")
    p.add_argument("--json", action="store_true",
                   help="print the endpoint's JSON (every contribution)")
    p.set_defaults(func=cmd_deviation)
