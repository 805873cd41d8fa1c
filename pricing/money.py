"""Money: exact Decimal kronor, and the one rounding rule of the service.

Every amount is a ``Decimal`` built from a string or an int, never from a float. Rounding happens
only through :func:`round_money`, with halves rounded away from zero (ROUND_HALF_UP), which is
how Swedish price lists and the published jour taxa round ("halves up"). Python's ``round()`` is
half-to-even and must not be used on money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ORE = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that is not an exact amount of money."""


def money(value: str | int | Decimal) -> Decimal:
    """An exact amount from a string, int or Decimal (never a float), kept to the öre."""
    if isinstance(value, float):  # pragma: no cover - guarded by type hints, kept for callers
        raise MoneyError("amounts are never floats: pass a string or a Decimal")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    return amount


def round_money(amount: Decimal, step: Decimal = ORE) -> Decimal:
    """Round ``amount`` to a multiple of ``step`` (default one öre), halves up.

    ``step`` may be any positive amount: ``Decimal("5")`` rounds to whole 5 kr as the jour taxa
    does. The result carries two decimals so that JSON shows "1100.00".
    """
    if step is ORE:  # to the öre: one quantize is the same rounding (the quote's hot path)
        return amount.quantize(ORE, rounding=ROUND_HALF_UP)
    if step <= 0:
        raise MoneyError(f"rounding step must be positive, got {step}")
    units = (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (units * step).quantize(ORE, rounding=ROUND_HALF_UP)


def percent_change(new: Decimal, old: Decimal) -> Decimal | None:
    """Change from ``old`` to ``new`` in per cent, exact (not rounded); None when old is zero."""
    if old == 0:
        return None
    return (new - old) / old * 100
