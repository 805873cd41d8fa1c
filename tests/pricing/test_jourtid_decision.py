"""pricing.jourtid.decide_jourtid: which rule decided, and where the instant is local."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pricing.jourtid import (
    JourtidReason,
    JourWindows,
    JourWindowsError,
    decide_jourtid,
    is_jourtid,
)

HOLIDAYS = {date(2025, 6, 6)}
EVES = {date(2025, 12, 24)}


def holiday(d: date) -> bool:
    return d in HOLIDAYS


def eve(d: date) -> bool:
    return d in EVES


@pytest.mark.parametrize(
    ("at", "windows", "jour", "reason", "local"),
    [
        (
            "2025-03-12T09:00:00+00:00",
            JourWindows(),
            False,
            JourtidReason.WITHIN_HOURS,
            "2025-03-12T10:00:00+01:00",
        ),
        (
            "2025-03-12T16:00:00+00:00",
            JourWindows(),
            True,
            JourtidReason.OUTSIDE_HOURS,
            "2025-03-12T17:00:00+01:00",
        ),
        (
            "2025-03-15T10:00:00+01:00",
            JourWindows(),
            True,
            JourtidReason.WEEKEND,
            "2025-03-15T10:00:00+01:00",
        ),
        (
            "2025-06-06T10:00:00+02:00",
            JourWindows(),
            True,
            JourtidReason.PUBLIC_HOLIDAY,
            "2025-06-06T10:00:00+02:00",
        ),
        (
            "2025-12-24T10:00:00+01:00",
            JourWindows(),
            True,
            JourtidReason.EVE,
            "2025-12-24T10:00:00+01:00",
        ),
        (
            "2025-12-24T10:00:00+01:00",
            JourWindows(eves=False),
            False,
            JourtidReason.WITHIN_HOURS,
            "2025-12-24T10:00:00+01:00",
        ),
        (
            "2025-03-15T10:00:00+01:00",
            JourWindows(weekends=False),
            False,
            JourtidReason.WITHIN_HOURS,
            "2025-03-15T10:00:00+01:00",
        ),
    ],
)
def test_reason(
    at: str, windows: JourWindows, jour: bool, reason: JourtidReason, local: str
) -> None:
    decision = decide_jourtid(datetime.fromisoformat(at), windows, holiday, eve)
    assert (decision.jour, decision.reason, decision.local.isoformat()) == (jour, reason, local)
    assert decision.local_date == decision.local.date()


def test_a_year_of_quarter_hours_counted_by_hand() -> None:
    """2025 has 261 weekdays; 6 June and 24 December fall on weekdays: 259 days of 9 normal
    hours = 9 324 normal quarter-hours of 35 040 (daylight saving moves no normal hour)."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=15 * n) for n in range(4 * 24 * 365)]
    decisions = [decide_jourtid(at, JourWindows(), holiday, eve) for at in moments]
    assert sum(not d.jour for d in decisions) == 9324
    assert {d.reason for d in decisions if not d.jour} == {JourtidReason.WITHIN_HOURS}
    assert [is_jourtid(at, JourWindows(), holiday, eve) for at in moments] == [
        d.jour for d in decisions
    ]


def test_naive_and_missing_eve_predicate_raise() -> None:
    with pytest.raises(JourWindowsError, match="has no time zone"):
        decide_jourtid(datetime(2025, 3, 12, 10), JourWindows(), holiday, eve)
    with pytest.raises(JourWindowsError, match="pass is_eve"):
        decide_jourtid(datetime(2025, 3, 12, 10, tzinfo=UTC), JourWindows(), holiday)
