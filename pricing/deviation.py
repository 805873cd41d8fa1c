"""The 7 % rule: how far the taxa's revenue deviates from the reference price list's.

Principle 2 of the 2025 pricing principles (tjänsteskrivelse RJL 2024/12): "Den totala intäkten
(åtgärd*volym*pris) får avvika max 7 procent från referensprislistans totala intäkt". Over the
extern items that have a reference price and a volume:

* price revenue P = Σ volume × FTV price, reference revenue R = Σ volume × reference price;
* deviation % = (P / R − 1) × 100, None when R is 0 (it cannot be computed);
* within the limit when |deviation| ≤ limit (exactly at the limit is within; compared exactly,
  as |P − R| × 100 ≤ limit × R, without any division);
* headroom = R × (1 + limit/100) − P: kronor of revenue left up to the limit (negative when over);
* uniform change % = ((1 + limit/100) × R / P − 1) × 100: the one percentage by which every
  price in the comparison can change so that the total lands exactly on the limit.

The same figures per category (A, S), per åtgärdsgrupp, for the utbytesåtgärder alone and for
the total without them: an utbytesåtgärd (921–941, also their S variants) carries the reference
price of the *replaced* treatment (924: FTV 7 420 against 1 805), so it inflates the deviation
without being a markup.

Everything left out of the comparison is returned with the revenue it stands for. Each item
lands in exactly one place, in this order of precedence: intern (revenue = volume × price),
extern without a reference price (likewise), extern with a reference price but no volume (or
volume 0), or the comparison. Volumes given for codes the taxa does not have are listed too.

Volumes are keyed by code and are billed quantities in the item's unit (whole numbers ≥ 0).
Items without a code ("Ny kod") are intern and can have no volume.

All arithmetic runs in its own decimal context of 50 significant digits, whatever the caller's
context: sums of money are exact, and a quotient (Decimal cannot hold 1/3) is correct to 50
digits. No figure is rounded here: :func:`presented` rounds one to two decimals for display,
halves up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from enum import StrEnum

from pricing.errors import PricingError
from pricing.money import ORE, round_money
from pricing.taxa import Category, Item, Kind

DEFAULT_LIMIT_PERCENT = Decimal(7)
UTBYTE_FIRST = 921
UTBYTE_LAST = 941
_PRECISION = 50
_UTBYTE = re.compile(r"(\d{3})S?")


class DeviationError(PricingError):
    """Input the deviation analysis cannot use (negative or non-whole volumes, duplicate codes)."""


def is_utbyte(code: str | None) -> bool:
    """Whether ``code`` is an utbytesåtgärd: 921–941, with or without the S suffix."""
    if code is None:
        return False
    match = _UTBYTE.fullmatch(code.strip())
    return match is not None and UTBYTE_FIRST <= int(match.group(1)) <= UTBYTE_LAST


def presented(value: Decimal | None) -> Decimal | None:
    """A figure rounded to two decimals for display (halves up), None stays None."""
    return None if value is None else round_money(value, ORE)


def _context() -> Context:
    """The arithmetic of the analysis, whatever the caller's decimal context is."""
    return Context(prec=_PRECISION, traps=[InvalidOperation, DivisionByZero, Overflow])


def _percent_above(value: Decimal, base: Decimal) -> Decimal:
    """(value / base − 1) × 100, computed as (value − base) × 100 / base: one division."""
    return (value - base) * 100 / base


@dataclass(frozen=True)
class Figures:
    """The 7 % figures over one set of compared items (see the module docstring)."""

    items: int
    volume: int
    revenue: Decimal
    reference_revenue: Decimal
    limit_percent: Decimal
    deviation_percent: Decimal | None
    within: bool | None
    headroom: Decimal
    uniform_change_percent: Decimal | None


def _figures(compared: Iterable[tuple[Item, int]], limit: Decimal) -> Figures:
    items = 0
    volume = 0
    revenue = Decimal(0)
    reference = Decimal(0)
    for item, vol in compared:
        assert item.reference_price is not None
        items += 1
        volume += vol
        revenue += vol * item.price
        reference += vol * item.reference_price
    if reference == 0:
        deviation: Decimal | None = None
        within: bool | None = None
    else:
        deviation = _percent_above(revenue, reference)
        within = abs(revenue - reference) * 100 <= limit * reference
    limit_revenue = reference * (1 + limit / 100)
    uniform = None if revenue == 0 else _percent_above(limit_revenue, revenue)
    return Figures(
        items=items,
        volume=volume,
        revenue=revenue,
        reference_revenue=reference,
        limit_percent=limit,
        deviation_percent=deviation,
        within=within,
        headroom=limit_revenue - revenue,
        uniform_change_percent=uniform,
    )


@dataclass(frozen=True)
class Contribution:
    """One compared item's share of the deviation: volume × (price − reference price)."""

    key: str
    code: str | None
    category: Category | None
    group: str
    volume: int
    price: Decimal
    reference_price: Decimal
    contribution: Decimal
    utbyte: bool


class LeftOutReason(StrEnum):
    INTERN = "intern"
    NO_REFERENCE = "no_reference"
    NO_VOLUME = "no_volume"


@dataclass(frozen=True)
class LeftOut:
    """An item outside the comparison, with the revenue (volume × price) it stands for."""

    key: str
    code: str | None
    reason: LeftOutReason
    volume: int
    revenue: Decimal
    detail: str


@dataclass(frozen=True)
class UnknownVolume:
    """A volume given for a code the taxa does not have."""

    code: str
    volume: int


@dataclass(frozen=True)
class PricePosition:
    """How many extern items with a reference price are priced above, at, below it.

    Counted over every such item, with or without volume: it is a property of the price list.
    """

    above: int
    at: int
    below: int


@dataclass(frozen=True)
class YearOnYear:
    """Volume-weighted change since a previous taxa, weighted by the current volumes.

    ``reference_change_percent`` and ``price_change_percent`` are over the same basket: codes in
    both taxas with a reference price in both and a volume > 0 (``reference_codes`` of them).
    ``price_change_all_percent`` is over every code in both with a volume > 0 (``all_codes``),
    intern ones included. ``new_codes``/``dropped_codes``: codes only now / only before.
    """

    reference_change_percent: Decimal | None
    price_change_percent: Decimal | None
    reference_codes: int
    price_change_all_percent: Decimal | None
    all_codes: int
    new_codes: tuple[str, ...]
    dropped_codes: tuple[str, ...]


@dataclass(frozen=True)
class DeviationAnalysis:
    """Everything :func:`analyse_deviation` finds. Orders are deterministic (see each field).

    ``by_category``: A, then S (then items without category, keyed None), for categories that
    have extern items with a reference price. ``by_group``: by åtgärdsgrupp name, sorted.
    ``contributions``: by absolute contribution, largest first, then by key.
    ``intern``, ``no_reference``, ``no_volume``: in the taxa's order. ``unknown_volumes``: by
    code. ``left_out_revenue``: revenue of the intern and no-reference items.
    ``notes``: what could not be computed and why.
    """

    limit_percent: Decimal
    total: Figures
    without_utbyte: Figures
    utbyte: Figures
    by_category: Mapping[Category | None, Figures]
    by_group: Mapping[str, Figures]
    contributions: tuple[Contribution, ...]
    price_position: PricePosition
    intern: tuple[LeftOut, ...]
    no_reference: tuple[LeftOut, ...]
    no_volume: tuple[LeftOut, ...]
    unknown_volumes: tuple[UnknownVolume, ...]
    left_out_revenue: Decimal
    year_on_year: YearOnYear | None
    notes: tuple[str, ...]

    @property
    def deviation_percent(self) -> Decimal | None:
        return self.total.deviation_percent

    @property
    def within(self) -> bool | None:
        return self.total.within

    @property
    def headroom(self) -> Decimal:
        return self.total.headroom

    @property
    def uniform_change_percent(self) -> Decimal | None:
        return self.total.uniform_change_percent


def _check_volumes(volumes: Mapping[str, int]) -> None:
    for code, volume in volumes.items():
        if not isinstance(code, str):
            raise DeviationError(f"volumes are keyed by code (a string), got {code!r}")
        if isinstance(volume, bool) or not isinstance(volume, int):
            raise DeviationError(f"volume for {code} must be a whole number, got {volume!r}")
        if volume < 0:
            raise DeviationError(f"volume for {code} is negative: {volume}")


def _by_code(items: Sequence[Item], which: str) -> dict[str, Item]:
    out: dict[str, Item] = {}
    for item in items:
        if item.code is None:
            continue
        if item.code in out:
            raise DeviationError(f"code {item.code} occurs twice in the {which} taxa")
        out[item.code] = item
    return out


def _weighted_change(
    pairs: Sequence[tuple[Decimal, Decimal, int]],
) -> Decimal | None:
    now = sum((vol * new for new, _, vol in pairs), Decimal(0))
    before = sum((vol * old for _, old, vol in pairs), Decimal(0))
    if before == 0:
        return None
    return _percent_above(now, before)


def _year_on_year(
    current: dict[str, Item], previous: Sequence[Item], volumes: Mapping[str, int]
) -> YearOnYear:
    before = _by_code(previous, "previous")
    reference_pairs: list[tuple[Decimal, Decimal, int]] = []
    price_pairs: list[tuple[Decimal, Decimal, int]] = []
    all_pairs: list[tuple[Decimal, Decimal, int]] = []
    for code, item in current.items():
        old = before.get(code)
        volume = volumes.get(code, 0)
        if old is None or volume == 0:
            continue
        all_pairs.append((item.price, old.price, volume))
        if item.reference_price is not None and old.reference_price is not None:
            reference_pairs.append((item.reference_price, old.reference_price, volume))
            price_pairs.append((item.price, old.price, volume))
    return YearOnYear(
        reference_change_percent=_weighted_change(reference_pairs),
        price_change_percent=_weighted_change(price_pairs),
        reference_codes=len(reference_pairs),
        price_change_all_percent=_weighted_change(all_pairs),
        all_codes=len(all_pairs),
        new_codes=tuple(sorted(set(current) - set(before))),
        dropped_codes=tuple(sorted(set(before) - set(current))),
    )


_CATEGORY_ORDER: dict[Category | None, int] = {Category.A: 0, Category.S: 1, None: 2}


def analyse_deviation(
    items: Sequence[Item],
    volumes: Mapping[str, int],
    limit_percent: Decimal = DEFAULT_LIMIT_PERCENT,
    previous: Sequence[Item] | None = None,
) -> DeviationAnalysis:
    """The 7 % analysis of ``items`` with ``volumes`` (billed quantity per code).

    Raises :class:`DeviationError` for a negative or non-whole volume, a negative limit, or a
    code that occurs twice in ``items`` (or in ``previous``). Empty volumes are not an error:
    the figures are zero, the deviation None, and ``notes`` says so.
    """
    with localcontext(_context()):
        return _analyse(items, volumes, limit_percent, previous)


def _analyse(
    items: Sequence[Item],
    volumes: Mapping[str, int],
    limit_percent: Decimal,
    previous: Sequence[Item] | None,
) -> DeviationAnalysis:
    if not isinstance(limit_percent, Decimal) or not limit_percent.is_finite():
        raise DeviationError(f"the limit must be a finite Decimal, got {limit_percent!r}")
    if limit_percent < 0:
        raise DeviationError(f"the limit must not be negative, got {limit_percent}")
    _check_volumes(volumes)
    current = _by_code(items, "current")

    compared: list[tuple[Item, int]] = []
    intern: list[LeftOut] = []
    no_reference: list[LeftOut] = []
    no_volume: list[LeftOut] = []
    above = at = below = 0
    for item in items:
        volume = volumes.get(item.code, 0) if item.code is not None else 0
        if item.kind is Kind.INTERN:
            intern.append(
                LeftOut(
                    item.key,
                    item.code,
                    LeftOutReason.INTERN,
                    volume,
                    volume * item.price,
                    "intern code: no reference price, outside the state support",
                )
            )
            continue
        if item.reference_price is None:
            no_reference.append(
                LeftOut(
                    item.key,
                    item.code,
                    LeftOutReason.NO_REFERENCE,
                    volume,
                    volume * item.price,
                    "extern code without a reference price",
                )
            )
            continue
        if item.price > item.reference_price:
            above += 1
        elif item.price == item.reference_price:
            at += 1
        else:
            below += 1
        if volume == 0:
            given = item.code is not None and item.code in volumes
            no_volume.append(
                LeftOut(
                    item.key,
                    item.code,
                    LeftOutReason.NO_VOLUME,
                    0,
                    Decimal(0),
                    "volume 0" if given else "no volume given",
                )
            )
            continue
        compared.append((item, volume))

    limit = limit_percent
    total = _figures(compared, limit)
    categories = sorted(
        {item.category for item in items if _in_reference_set(item)},
        key=lambda c: _CATEGORY_ORDER[c],
    )
    groups = sorted({item.group for item in items if _in_reference_set(item)})
    by_category = {
        c: _figures(((i, v) for i, v in compared if i.category == c), limit) for c in categories
    }
    by_group = {g: _figures(((i, v) for i, v in compared if i.group == g), limit) for g in groups}
    contributions = sorted(
        (
            Contribution(
                key=item.key,
                code=item.code,
                category=item.category,
                group=item.group,
                volume=volume,
                price=item.price,
                reference_price=item.reference_price,
                contribution=volume * (item.price - item.reference_price),
                utbyte=is_utbyte(item.code),
            )
            for item, volume in compared
            if item.reference_price is not None
        ),
        key=lambda c: (-abs(c.contribution), c.key),
    )
    unknown = tuple(
        UnknownVolume(code, volume)
        for code, volume in sorted(volumes.items())
        if code not in current
    )
    notes: list[str] = []
    if not volumes:
        notes.append("no volumes given: the deviation cannot be computed")
    elif total.deviation_percent is None:
        notes.append(
            "no extern item with a reference price has a volume: the deviation cannot be computed"
        )
    if unknown:
        notes.append(
            f"{len(unknown)} volume(s) for codes not in the taxa are left out: "
            + ", ".join(u.code for u in unknown)
        )
    left_out_revenue = sum((o.revenue for o in (*intern, *no_reference)), Decimal(0))
    return DeviationAnalysis(
        limit_percent=limit,
        total=total,
        without_utbyte=_figures(((i, v) for i, v in compared if not is_utbyte(i.code)), limit),
        utbyte=_figures(((i, v) for i, v in compared if is_utbyte(i.code)), limit),
        by_category=by_category,
        by_group=by_group,
        contributions=tuple(contributions),
        price_position=PricePosition(above=above, at=at, below=below),
        intern=tuple(intern),
        no_reference=tuple(no_reference),
        no_volume=tuple(no_volume),
        unknown_volumes=unknown,
        left_out_revenue=left_out_revenue,
        year_on_year=None if previous is None else _year_on_year(current, previous, volumes),
        notes=tuple(notes),
    )


def _in_reference_set(item: Item) -> bool:
    return item.kind is Kind.EXTERN and item.reference_price is not None
