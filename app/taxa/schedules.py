"""Storing and reading schedule versions. Helpers flush; only the request boundary commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from app.db import audit, bump_snapshot_version, now
from app.errors import RETRYABLE_SQLSTATES, Conflict, NotFound
from app.models import MAX_ID, Schedule, ScheduleItem, from_ore, to_ore
from pricing.taxa import Category, Item, Kind, Unit, Variant

DRAFT, ACTIVE, RETIRED = "draft", "active", "retired"


def item_from_row(row: ScheduleItem) -> Item:
    return Item(
        code=row.code,
        category=Category(row.category) if row.category else None,
        group=row.group_name,
        kind=Kind(row.kind),
        texts=tuple(row.texts),
        price=from_ore(row.price_ore),
        reference_price=None
        if row.reference_price_ore is None
        else from_ore(row.reference_price_ore),
        unit=Unit(row.unit),
        source_rows=tuple(row.source_rows),
    )


def items_of(session: Session, schedule_id: int) -> list[Item]:
    rows = session.exec(
        select(ScheduleItem)
        .where(ScheduleItem.schedule_id == schedule_id)
        .order_by(col(ScheduleItem.position))
    ).all()
    return [item_from_row(r) for r in rows]


def get_schedule(session: Session, schedule_id: int) -> Schedule:
    schedule = session.get(Schedule, schedule_id) if 1 <= schedule_id <= MAX_ID else None
    if schedule is None:
        raise NotFound(f"no schedule with id {schedule_id}")
    return schedule


def in_force(session: Session, owner: str, variant: Variant, on: date) -> Schedule | None:
    """The active schedule of that owner and variant valid on ``on``, if any."""
    return session.exec(
        select(Schedule).where(
            Schedule.owner == owner,
            Schedule.variant == variant.value,
            Schedule.status == ACTIVE,
            Schedule.valid_from <= on,
            (col(Schedule.valid_to).is_(None)) | (col(Schedule.valid_to) >= on),
        )
    ).first()


def create_draft(
    session: Session,
    *,
    owner: str,
    name: str,
    variant: Variant,
    valid_from: date,
    items: Sequence[Item],
    imported_by: str,
    source_filename: str | None,
    source_sha256: str | None,
    derived_from_id: int | None = None,
    warnings: Sequence[dict[str, object]] = (),
) -> Schedule:
    schedule = Schedule(
        owner=owner,
        name=name,
        variant=variant.value,
        valid_from=valid_from,
        status=DRAFT,
        source_filename=source_filename,
        source_sha256=source_sha256,
        imported_by=imported_by,
        imported_at=now(),
        derived_from_id=derived_from_id,
        import_warnings=list(warnings),
    )
    session.add(schedule)
    session.flush()
    assert schedule.id is not None
    rows = [
        {
            "schedule_id": schedule.id,
            "position": position,
            "code": item.code,
            "category": item.category.value if item.category else None,
            "group_name": item.group,
            "kind": item.kind.value,
            "texts": list(item.texts),
            "price_ore": to_ore(item.price),
            "reference_price_ore": None
            if item.reference_price is None
            else to_ore(item.reference_price),
            "unit": item.unit.value,
            "source_rows": list(item.source_rows),
        }
        for position, item in enumerate(items)
    ]
    if rows:  # one executemany, not an ORM object per row: SQLite's write lock stays short
        session.execute(insert(ScheduleItem), rows)
    return schedule


def activate(session: Session, schedule: Schedule, actor: str) -> Schedule | None:
    """Make a draft active; end the validity of the active version it follows; audit it.

    The schedule it follows is the active one of the same owner and variant that starts before
    it and has no end (or ends after it): its validity now ends the day before. Any other
    overlap with an active schedule is refused. Returns the schedule that was ended, if any.

    Two activations at once cannot both win: the draft's row is locked and read again (a second
    activation of the same draft finds it active), and the database refuses two overlapping
    active schedules (PostgreSQL: an exclusion constraint; SQLite: write transactions run one
    at a time, app.db). The loser gets 409.
    """
    session.refresh(schedule, with_for_update=True)
    if schedule.status != DRAFT:
        raise Conflict(
            f"schedule {schedule.id} is {schedule.status}: only a draft can be activated"
        )
    others = session.exec(
        select(Schedule)
        .where(
            Schedule.owner == schedule.owner,
            Schedule.variant == schedule.variant,
            Schedule.status == ACTIVE,
            Schedule.id != schedule.id,
        )
        .with_for_update()
    ).all()
    start = schedule.valid_from
    end = schedule.valid_to
    ended: Schedule | None = None
    for other in others:
        other_end = other.valid_to
        overlaps = other.valid_from <= (end or date.max) and start <= (other_end or date.max)
        if not overlaps:
            continue
        follows = other.valid_from < start and (other_end is None or other_end >= start)
        later_ones = [o for o in others if o.valid_from > other.valid_from and o is not other]
        if follows and not later_ones and ended is None:
            ended = other
            continue
        raise Conflict(
            f"schedule {schedule.id} ({start} – {end or 'open'}) overlaps active schedule "
            f"{other.id} '{other.name}' ({other.valid_from} – {other_end or 'open'}); "
            "retire that one or choose another valid_from"
        )
    label = f"schedule {schedule.id} ({start} – {end or 'open'})"  # read before a failed flush
    try:
        if ended is not None:
            ended.valid_to = start - timedelta(days=1)
            session.add(ended)
            session.flush()  # first: the constraint checks every statement
        schedule.status = ACTIVE
        schedule.activated_at = now()
        schedule.activated_by = actor
        session.add(schedule)
        bump_snapshot_version(session)
        session.flush()
    except (IntegrityError, OperationalError) as exc:
        # The constraint refused the overlap, or PostgreSQL aborted one of two activations that
        # waited on each other's row (a deadlock): either way another activation won.
        if isinstance(exc, OperationalError) and (
            getattr(exc.orig, "sqlstate", None) not in RETRYABLE_SQLSTATES
        ):
            raise  # SQLite's busy database stays a 503 (app.errors)
        raise Conflict(
            f"{label} overlaps an active schedule of the same owner and variant activated at "
            "the same moment; try again"
        ) from exc
    audit(
        session,
        actor=actor,
        action="activate",
        target=f"schedule:{schedule.id}",
        sha256=schedule.source_sha256,
        owner=schedule.owner,
        ended=None if ended is None else {"schedule": ended.id, "valid_to": ended.valid_to},
    )
    return ended


def retire(session: Session, schedule: Schedule, actor: str) -> None:
    """Take an active schedule out of force; audited."""
    session.refresh(schedule, with_for_update=True)
    if schedule.status != ACTIVE:
        raise Conflict(f"schedule {schedule.id} is {schedule.status}: only an active one retires")
    schedule.status = RETIRED
    session.add(schedule)
    bump_snapshot_version(session)
    session.flush()
    audit(
        session,
        actor=actor,
        action="retire",
        target=f"schedule:{schedule.id}",
        owner=schedule.owner,
    )
