"""``taxa serve``, ``migrate``, ``load-bundled``, ``import``, ``export``, ``schedules``,
``activate`` and ``keys``: the taxa's own commands.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from app.cli.console import CLI_ACTOR, limits
from app.config import REPO_ROOT, Settings
from pricing.taxa import Variant


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from alembic import command
    from alembic.config import Config

    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["database_url"] = settings.database_url
    command.upgrade(config, "head")
    print(f"database at head: {settings.database_url}")
    return 0


def cmd_load_bundled(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, transaction
    from app.reference.bundled import load_bundled_reference_lists
    from app.taxa.bundled import load_bundled

    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            loaded = load_bundled(session, limits(settings))
            lists = load_bundled_reference_lists(session, limits(settings))
    finally:
        engine.dispose()
    if loaded:
        print(f"loaded the bundled 2025 taxa as schedules {loaded}")
    else:
        print("the database already has schedules: bundled taxa not loaded")
    if lists:
        print(
            f"loaded the bundled reference lists (2025 from the region's decision, TLV's "
            f"2026) as reference lists {lists}"
        )
    else:
        print("the database already has reference lists: bundled lists not loaded")
    return 0


def access_log_wanted(flag: bool | None) -> bool:
    """--access-log / --no-access-log, else TAXA_ACCESS_LOG=1; off by default: a line per
    request costs about a fifth of a price lookup's time (README, Benchmarks)."""
    if flag is not None:
        return flag
    return os.environ.get("TAXA_ACCESS_LOG", "0").lower() in ("1", "true", "yes")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    # Every worker warms the board report's machinery and freezes its start-up heap (Settings).
    os.environ.setdefault("TAXA_WARM_REPORTS", "1")
    os.environ.setdefault("TAXA_FREEZE_HEAP", "1")
    # uvloop and httptools (pinned in requirements.lock): uvicorn's fastest loop and parser.
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        loop="uvloop",
        http="httptools",
        access_log=access_log_wanted(args.access_log),
    )
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, transaction
    from app.taxa.imports import finding_json, import_taxa
    from app.taxa.schedules import activate, get_schedule

    path = Path(args.file)
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        print(
            f"{path}: {size} bytes, more than the limit of {settings.max_upload_bytes}",
            file=sys.stderr,
        )
        return 2
    with transaction(make_engine(settings.database_url)) as session:
        outcome = import_taxa(
            session,
            content=path.read_bytes(),
            filename=path.name,
            owner=args.owner,
            name=args.name or path.stem,
            variant=Variant(args.variant),
            valid_from=date.fromisoformat(args.valid_from),
            dry_run=args.dry_run,
            actor=CLI_ACTOR,
            limits=limits(settings),
        )
        if args.activate and outcome.schedule_id is not None:
            activate(session, get_schedule(session, outcome.schedule_id), CLI_ACTOR)
    for warning in outcome.validation.warnings:
        print("warning:", json.dumps(finding_json(warning), ensure_ascii=False))
    d = outcome.diff
    print(
        f"{outcome.validation.row_count} rows, {len(outcome.validation.items)} items; "
        f"against schedule {outcome.against_id}: {len(d.added)} added, {len(d.removed)} "
        f"removed, {len(d.changed)} changed, {d.unchanged} unchanged"
    )
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
    from app.db import audit, make_engine, transaction

    name = args.name or f"{args.role} key"
    if len(name) > 100 or any(len(owner) > 100 for owner in args.owner or ()):
        print("a key's name and each owner have at most 100 characters", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            row, key = create_key(session, Role(args.role), name, args.owner)
            audit(
                session,
                actor=CLI_ACTOR,
                action="create_key",
                target=f"api_key:{row.id}",
                role=args.role,
                name=row.name,
                prefix=row.prefix,
                owners=row.owners,
            )
    finally:
        engine.dispose()
    scope = "every owner" if row.owners is None else ", ".join(row.owners)
    print(
        f"created {args.role} key {row.id} ({row.name}) for {scope}; it is shown once, "
        "store it now:"
    )
    print(key)
    return 0


def cmd_keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from app.auth import get_key, revoke_key
    from app.db import audit, make_engine, transaction

    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            row = get_key(session, args.key_id)
            revoke_key(session, row)
            audit(
                session,
                actor=CLI_ACTOR,
                action="revoke_key",
                target=f"api_key:{row.id}",
                name=row.name,
                prefix=row.prefix,
                owners=row.owners,
            )
    finally:
        engine.dispose()
    print(
        f"revoked key {row.id} ({row.name}, {row.prefix}…): every worker refuses it within "
        f"{settings.snapshot_check_seconds:g} s"
    )
    return 0


def cmd_keys_list(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session, col, select

    from app.db import make_engine
    from app.models import ApiKey

    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        keys = session.exec(select(ApiKey).order_by(col(ApiKey.id))).all()
    engine.dispose()
    for k in keys:
        owners = "every owner" if k.owners is None else ",".join(k.owners)
        used = k.last_used_at.isoformat(timespec="minutes") if k.last_used_at else "never"
        state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
        print(
            f"{k.id}\t{k.prefix}…\t{k.role}\t{owners}\t{k.created_at:%Y-%m-%d}\t"
            f"last used {used}\t{state}\t{k.name}"
        )
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session

    from app.db import make_engine
    from app.errors import NotFound
    from app.taxa.export import export_csv, export_xlsx
    from app.taxa.schedules import get_schedule, in_force, items_of

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
            print(
                f"{s.id}\t{s.status}\t{s.owner}\t{s.variant}\t{s.valid_from}\t"
                f"{s.valid_to or ''}\t{s.name}"
            )
    return 0


def cmd_activate(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import make_engine, transaction
    from app.taxa.schedules import activate, get_schedule

    with transaction(make_engine(settings.database_url)) as session:
        schedule = get_schedule(session, args.schedule)
        ended = activate(session, schedule, CLI_ACTOR)
    print(
        f"schedule {args.schedule} is active"
        + (f"; schedule {ended.id} now ends {ended.valid_to}" if ended else "")
    )
    return 0
