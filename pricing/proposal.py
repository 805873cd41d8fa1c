"""Next year's taxa, proposed within the 7 % rule, rounded as the region rounds.

Why: each year TLV publishes a new reference list and the region's price administrators build
next year's taxa, check it against principle 2 ("the total revenue may deviate at most 7 % from
the reference list's") with last year's volumes, and send it to the board. Dental systems offer a
percentage uplift with rounding; none of them knows the rule. :func:`propose` does both: it
applies a policy and, when asked, *solves* the largest change that keeps the deviation within
the limit **after** rounding.

**The deviation** is the one of :mod:`pricing.deviation` (the existing 7 % analysis), computed
on the proposed prices against the *new* list's reference prices (each region code mapped by
:func:`pricing.reference.map_code`: ``103S`` → 103's specialist price), over the total, the
utbytesåtgärder included as in that analysis; the figures without them, per category and per
group are in :attr:`Proposal.deviation`. Which items are compared (extern, with a reference
price, with a volume) and the reference revenue come from that analysis; the search only sums
Σ volume × price again for speed, and the final analysis must agree to the öre.

**Policies** (:class:`ProposalPolicy`), for extern items:

* ``uniform``: every extern price × (1 + percent/100);
* ``follow_reference``: every extern price × (new reference / old reference) × (1 + percent/100),
  the old reference being the taxa's own referenspris (a code without both keeps ratio 1);

then rounded to ``rounding_kr`` (default 5 kr) with :func:`pricing.money.round_money`, halves up,
the service's one rounding rule, then capped:

* ``max_rise_percent``: a price rises at most this much on today's price: it becomes the largest
  multiple of the step not above old × (1 + max/100) (the region's grid), but never less than
  today's price (a cap on a rise never cuts a price that is off the grid);
* ``keep_at_or_below_reference``: a code priced at or below its reference today is priced at or
  below its *new* reference (so patients aged 67+ keep tiotandvård on it, domain.md §3): at most
  the new reference itself, which is the eligibility threshold, even off the grid.

``percent`` given: applied as is, and the result says whether it is within the limit (a finding,
not an error). ``percent`` None: solved as the largest percentage on a grid of
:data:`SOLVE_STEP_PERCENT` (0.01 %) whose deviation after rounding and caps is ≤ the target
(``target_percent``, default the limit). Every step above is monotone non-decreasing in the
percentage, so the rounded deviation is too, and the search is a bracket from the continuous
solution (unrounded, uncapped) followed by bisection on the rounded deviation. The answer is
also within the lower side (≥ −limit), or :class:`ProposalError` says why and which deviations
are achievable nearest the target.

**Other prices**, each by its own rule, stated in :attr:`Proposal.rules`:

* intern codes and the flat patient fees (951–953, 961–965, ASYL; intern in the region's
  taxa): × (1 + intern_percent/100) rounded like extern prices, or unchanged when
  ``intern_percent`` is None; ``max_rise_percent`` applies to them too;
* per krona of material (9009, 9013: "1st = 1skr", sold at cost): never changed: the price is a
  conversion factor (1 kr per krona), not a fee;
* per minute (9008, 9010, 9021): the percentage of their kind, rounded to
  ``per_minute_rounding_kr`` (default 1 kr), the precision of the region's per-minute prices
  (as in :mod:`pricing.jour`): a 5 kr step would move the hourly rate by up to 150 kr.

The jour taxa of a proposal is derived by the existing surcharge rule:
:meth:`Proposal.jour` (= :func:`pricing.jour.derive_jour` on :attr:`Proposal.proposed_items`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from decimal import (
    ROUND_FLOOR,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from typing import Any

from pricing.deviation import DEFAULT_LIMIT_PERCENT, DeviationAnalysis, analyse_deviation
from pricing.errors import PricingError
from pricing.jour import SurchargeRule, derive_jour
from pricing.money import ORE, percent_change, round_money
from pricing.reference import (
    ListRise,
    ReferenceCheck,
    ReferenceEntry,
    ReferenceList,
    ReferenceListError,
    check_taxa_against_list,
    list_rise,
    reference_list_from_taxa,
)
from pricing.taxa import Category, Item, Kind, Unit

SOLVE_STEP_PERCENT = Decimal("0.01")  # the solved percentage's grid: finer than 5 kr on 50 000 kr
_GRID = 100  # grid steps per percent (1 / SOLVE_STEP_PERCENT)
_K_MIN = -100 * _GRID  # −100 %: every scaled price is 0, the floor of any search
_K_MAX = 1000 * _GRID  # +1000 %: where a search gives up finding the limit
FLAT_FEE_CODES = frozenset(
    {"951", "952", "953", "961", "962", "963", "964", "965", "ASYL"}
)  # the region's flat patient fees (besöksavgift, uteblivande): intern, one price per visit
_PRECISION = 50


class ProposalError(PricingError):
    """A proposal the limit (or target) cannot allow, with the nearest achievable figures.

    ``below`` / ``above``: the deviation % (after rounding) of the nearest achievable proposal
    under / over the target, and ``percent_below`` / ``percent_above`` the uniform percentage
    that gives it; None where there is none.
    """

    def __init__(
        self,
        message: str,
        *,
        below: Decimal | None = None,
        above: Decimal | None = None,
        percent_below: Decimal | None = None,
        percent_above: Decimal | None = None,
    ) -> None:
        super().__init__(message)
        self.below = below
        self.above = above
        self.percent_below = percent_below
        self.percent_above = percent_above


class ProposalPolicyError(PricingError):
    """A policy that is malformed; ``field`` names the policy field (for the 4xx's problems)."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.value = value


class ProposalMode(StrEnum):
    UNIFORM = "uniform"
    FOLLOW_REFERENCE = "follow_reference"


@dataclass(frozen=True)
class ProposalPolicy:
    """How to build next year's prices. All amounts and percentages are Decimals.

    ``percent``: the uniform percentage on extern prices, None to solve it. ``target_percent``:
    the deviation to solve for, None = the limit; it may be lower (never above the limit, nor
    below minus the limit). ``rounding_kr``: the step prices are rounded to (halves up).
    ``max_rise_percent``: the largest rise of one price, ≥ 0. ``intern_percent``: the change of
    intern codes and flat patient fees, None = unchanged. ``per_minute_rounding_kr``: the step
    of per-minute prices.
    """

    mode: ProposalMode = ProposalMode.UNIFORM
    percent: Decimal | None = None
    target_percent: Decimal | None = None
    rounding_kr: Decimal = Decimal(5)
    max_rise_percent: Decimal | None = None
    keep_at_or_below_reference: bool = False
    intern_percent: Decimal | None = None
    per_minute_rounding_kr: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if not isinstance(self.mode, ProposalMode):
            raise ProposalPolicyError("mode", self.mode, "uniform or follow_reference")
        if not isinstance(self.keep_at_or_below_reference, bool):
            raise ProposalPolicyError(
                "keep_at_or_below_reference", self.keep_at_or_below_reference, "true or false"
            )
        for name in (
            "percent",
            "target_percent",
            "max_rise_percent",
            "intern_percent",
            "rounding_kr",
            "per_minute_rounding_kr",
        ):
            value = getattr(self, name)
            if value is None and name not in ("rounding_kr", "per_minute_rounding_kr"):
                continue
            if isinstance(value, bool) or not isinstance(value, Decimal) or (not value.is_finite()):
                raise ProposalPolicyError(name, value, "a finite decimal number")
        for name in ("percent", "intern_percent"):
            value = getattr(self, name)
            if value is not None and value <= -100:
                raise ProposalPolicyError(name, value, "above -100 (a price cannot go to 0)")
        if self.max_rise_percent is not None and self.max_rise_percent < 0:
            raise ProposalPolicyError(
                "max_rise_percent", self.max_rise_percent, "not negative (it caps a rise)"
            )
        for name in ("rounding_kr", "per_minute_rounding_kr"):
            value = getattr(self, name)
            if value <= 0 or value != value.quantize(ORE):
                raise ProposalPolicyError(name, value, "a positive amount in whole öre")


_POLICY_FIELDS = {f.name for f in fields(ProposalPolicy)}


def policy_from_mapping(data: Mapping[str, Any]) -> ProposalPolicy:
    """A policy from plain JSON-like values; raises :class:`ProposalPolicyError` naming the field.

    Numbers are decimal strings or integers, never floats (as every amount of the service);
    ``null`` or an absent key means the default. Unknown keys are refused: a typo must not
    silently drop a cap.
    """
    if not isinstance(data, Mapping):
        raise ProposalPolicyError("policy", data, "an object")
    for key in data:
        if key not in _POLICY_FIELDS:
            raise ProposalPolicyError(str(key), data[key], "unknown policy field")
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if raw is None:
            continue
        if key == "mode":
            try:
                values[key] = ProposalMode(raw)
            except ValueError as exc:
                raise ProposalPolicyError(key, raw, "uniform or follow_reference") from exc
        elif key == "keep_at_or_below_reference":
            if not isinstance(raw, bool):
                raise ProposalPolicyError(key, raw, "true or false")
            values[key] = raw
        else:
            if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
                raise ProposalPolicyError(key, raw, "a decimal string or an integer, never a float")
            try:
                values[key] = Decimal(raw)
            except InvalidOperation as exc:
                raise ProposalPolicyError(key, raw, "not a number") from exc
    return ProposalPolicy(**values)


class PriceRule(StrEnum):
    """Which rule set an item's new price."""

    UNIFORM = "uniform"  # extern: old × factor
    FOLLOW_REFERENCE = "follow_reference"  # extern: old × new/old reference × factor
    INTERN = "intern"  # intern or flat fee: old × (1 + intern_percent/100)
    UNCHANGED = "unchanged"  # intern or flat fee without intern_percent
    PER_KRONA = "per_krona"  # material at cost: never changed


class Cap(StrEnum):
    MAX_RISE = "max_rise"
    REFERENCE = "reference"


@dataclass(frozen=True)
class ProposedItem:
    """One code of the proposal: old and new price, the change, old and new reference price.

    ``old_reference`` is the taxa's referenspris, ``new_reference`` the new list's for the code
    (None: intern, or the list cannot price it). ``step``: the rounding step used (None when the
    price was not recomputed). ``capped``: which cap set the price, if any.
    """

    key: str
    code: str | None
    kind: Kind
    unit: Unit
    category: Category | None
    group: str
    text: str
    old_price: Decimal
    new_price: Decimal
    change: Decimal
    change_percent: Decimal | None
    old_reference: Decimal | None
    new_reference: Decimal | None
    rule: PriceRule
    capped: Cap | None
    step: Decimal | None


@dataclass(frozen=True)
class ReferenceCrossing:
    """An extern code that crosses its reference price: it gains tiotandvård (above before, at
    or below now) or loses it (at or below before, above now)."""

    code: str
    old_price: Decimal
    old_reference: Decimal
    new_price: Decimal
    new_reference: Decimal
    gains: bool


@dataclass(frozen=True)
class Proposal:
    """Everything :func:`propose` builds. ``items`` and ``proposed_items`` in the taxa's order.

    ``percent`` is the uniform percentage on extern prices (given or solved: ``solved``).
    ``proposed_items`` is the new taxa (same items, new prices, the new list's reference
    prices): what ``app/`` stores as a draft. ``deviation`` is the 7 % analysis of it with the
    volumes (year on year against the current taxa); ``deviation_before`` the current prices
    against the new list. ``headroom`` (kr) and ``headroom_percent`` (percentage points) are
    what is left up to the *limit*. ``at_or_below_before`` / ``_after``: extern codes priced at
    or below their reference before / after. ``needs_price``: TLV åtgärder in the new list no
    code of the taxa has (a finding, no price is guessed). ``reference_check``: the taxa's
    referenspris against the new list, with the mapped variants to confirm. ``list_rise``: the
    list's own rise on the previous list (None when it cannot be built: see ``notes``).
    """

    policy: ProposalPolicy
    limit_percent: Decimal
    target_percent: Decimal
    percent: Decimal
    solved: bool
    items: tuple[ProposedItem, ...]
    proposed_items: tuple[Item, ...]
    deviation: DeviationAnalysis
    deviation_before: DeviationAnalysis
    within: bool | None
    headroom: Decimal
    headroom_percent: Decimal | None
    crossings: tuple[ReferenceCrossing, ...]
    at_or_below_before: int
    at_or_below_after: int
    needs_price: tuple[ReferenceEntry, ...]
    reference_check: ReferenceCheck
    list_rise: ListRise | None
    rules: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def deviation_percent(self) -> Decimal | None:
        return self.deviation.total.deviation_percent

    def jour(self, rule: SurchargeRule) -> list[Item]:
        """The proposal's jour taxa by the surcharge rule (:func:`pricing.jour.derive_jour`)."""
        return derive_jour(self.proposed_items, rule)


# --- pricing one item ---------------------------------------------------------------------------


def _largest_multiple_at_most(cap: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` not above ``cap``, through the one rounding helper."""
    nearest = round_money(cap, step)
    return nearest if nearest <= cap else nearest - step


@dataclass(frozen=True)
class _Plan:
    """How one item's price follows the factor: min(round(base × factor, step), cap)."""

    item: Item
    rule: PriceRule
    base: Decimal  # the price the factor multiplies (old, or old × reference ratio)
    step: Decimal | None  # None: the price is fixed
    fixed_factor: Decimal | None  # intern: its own factor; extern: None (the solved one)
    rise_cap: Decimal | None
    reference_cap: Decimal | None
    new_reference: Decimal | None

    def price(self, factor: Decimal) -> tuple[Decimal, Cap | None]:
        if self.step is None:
            return self.item.price, None
        own = self.fixed_factor if self.fixed_factor is not None else factor
        price = round_money(self.base * own, self.step)
        capped: Cap | None = None
        if self.rise_cap is not None and price > self.rise_cap:
            price, capped = self.rise_cap, Cap.MAX_RISE
        if self.reference_cap is not None and price > self.reference_cap:
            price, capped = self.reference_cap, Cap.REFERENCE
        return price, capped


def _plan(item: Item, policy: ProposalPolicy, new_reference: Decimal | None) -> _Plan:
    extern = item.kind is Kind.EXTERN
    if item.unit is Unit.PER_KRONA:
        return _Plan(item, PriceRule.PER_KRONA, item.price, None, None, None, None, new_reference)
    if not extern and policy.intern_percent is None:
        return _Plan(item, PriceRule.UNCHANGED, item.price, None, None, None, None, None)
    step = policy.per_minute_rounding_kr if item.unit is Unit.PER_MINUTE else policy.rounding_kr
    rise_cap = None
    if policy.max_rise_percent is not None:
        ceiling = item.price * (1 + policy.max_rise_percent / 100)
        rise_cap = max(_largest_multiple_at_most(ceiling, step), item.price)
    if not extern:
        assert policy.intern_percent is not None
        return _Plan(
            item,
            PriceRule.INTERN,
            item.price,
            step,
            1 + policy.intern_percent / 100,
            rise_cap,
            None,
            None,
        )
    base = item.price
    rule = PriceRule.UNIFORM
    old_reference = item.reference_price
    if policy.mode is ProposalMode.FOLLOW_REFERENCE:
        rule = PriceRule.FOLLOW_REFERENCE
        if old_reference is not None and old_reference > 0 and new_reference is not None:
            base = item.price * new_reference / old_reference
    reference_cap = None
    if (
        policy.keep_at_or_below_reference
        and old_reference is not None
        and new_reference is not None
        and item.price <= old_reference
    ):
        reference_cap = new_reference
    return _Plan(item, rule, base, step, None, rise_cap, reference_cap, new_reference)


# --- the search ---------------------------------------------------------------------------------


def _factor(k: int) -> Decimal:
    return 1 + Decimal(k) / (100 * _GRID)


def _percent(k: int) -> Decimal:
    return (Decimal(k) / _GRID).quantize(SOLVE_STEP_PERCENT)


@dataclass(frozen=True)
class _Solution:
    k: int
    note: str | None


def _solve(
    revenue: Callable[[int], Decimal],
    prices_at: Callable[[int], tuple[Decimal, ...]],
    reference_revenue: Decimal,
    estimate: Decimal | None,
    target: Decimal,
    limit: Decimal,
    capped_rise: bool,
) -> _Solution:
    """The largest grid step k whose revenue keeps the deviation ≤ target (see the module)."""
    r = reference_revenue

    def ok(k: int) -> bool:
        return (revenue(k) - r) * 100 <= target * r

    def deviation(k: int) -> Decimal:
        return (revenue(k) - r) * 100 / r

    if estimate is None:
        k0 = 0
    else:
        k0 = int(((estimate - 1) * 100 * _GRID).to_integral_value(rounding=ROUND_FLOOR))
        k0 = min(max(k0, _K_MIN), _K_MAX)
    width = 1
    hi: int | None
    if ok(k0):
        lo = k0
        while True:
            hi = min(lo + width, _K_MAX)
            if not ok(hi):
                break
            lo = hi
            if hi == _K_MAX:
                solution = _no_bind(prices_at, capped_rise, target)
                lo, hi = solution.k, None
                break
            width *= 2
    else:
        solution = _Solution(0, None)
        hi = k0
        while True:
            lo = max(hi - width, _K_MIN)
            if ok(lo):
                break
            hi = lo
            if lo == _K_MIN:
                d = deviation(_K_MIN)
                raise ProposalError(
                    f"no change of the extern prices brings the deviation to {target} %: even "
                    f"at −100 % it is {_shown(d)} % (prices the factor does not move, e.g. per "
                    "krona, keep the revenue up)",
                    above=d,
                    percent_above=_percent(_K_MIN),
                )
            width *= 2
    if hi is not None:
        while hi - lo > 1:
            middle = (lo + hi) // 2
            if ok(middle):
                lo = middle
            else:
                hi = middle
        solution = _Solution(lo, None)
    achieved = deviation(lo)
    if achieved < -limit:
        if hi is None:
            raise ProposalError(
                f"the caps hold the revenue below the limit: at most {_shown(achieved)} % "
                f"(below −{limit} %) whatever the percentage; raise max_rise_percent or the "
                "limit",
                below=achieved,
                percent_below=_percent(lo),
            )
        above = deviation(hi)
        raise ProposalError(
            f"no rounding meets the limit of ±{limit} % with target {target} %: the largest "
            f"change within the target, {_percent(lo)} %, gives {_shown(achieved)} % (below "
            f"−{limit} %), the next, {_percent(hi)} %, gives {_shown(above)} % (above the "
            "target); the rounding step is too coarse for these volumes: lower the step or "
            "raise the limit",
            below=achieved,
            above=above,
            percent_below=_percent(lo),
            percent_above=_percent(hi),
        )
    return solution


def _no_bind(
    prices_at: Callable[[int], tuple[Decimal, ...]], capped_rise: bool, target: Decimal
) -> _Solution:
    """The limit does not bind up to +1000 %: every compared price is held by a cap.

    With ``max_rise_percent`` every price the percentage moves reaches its cap at some
    percentage: the answer is the smallest one from which no price changes any more (0 when
    today's percentage already is such a one). Without it, the limit cannot decide.
    """
    if not capped_rise:
        raise ProposalError(
            f"the deviation stays within the target of {target} % for any rise up to +1000 %: "
            "every compared price is held (at its new reference by keep_at_or_below_reference, "
            "or fixed), so the limit cannot decide the percentage; give percent or "
            "max_rise_percent"
        )
    final = prices_at(_K_MAX)
    if prices_at(0) == final:
        return _Solution(0, "every price is already at its cap: the percentage is 0")
    lo, hi = 0, _K_MAX  # prices_at(lo) != final == prices_at(hi): find the smallest such k
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if prices_at(middle) == final:
            hi = middle
        else:
            lo = middle
    return _Solution(
        hi,
        f"the caps bind before the limit: from {_percent(hi)} % on every price is at its cap "
        "(max_rise_percent), and the deviation stays within the target",
    )


def _shown(value: Decimal) -> Decimal:
    return round_money(value, ORE)


# --- the proposal -------------------------------------------------------------------------------


def _context() -> Context:
    return Context(prec=_PRECISION, traps=[InvalidOperation, DivisionByZero, Overflow])


def propose(
    items: Sequence[Item],
    new_list: ReferenceList,
    volumes: Mapping[str, int],
    policy: ProposalPolicy | None = None,
    *,
    limit_percent: Decimal = DEFAULT_LIMIT_PERCENT,
    old_list: ReferenceList | None = None,
) -> Proposal:
    """Next year's prices for the taxa ``items`` under ``policy``, against ``new_list``.

    ``volumes``: billed quantity per region code (as :func:`pricing.deviation.analyse_deviation`
    takes them). ``old_list``: the list in force before ``new_list``, for the list's own rise;
    None = the list the taxa's referenspris column prints (:func:`reference_list_from_taxa`).

    Raises :class:`ProposalPolicyError` for a target outside ±limit, :class:`ProposalError`
    when a percentage is to be solved and cannot be (no compared volume, a limit no rounding
    can meet, a limit that does not bind), :class:`pricing.deviation.DeviationError` for bad
    volumes or a code twice.
    """
    policy = policy or ProposalPolicy()
    if (
        not isinstance(limit_percent, Decimal)
        or not limit_percent.is_finite()
        or (limit_percent < 0)
    ):
        raise ProposalPolicyError("limit_percent", limit_percent, "a decimal number ≥ 0")
    target = limit_percent if policy.target_percent is None else policy.target_percent
    if not -limit_percent <= target <= limit_percent:
        raise ProposalPolicyError(
            "target_percent",
            policy.target_percent,
            f"between −{limit_percent} and {limit_percent} (the limit)",
        )
    with localcontext(_context()):
        return _propose(items, new_list, volumes, policy, limit_percent, target, old_list)


def _propose(
    items: Sequence[Item],
    new_list: ReferenceList,
    volumes: Mapping[str, int],
    policy: ProposalPolicy,
    limit: Decimal,
    target: Decimal,
    old_list: ReferenceList | None,
) -> Proposal:
    notes: list[str] = []
    plans = [
        _plan(
            item,
            policy,
            new_list.price_for(item.code)
            if item.kind is Kind.EXTERN and item.code is not None
            else None,
        )
        for item in items
    ]

    def build(factor: Decimal) -> tuple[list[Item], list[tuple[Decimal, Cap | None]]]:
        priced = [plan.price(factor) for plan in plans]
        out = [
            replace(plan.item, price=price, reference_price=plan.new_reference)
            if plan.item.kind is Kind.EXTERN
            else replace(plan.item, price=price)
            for plan, (price, _) in zip(plans, priced, strict=True)
        ]
        return out, priced

    # Which items the deviation compares, with which volume, and the reference revenue: from
    # the analysis itself (they depend on kinds, references and volumes, not on prices).
    start_items, _ = build(Decimal(1))
    start = analyse_deviation(start_items, volumes, limit)
    compared = {c.key: c.volume for c in start.contributions}
    weighted = [
        (i, compared[plan.item.key]) for i, plan in enumerate(plans) if plan.item.key in compared
    ]
    reference_revenue = start.total.reference_revenue

    def revenue(k: int) -> Decimal:
        factor = _factor(k)
        return sum((vol * plans[i].price(factor)[0] for i, vol in weighted), Decimal(0))

    def prices_at(k: int) -> tuple[Decimal, ...]:
        factor = _factor(k)
        return tuple(plan.price(factor)[0] for plan in plans)

    solved_k: int | None = None
    if policy.percent is not None:
        percent = policy.percent
    else:
        if reference_revenue == 0:
            raise ProposalError(
                "no extern code with a reference price in the new list has a volume: the "
                "deviation cannot be computed, so no percentage can be solved; give percent"
            )
        unrounded = sum((vol * plans[i].base for i, vol in weighted), Decimal(0))
        estimate = None if unrounded == 0 else (1 + target / 100) * reference_revenue / unrounded
        solution = _solve(
            revenue,
            prices_at,
            reference_revenue,
            estimate,
            target,
            limit,
            policy.max_rise_percent is not None,
        )
        percent = _percent(solution.k)
        solved_k = solution.k
        if solution.note:
            notes.append(solution.note)

    factor = 1 + percent / 100
    proposed, priced = build(factor)
    deviation = analyse_deviation(proposed, volumes, limit, previous=items)
    solved = solved_k is not None
    if solved_k is not None and deviation.total.revenue != revenue(solved_k):
        raise AssertionError("the search and the deviation analysis disagree")  # a bug
    before = analyse_deviation(
        [
            replace(p.item, reference_price=p.new_reference)
            if p.item.kind is Kind.EXTERN
            else p.item
            for p in plans
        ],
        volumes,
        limit,
    )

    result_items: list[ProposedItem] = []
    crossings: list[ReferenceCrossing] = []
    below_before = below_after = 0
    for plan, (price, capped) in zip(plans, priced, strict=True):
        item = plan.item
        result_items.append(
            ProposedItem(
                key=item.key,
                code=item.code,
                kind=item.kind,
                unit=item.unit,
                category=item.category,
                group=item.group,
                text=item.text,
                old_price=item.price,
                new_price=price,
                change=price - item.price,
                change_percent=percent_change(price, item.price),
                old_reference=item.reference_price,
                new_reference=plan.new_reference,
                rule=plan.rule,
                capped=capped,
                step=plan.step,
            )
        )
        old_ref, new_ref = item.reference_price, plan.new_reference
        if item.kind is Kind.EXTERN and old_ref is not None:
            below_before += item.price <= old_ref
        if item.kind is Kind.EXTERN and new_ref is not None:
            below_after += price <= new_ref
        if item.kind is Kind.EXTERN and item.code and old_ref is not None and (new_ref is not None):
            was, now = item.price <= old_ref, price <= new_ref
            if was != now:
                crossings.append(
                    ReferenceCrossing(item.code, item.price, old_ref, price, new_ref, gains=now)
                )

    check = check_taxa_against_list(items, new_list)
    rise: ListRise | None = None
    try:
        previous = old_list or reference_list_from_taxa(items, name="the taxa's referenspris")
        rise = list_rise(previous, new_list, volumes)
    except ReferenceListError as exc:
        notes.append(f"the list's own rise cannot be computed: {exc}")
    if check.only_in_taxa:
        notes.append(
            f"{len(check.only_in_taxa)} extern code(s) the new list cannot price: "
            + ", ".join(c.code for c in check.only_in_taxa)
            + " (no reference price in the proposal: outside the deviation)"
        )
    if check.only_in_list:
        notes.append(
            f"{len(check.only_in_list)} åtgärd(er) of the new list have no code in the taxa "
            "and need a price: " + ", ".join(e.code for e in check.only_in_list)
        )
    total = deviation.total
    if not solved and total.within is False:
        notes.append(
            f"the given {percent} % gives a deviation of "
            f"{_shown(total.deviation_percent or Decimal(0))} %, outside ±{limit} %"
        )
    headroom_percent = None if total.deviation_percent is None else limit - total.deviation_percent
    return Proposal(
        policy=policy,
        limit_percent=limit,
        target_percent=target,
        percent=percent,
        solved=solved,
        items=tuple(result_items),
        proposed_items=tuple(proposed),
        deviation=deviation,
        deviation_before=before,
        within=total.within,
        headroom=total.headroom,
        headroom_percent=headroom_percent,
        crossings=tuple(crossings),
        at_or_below_before=below_before,
        at_or_below_after=below_after,
        needs_price=check.only_in_list,
        reference_check=check,
        list_rise=rise,
        rules=_rules(policy, percent, plans),
        notes=tuple(notes),
    )


def _codes(plans: Sequence[_Plan], test: Callable[[_Plan], bool]) -> str:
    codes = [p.item.key for p in plans if test(p)]
    return ", ".join(codes) if codes else "none in this taxa"


def _rules(policy: ProposalPolicy, percent: Decimal, plans: Sequence[_Plan]) -> tuple[str, ...]:
    """The rules the proposal applied, in words, for the answer and the board."""
    step = policy.rounding_kr.normalize()
    minute = policy.per_minute_rounding_kr.normalize()
    extern = (
        f"extern prices: × (1 + {percent} %)"
        if policy.mode is ProposalMode.UNIFORM
        else f"extern prices: × (new reference / old reference) × (1 + {percent} %) "
        "(ratio 1 where a code lacks either reference)"
    )
    rules = [
        f"{extern}, rounded to whole {step} kr, halves up",
        "reference prices: the new list's, per code (103 → general, 103S → specialist "
        "price; variant letters such as 541H, 861L map to their åtgärd)",
        "the deviation: the 7 % analysis (pricing.deviation) of the proposed prices against "
        "the new reference prices over the total, utbytesåtgärder included and shown apart",
    ]
    if policy.intern_percent is None:
        rules.append("intern codes and flat patient fees: unchanged")
    else:
        rules.append(
            f"intern codes and flat patient fees: × (1 + {policy.intern_percent} %), "
            f"rounded to whole {step} kr, halves up"
        )
    rules.append(
        "flat patient fees (intern, one price per visit): "
        + _codes(plans, lambda p: p.item.code in FLAT_FEE_CODES)
    )
    rules.append(
        "per krona of material (sold at cost): never changed: "
        + _codes(plans, lambda p: p.item.unit is Unit.PER_KRONA)
    )
    rules.append(
        f"per minute: the percentage of their kind, rounded to whole {minute} kr (a 5 kr step "
        "would move the hourly rate by up to 150 kr): "
        + _codes(plans, lambda p: p.item.unit is Unit.PER_MINUTE)
    )
    if policy.max_rise_percent is not None:
        rules.append(
            f"no price rises more than {policy.max_rise_percent} %: capped at the largest "
            f"multiple of the step not above that, never below today's price"
        )
    if policy.keep_at_or_below_reference:
        rules.append(
            "a code priced at or below its reference today stays at or below its new "
            "reference (tiotandvård for patients aged 67+): capped at the new reference"
        )
    return tuple(rules)
