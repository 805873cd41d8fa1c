"""``taxa volumes …`` and ``taxa deviation`` (the 7 % rule).

The same work as the HTTP endpoints (``app/jour/routes.py``, ``app/volumes/routes.py``), on the
database at ``DATABASE_URL``.
``--json`` prints the endpoint's JSON answer. Errors go to standard error with exit status 1
(``app.cli.main`` prints them).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.console import (
    CLI_ACTOR,
    database,
    kr,
    limits,
    pct,
    percent_argument,
    read_file,
    schedule_in_force,
    today,
)
from app.config import DEFAULT_OWNER, Settings
from pricing.deviation import DEFAULT_LIMIT_PERCENT
from pricing.taxa import Variant

if TYPE_CHECKING:
    from app.volumes.schemas import VolumesRef


def cmd_volumes_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.taxa.imports import finding_json
    from app.volumes.volume_sets import import_volumes

    path = Path(args.file)
    content = read_file(path, settings)
    if content is None:
        return 2
    with database(settings, write=True) as session:
        stored, validation = import_volumes(
            session,
            content=content,
            filename=path.name,
            owner=args.owner,
            name=args.name or path.stem,
            actor=CLI_ACTOR,
            limits=limits(settings),
        )
    for warning in validation.warnings:
        print("warning:", json.dumps(finding_json(warning), ensure_ascii=False))
    print(
        f"stored volume set {stored.id} '{stored.name}': {validation.row_count} rows, "
        f"{len(validation.totals)} codes, total volume {validation.total_volume}, "
        f"{len(validation.clinics)} clinics"
    )
    return 0


def read_volume_file(
    path: Path, settings: Settings, *, example: bool
) -> tuple[dict[str, int], VolumesRef] | None:
    """A volume file read without storing it, for ``taxa deviation`` and ``taxa propose``; None
    (said on standard error) when it is over the size limit."""
    from app.volumes.volume_sets import volumes_from_file

    content = read_file(path, settings)
    if content is None:
        return None
    return volumes_from_file(content, path, limits(settings), example=example)


def cmd_volumes_list(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import col, select

    from app.models import VolumeSet
    from app.volumes.volume_sets import totals_by_set

    with database(settings, write=False) as session:
        totals = totals_by_set(session)
        for v in session.exec(select(VolumeSet).order_by(col(VolumeSet.id))).all():
            codes, total = totals.get(v.id or 0, (0, 0))
            print(f"{v.id}\t{v.owner}\t{codes} codes\t{total}\t{v.source_filename or ''}\t{v.name}")
    return 0


def cmd_deviation(args: argparse.Namespace, settings: Settings) -> int:

    from app.reference.lists import load_list
    from app.taxa.schedules import get_schedule
    from app.volumes.analysis import deviation_answer
    from app.volumes.volume_sets import EXAMPLE_VOLUMES, resolve_volumes

    example = args.volumes_id is None and args.volumes_file is None
    with database(settings, write=False) as session:
        if args.schedule is not None:
            schedule = get_schedule(session, args.schedule)
        else:
            schedule = schedule_in_force(
                session, args.owner, Variant.NORMAL, args.in_force_on or today()
            )
        if args.volumes_id is not None:
            volumes, source = resolve_volumes(session, args.volumes_id, None)
        else:
            path = Path(args.volumes_file) if args.volumes_file else EXAMPLE_VOLUMES
            read = read_volume_file(path, settings, example=example)
            if read is None:
                return 2
            volumes, source = read
        view = None if args.list_id is None else load_list(session, args.list_id, field="list")[1]
        out = deviation_answer(
            session,
            schedule,
            volumes,
            source,
            args.limit,
            args.previous,
            view,
            None if args.json else args.top,
        )
    if args.json:
        print(out.model_dump_json(indent=2))
        return 0
    _print_deviation(out, example)
    return 0


def _figures_line(label: str, f: Any) -> str:
    state = {True: "within", False: "NOT within", None: "cannot be computed"}[f.within]
    return (
        f"{label}: deviation {pct(f.deviation_percent)} (limit {f.limit_percent} %): "
        f"{state}; headroom {kr(f.headroom)}; revenue {kr(f.revenue)} against "
        f"referenspris revenue {kr(f.reference_revenue)} ({f.items} items, volume "
        f"{f.volume})"
    )


def _print_deviation(out: Any, example: bool) -> None:
    s, v = out.schedule, out.volumes
    if example:
        print(
            "NOTE: the bundled EXAMPLE volumes are INVENTED, not real statistics "
            "(data/volumes/, data/make_example_volumes.py)"
        )
    print(
        f"schedule {s.id} '{s.name}' ({s.owner}, {s.variant}, from {s.valid_from}); volumes: "
        f"{v.name} ({v.source_filename}), {v.codes} codes, total {v.total_volume}"
    )
    print(_figures_line("total", out.total))
    print(
        f"uniform change of every compared price that lands on the limit: "
        f"{pct(out.uniform_change_percent)}"
    )
    print(_figures_line("without utbytesåtgärder", out.without_utbyte))
    print(_figures_line("utbytesåtgärder only", out.utbyte))
    print("per category:")
    for c in out.by_category:
        print(
            f"  {c.category or '(none)'}: {pct(c.figures.deviation_percent)}, headroom "
            f"{kr(c.figures.headroom)}"
        )
    print("per åtgärdsgrupp:")
    for g in out.by_group:
        print(
            f"  {g.group}: {pct(g.figures.deviation_percent)} "
            f"({g.figures.items} items, revenue {kr(g.figures.revenue)})"
        )
    print(
        f"top {len(out.contributions)} of {out.contributions_total} contributions "
        "(volume × (price − referenspris)):"
    )
    for c in out.contributions:
        print(
            f"  {c.key}: {c.volume} × ({c.price} − {c.reference_price}) = "
            f"{kr(c.contribution)}{'  (utbyte)' if c.utbyte else ''}"
        )
    p = out.price_position
    print(f"priced above / at / below the referenspris: {p.above} / {p.at} / {p.below}")
    lo = out.left_out
    print(
        f"left out: {len(lo.intern)} intern, {len(lo.no_reference)} without referenspris "
        f"(revenue {kr(lo.revenue)}); {len(lo.no_volume)} without volume"
        + (": " + ", ".join(o.key for o in lo.no_volume) if lo.no_volume else "")
    )
    _print_codes(
        "volumes for codes not in the taxa", (f"{u.code} ({u.volume})" for u in out.unknown_volumes)
    )
    y = out.year_on_year
    if y is not None:
        print(
            f"since schedule {y.previous.id} '{y.previous.name}': referenspris "
            f"{pct(y.reference_change_percent)}, FTV price {pct(y.price_change_percent)} "
            f"({y.reference_codes} codes), all codes {pct(y.price_change_all_percent)}"
        )
    if out.list_rise is not None:
        r = out.list_rise
        print(
            f"the reference list's own rise on {r.previous.name if r.previous else 'the taxa'}"
            f": weighted {pct(r.weighted_percent)}, median åtgärd {pct(r.median_percent)}; "
            f"new åtgärder: {', '.join(r.new_codes) or 'none'}"
        )
    for note in out.notes:
        print(f"note: {note}")


def _print_codes(label: str, codes: Iterable[str]) -> None:
    listed = list(codes)
    print(f"{label}: {', '.join(listed) if listed else 'none'}")


def register(sub: Any) -> None:
    """Add the volume and deviation subcommands to ``taxa``."""
    volumes = sub.add_parser("volumes", help="volume files (billed åtgärder per code)")
    vsub = volumes.add_subparsers(dest="volumes_command", required=True)
    p = vsub.add_parser("import", help="import a volume file (CSV or XLSX) as a volume set")
    p.add_argument("file")
    p.add_argument("--name")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.set_defaults(func=cmd_volumes_import)
    vsub.add_parser("list", help="list the stored volume sets").set_defaults(func=cmd_volumes_list)

    p = sub.add_parser(
        "deviation",
        help="the 7 %% rule: revenue against the referenspris list",
        description="Default: the normal taxa in force today with the bundled "
        "EXAMPLE volumes (INVENTED, not real statistics).",
    )
    p.add_argument("--schedule", type=int, help="schedule id (default: normal taxa in force)")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument(
        "--on", dest="in_force_on", type=date.fromisoformat, help="YYYY-MM-DD (default: today)"
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--volumes-id", type=int, help="a stored volume set")
    source.add_argument("--volumes-file", help="a volume file, read without storing it")
    p.add_argument(
        "--limit",
        type=percent_argument,
        default=DEFAULT_LIMIT_PERCENT,
        help="the allowed deviation in %% (default 7)",
    )
    p.add_argument("--previous", type=int, help="schedule to compare year on year")
    p.add_argument(
        "--list",
        dest="list_id",
        type=int,
        help="a stored reference list: its prices instead of the taxa's column, "
        "and the list's own rise",
    )
    p.add_argument("--top", type=int, default=15, help="contributions to list (default 15)")
    p.add_argument(
        "--json", action="store_true", help="print the endpoint's JSON (every contribution)"
    )
    p.set_defaults(func=cmd_deviation)
