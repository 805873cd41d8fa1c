"""``taxa propose``: next year's taxa within the 7 % rule, as drafts or a dry run.

The same work as ``POST /v1/schedules/{id}/proposals`` (``app/proposals/``), on the database at
``DATABASE_URL``; the policy flags make the same ``policy`` object (or give it whole with
``--policy '{…}'``). ``--json`` prints the endpoint's JSON answer.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.console import CLI_ACTOR, database, kr, limits, pct, percent_argument, today
from app.config import DEFAULT_OWNER, Settings
from pricing.deviation import DEFAULT_LIMIT_PERCENT
from pricing.taxa import Variant

POLICY_FLAGS = {  # flag dest → policy field
    "mode": "mode",
    "percent": "percent",
    "target": "target_percent",
    "rounding": "rounding_kr",
    "max_rise": "max_rise_percent",
    "intern_percent": "intern_percent",
    "per_minute_rounding": "per_minute_rounding_kr",
}


def policy_of(args: argparse.Namespace) -> dict[str, Any]:
    """The policy object: ``--policy`` JSON, with the single flags on top."""
    policy: dict[str, Any] = json.loads(args.policy) if args.policy else {}
    if not isinstance(policy, dict):
        raise SystemExit('--policy is a JSON object, e.g. \'{"mode": "uniform"}\'')
    for dest, field in POLICY_FLAGS.items():
        value = getattr(args, dest)
        if value is not None:
            policy[field] = value
    if args.keep_at_or_below_reference:
        policy["keep_at_or_below_reference"] = True
    return policy


def cmd_propose(args: argparse.Namespace, settings: Settings) -> int:
    from app.cli.volumes import read_volume_file
    from app.proposals.proposing import run_proposal
    from app.proposals.schemas import ProposalOut
    from app.taxa.schedules import in_force
    from app.volumes.schemas import VolumesRef
    from app.volumes.volume_sets import EXAMPLE_VOLUMES, resolve_volumes

    inline: dict[str, int] | None = None
    source: VolumesRef | None = None
    if args.volumes_id is None:
        path = EXAMPLE_VOLUMES if args.example_volumes else Path(args.volumes_file)
        read = read_volume_file(path, settings, example=args.example_volumes)
        if read is None:
            return 2
        inline, source = read
    with database(settings, write=True) as session:
        schedule_id = args.schedule
        if schedule_id is None:
            on = args.in_force_on or today()
            found = in_force(session, args.owner, Variant.NORMAL, on)
            if found is None:
                from app.errors import NotFound

                raise NotFound(f"no active normal taxa of {args.owner!r} on {on}: give --schedule")
            schedule_id = found.id
        volumes, stored_source = resolve_volumes(session, args.volumes_id, inline)
        run = run_proposal(
            session,
            schedule_id=schedule_id,
            reference_list_id=args.list_id,
            volumes=volumes,
            volumes_source=source or stored_source,
            valid_from=args.valid_from,
            limit_percent=args.limit,
            policy=policy_of(args),
            dry_run=args.dry_run,
            actor=CLI_ACTOR,
            limits=limits(settings),
        )
        out = ProposalOut.of(run, args.dry_run)
    if args.json:
        print(out.model_dump_json(indent=2))
        return 0
    _print_proposal(out, args.example_volumes, args.top)
    return 0


def _print_proposal(out: Any, example: bool, top: int) -> None:
    s, r, v = out.schedule, out.reference_list, out.volumes
    if example:
        print("NOTE: the bundled EXAMPLE volumes are INVENTED, not real statistics")
    print(
        f"proposal from schedule {s.id} '{s.name}' against reference list {r.id} '{r.name}' "
        f"({r.valid_from} – {r.valid_to or 'open'}), valid from {out.valid_from}; volumes "
        f"{v.name or v.id} ({v.codes} codes)"
    )
    how = "solved" if out.solved else "given"
    print(
        f"extern prices: {pct(out.percent)} ({how}, target {out.target_percent} %, limit "
        f"{out.limit_percent} %)"
    )
    state = {True: "within", False: "NOT within", None: "cannot be computed"}[out.within]
    print(
        f"deviation after rounding: {pct(out.deviation_percent)}: {state}; headroom "
        f"{kr(out.headroom)} ({pct(out.headroom_percent)} points); before: "
        f"{pct(out.deviation_before.deviation_percent)} (today's prices, new list)"
    )
    d = out.deviation
    print(
        f"  without utbytesåtgärder {pct(d.without_utbyte.deviation_percent)}; "
        + "; ".join(
            f"category {c.category or '–'} {pct(c.figures.deviation_percent)}"
            for c in d.by_category
        )
    )
    if out.list_rise is not None:
        lr = out.list_rise
        print(
            f"the list's own rise on {lr.previous.name if lr.previous else 'the taxa'}: "
            f"weighted {pct(lr.weighted_percent)}, median åtgärd {pct(lr.median_percent)}"
        )
    gains = [c.code for c in out.crossings if c.gains]
    loses = [c.code for c in out.crossings if not c.gains]
    print(
        f"cross their reference: {len(gains)} gain tiotandvård ({', '.join(gains) or '–'}), "
        f"{len(loses)} lose it ({', '.join(loses[:20]) or '–'}{' …' if len(loses) > 20 else ''})"
    )
    print(f"need a price (new in the list): {', '.join(n.code for n in out.needs_price) or 'none'}")
    print(f"variants to confirm: {', '.join(x.code for x in out.variants) or 'none'}")
    changed = sorted(out.items, key=lambda i: abs(i.change), reverse=True)[:top]
    print(f"largest {len(changed)} changes of {len(out.items)} items:")
    for i in changed:
        print(
            f"  {i.key}: {i.old_price} -> {i.new_price} ({pct(i.change_percent)})"
            f"{' capped: ' + i.capped if i.capped else ''}"
        )
    for rule in out.rules:
        print(f"rule: {rule}")
    for note in out.notes:
        print(f"note: {note}")
    if out.jour is not None:
        print(f"jour: {out.jour.note}")
    if out.stored is None:
        print("dry run: nothing stored")
    else:
        jour = out.jour.schedule.id if out.jour and out.jour.schedule else None
        print(
            f"stored as draft schedule {out.stored.id}"
            + (f" and jour draft {jour}" if jour else "")
            + f"; report: `taxa report --schedule {out.stored.id}`; activate: `taxa activate "
            f"{out.stored.id}`" + (f" and `taxa activate {jour}`" if jour else "")
        )


def register(sub: Any) -> None:
    """Add ``taxa propose`` to ``taxa``."""
    p = sub.add_parser(
        "propose",
        help="propose next year's taxa within the 7 %% rule",
        description="Default: from the normal taxa in force today. The volumes "
        "are a stored set, a file, or --example-volumes (INVENTED figures).",
    )
    p.add_argument(
        "--list",
        dest="list_id",
        type=int,
        required=True,
        help="next year's reference list id (taxa reference list)",
    )
    p.add_argument("--valid-from", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    p.add_argument("--schedule", type=int, help="schedule id (default: normal taxa in force)")
    p.add_argument("--owner", default=DEFAULT_OWNER)
    p.add_argument(
        "--on",
        dest="in_force_on",
        type=date.fromisoformat,
        help="YYYY-MM-DD: the taxa in force that day (default: today)",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--volumes-id", type=int, help="a stored volume set")
    source.add_argument("--volumes-file", help="a volume file, read without storing it")
    source.add_argument(
        "--example-volumes", action="store_true", help="the bundled EXAMPLE volumes (invented)"
    )
    p.add_argument(
        "--limit",
        type=percent_argument,
        default=DEFAULT_LIMIT_PERCENT,
        help="the allowed deviation in %% (default 7)",
    )
    p.add_argument("--policy", help="the policy as a JSON object (the flags below go on top)")
    p.add_argument("--mode", choices=["uniform", "follow_reference"])
    p.add_argument("--percent", help="the uniform %% on extern prices (default: solved)")
    p.add_argument("--target", help="the deviation %% to solve for (default: the limit)")
    p.add_argument("--rounding", help="rounding step in kronor (default 5)")
    p.add_argument("--max-rise", help="the largest rise of one price in %%")
    p.add_argument(
        "--keep-at-or-below-reference",
        action="store_true",
        help="a code at or below its reference stays at or below the new one",
    )
    p.add_argument("--intern-percent", help="intern codes and flat fees (default: unchanged)")
    p.add_argument("--per-minute-rounding", help="per-minute price step in kronor (default 1)")
    p.add_argument("--dry-run", action="store_true", help="preview, store nothing")
    p.add_argument("--top", type=int, default=15, help="changes to list (default 15)")
    p.add_argument("--json", action="store_true", help="print the endpoint's JSON")
    p.set_defaults(func=cmd_propose)
