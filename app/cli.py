"""The ``taxa`` command: serve, migrate, load the bundled data, import, export, keys."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from app import cli_analysis, cli_quote, cli_report
from app.config import DEFAULT_OWNER, REPO_ROOT, Settings
from app.errors import AppError
from app.spreadsheet import Limits
from pricing.errors import PricingError
from pricing.taxa import Variant

CLI_ACTOR = "cli"


def _limits(settings: Settings) -> Limits:
    return Limits(settings.max_rows, settings.max_xlsx_uncompressed_bytes)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from alembic import command
    from alembic.config import Config

    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["database_url"] = settings.database_url
    command.upgrade(config, "head")
    print(f"database at head: {settings.database_url}")
    return 0


def cmd_load_bundled(args: argparse.Namespace, settings: Settings) -> int:
    from app.bundled import load_bundled
    from app.db import make_engine, transaction

    with transaction(make_engine(settings.database_url)) as session:
        loaded = load_bundled(session, _limits(settings))
    if loaded:
        print(f"loaded the bundled 2025 taxa as schedules {loaded}")
    else:
        print("the database already has schedules: bundled taxa not loaded")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    uvicorn.run("app.main:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="info")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, transaction
    from app.imports import finding_json, import_taxa
    from app.schedules import activate, audit, get_schedule

    path = Path(args.file)
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        print(f"{path}: {size} bytes, more than the limit of {settings.max_upload_bytes}",
              file=sys.stderr)
        return 2
    with transaction(make_engine(settings.database_url)) as session:
        outcome = import_taxa(
            session, content=path.read_bytes(), filename=path.name, owner=args.owner,
            name=args.name or path.stem, variant=Variant(args.variant),
            valid_from=date.fromisoformat(args.valid_from), dry_run=args.dry_run,
            actor=CLI_ACTOR, limits=_limits(settings),
        )
        if args.activate and outcome.schedule_id is not None:
            activate(session, get_schedule(session, outcome.schedule_id), CLI_ACTOR)
            audit(session, actor=CLI_ACTOR, action="activate",
                  target=f"schedule:{outcome.schedule_id}", sha256=outcome.sha256)
    for warning in outcome.validation.warnings:
        print("warning:", json.dumps(finding_json(warning), ensure_ascii=False))
    d = outcome.diff
    print(f"{outcome.validation.row_count} rows, {len(outcome.validation.items)} items; "
          f"against schedule {outcome.against_id}: {len(d.added)} added, {len(d.removed)} "
          f"removed, {len(d.changed)} changed, {d.unchanged} unchanged")
    for change in d.changed:
        print(f"  {change.code or change.key}: {change.old_price} -> {change.new_price}")
    if args.dry_run:
        print("dry run: nothing stored")
    else:
        state = "active" if args.activate else "draft"
        print(f"stored as {state} schedule {outcome.schedule_id}")
    return 0


def cmd_keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from app.auth import Role, create_key
    from app.db import make_engine, transaction
    from app.schedules import audit

    with transaction(make_engine(settings.database_url)) as session:
        row, key = create_key(session, Role(args.role), args.name or f"{args.role} key")
        audit(session, actor=CLI_ACTOR, action="create_key", target=f"api_key:{row.id}",
              role=args.role, name=row.name, prefix=row.prefix)
    print(f"created {args.role} key {row.id} ({row.name}); it is shown once, store it now:")
    print(key)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session

    from app.db import make_engine
    from app.errors import NotFound
    from app.imports import export_csv, export_xlsx
    from app.schedules import get_schedule, in_force, items_of

    with Session(make_engine(settings.database_url)) as session:
        if args.schedule is not None:
            schedule = get_schedule(session, args.schedule)
        else:
            on = date.fromisoformat(args.on)
            found = in_force(session, args.owner, Variant(args.variant), on)
            if found is None:
                raise NotFound(f"no active {args.variant} taxa of {args.owner!r} on {on}")
            schedule = found
        assert schedule.id is not None
        items = items_of(session, schedule.id)
    data = export_xlsx(items, schedule.name) if args.format == "xlsx" else export_csv(items)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"wrote schedule {schedule.id} ({len(items)} items) to {args.output}")
    else:
        if args.format == "xlsx":
            print("give --output for XLSX", file=sys.stderr)
            return 2
        sys.stdout.write(data.decode("utf-8"))
    return 0


def cmd_schedules(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session, col, select

    from app.db import make_engine
    from app.models import Schedule

    with Session(make_engine(settings.database_url)) as session:
        for s in session.exec(select(Schedule).order_by(col(Schedule.id))).all():
            print(f"{s.id}\t{s.status}\t{s.owner}\t{s.variant}\t{s.valid_from}\t"
                  f"{s.valid_to or ''}\t{s.name}")
    return 0


def cmd_activate(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, transaction
    from app.schedules import activate, audit, get_schedule

    with transaction(make_engine(settings.database_url)) as session:
        schedule = get_schedule(session, args.schedule)
        ended = activate(session, schedule, CLI_ACTOR)
        audit(session, actor=CLI_ACTOR, action="activate", target=f"schedule:{args.schedule}",
              sha256=schedule.source_sha256)
    print(f"schedule {args.schedule} is active" +
          (f"; schedule {ended.id} now ends {ended.valid_to}" if ended else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taxa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the HTTP service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="bring the database schema to head").set_defaults(
        func=cmd_migrate)
    sub.add_parser("load-bundled", help="load the bundled 2025 taxa into an empty database"
                   ).set_defaults(func=cmd_load_bundled)

    p = sub.add_parser("import", help="import a taxa file (CSV or XLSX) as a draft")
    p.add_argument("file")
    p.add_argument("--name")
    p.add_argument("--variant", choices=[v.value for v in Variant], default="normal")
    p.add_argument("--valid-from", required=True, help="YYYY-MM-DD")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument("--dry-run", action="store_true", help="validate and diff, store nothing")
    p.add_argument("--activate", action="store_true", help="activate the draft at once")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write a schedule in the service's own format")
    p.add_argument("--schedule", type=int, help="schedule id (else the one in force --on)")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument("--variant", choices=[v.value for v in Variant], default="normal")
    p.add_argument("--on", default=None, help="YYYY-MM-DD (default: 2025-01-01)")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--output", "-o")
    p.set_defaults(func=cmd_export)

    sub.add_parser("schedules", help="list schedule versions").set_defaults(func=cmd_schedules)
    p = sub.add_parser("activate", help="activate a draft schedule")
    p.add_argument("schedule", type=int)
    p.set_defaults(func=cmd_activate)

    keys = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys_command",
                                                                  required=True)
    p = keys.add_parser("create", help="create a key; the key is the last line printed")
    p.add_argument("--role", choices=["admin", "clinic", "board"], required=True)
    p.add_argument("--name")
    p.set_defaults(func=cmd_keys_create)
    cli_quote.register(sub)
    cli_analysis.register(sub)
    cli_report.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "on", "x") is None:
        args.on = "2025-01-01"
    settings = Settings.from_env()
    try:
        return int(args.func(args, settings))
    except AppError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        for problem in exc.extra.get("problems", []):
            print(f"  row {problem['row']}, column {problem['column']!r}, value "
                  f"{problem['value']!r}: {problem['message']}", file=sys.stderr)
        return 1
    except PricingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
