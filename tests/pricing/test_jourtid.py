"""When is it jourtid: windows, weekends, holidays, eves, midnight and the DST nights."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pricing.errors import PricingError
from pricing.jourtid import (
    JourWindows,
    JourWindowsError,
    is_jourtid,
    jour_windows_from_mapping,
    local_time,
)

REPO = Path(__file__).resolve().parents[2]
STOCKHOLM = ZoneInfo("Europe/Stockholm")
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))

# A small calendar, enough for the tests (the real one is app.jour_calendar).
HOLIDAYS = {date(2025, 1, 1), date(2025, 5, 1), date(2025, 5, 29), date(2025, 6, 6)}
EVES = {date(2025, 4, 19), date(2025, 6, 20), date(2025, 12, 24), date(2025, 12, 31)}


def is_holiday(d: date) -> bool:
    return d in HOLIDAYS


def is_eve(d: date) -> bool:
    return d in EVES


DEFAULT = JourWindows()
NO_WEEKENDS = replace(DEFAULT, weekends=False)


def at(text: str, tz: tzinfo = STOCKHOLM) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def jour(moment: datetime, windows: JourWindows = DEFAULT) -> bool:
    return is_jourtid(moment, windows, is_holiday, is_eve)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        # Tuesday 2025-03-11, an ordinary weekday
        ("2025-03-11T00:00", True),  # midnight
        ("2025-03-11T07:59:59", True),
        ("2025-03-11T08:00", False),  # start included
        ("2025-03-11T12:00", False),
        ("2025-03-11T16:59", False),
        ("2025-03-11T16:59:59.999999", False),
        ("2025-03-11T17:00", True),  # end excluded
        ("2025-03-11T23:59:59", True),
        # weekend
        ("2025-03-08T12:00", True),  # Saturday
        ("2025-03-09T12:00", True),  # Sunday
        ("2025-03-10T08:00", False),  # Monday morning
        # public holidays on weekdays
        ("2025-01-01T12:00", True),  # nyårsdagen, Wednesday
        ("2025-05-29T10:00", True),  # Kristi himmelsfärdsdag, Thursday
        ("2025-06-06T08:00", True),  # nationaldagen, Friday
        ("2025-05-30T10:00", False),  # klämdag: an ordinary weekday
        # eves (de facto holidays)
        ("2025-12-24T10:00", True),  # julafton, Wednesday
        ("2025-12-31T10:00", True),  # nyårsafton, Wednesday
        ("2025-06-20T10:00", True),  # midsommarafton, Friday
        ("2025-12-23T16:59", False),  # dagen före julafton
    ],
)
def test_default_windows(local: str, expected: bool) -> None:
    assert jour(at(local)) is expected


@pytest.mark.parametrize(
    ("windows", "local", "expected"),
    [
        (NO_WEEKENDS, "2025-03-08T12:00", False),  # Saturday, weekends off
        (NO_WEEKENDS, "2025-03-08T07:00", True),  # still outside the day window
        (replace(DEFAULT, public_holidays=False), "2025-05-29T10:00", False),
        (replace(DEFAULT, eves=False), "2025-12-24T10:00", False),
        (replace(DEFAULT, eves=False), "2025-12-24T17:00", True),
        (replace(DEFAULT, day_start=time(7), day_end=time(19)), "2025-03-11T07:00", False),
        (replace(DEFAULT, day_start=time(7), day_end=time(19)), "2025-03-11T18:59", False),
        (replace(DEFAULT, day_start=time(7), day_end=time(19)), "2025-03-11T19:00", True),
    ],
)
def test_configured_windows(windows: JourWindows, local: str, expected: bool) -> None:
    assert jour(at(local), windows) is expected


# The day (weekday, holiday, eve) is the LOCAL one: a window almost all day shows the switch
# at local midnight, whatever zone the instant is given in.
ALL_DAY = replace(DEFAULT, day_start=time(0), day_end=time(23, 59))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at("2025-12-23T23:58"), False),  # Tuesday, inside the all-day window
        (at("2025-12-24T00:00"), True),  # julafton starts at local midnight
        (at("2025-12-23T22:30", UTC), False),  # 23:30 local on Tuesday the 23rd
        (at("2025-12-23T22:59", UTC), True),  # 23:59 local: the window's excluded end
        (at("2025-12-23T23:00", UTC), True),  # 00:00 local on julafton
        (at("2025-12-28T22:59", UTC), True),  # Sunday 23:59 local
        (at("2025-12-28T23:30", UTC), False),  # Sunday in UTC, Monday 00:30 local
        (at("2025-12-29T00:30", CEST), True),  # Monday in +02:00, Sunday 23:30 local
    ],
)
def test_the_local_date_decides(moment: datetime, expected: bool) -> None:
    assert jour(moment, ALL_DAY) is expected


# DST 2025: spring forward Sunday 2025-03-30 02:00 CET -> 03:00 CEST (01:00 UTC);
# fall back Sunday 2025-10-26 03:00 CEST -> 02:00 CET (01:00 UTC). Both are Sundays, so the
# weekend switch is off here to let the clock decide.
@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # spring: before the change local = UTC+1, after it UTC+2
        (at("2025-03-29T06:59", UTC), True),  # Sat 07:59 CET
        (at("2025-03-29T07:00", UTC), False),  # Sat 08:00 CET
        (at("2025-03-30T00:59", UTC), True),  # 01:59 CET
        (at("2025-03-30T01:00", UTC), True),  # 03:00 CEST (02:xx never happens)
        (at("2025-03-30T05:59", UTC), True),  # 07:59 CEST
        (at("2025-03-30T06:00", UTC), False),  # 08:00 CEST (would be 07:00 in CET)
        (at("2025-03-30T14:59", UTC), False),  # 16:59 CEST
        (at("2025-03-30T15:00", UTC), True),  # 17:00 CEST
        (at("2025-03-30T06:59", CET), True),  # = 05:59 UTC = 07:59 CEST
        (at("2025-03-30T07:59", CET), False),  # = 06:59 UTC = 08:59 CEST
        (at("2025-03-30T07:00", CET), False),  # = 06:00 UTC = 08:00 CEST
        (at("2025-03-30T08:00", CEST), False),  # = 06:00 UTC
        (at("2025-03-30T07:59", CEST), True),
        (at("2025-03-30T17:00", CEST), True),
        # autumn: before the change UTC+2, after it UTC+1
        (at("2025-10-26T00:30", UTC), True),  # 02:30 CEST (first time)
        (at("2025-10-26T01:30", UTC), True),  # 02:30 CET (second time)
        (at("2025-10-26T06:30", UTC), True),  # 07:30 CET (would be 08:30 in CEST)
        (at("2025-10-26T06:59", UTC), True),  # 07:59 CET
        (at("2025-10-26T07:00", UTC), False),  # 08:00 CET
        (at("2025-10-26T15:59", UTC), False),  # 16:59 CET
        (at("2025-10-26T16:00", UTC), True),  # 17:00 CET
        (at("2025-10-26T08:30", CEST), True),  # = 06:30 UTC = 07:30 CET
        (at("2025-10-26T09:00", CEST), False),  # = 07:00 UTC = 08:00 CET
        (at("2025-10-26T08:00", CET), False),
        (at("2025-10-26T16:59", CET), False),
        (at("2025-10-25T07:30", CEST), True),  # Saturday, still summer time: 07:30
        (at("2025-10-25T06:00", UTC), False),  # Saturday 08:00 CEST
    ],
)
def test_dst_nights(moment: datetime, expected: bool) -> None:
    assert jour(moment, NO_WEEKENDS) is expected


def test_dst_local_times() -> None:
    assert local_time(at("2025-03-30T01:00", UTC), DEFAULT).isoformat() == (
        "2025-03-30T03:00:00+02:00"
    )
    first = local_time(at("2025-10-26T00:30", UTC), DEFAULT)
    second = local_time(at("2025-10-26T01:30", UTC), DEFAULT)
    assert (first.isoformat(), second.isoformat()) == (
        "2025-10-26T02:30:00+02:00",
        "2025-10-26T02:30:00+01:00",
    )


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(JourWindowsError, match="has no time zone"):
        jour(datetime(2025, 3, 11, 12, 0))


def test_tzinfo_without_offset_is_rejected() -> None:
    class NoOffset(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta | None:
            return None

        def dst(self, dt: datetime | None) -> timedelta | None:
            return None

        def tzname(self, dt: datetime | None) -> str | None:
            return None

    with pytest.raises(JourWindowsError, match="has no time zone"):
        jour(datetime(2025, 3, 11, 12, 0, tzinfo=NoOffset()))


def test_eves_on_without_eve_predicate_raises() -> None:
    with pytest.raises(JourWindowsError, match="pass is_eve"):
        is_jourtid(at("2025-03-11T12:00"), DEFAULT, is_holiday)


def test_eves_off_needs_no_eve_predicate() -> None:
    windows = replace(DEFAULT, eves=False)
    assert is_jourtid(at("2025-12-24T12:00"), windows, is_holiday) is False


def test_weekend_decides_before_the_calendar_is_asked() -> None:
    asked: list[date] = []

    def spy(d: date) -> bool:
        asked.append(d)
        return False

    assert is_jourtid(at("2025-03-08T12:00"), DEFAULT, spy, spy) is True
    assert asked == []
    assert is_jourtid(at("2025-03-11T12:00"), DEFAULT, spy, spy) is False
    assert asked == [date(2025, 3, 11), date(2025, 3, 11)]


# --- windows as data ----------------------------------------------------------------------------


def test_windows_from_mapping() -> None:
    windows = jour_windows_from_mapping(
        {
            "day_start": "07:00",
            "day_end": "19:30",
            "weekends": True,
            "public_holidays": False,
            "eves": False,
            "timezone": "Europe/Stockholm",
            "source": "VGR",
            "region": "x",
            "note": "y",
        }
    )
    assert windows == JourWindows(
        day_start=time(7),
        day_end=time(19, 30),
        public_holidays=False,
        eves=False,
        source="VGR",
    )


def test_empty_mapping_gives_the_defaults() -> None:
    assert jour_windows_from_mapping({}) == JourWindows()


def test_bundled_default_windows() -> None:
    path = REPO / "data" / "jour" / "windows-default.json"
    windows = jour_windows_from_mapping(json.loads(path.read_text(encoding="utf-8")))
    assert (windows.day_start, windows.day_end) == (time(8), time(17))
    assert (windows.weekends, windows.public_holidays, windows.eves) == (True, True, True)
    assert windows.timezone == "Europe/Stockholm"
    assert windows.source


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day_start": "8"}, "not a time"),
        ({"day_start": 8}, "time string"),
        ({"day_start": "08:00+01:00"}, "without zone"),
        ({"day_start": "17:00", "day_end": "08:00"}, "must be before"),
        ({"day_start": "08:00", "day_end": "08:00"}, "must be before"),
        ({"weekends": "yes"}, "true or false"),
        ({"eves": 1}, "true or false"),
        ({"timezone": "Europe/Jönköping"}, "unknown time zone"),
        ({"timezone": 1}, "must be a string"),
        ({"source": 1}, "must be a string"),
        ({"weekend": True}, "unknown keys in jour windows: weekend"),
    ],
)
def test_bad_windows_raise(data: dict[str, Any], message: str) -> None:
    with pytest.raises(JourWindowsError, match=message):
        jour_windows_from_mapping(data)


def test_windows_must_be_a_mapping() -> None:
    with pytest.raises(JourWindowsError, match="must be a mapping"):
        jour_windows_from_mapping(["08:00"])  # type: ignore[arg-type]


def test_direct_construction_is_validated() -> None:
    with pytest.raises(JourWindowsError, match="true or false"):
        JourWindows(weekends=1)  # type: ignore[arg-type]
    with pytest.raises(JourWindowsError, match="local time without zone"):
        JourWindows(day_start=time(8, tzinfo=UTC))
    assert issubclass(JourWindowsError, PricingError)
