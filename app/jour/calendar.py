"""The Swedish holiday calendar for jourtid, from the ``holidays`` package.

``pricing.jourtid.is_jourtid`` takes two predicates on a local date; this module provides them:

* :func:`is_swedish_holiday`: the public holidays (allmänna helgdagar, lag 1989:253) from
  ``holidays.Sweden``'s PUBLIC category. **Sundays are not holidays here.** python-holidays
  counts every Sunday as a Swedish holiday ("Söndag") when ``include_sundays=True`` (older
  releases did so by default); we always pass ``include_sundays=False`` and also drop any entry
  named Söndag, because weekends are a separate switch of the jour windows. A Sunday that is
  also a holiday (påskdagen, pingstdagen) is still reported.
* :func:`is_swedish_eve`: the de facto holidays julafton, nyårsafton, midsommarafton and
  påskafton. The library has the first three in its DE_FACTO category ("treated equivalently to
  public holidays by law", semesterlag 1977:480 7 §) and we take them from there. Påskafton is
  only in its OPTIONAL category, together with days we do not want (klämdag, Valborgsmässoafton,
  …), so we derive it from the library's own date of påskdagen: the day before.
  Whether eves are jourtid is the windows' ``eves`` flag; this module only tells which days
  they are.

Years are computed once and cached (a frozenset of dates per year). :func:`warm_calendar` computes
the years around today at start-up: the package imports its Sweden module on first use (≈ 80 ms,
which the first request with an instant would otherwise wait for, on the event loop).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from pricing.jourtid import JourWindows, is_jourtid

_SUNDAY_NAMES = frozenset({"söndag", "sunday"})


def _names(name: str) -> list[str]:
    # Two holidays on one date come joined with "; " (e.g. "Nationaldagen; Pingstdagen").
    return [part.strip() for part in name.split(";")]


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, tuple[str, ...]]:
    calendar = holidays.country_holidays(
        "SE", years=year, categories=("public",), language="sv", include_sundays=False
    )
    out: dict[date, tuple[str, ...]] = {}
    for day, name in calendar.items():
        names = tuple(n for n in _names(name) if n.casefold() not in _SUNDAY_NAMES)
        if names:
            out[day] = names
    return out


@lru_cache(maxsize=64)
def _eves(year: int) -> frozenset[date]:
    de_facto = holidays.country_holidays("SE", years=year, categories=("de_facto",), language="sv")
    days = {day for day in de_facto if day.year == year}
    for day, names in _public_holidays(year).items():
        if "Påskdagen" in names:
            days.add(day - timedelta(days=1))  # påskafton
    return frozenset(days)


def is_swedish_holiday(d: date) -> bool:
    """Whether ``d`` is a Swedish public holiday (never just because it is a Sunday)."""
    return d in _public_holidays(d.year)


def is_swedish_eve(d: date) -> bool:
    """Whether ``d`` is julafton, nyårsafton, midsommarafton or påskafton."""
    return d in _eves(d.year)


def swedish_holiday_names(d: date) -> tuple[str, ...]:
    """The Swedish names of the public holidays on ``d`` (empty when none), for messages."""
    return _public_holidays(d.year).get(d, ())


def is_jourtid_in_sweden(at: datetime, windows: JourWindows) -> bool:
    """:func:`pricing.jourtid.is_jourtid` with the Swedish calendar wired in."""
    return is_jourtid(at, windows, is_swedish_holiday, is_swedish_eve)


def warm_calendar() -> None:
    """The calendar of last year, this year and next year computed now, at start-up (the
    server's date: a day's difference from Stockholm's is within the three years)."""
    year = date.today().year
    for around in (year - 1, year, year + 1):
        _public_holidays(around)
        _eves(around)
