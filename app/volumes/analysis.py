"""The 7 % analysis on stored schedules: the taxa's prices against the referenspris, weighted
by a volume set, with the previous year's taxa for the year-on-year change.

Shared by the routes (``app/volumes/routes.py``), the report and the CLI
(``app/cli/volumes.py``). Helpers flush, never commit: the caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session

from app.errors import InvalidInput
from app.models import Schedule
from app.reference.lists import ListView, rise_of, with_list_prices
from app.reference.schemas import against_list
from app.taxa.schedules import get_schedule, in_force, items_of
from app.taxa.schemas import ScheduleRef
from app.volumes.schemas import DeviationOut, VolumesRef
from pricing.deviation import DeviationAnalysis, analyse_deviation
from pricing.taxa import Variant


def previous_schedule(
    session: Session, schedule: Schedule, previous_id: int | None
) -> Schedule | None:
    """The schedule to compare year on year: the one named, else the active schedule of the
    same owner and variant in force the day before this one's valid_from."""
    if previous_id is not None:
        previous = get_schedule(session, previous_id)
        if previous.id == schedule.id:
            raise InvalidInput("previous_id is the schedule itself")
        return previous
    return in_force(
        session, schedule.owner, Variant(schedule.variant), schedule.valid_from - timedelta(days=1)
    )


def run_deviation(
    session: Session,
    schedule: Schedule,
    volumes: Mapping[str, int],
    limit_percent: Decimal,
    previous_id: int | None,
    reference_list: ListView | None = None,
) -> tuple[DeviationAnalysis, Schedule | None]:
    """The analysis against the taxa's referenspris column, or against ``reference_list``'s
    prices (each code mapped onto TLV's: "our prices against next year's list")."""
    assert schedule.id is not None
    previous = previous_schedule(session, schedule, previous_id)
    previous_items = None
    if previous is not None:
        assert previous.id is not None
        previous_items = items_of(session, previous.id)
    items = items_of(session, schedule.id)
    if reference_list is not None:
        items = with_list_prices(items, reference_list.ref)
    analysis = analyse_deviation(items, volumes, limit_percent, previous_items)
    return analysis, previous


def deviation_answer(
    session: Session,
    schedule: Schedule,
    volumes: Mapping[str, int],
    source: VolumesRef,
    limit_percent: Decimal,
    previous_id: int | None,
    reference_list: ListView | None,
    top: int | None,
) -> DeviationOut:
    """The answer of POST /v1/schedules/{id}/deviation and ``taxa deviation``: the analysis and,
    on another list's prices, that list's own rise."""
    assert schedule.id is not None
    analysis, previous = run_deviation(
        session, schedule, volumes, limit_percent, previous_id, reference_list
    )
    out = DeviationOut.of(
        analysis,
        ScheduleRef.of(schedule),
        source,
        None if previous is None else ScheduleRef.of(previous),
        top,
    )
    if reference_list is not None:
        rise = rise_of(session, reference_list, volumes, items_of(session, schedule.id))
        against_list(out, rise, reference_list)
    return out
