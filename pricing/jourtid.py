"""When is it jourtid (out-of-hours time, billed with the jour taxa)?

Jour windows are per region and therefore configuration (:class:`JourWindows`). The default: on
an ordinary weekday, ``day_start``–``day_end`` (08:00–17:00, start included, end excluded) is
normal time and everything before 08:00 and from 17:00 is jourtid; Saturdays and Sundays, public
holidays and the de facto holidays (julafton, nyårsafton, midsommarafton, påskafton) are jourtid
all day. The day and time that decide are the local ones in the windows' time zone
(Europe/Stockholm), so the caller passes a timezone-aware instant and this module converts it,
daylight saving changes included.

The calendar is passed in: ``is_holiday`` (public holidays, *not* Sundays) and ``is_eve`` (the
de facto holidays) are predicates on a local date; the app layer builds them from a holiday
calendar (``app.jour_calendar``). The pricing core knows no calendar and no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pricing.errors import PricingError

SATURDAY = 5


class JourWindowsError(PricingError):
    """A jour windows configuration that is malformed, or an instant without a time zone."""


@dataclass(frozen=True)
class JourWindows:
    """Which local times are jourtid.

    ``day_start``/``day_end``: the normal-time window on an ordinary weekday, start included,
    end excluded. ``weekends``, ``public_holidays``, ``eves``: whether Saturdays and Sundays,
    public holidays, and the de facto holidays (julafton, nyårsafton, midsommarafton,
    påskafton) are jourtid all day.
    """

    day_start: time = time(8, 0)
    day_end: time = time(17, 0)
    weekends: bool = True
    public_holidays: bool = True
    eves: bool = True
    timezone: str = "Europe/Stockholm"
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("day_start", "day_end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise JourWindowsError(f"{name} must be a local time without zone, got {value!r}")
        if not self.day_start < self.day_end:
            raise JourWindowsError(
                f"day_start {self.day_start} must be before day_end {self.day_end}"
            )
        for name in ("weekends", "public_holidays", "eves"):
            if not isinstance(getattr(self, name), bool):
                raise JourWindowsError(f"{name} must be true or false")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise JourWindowsError(f"unknown time zone {self.timezone!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_WINDOW_KEYS = frozenset(
    {
        "day_start",
        "day_end",
        "weekends",
        "public_holidays",
        "eves",
        "timezone",
        "source",
        "region",
        "note",
    }
)


def _time_field(d: Mapping[str, Any], key: str, default: time) -> time:
    raw = d.get(key)
    if raw is None:
        return default
    if not isinstance(raw, str):
        raise JourWindowsError(f"{key!r} must be a time string 'HH:MM', got {raw!r}")
    try:
        value = time.fromisoformat(raw)
    except ValueError as exc:
        raise JourWindowsError(f"{key!r} is not a time 'HH:MM': {raw!r}") from exc
    if value.tzinfo is not None:
        raise JourWindowsError(f"{key!r} must be a local time without zone: {raw!r}")
    return value


def _bool_field(d: Mapping[str, Any], key: str, default: bool) -> bool:
    raw = d.get(key, default)
    if not isinstance(raw, bool):
        raise JourWindowsError(f"{key!r} must be true or false, got {raw!r}")
    return raw


def jour_windows_from_mapping(d: Mapping[str, Any]) -> JourWindows:
    """Windows from a plain mapping as loaded from JSON; raises :class:`JourWindowsError`.

    Keys (all optional, defaults as :class:`JourWindows`): ``day_start``/``day_end`` ("08:00"),
    ``weekends``/``public_holidays``/``eves`` (booleans), ``timezone`` (an IANA name),
    ``source``; ``region`` and ``note`` are documentation. Unknown keys are an error.
    """
    if not isinstance(d, Mapping):
        raise JourWindowsError(f"jour windows must be a mapping, got {type(d).__name__}")
    unknown = sorted(set(d) - _WINDOW_KEYS)
    if unknown:
        raise JourWindowsError(f"unknown keys in jour windows: {', '.join(unknown)}")
    default = JourWindows()
    timezone = d.get("timezone", default.timezone)
    source = d.get("source", "")
    if not isinstance(timezone, str):
        raise JourWindowsError(f"'timezone' must be a string, got {timezone!r}")
    if not isinstance(source, str):
        raise JourWindowsError(f"'source' must be a string, got {source!r}")
    return JourWindows(
        day_start=_time_field(d, "day_start", default.day_start),
        day_end=_time_field(d, "day_end", default.day_end),
        weekends=_bool_field(d, "weekends", default.weekends),
        public_holidays=_bool_field(d, "public_holidays", default.public_holidays),
        eves=_bool_field(d, "eves", default.eves),
        timezone=timezone,
        source=source,
    )


def local_time(at: datetime, windows: JourWindows) -> datetime:
    """``at`` in the windows' time zone; a naive datetime raises :class:`JourWindowsError`."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise JourWindowsError(
            f"{at.isoformat()} has no time zone: pass an aware datetime (e.g. in UTC)"
        )
    return at.astimezone(windows.zone)


class JourtidReason(StrEnum):
    """Why an instant is (or is not) jourtid; the first that applies, in this order."""

    WEEKEND = "weekend"
    PUBLIC_HOLIDAY = "public_holiday"
    EVE = "eve"
    OUTSIDE_HOURS = "outside_hours"
    WITHIN_HOURS = "within_hours"


@dataclass(frozen=True)
class JourtidDecision:
    """The answer of :func:`decide_jourtid`: jour or not, why, and the local time that decided."""

    jour: bool
    reason: JourtidReason
    local: datetime

    @property
    def local_date(self) -> date:
        return self.local.date()


def decide_jourtid(
    at: datetime,
    windows: JourWindows,
    is_holiday: Callable[[date], bool],
    is_eve: Callable[[date], bool] | None = None,
) -> JourtidDecision:
    """Whether the instant ``at`` (timezone-aware) falls in jourtid under ``windows``, and why.

    ``is_holiday`` tells public holidays and ``is_eve`` the de facto holidays, both for a local
    date. ``is_eve`` is needed only when ``windows.eves`` is on; leaving it out then raises
    :class:`JourWindowsError` rather than silently treating julafton as a working day.
    """
    local = local_time(at, windows)
    day = local.date()
    if windows.weekends and day.weekday() >= SATURDAY:
        return JourtidDecision(True, JourtidReason.WEEKEND, local)
    if windows.public_holidays and is_holiday(day):
        return JourtidDecision(True, JourtidReason.PUBLIC_HOLIDAY, local)
    if windows.eves:
        if is_eve is None:
            raise JourWindowsError(
                "these windows make the eves jourtid: pass is_eve (julafton, nyårsafton, "
                "midsommarafton, påskafton)"
            )
        if is_eve(day):
            return JourtidDecision(True, JourtidReason.EVE, local)
    clock = local.time().replace(tzinfo=None)
    if windows.day_start <= clock < windows.day_end:
        return JourtidDecision(False, JourtidReason.WITHIN_HOURS, local)
    return JourtidDecision(True, JourtidReason.OUTSIDE_HOURS, local)


def is_jourtid(
    at: datetime,
    windows: JourWindows,
    is_holiday: Callable[[date], bool],
    is_eve: Callable[[date], bool] | None = None,
) -> bool:
    """Whether the instant ``at`` (timezone-aware) falls in jourtid under ``windows``.

    The same rule as :func:`decide_jourtid`, which also says why.
    """
    return decide_jourtid(at, windows, is_holiday, is_eve).jour
