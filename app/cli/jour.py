"""``taxa derive-jour`` and ``taxa jour-check``.

The same work as the HTTP endpoints (``app/jour/routes.py``, ``app/volumes/routes.py``), on the
database at ``DATABASE_URL``.
``--json`` prints the endpoint's JSON answer. Errors go to standard error with exit status 1
(``app.cli.main`` prints them).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.console import CLI_ACTOR, database, schedule_in_force, schedule_ref, today
from app.config import DEFAULT_OWNER, Settings
from pricing.taxa import Variant


def cmd_derive_jour(args: argparse.Namespace, settings: Settings) -> int:
    from app.jour.derive import choose_rule, derive_jour_schedule
    from app.jour.windows import jour_config
    from app.taxa.schedules import get_schedule

    rule = None
    if args.rule:
        rule = json.loads(Path(args.rule).read_text(encoding="utf-8"))
    with database(settings, write=True) as session:
        base = get_schedule(session, args.schedule)
        chosen = choose_rule(jour_config(), base, rule)
        derived = derive_jour_schedule(session, base, chosen, CLI_ACTOR)
    print(
        f"draft jour schedule {derived.schedule.id} '{derived.schedule.name}' derived from "
        f"schedule {base.id} with {chosen.file or args.rule}: {len(derived.items)} items, "
        f"{len(derived.not_surcharged)} kept at the normal price:"
    )
    for item, reason in derived.not_surcharged:
        print(f"  {item.key}: {item.price} ({reason})")
    print(
        f"check it with `taxa jour-check {derived.schedule.id}`, activate it with "
        f"`taxa activate {derived.schedule.id}`"
    )
    return 0


def cmd_jour_check(args: argparse.Namespace, settings: Settings) -> int:

    from app.jour.derive import run_jour_check
    from app.jour.schemas import JourCheckOut, JourRuleOut
    from app.jour.windows import jour_config
    from app.taxa.schedules import get_schedule

    with database(settings, write=False) as session:
        if args.schedule is not None:
            schedule = get_schedule(session, args.schedule)
        else:
            schedule = schedule_in_force(
                session, args.owner, Variant.JOUR, args.in_force_on or today()
            )
        check, base, chosen = run_jour_check(session, jour_config(), schedule, args.base)
    out = JourCheckOut.of(
        check, schedule_ref(schedule), schedule_ref(base), JourRuleOut.of(chosen.rule, chosen.file)
    )
    if args.json:
        print(out.model_dump_json(indent=2))
        return 0
    print(
        f"jour schedule {schedule.id} '{schedule.name}' against normal schedule {base.id} "
        f"'{base.name}', rule {chosen.file}: {check.matched} items in both; "
        + ("consistent (only exemptions)" if check.consistent else "findings:")
    )
    for kind, count in out.counts.items():
        print(f"  {kind}: {count}")
    for finding in check.findings:
        print(f"{finding.kind.value}\t{finding.detail}")
    return 0


def register(sub: Any) -> None:
    """Add the subcommands to ``taxa``'s subparsers (called from ``app.cli.build_parser``)."""
    p = sub.add_parser("derive-jour", help="derive a draft jour taxa from a normal one")
    p.add_argument("schedule", type=int, help="the normal schedule's id")
    p.add_argument(
        "--rule",
        help="a surcharge rule JSON file (default: the owner's bundled "
        "rule in data/jour/ for the schedule's valid_from)",
    )
    p.set_defaults(func=cmd_derive_jour)

    p = sub.add_parser("jour-check", help="check a jour taxa against the rule on a normal one")
    p.add_argument(
        "schedule",
        type=int,
        nargs="?",
        help="the jour schedule's id (default: the one in force --on)",
    )
    p.add_argument(
        "--base",
        type=int,
        help="the normal schedule's id (default: the one it "
        "was derived from, else the normal taxa in force on its valid_from)",
    )
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument(
        "--on", dest="in_force_on", type=date.fromisoformat, help="YYYY-MM-DD (default: today)"
    )
    p.add_argument("--json", action="store_true", help="print the endpoint's JSON")
    p.set_defaults(func=cmd_jour_check)
