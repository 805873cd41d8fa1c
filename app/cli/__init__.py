"""The ``taxa`` command: serve, migrate, load the bundled data, import, export, keys."""

from __future__ import annotations

import argparse
import sys

from app.cli import jour as cli_jour
from app.cli import proposals as cli_proposals
from app.cli import quotes as cli_quote
from app.cli import reference as cli_reference
from app.cli import report as cli_report
from app.cli import volumes as cli_volumes
from app.cli.taxa import (
    cmd_activate,
    cmd_export,
    cmd_import,
    cmd_keys_create,
    cmd_keys_list,
    cmd_keys_revoke,
    cmd_load_bundled,
    cmd_migrate,
    cmd_schedules,
    cmd_serve,
)
from app.config import DEFAULT_OWNER, Settings
from app.errors import AppError
from pricing.errors import PricingError
from pricing.taxa import Variant


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taxa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the HTTP service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a log line per request (default: off, or TAXA_ACCESS_LOG=1)",
    )
    p.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="bring the database schema to head").set_defaults(
        func=cmd_migrate
    )
    sub.add_parser(
        "load-bundled",
        help="load the bundled 2025 taxa into an empty database, "
        "and the bundled reference lists where there are none",
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

    keys = sub.add_parser("keys", help="API keys").add_subparsers(
        dest="keys_command", required=True
    )
    p = keys.add_parser("create", help="create a key; the key is the last line printed")
    p.add_argument("--role", choices=["admin", "clinic", "board"], required=True)
    p.add_argument("--name")
    p.add_argument(
        "--owner",
        action="append",
        help="an owner the key may write for (repeat for more); none: every owner",
    )
    p.set_defaults(func=cmd_keys_create)
    p = keys.add_parser(
        "revoke", help="revoke a key: every worker refuses it within the snapshot interval"
    )
    p.add_argument("key_id", type=int)
    p.set_defaults(func=cmd_keys_revoke)
    keys.add_parser(
        "list", help="list keys: prefix, role, owners, created, last used"
    ).set_defaults(func=cmd_keys_list)
    cli_quote.register(sub)
    cli_jour.register(sub)
    cli_volumes.register(sub)
    cli_report.register(sub)
    cli_reference.register(sub)
    cli_proposals.register(sub)
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
            where = (
                f"{problem['field']}"
                if "field" in problem
                else f"row {problem['row']}, column {problem['column']!r}"
            )
            print(f"  {where}, value {problem['value']!r}: {problem['message']}", file=sys.stderr)
        return 1
    except PricingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
