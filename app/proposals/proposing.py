"""Next year's taxa proposed within the 7 % rule: fetch what :func:`pricing.proposal.propose`
needs, call it, and store the result as drafts the way an upload is stored.

Shared by ``POST /v1/schedules/{id}/proposals`` and ``taxa propose``. Helpers flush, never
commit: the caller's transaction does.

Choices:

* **Which list before.** The list's own rise is measured from the stored list in force the day
  before the new one starts; with none, from the taxa's own referenspris column (said so).
* **The same way in as an upload.** The proposed items are written in the service's own format
  (data/FORMAT.md, as ``GET …/export`` writes them) and go through
  :func:`app.taxa.imports.import_taxa`: the same validation, the same warnings, the same diff
  against the taxa in force, a normal DRAFT that is activated like any other. A dry run runs
  the same checks and stores nothing.
* **The jour taxa** is the proposal's normal taxa with the owner's surcharge rule
  (:meth:`pricing.proposal.Proposal.jour`), stored as a jour draft the same way and marked as
  derived from the normal draft. The rule is the owner's rule covering ``valid_from``, else the
  owner's latest rule, and the answer says which and why (the region decides next year's
  surcharge with the taxa; ``POST /v1/schedules/{id}/derive-jour`` derives it again with
  another rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from app.db import audit
from app.errors import Conflict, InvalidInput, field_problem
from app.files import Limits
from app.jour.windows import BundledRule, jour_config
from app.models import Schedule
from app.reference.lists import ListView, list_before, load_list
from app.taxa.export import export_csv
from app.taxa.imports import ImportOutcome, import_taxa
from app.taxa.schedules import get_schedule, items_of
from app.volumes.schemas import VolumesRef
from pricing.deviation import presented
from pricing.proposal import (
    Proposal,
    ProposalError,
    ProposalPolicyError,
    policy_from_mapping,
    propose,
)
from pricing.taxa import Item, Variant

NAME_MAX = 200


@dataclass(frozen=True)
class JourDraft:
    schedule: Schedule | None  # None on a dry run
    rule: BundledRule
    note: str


@dataclass(frozen=True)
class ProposalRun:
    base: Schedule
    reference: ListView
    previous_list: ListView | None
    proposal: Proposal
    policy_given: Mapping[str, Any]
    valid_from: date
    volumes: VolumesRef
    checks: ImportOutcome  # the normal taxa's validation and diff (stored unless dry run)
    against: Schedule | None  # the taxa in force on valid_from the diff compares with
    normal: Schedule | None  # the stored normal draft; None on a dry run
    jour: JourDraft | None  # None when the owner has no surcharge rule
    notes: tuple[str, ...]


def jour_rule_for(owner: str, valid_from: date) -> tuple[BundledRule, str] | None:
    """The owner's surcharge rule covering ``valid_from``, else its latest one; with why."""
    rules = [r for r in jour_config().rules if r.owner == owner]
    if not rules:
        return None
    for rule in rules:
        if rule.covers(valid_from):
            return rule, f"the owner's surcharge rule data/jour/{rule.file} covers {valid_from}"
    latest = max(rules, key=lambda r: r.rule.valid_from or date.min)
    span = f"{latest.rule.valid_from or '…'} – {latest.rule.valid_to or '…'}"
    return latest, (
        f"no surcharge rule of {owner!r} covers {valid_from}: the owner's latest, "
        f"data/jour/{latest.file} ({latest.rule.percent} %, valid {span}), is used; the region "
        "decides next year's surcharge with the taxa, so check it (POST /v1/schedules/{id}/"
        "derive-jour derives the jour taxa again with another rule)"
    )


def _name(base: Schedule, ref: ListView, valid_from: date, suffix: str = "") -> str:
    stem = f"Tandvårdstaxa {valid_from.year} – förslag mot {ref.name}"
    return stem[: NAME_MAX - len(suffix)] + suffix


def _check_dates(base: Schedule, view: ListView, valid_from: date) -> None:
    if base.variant != Variant.NORMAL.value:
        raise Conflict(
            f"schedule {base.id} is a {base.variant} taxa: propose from a normal one "
            "(its jour taxa is derived by the surcharge rule)"
        )
    if valid_from <= base.valid_from:
        raise InvalidInput(
            f"the proposal must start after the taxa it is built from ({base.valid_from})",
            field="valid_from",
            value=valid_from,
        )
    if view.valid_from < base.valid_from:
        raise InvalidInput(
            f"reference list {view.id} '{view.name}' starts {view.valid_from}, before the taxa "
            f"{base.id} ({base.valid_from}): a proposal is built on the next list, not an "
            "earlier one",
            field="reference_list_id",
            value=view.id,
        )
    if view.valid_to is not None and view.valid_to < valid_from:
        raise InvalidInput(
            f"reference list {view.id} '{view.name}' ends {view.valid_to}, before the proposal "
            f"starts ({valid_from})",
            field="reference_list_id",
            value=view.id,
        )


def _propose(
    base_items: list[Item],
    view: ListView,
    previous: ListView | None,
    volumes: Mapping[str, int],
    policy: Mapping[str, Any],
    limit_percent: Decimal,
) -> Proposal:
    try:
        parsed = policy_from_mapping(policy)
        return propose(
            base_items,
            view.ref,
            volumes,
            parsed,
            limit_percent=limit_percent,
            old_list=None if previous is None else previous.ref,
        )
    except ProposalPolicyError as exc:
        field = exc.field if exc.field == "limit_percent" else f"policy.{exc.field}"
        message = str(exc).removeprefix(f"{exc.field}: ")
        raise InvalidInput(f"{field}: {message}", field=field, value=exc.value) from exc
    except ProposalError as exc:
        field = "policy.target_percent" if "target_percent" in policy else "limit_percent"
        nearest = {
            k: v
            for k, v in (
                ("deviation_below", exc.below),
                ("deviation_above", exc.above),
                ("percent_below", exc.percent_below),
                ("percent_above", exc.percent_above),
            )
            if v is not None
        }
        problems = [
            field_problem(
                field,
                str(exc),
                limit_percent if field == "limit_percent" else policy.get("target_percent"),
            )
        ]
        problems += [
            field_problem(
                f"nearest.{k}", f"the nearest achievable {k.replace('_', ' ')}", presented(v)
            )
            for k, v in nearest.items()
        ]
        raise InvalidInput(f"no proposal meets the request: {exc}", problems=problems) from exc


def run_proposal(
    session: Session,
    *,
    schedule_id: int,
    reference_list_id: int,
    volumes: Mapping[str, int],
    volumes_source: VolumesRef,
    valid_from: date,
    limit_percent: Decimal,
    policy: Mapping[str, Any],
    dry_run: bool,
    actor: str,
    limits: Limits,
) -> ProposalRun:
    """Build the proposal; unless ``dry_run``, store it as a normal and a jour DRAFT."""
    base = get_schedule(session, schedule_id)
    _, view = load_list(session, reference_list_id)
    _check_dates(base, view, valid_from)
    assert base.id is not None
    previous = list_before(session, view)
    proposal = _propose(items_of(session, base.id), view, previous, volumes, policy, limit_percent)
    notes: list[str] = []
    if previous is None:
        notes.append(
            f"no stored reference list is in force the day before {view.valid_from}: "
            "the list's own rise is measured from the taxa's referenspris column"
        )
    content = export_csv(proposal.proposed_items)
    stem = f"proposal-{base.owner}-{valid_from.isoformat()}"
    checks = import_taxa(
        session,
        content=content,
        filename=f"{stem}.csv",
        owner=base.owner,
        name=_name(base, view, valid_from),
        variant=Variant.NORMAL,
        valid_from=valid_from,
        dry_run=dry_run,
        actor=actor,
        limits=limits,
    )
    normal = None if checks.schedule_id is None else get_schedule(session, checks.schedule_id)
    jour: JourDraft | None = None
    chosen = jour_rule_for(base.owner, valid_from)
    if chosen is None:
        notes.append(
            f"{base.owner!r} has no jour surcharge rule (data/jour/): no jour taxa is proposed"
        )
    else:
        rule, why = chosen
        jour_schedule = None
        if normal is not None:
            jour_outcome = import_taxa(
                session,
                content=export_csv(proposal.jour(rule.rule)),
                filename=f"{stem}-jour.csv",
                owner=base.owner,
                name=_name(base, view, valid_from, " - Jourklinik"),
                variant=Variant.JOUR,
                valid_from=valid_from,
                dry_run=False,
                actor=actor,
                limits=limits,
            )
            assert jour_outcome.schedule_id is not None
            jour_schedule = get_schedule(session, jour_outcome.schedule_id)
            jour_schedule.derived_from_id = normal.id
            session.add(jour_schedule)
            session.flush()
        jour = JourDraft(jour_schedule, rule, why)
    if normal is not None:
        audit(
            session,
            actor=actor,
            action="propose",
            target=f"schedule:{normal.id}",
            sha256=normal.source_sha256,
            owner=base.owner,
            base=base.id,
            reference_list=view.id,
            volumes=volumes_source.id,
            valid_from=valid_from,
            limit_percent=limit_percent,
            policy=dict(policy),
            percent=proposal.percent,
            solved=proposal.solved,
            deviation_percent=proposal.deviation_percent,
            jour=None if jour is None or jour.schedule is None else jour.schedule.id,
            jour_rule=None if jour is None else jour.rule.file,
        )
    return ProposalRun(
        base=base,
        reference=view,
        previous_list=previous,
        proposal=proposal,
        policy_given=policy,
        valid_from=valid_from,
        volumes=volumes_source,
        checks=checks,
        against=None if checks.against_id is None else get_schedule(session, checks.against_id),
        normal=normal,
        jour=jour,
        notes=tuple(notes),
    )
