"""Validity periods: every dated thing here (a taxa version, a rule set, a reference list, a
jour rule) is valid from a first day through a last day, or open-ended.

Both ends are inclusive days, as the region's decisions and TLV's föreskrifter write them
("gäller fr.o.m. 2026-01-01", "t.o.m. 2027-01-14"). ``None`` as the first day means "since
always" (a rule without a start), ``None`` as the last day "until further notice".
"""

from __future__ import annotations

from datetime import date


def covers(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """True when ``day`` lies in [valid_from, valid_to], either end open when None."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def overlaps(
    a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None
) -> bool:
    """True when two validity periods share at least one day."""
    return (a_from or date.min) <= (b_to or date.max) and (b_from or date.min) <= (a_to or date.max)
