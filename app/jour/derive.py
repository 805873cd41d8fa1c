"""The jour work on stored schedules: derive a jour taxa from a normal one and check a jour
taxa against the surcharge rule. Fetch rows, call ``pricing``, store the result.

Shared by the routes (``app/jour/routes.py``) and the CLI (``app/cli/jour.py``). Helpers flush,
never commit: the caller's transaction does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.db import audit
from app.errors import Conflict, InvalidInput
from app.jour.windows import JourConfig
from app.models import Schedule
from app.taxa.schedules import create_draft, get_schedule, in_force, items_of
from pricing.jour import (
    JourCheck,
    SurchargeRule,
    check_jour,
    derive_jour,
    exemption,
    surcharge_rule_from_mapping,
)
from pricing.taxa import Item, Variant

DERIVED_SUFFIX = " - Jour (härledd)"


NAME_MAX = 200


@dataclass(frozen=True)
class ChosenRule:
    rule: SurchargeRule
    file: str | None  # data/jour/<file>, or None for a rule sent with the request
    sha256: str  # of the rule's canonical JSON: the audit log's checksum


def choose_rule(
    config: JourConfig, schedule: Schedule, given: Mapping[str, Any] | None
) -> ChosenRule:
    """The rule sent with the request, else the owner's bundled rule for the schedule's date."""
    if given is None:
        bundled = config.rule_for(schedule.owner, schedule.valid_from)
        raw: Mapping[str, Any] = bundled.raw
        rule, file = bundled.rule, f"data/jour/{bundled.file}"
    else:
        rule, file, raw = surcharge_rule_from_mapping(given), None, given
        if (rule.valid_from is not None and schedule.valid_from < rule.valid_from) or (
            rule.valid_to is not None and schedule.valid_from > rule.valid_to
        ):
            raise InvalidInput(
                f"the rule is valid {rule.valid_from or '…'} – {rule.valid_to or '…'}, which "
                f"does not cover the schedule's valid_from {schedule.valid_from}"
            )
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return ChosenRule(rule, file, hashlib.sha256(canonical.encode("utf-8")).hexdigest())


@dataclass(frozen=True)
class Derived:
    schedule: Schedule
    base: Schedule
    items: list[Item]
    not_surcharged: list[tuple[Item, str]]  # the base's items kept at their price, and why


def derive_jour_schedule(
    session: Session, base: Schedule, chosen: ChosenRule, actor: str
) -> Derived:
    """A draft jour schedule derived from a normal one (same owner, valid_from; audit-logged)."""
    if base.variant != Variant.NORMAL.value:
        raise Conflict(f"schedule {base.id} is a {base.variant} taxa: derive from a normal one")
    assert base.id is not None
    normal_items = items_of(session, base.id)
    jour_items = derive_jour(normal_items, chosen.rule)
    name = base.name[: NAME_MAX - len(DERIVED_SUFFIX)] + DERIVED_SUFFIX
    schedule = create_draft(
        session,
        owner=base.owner,
        name=name,
        variant=Variant.JOUR,
        valid_from=base.valid_from,
        items=jour_items,
        imported_by=actor,
        source_filename=chosen.file,
        source_sha256=chosen.sha256,
        derived_from_id=base.id,
    )
    kept = [(i, reason) for i in normal_items if (reason := exemption(i, chosen.rule))]
    audit(
        session,
        actor=actor,
        action="derive_jour",
        target=f"schedule:{schedule.id}",
        sha256=chosen.sha256,
        derived_from=base.id,
        rule_file=chosen.file,
        rule_source=chosen.rule.source,
        percent=chosen.rule.percent,
        items=len(jour_items),
        not_surcharged=len(kept),
    )
    return Derived(schedule, base, jour_items, kept)


def default_base(session: Session, schedule: Schedule) -> Schedule:
    """The normal schedule a jour schedule is checked against when none is named.

    The one it was derived from, else the active normal schedule of its owner in force on its
    valid_from.
    """
    if schedule.derived_from_id is not None:
        return get_schedule(session, schedule.derived_from_id)
    found = in_force(session, schedule.owner, Variant.NORMAL, schedule.valid_from)
    if found is None:
        raise InvalidInput(
            f"no active normal taxa of {schedule.owner!r} is in force on {schedule.valid_from}: "
            "name the normal schedule with base"
        )
    return found


def run_jour_check(
    session: Session, config: JourConfig, schedule: Schedule, base_id: int | None
) -> tuple[JourCheck, Schedule, ChosenRule]:
    """Every finding of the owner's rule applied to the base, against this jour schedule."""
    if schedule.variant != Variant.JOUR.value:
        raise Conflict(f"schedule {schedule.id} is a {schedule.variant} taxa: check a jour one")
    base = (
        get_schedule(session, base_id) if base_id is not None else default_base(session, schedule)
    )
    if base.variant != Variant.NORMAL.value:
        raise Conflict(f"base schedule {base.id} is a {base.variant} taxa: give a normal one")
    chosen = choose_rule(config, schedule, None)
    assert schedule.id is not None and base.id is not None
    check = check_jour(items_of(session, schedule.id), items_of(session, base.id), chosen.rule)
    return check, base, chosen
