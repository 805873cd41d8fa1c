"""The jour configuration in ``data/jour/``, read once per process, and what it decides.

* **Surcharge rules** (``<owner>-<year>.json``, e.g. ``region-jonkoping-2025.json``): the rule an
  owner's jour taxa is derived and checked with. The rule for a schedule is the owner's file
  whose ``valid_from``/``valid_to`` cover the schedule's ``valid_from`` (a rule without dates
  covers every date).
* **Jour windows** (``windows-<owner>.json``, else ``windows-default.json``): which local times
  are jourtid for that owner. With the Swedish calendar (``app.jour_calendar``) they decide which
  variant a lookup ``at=`` an instant gets.

The files are read the first time they are needed and kept (the directory is scanned once, so
an owner named in a request never becomes a file path). A malformed file fails loudly there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from app.config import DATA_DIR, read_data_json
from app.errors import InvalidInput
from app.jour.calendar import is_swedish_eve, is_swedish_holiday, swedish_holiday_names
from pricing.jour import SurchargeRule, surcharge_rule_from_mapping
from pricing.jourtid import (
    JourtidDecision,
    JourtidReason,
    JourWindows,
    decide_jourtid,
    jour_windows_from_mapping,
)
from pricing.taxa import Variant
from pricing.validity import covers

JOUR_DIR = DATA_DIR / "jour"


WINDOWS_PREFIX = "windows-"


DEFAULT_WINDOWS = "default"


_RULE_FILE = re.compile(r"^(?P<owner>.+)-(?P<year>\d{4})$")


@dataclass(frozen=True)
class BundledRule:
    owner: str
    file: str  # the file name, for provenance
    rule: SurchargeRule
    raw: Mapping[str, Any]

    def covers(self, on: date) -> bool:
        return covers(self.rule.valid_from, self.rule.valid_to, on)


@dataclass(frozen=True)
class JourConfig:
    rules: tuple[BundledRule, ...]
    windows: Mapping[str, JourWindows]  # by owner; DEFAULT_WINDOWS for everyone else
    window_files: Mapping[str, str]

    def windows_for(self, owner: str) -> tuple[JourWindows, str]:
        """The owner's jour windows and the file they come from."""
        key = owner if owner in self.windows else DEFAULT_WINDOWS
        return self.windows[key], self.window_files[key]

    def rule_for(self, owner: str, on: date) -> BundledRule:
        for bundled in self.rules:
            if bundled.owner == owner and bundled.covers(on):
                return bundled
        raise InvalidInput(
            f"no bundled jour surcharge rule of {owner!r} covers {on.isoformat()} "
            f"(data/jour/{owner}-<year>.json): send the rule in the request body"
        )


def read_jour_config(directory: Path) -> JourConfig:
    """Every rule and window file in ``directory``; raises on a malformed one."""
    rules: list[BundledRule] = []
    windows: dict[str, JourWindows] = {}
    files: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")):
        stem = path.stem
        if stem.startswith(WINDOWS_PREFIX):
            owner = stem[len(WINDOWS_PREFIX) :]
            windows[owner] = jour_windows_from_mapping(read_data_json(path))
            files[owner] = path.name
            continue
        match = _RULE_FILE.match(stem)
        if match is None:
            raise ValueError(f"{path}: a jour file is <owner>-<year>.json or windows-<owner>.json")
        raw = read_data_json(path)
        rules.append(BundledRule(match["owner"], path.name, surcharge_rule_from_mapping(raw), raw))
    if DEFAULT_WINDOWS not in windows:
        raise ValueError(f"{directory}: {WINDOWS_PREFIX}{DEFAULT_WINDOWS}.json is missing")
    return JourConfig(rules=tuple(rules), windows=windows, window_files=files)


@cache
def jour_config(directory: Path = JOUR_DIR) -> JourConfig:
    """The bundled configuration, read on first use and kept for the life of the process."""
    return read_jour_config(directory)


_EVE_NAMES = {(12, 24): "julafton", (12, 31): "nyårsafton"}


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def eve_name(day: date) -> str:
    """The Swedish name of a de facto holiday (``app.jour_calendar.is_swedish_eve`` is true)."""
    if (day.month, day.day) in _EVE_NAMES:
        return _EVE_NAMES[(day.month, day.day)]
    if day.month == 6:
        return "midsommarafton"
    return "påskafton"  # the only other eve: the Saturday before påskdagen


@dataclass(frozen=True)
class VariantAt:
    """The variant an instant gets, with the local time and a reason a person can read."""

    decision: JourtidDecision
    reason: str
    windows_file: str

    @property
    def variant(self) -> Variant:
        return Variant.JOUR if self.decision.jour else Variant.NORMAL


@lru_cache(maxsize=64)
def _hours(start: time, end: time) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def variant_at(config: JourConfig, owner: str, at: datetime) -> VariantAt:
    """Jour or normal at ``at`` (timezone-aware) under the owner's windows, and why."""
    windows, file = config.windows_for(owner)
    decision = decide_jourtid(at, windows, is_swedish_holiday, is_swedish_eve)
    day = decision.local_date
    # Only the reason that applies is worded (the price lookup at= words one per request).
    why = decision.reason
    if why is JourtidReason.WEEKEND:
        reason = f"{WEEKDAYS[day.weekday()]}: weekends are jourtid all day"
    elif why is JourtidReason.PUBLIC_HOLIDAY:
        reason = (
            f"{' / '.join(swedish_holiday_names(day)).lower()}: public holiday, jourtid all day"
        )
    elif why is JourtidReason.EVE:
        reason = f"{eve_name(day)}: jourtid all day"
    else:
        local = decision.local
        clock = f"{WEEKDAYS[day.weekday()]} {local.hour:02d}:{local.minute:02d}"
        hours = _hours(windows.day_start, windows.day_end)
        within = "within" if why is JourtidReason.WITHIN_HOURS else "outside"
        reason = f"{clock}: {within} normal hours {hours}"
    return VariantAt(decision=decision, reason=reason, windows_file=file)


_SPACE_FOR_PLUS = re.compile(
    r"^(?P<stamp>.+T\d{2}:\d{2}(:\d{2}(\.\d+)?)?) (?P<offset>\d{2}:?\d{2})$"
)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with its offset: ``2025-12-24T19:30:00+01:00`` or ``…Z``.

    A "+" left unencoded in a query string arrives as a space; that one slip is read as the
    "+" it was. A time without an offset is refused: the same clock time is two instants on
    the night daylight saving ends, and a server's zone is not the clinic's.
    """
    raw = text.strip()
    match = _SPACE_FOR_PLUS.match(raw)
    if match:
        raw = f"{match['stamp']}+{match['offset']}"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(
            f"at={text!r} is not an ISO 8601 date and time, e.g. 2025-12-24T19:30:00+01:00",
            field="at",
            value=text,
        ) from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"at={text!r} has no time zone: give the offset, e.g. {raw}+01:00 (Swedish winter "
            "time), +02:00 (summer time) or Z (UTC); encode '+' as %2B in a URL",
            field="at",
            value=text,
        )
    return value
