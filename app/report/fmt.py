"""Swedish number formatting for the report: the one place figures become text.

``1 100 kr``, ``7,45 %``, ``−2 220 792 kr``: thousands grouped by a no-break space (U+00A0, so
a figure never breaks over two lines and every font has the glyph), a decimal comma, the minus
sign U+2212, a no-break space before the unit. Kronor are shown in whole kronor and percentages
with two decimals, rounded once with :func:`pricing.money.round_money` (halves up) — the same
rounding as the deviation endpoint's ``presented`` figures; the XLSX keeps the exact figures.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pricing.money import round_money

NBSP = "\u00a0"
MINUS = "\u2212"
DASH = "–"  # a figure that does not exist
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def number(value: Decimal | int | None, decimals: int = 0) -> str:
    """``1234567.5`` → ``1 234 568`` (decimals=0) or ``1 234 567,50`` (decimals=2)."""
    if value is None:
        return DASH
    step = Decimal(1).scaleb(-decimals)
    rounded = round_money(Decimal(value), step)
    text = f"{abs(rounded):,.{decimals}f}"
    whole, _, fraction = text.partition(".")
    out = whole.replace(",", NBSP) + ("," + fraction if fraction else "")
    return (MINUS + out) if rounded < 0 else out


def kr(value: Decimal | int | None, decimals: int = 0) -> str:
    """An amount in kronor: ``1 100 kr``."""
    return DASH if value is None else f"{number(value, decimals)}{NBSP}kr"


def percent(value: Decimal | None, decimals: int = 2, signed: bool = False) -> str:
    """A percentage: ``7,45 %``; ``signed`` shows ``+`` on a rise."""
    if value is None:
        return DASH
    text = number(value, decimals)
    if signed and round_money(value, Decimal(1).scaleb(-decimals)) > 0:
        text = "+" + text
    return f"{text}{NBSP}%"


def ratio(value: Decimal | None, decimals: int = 2) -> str:
    """A plain ratio with a decimal comma: ``1,05``."""
    return number(value, decimals)


def long_date(day: date | None) -> str:
    """``1 januari 2025``."""
    return DASH if day is None else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def stamp(moment: datetime) -> str:
    """``2026-11-23 10:05``."""
    return moment.strftime("%Y-%m-%d %H:%M")


def count(value: int | None, one: str, many: str) -> str:
    """``1 åtgärd``, ``3 åtgärder``."""
    if value is None:
        return DASH
    return f"{number(value)}{NBSP}{one if value == 1 else many}"
