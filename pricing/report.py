"""The board's validation report: its figures, composed from the pure analyses, computed once.

Each autumn the board (nämnd) decides next year's taxa on a short written basis (tjänsteskrivelse
RJL 2024/12): the taxa follows the pricing principles, deviates about 7 % from the reference
price list, and jour is +50 %. :func:`compose_report` gathers the evidence behind those sentences
from the analyses that already exist, and adds nothing computed a second way:

* the 7 % figures, per category and åtgärdsgrupp, the contributions, the items left out and the
  year-on-year change: :func:`pricing.deviation.analyse_deviation` (per åtgärdsgrupp year on
  year: the same function on the group's items);
* the price changes since the previous taxa: :func:`pricing.diff.diff_taxa`;
* the jour check: a :class:`pricing.jour.JourCheck` made by :func:`pricing.jour.check_jour`;
* the 67+ rule's scope: :meth:`pricing.subsidy_rules.TioTandvard.scope` (the quote engine's
  reading of it).

**Without volumes** the report is unweighted: every code counts once (volume 1), so the same
analysis gives Σ price against Σ reference price; :attr:`ReportFigures.weighted` is False and the
renderers label every such figure as unweighted. The 7 % verdict is then "cannot be assessed":
the decided rule is about revenue (åtgärd × volym × pris), which needs volumes.

**Verdicts** on the four principles of the tjänsteskrivelse (:class:`Principle`):

1. *Taxan ska i största möjliga utsträckning följa referensprislistan*: cannot be assessed. The
   principle sets no measure, and "as far as possible" depends on Folktandvården's full cost per
   åtgärd (it must price on its own full cost), which the service does not have. The evidence is
   reported (items above / at / below the reference price, the deviation) for the board to judge.
2. *At most 7 % deviation*: met when the volume-weighted deviation is within the limit (exactly
   at the limit is within, as in :mod:`pricing.deviation`), not met when over, cannot be assessed
   without volumes or when no compared item has a volume. Its condition ("provided the reference
   list is not raised more than normal") is reported as the reference list's volume-weighted
   change since the previous taxa; the principle does not say what "normal" is, so the condition
   is shown, not judged, and without a previous taxa it cannot be shown.
3. *Frisktandvården ska vara självfinansierad*: cannot be assessed: the service has no data on
   frisktandvård (subscriptions, their revenue and cost).
4. *Jour +50 %*: met when the jour check found no price that differs from the rule (exemptions
   the rule documents are not findings against it; texts, reference prices and items found in
   only one taxa are listed but do not decide it), not met otherwise; cannot be assessed without a
   check (no jour taxa and no surcharge rule for the date). A jour taxa derived from this one by
   the rule meets it by construction, and the report says so.

**The 67+ rule** (särskild tandvårdsersättning, "tiotandvård", from 2026): over the extern items
with a reference price whose code is in the rule's scope, the share priced at most at the
reference price (the rule's condition), by count and by volume. Items whose scope is limited to
tooth positions 1–5 are counted as in scope and reported apart. For a taxa valid before the rule
exists the caller passes the first rule set that has it (``tio_applies=False``): the figure is
shown as what the taxa would mean if it applied then.

Pure: standard library and ``pricing`` only; no figure is rounded here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pricing.deviation import (
    Contribution,
    DeviationAnalysis,
    YearOnYear,
    analyse_deviation,
    is_utbyte,
)
from pricing.diff import PriceChange, diff_taxa
from pricing.jour import JourCheck, JourFindingKind
from pricing.money import percent_change
from pricing.subsidy_rules import TioTandvard
from pricing.taxa import Item, Kind

TOP_CONTRIBUTIONS = 15
TOP_PRICE_CHANGES = 15


class Principle(StrEnum):
    """The pricing principles of the tjänsteskrivelse, in its order."""

    FOLLOWS_REFERENCE = "follows_reference"
    DEVIATION_LIMIT = "deviation_limit"
    FRISKTANDVARD = "frisktandvard"
    JOUR_SURCHARGE = "jour_surcharge"


class Status(StrEnum):
    MET = "met"  # uppfylld
    NOT_MET = "not_met"  # ej uppfylld
    CANNOT_ASSESS = "cannot_assess"  # kan inte bedömas


class Reason(StrEnum):
    NO_MEASURE = "no_measure"  # principle 1 sets no measurable criterion
    WITHIN = "within"
    OVER = "over"
    NO_VOLUMES = "no_volumes"
    NOTHING_COMPARED = "nothing_compared"  # volumes, but none for an item with a reference
    NO_DATA = "no_data"  # frisktandvård: nothing in the service
    CONSISTENT = "consistent"
    DERIVED = "derived"  # the jour taxa is derived by the rule: consistent by construction
    PRICE_FINDINGS = "price_findings"
    NO_JOUR_CHECK = "no_jour_check"


@dataclass(frozen=True)
class Verdict:
    principle: Principle
    status: Status
    reason: Reason


@dataclass(frozen=True)
class ItemCounts:
    total: int
    extern: int
    intern: int  # intern items with a code
    without_code: int  # "Ny kod" rows: intern, no code yet


@dataclass(frozen=True)
class ItemRow:
    """One item of the taxa with every figure the report has about it (the XLSX's rows).

    ``volume`` and the revenues are None without volumes. ``status`` is "compared" or the
    :class:`pricing.deviation.LeftOutReason` it was left out for. ``tio_in_scope`` is None when
    the report has no 67+ rule set or the item has no reference price.
    """

    item: Item
    difference: Decimal | None  # price − reference price
    difference_percent: Decimal | None  # (price − reference) × 100 / reference, exact
    volume: int | None
    revenue: Decimal | None  # volume × price
    reference_revenue: Decimal | None  # volume × reference price
    contribution: Decimal | None  # volume × (price − reference), for compared items
    status: str
    utbyte: bool
    tio_in_scope: bool | None
    tio_position_limited: bool
    previous_price: Decimal | None
    price_change_percent: Decimal | None


@dataclass(frozen=True)
class RatioBin:
    """Items whose price ÷ reference price lies in (low, high]; ``low == high`` is exactly that
    ratio; ``low`` None is below ``high``; ``high`` None is above ``low``."""

    low: Decimal | None
    high: Decimal | None
    items: int
    weight: int  # volume (or items, unweighted)
    share_percent: Decimal | None  # of the weight of every compared item


RATIO_EDGES = tuple(Decimal(x) for x in ("1.05", "1.10", "1.15", "1.20", "1.50"))


@dataclass(frozen=True)
class GroupChange:
    """Volume-weighted change since the previous taxa within one åtgärdsgrupp."""

    group: str
    price_change_percent: Decimal | None  # every code in both with a volume
    codes: int
    reference_change_percent: Decimal | None  # codes with a reference price in both
    reference_codes: int


@dataclass(frozen=True)
class PriceChangeRow:
    change: PriceChange
    volume: int | None
    effect: Decimal | None  # volume × (new price − old price)


@dataclass(frozen=True)
class TioShare:
    """The 67+ rule against this taxa's prices (see the module docstring)."""

    rule_set_id: str
    rule_valid_from: date
    applies: bool  # the rule set in force on the taxa's valid_from has the rule
    requires_price_at_most_reference: bool
    items_in_scope: int
    items_qualifying: int  # in scope and price ≤ reference (or the rule has no price condition)
    position_limited: int  # items in scope only on tooth positions ≤ the rule's limit
    max_tooth_position: int
    volume_in_scope: int | None
    volume_qualifying: int | None
    share_items_percent: Decimal | None
    share_volume_percent: Decimal | None


@dataclass(frozen=True)
class ReportFigures:
    """Every figure of the report. Renderers format these; they compute nothing."""

    weighted: bool
    weights: Mapping[str, int]
    limit_percent: Decimal
    counts: ItemCounts
    deviation: DeviationAnalysis
    top_contributions: tuple[Contribution, ...]
    ratio_bins: tuple[RatioBin, ...]
    previous_given: bool
    year_on_year: YearOnYear | None
    group_changes: tuple[GroupChange, ...]
    price_changes: tuple[PriceChangeRow, ...]  # every changed price, largest |%| first
    price_changes_total: int
    jour: JourCheck | None
    jour_derived: bool
    jour_counts: Mapping[JourFindingKind, int]
    tio: TioShare | None
    items: tuple[ItemRow, ...]
    verdicts: tuple[Verdict, ...]

    @property
    def verdict(self) -> Mapping[Principle, Verdict]:
        return {v.principle: v for v in self.verdicts}

    @property
    def top_price_changes(self) -> tuple[PriceChangeRow, ...]:
        return self.price_changes[:TOP_PRICE_CHANGES]


def item_counts(items: Sequence[Item]) -> ItemCounts:
    extern = sum(1 for i in items if i.kind is Kind.EXTERN)
    without_code = sum(1 for i in items if i.code is None)
    return ItemCounts(
        total=len(items),
        extern=extern,
        intern=len(items) - extern - without_code,
        without_code=without_code,
    )


def unit_weights(items: Sequence[Item]) -> dict[str, int]:
    """Volume 1 for every coded item: the unweighted figures (every code counts once)."""
    return {i.code: 1 for i in items if i.code is not None}


def _share(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else Decimal(part) * 100 / whole


def ratio_bins(contributions: Sequence[Contribution]) -> tuple[RatioBin, ...]:
    """The compared items by price ÷ reference price: below 1, exactly 1, then (1, 1.05],
    (1.05, 1.10], (1.10, 1.15], (1.15, 1.20], (1.20, 1.50] and above 1.50, with their weight.

    Compared exactly (price against reference × edge), without dividing.
    """
    one = Decimal(1)
    edges: list[tuple[Decimal | None, Decimal | None]] = [(None, one), (one, one)]
    low = one
    for edge in RATIO_EDGES:
        edges.append((low, edge))
        low = edge
    edges.append((low, None))
    counts = [0] * len(edges)
    weights = [0] * len(edges)
    for c in contributions:
        if c.price < c.reference_price:
            index = 0
        elif c.price == c.reference_price:
            index = 1
        else:
            index = len(edges) - 1
            for n, (_, high) in enumerate(edges[2:-1], start=2):
                assert high is not None
                if c.price <= c.reference_price * high:
                    index = n
                    break
        counts[index] += 1
        weights[index] += c.volume
    total = sum(weights)
    return tuple(
        RatioBin(low=lo, high=hi, items=n, weight=w, share_percent=_share(w, total))
        for (lo, hi), n, w in zip(edges, counts, weights, strict=True)
    )


def group_changes(
    items: Sequence[Item], previous: Sequence[Item], weights: Mapping[str, int], limit: Decimal
) -> tuple[GroupChange, ...]:
    """Year on year per åtgärdsgrupp: :func:`analyse_deviation` on each group's items."""
    out: list[GroupChange] = []
    for group in sorted({i.group for i in items}):
        members = [i for i in items if i.group == group]
        yoy = analyse_deviation(members, weights, limit, previous).year_on_year
        assert yoy is not None
        if yoy.all_codes == 0:
            continue
        out.append(
            GroupChange(
                group=group,
                price_change_percent=yoy.price_change_all_percent,
                codes=yoy.all_codes,
                reference_change_percent=yoy.reference_change_percent,
                reference_codes=yoy.reference_codes,
            )
        )
    return tuple(out)


def _price_changes(
    items: Sequence[Item], previous: Sequence[Item], volumes: Mapping[str, int] | None
) -> tuple[PriceChangeRow, ...]:
    rows = []
    for change in diff_taxa(previous, items).changed:
        if change.old_price == change.new_price:
            continue  # only the reference price changed
        volume = None if volumes is None else volumes.get(change.code or "", 0)
        effect = None if volume is None else volume * (change.new_price - change.old_price)
        rows.append(PriceChangeRow(change, volume, effect))
    return tuple(
        sorted(
            rows,
            key=lambda r: (
                r.change.change_percent is None,
                -abs(r.change.change_percent or Decimal(0)),
                r.change.key,
            ),
        )
    )


def tio_share(
    items: Sequence[Item],
    volumes: Mapping[str, int] | None,
    tio: TioTandvard,
    rule_set_id: str,
    rule_valid_from: date,
    applies: bool,
) -> TioShare:
    """How many of the items in the 67+ rule's scope meet its price condition (and volume)."""
    requires = tio.requires_price_at_most_reference.value
    in_scope = qualifying = limited = 0
    volume_in = volume_ok = 0
    for item in items:
        if item.kind is not Kind.EXTERN or item.reference_price is None or item.code is None:
            continue
        scope = tio.scope(item.code)
        if not scope.in_scope:
            continue
        volume = 0 if volumes is None else volumes.get(item.code, 0)
        in_scope += 1
        volume_in += volume
        if scope.position_limited is not None:
            limited += 1
        if not requires or item.price <= item.reference_price:
            qualifying += 1
            volume_ok += volume
    return TioShare(
        rule_set_id=rule_set_id,
        rule_valid_from=rule_valid_from,
        applies=applies,
        requires_price_at_most_reference=requires,
        items_in_scope=in_scope,
        items_qualifying=qualifying,
        position_limited=limited,
        max_tooth_position=tio.max_tooth_position.value,
        volume_in_scope=None if volumes is None else volume_in,
        volume_qualifying=None if volumes is None else volume_ok,
        share_items_percent=_share(qualifying, in_scope),
        share_volume_percent=None if volumes is None else _share(volume_ok, volume_in),
    )


def _item_rows(
    items: Sequence[Item],
    volumes: Mapping[str, int] | None,
    analysis: DeviationAnalysis,
    previous: Sequence[Item] | None,
    tio: TioTandvard | None,
) -> tuple[ItemRow, ...]:
    status: dict[str, str] = {o.key: o.reason.value for o in analysis.intern}
    status.update({o.key: o.reason.value for o in analysis.no_reference})
    status.update({o.key: o.reason.value for o in analysis.no_volume})
    contribution = {c.key: c.contribution for c in analysis.contributions}
    before = {i.key: i for i in previous} if previous is not None else {}
    rows = []
    for item in items:
        volume = None
        if volumes is not None:
            volume = volumes.get(item.code, 0) if item.code is not None else 0
        ref = item.reference_price
        scope = tio.scope(item.code) if tio is not None and item.code is not None else None
        old = before.get(item.key)
        rows.append(
            ItemRow(
                item=item,
                difference=None if ref is None else item.price - ref,
                difference_percent=None if ref is None else percent_change(item.price, ref),
                volume=volume,
                revenue=None if volume is None else volume * item.price,
                reference_revenue=None if volume is None or ref is None else volume * ref,
                contribution=contribution.get(item.key),
                status=status.get(item.key, "compared"),
                utbyte=is_utbyte(item.code),
                tio_in_scope=None if scope is None or ref is None else scope.in_scope,
                tio_position_limited=scope is not None
                and scope.in_scope
                and scope.position_limited is not None,
                previous_price=None if old is None else old.price,
                price_change_percent=None if old is None else percent_change(item.price, old.price),
            )
        )
    return tuple(rows)


def _verdicts(
    weighted: bool, analysis: DeviationAnalysis, jour: JourCheck | None, jour_derived: bool
) -> tuple[Verdict, ...]:
    if not weighted:
        limit = Verdict(Principle.DEVIATION_LIMIT, Status.CANNOT_ASSESS, Reason.NO_VOLUMES)
    elif analysis.within is None:
        limit = Verdict(Principle.DEVIATION_LIMIT, Status.CANNOT_ASSESS, Reason.NOTHING_COMPARED)
    elif analysis.within:
        limit = Verdict(Principle.DEVIATION_LIMIT, Status.MET, Reason.WITHIN)
    else:
        limit = Verdict(Principle.DEVIATION_LIMIT, Status.NOT_MET, Reason.OVER)
    if jour is None:
        surcharge = Verdict(Principle.JOUR_SURCHARGE, Status.CANNOT_ASSESS, Reason.NO_JOUR_CHECK)
    elif jour.of_kind(JourFindingKind.PRICE_DIFFERS):
        surcharge = Verdict(Principle.JOUR_SURCHARGE, Status.NOT_MET, Reason.PRICE_FINDINGS)
    else:
        surcharge = Verdict(
            Principle.JOUR_SURCHARGE,
            Status.MET,
            Reason.DERIVED if jour_derived else Reason.CONSISTENT,
        )
    return (
        Verdict(Principle.FOLLOWS_REFERENCE, Status.CANNOT_ASSESS, Reason.NO_MEASURE),
        limit,
        Verdict(Principle.FRISKTANDVARD, Status.CANNOT_ASSESS, Reason.NO_DATA),
        surcharge,
    )


@dataclass(frozen=True)
class TioRule:
    """The 67+ rule the report uses, with where it comes from."""

    rule: TioTandvard
    rule_set_id: str
    valid_from: date
    applies: bool  # in force on the taxa's valid_from (False: the first one after it)


def compose_report(
    items: Sequence[Item],
    volumes: Mapping[str, int] | None,
    *,
    limit_percent: Decimal,
    previous: Sequence[Item] | None,
    jour: JourCheck | None,
    jour_derived: bool = False,
    tio: TioRule | None = None,
) -> ReportFigures:
    """Every figure of the report (see the module docstring). ``volumes`` None: unweighted.

    Raises what :func:`analyse_deviation` raises (:class:`pricing.deviation.DeviationError`).
    """
    weighted = volumes is not None
    weights: Mapping[str, int] = volumes if volumes is not None else unit_weights(items)
    analysis = analyse_deviation(items, weights, limit_percent, previous)
    changes = () if previous is None else _price_changes(items, previous, volumes)
    counts: dict[JourFindingKind, int] = {}
    if jour is not None:
        for finding in jour.findings:
            counts[finding.kind] = counts.get(finding.kind, 0) + 1
    return ReportFigures(
        weighted=weighted,
        weights=weights,
        limit_percent=limit_percent,
        counts=item_counts(items),
        deviation=analysis,
        top_contributions=analysis.contributions[:TOP_CONTRIBUTIONS],
        ratio_bins=ratio_bins(analysis.contributions),
        previous_given=previous is not None,
        year_on_year=analysis.year_on_year,
        group_changes=()
        if previous is None
        else group_changes(items, previous, weights, limit_percent),
        price_changes=changes,
        price_changes_total=len(changes),
        jour=jour,
        jour_derived=jour_derived,
        jour_counts=counts,
        tio=None
        if tio is None
        else tio_share(items, volumes, tio.rule, tio.rule_set_id, tio.valid_from, tio.applies),
        items=_item_rows(items, volumes, analysis, previous, None if tio is None else tio.rule),
        verdicts=_verdicts(weighted, analysis, jour, jour_derived),
    )
