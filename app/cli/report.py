"""``taxa report``: the board's validation report written to files (HTML, PDF, XLSX).

The same report as ``GET /v1/schedules/{id}/report``, from the database at ``DATABASE_URL``.
The example report in ``docs/`` is made with::

    taxa report --on 2025-01-01 --example-volumes --format pdf -o docs/example-report-2025.pdf
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.cli.console import STOCKHOLM, database, today
from app.config import DEFAULT_OWNER, Settings
from pricing.deviation import DEFAULT_LIMIT_PERCENT
from pricing.taxa import Variant


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:

    from app.cli.console import schedule_in_force
    from app.files import Limits
    from app.report.data import (
        NO_VOLUMES,
        build_report_data,
        example_volumes,
        volumes_from_file,
        volumes_from_set,
    )
    from app.report.formats import ReportFormat, render

    formats = [ReportFormat(f) for f in dict.fromkeys(args.format.split(","))]
    if args.output and len(formats) != 1:
        print("-o names one file: give one --format, or use --out-dir")
        return 2
    limits = Limits(settings.max_rows, settings.max_xlsx_uncompressed_bytes)
    with database(settings, write=False) as session:
        if args.schedule is not None:
            schedule_id = args.schedule
        else:
            on = args.in_force_on or today()
            schedule_id = schedule_in_force(session, args.owner, Variant.NORMAL, on).id
        if args.volumes_id is not None:
            volumes, source = volumes_from_set(session, args.volumes_id)
        elif args.volumes_file:
            path = Path(args.volumes_file)
            volumes, source = volumes_from_file(path.read_bytes(), path.name, limits)
        elif args.example_volumes:
            volumes, source = example_volumes(limits)
        else:
            volumes, source = None, NO_VOLUMES
        data = build_report_data(
            session,
            schedule_id,
            volumes,
            source,
            previous_id=args.previous,
            limit_percent=args.limit,
            generated_at=datetime.now(STOCKHOLM),
        )
    for fmt in formats:
        out = render(data, fmt)
        target = Path(args.output) if args.output else Path(args.out_dir) / out.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out.content)
        print(f"wrote {target} ({len(out.content)} bytes)")
    if source.example:
        print("NOTE: the EXAMPLE volumes are INVENTED, not real statistics; the report says so")
    return 0


def register(sub: Any) -> None:
    """Add ``taxa report`` to ``taxa``'s subparsers (called from ``app.cli.build_parser``)."""
    from app.cli.console import percent_argument

    p = sub.add_parser(
        "report",
        help="the board's validation report of a taxa (HTML, PDF, XLSX)",
        description="Writes the board's report of a normal taxa. Without volumes the figures "
        "are unweighted and the 7 %% verdict is 'kan inte bedömas'.",
    )
    p.add_argument("--schedule", type=int, help="schedule id (default: normal taxa in force --on)")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument(
        "--on", dest="in_force_on", type=date.fromisoformat, help="YYYY-MM-DD (default: today)"
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--volumes-id", type=int, help="a stored volume set")
    source.add_argument("--volumes-file", help="a volume file (CSV/XLSX), read without storing")
    source.add_argument(
        "--example-volumes",
        action="store_true",
        help="the bundled EXAMPLE volumes (INVENTED, not real statistics)",
    )
    p.add_argument(
        "--previous",
        type=int,
        help="schedule to compare with (default: the one in force the day before this one starts)",
    )
    p.add_argument(
        "--limit",
        type=percent_argument,
        default=DEFAULT_LIMIT_PERCENT,
        help="the allowed deviation in %% (default 7)",
    )
    p.add_argument(
        "--format",
        default="html,pdf,xlsx",
        help="comma-separated: html, pdf, xlsx (default all three)",
    )
    p.add_argument("--out-dir", default=".", help="directory for the files (default .)")
    p.add_argument("--output", "-o", help="one file (with one --format)")
    p.set_defaults(func=cmd_report)
