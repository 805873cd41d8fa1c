"""The Swedish calendar from the holidays package: public holidays, no Sundays, the four eves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import holidays
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.jour import calendar
from app.jour.calendar import (
    is_jourtid_in_sweden,
    is_swedish_eve,
    is_swedish_holiday,
    swedish_holiday_names,
)
from app.main import create_app
from pricing.jourtid import JourWindows

PUBLIC_2025 = [
    (date(2025, 1, 1), "Nyårsdagen"),
    (date(2025, 1, 6), "Trettondedag jul"),
    (date(2025, 4, 18), "Långfredagen"),
    (date(2025, 4, 20), "Påskdagen"),
    (date(2025, 4, 21), "Annandag påsk"),
    (date(2025, 5, 1), "Första maj"),
    (date(2025, 5, 29), "Kristi himmelsfärdsdag"),
    (date(2025, 6, 6), "Nationaldagen"),
    (date(2025, 6, 8), "Pingstdagen"),
    (date(2025, 6, 21), "Midsommardagen"),
    (date(2025, 11, 1), "Alla helgons dag"),
    (date(2025, 12, 25), "Juldagen"),
    (date(2025, 12, 26), "Annandag jul"),
]


@pytest.mark.parametrize(("day", "name"), PUBLIC_2025)
def test_public_holidays_2025(day: date, name: str) -> None:
    assert is_swedish_holiday(day)
    assert swedish_holiday_names(day) == (name,)
    assert not is_swedish_eve(day)


def test_exactly_these_public_holidays_in_2025() -> None:
    year = [date(2025, 1, 1) + timedelta(days=n) for n in range(365)]
    assert [d for d in year if is_swedish_holiday(d)] == [d for d, _ in PUBLIC_2025]


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 3, 9),  # an ordinary Sunday
        date(2025, 1, 5),  # Sunday, trettondagsafton
        date(2025, 6, 7),  # pingstafton (not one of the four eves)
        date(2025, 4, 30),  # valborgsmässoafton
        date(2025, 5, 30),  # klämdag
        date(2025, 3, 11),
    ],
)
def test_sundays_and_other_days_are_neither(day: date) -> None:
    assert not is_swedish_holiday(day)
    assert not is_swedish_eve(day)
    assert swedish_holiday_names(day) == ()


def test_no_sunday_is_a_holiday_just_for_being_sunday() -> None:
    sundays = [date(2025, 1, 5) + timedelta(weeks=n) for n in range(52)]
    assert [d for d in sundays if is_swedish_holiday(d)] == [
        date(2025, 4, 20),  # påskdagen
        date(2025, 6, 8),  # pingstdagen
    ]


def test_the_library_would_count_sundays_if_asked() -> None:
    """Why we pass include_sundays=False: the library's Swedish calendar can list every Sunday."""
    with_sundays = holidays.country_holidays("SE", years=2025, include_sundays=True)
    assert date(2025, 3, 9) in with_sundays


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 3, 30), True),  # påskafton 2024
        (date(2024, 6, 21), True),  # midsommarafton 2024
        (date(2024, 12, 24), True),
        (date(2024, 12, 31), True),
        (date(2025, 4, 19), True),  # påskafton 2025 (derived: the day before påskdagen)
        (date(2025, 6, 20), True),  # midsommarafton 2025 (library, de facto category)
        (date(2025, 12, 24), True),  # julafton
        (date(2025, 12, 31), True),  # nyårsafton
        (date(2026, 4, 4), True),  # påskafton 2026
        (date(2026, 6, 19), True),  # midsommarafton 2026
        (date(2025, 12, 23), False),
        (date(2025, 6, 19), False),
        (date(2025, 12, 25), False),  # juldagen is a holiday, not an eve
    ],
)
def test_eves(day: date, expected: bool) -> None:
    assert is_swedish_eve(day) is expected


@pytest.mark.parametrize("year", range(2020, 2031))
def test_four_eves_every_year_and_their_rules(year: int) -> None:
    eves = [
        date(year, 1, 1) + timedelta(days=n)
        for n in range(366)
        if (date(year, 1, 1) + timedelta(days=n)).year == year
        and is_swedish_eve(date(year, 1, 1) + timedelta(days=n))
    ]
    assert len(eves) == 4
    paskafton, midsommarafton, julafton, nyarsafton = eves
    assert swedish_holiday_names(paskafton + timedelta(days=1)) == ("Påskdagen",)
    assert paskafton.weekday() == 5
    assert swedish_holiday_names(midsommarafton + timedelta(days=1)) == ("Midsommardagen",)
    assert midsommarafton.weekday() == 4 and 19 <= midsommarafton.day <= 25
    assert (julafton.month, julafton.day, nyarsafton.month, nyarsafton.day) == (12, 24, 12, 31)


STOCKHOLM_WINTER = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("moment", "windows", "expected"),
    [
        (datetime(2025, 12, 24, 10, tzinfo=STOCKHOLM_WINTER), JourWindows(), True),
        (datetime(2025, 12, 24, 10, tzinfo=STOCKHOLM_WINTER), JourWindows(eves=False), False),
        (datetime(2025, 12, 23, 10, tzinfo=STOCKHOLM_WINTER), JourWindows(), False),
        (datetime(2025, 1, 6, 9, tzinfo=UTC), JourWindows(), True),  # trettondedag
        (
            datetime(2025, 3, 9, 12, tzinfo=STOCKHOLM_WINTER),
            replace(JourWindows(), weekends=False),
            False,  # a Sunday is not a holiday: with weekends off it is a normal day
        ),
    ],
)
def test_wired_predicate(moment: datetime, windows: JourWindows, expected: bool) -> None:
    assert is_jourtid_in_sweden(moment, windows) is expected


def test_the_app_computes_the_calendar_around_today_before_its_first_request(
    engine: Engine, settings: Settings
) -> None:
    """The first request with an instant finds the years around today computed (the holidays
    package imports its Sweden module on first use, ≈ 80 ms on the event loop)."""
    calendar._public_holidays.cache_clear()
    calendar._eves.cache_clear()
    app = create_app(settings)
    with TestClient(app):
        assert calendar._public_holidays.cache_info().currsize == 3
        assert calendar._eves.cache_info().currsize == 3
        misses = calendar._public_holidays.cache_info().misses
        is_swedish_holiday(date.today())
        assert calendar._public_holidays.cache_info().misses == misses  # found, not computed
    app.state.engine.dispose()
