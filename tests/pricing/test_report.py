"""The board's report figures (pricing.report): composition, bins, shares and verdicts."""

from __future__ import annotations

import json
from datetime import date
from decimal import Context, Decimal, localcontext
from pathlib import Path

import pytest

from pricing.deviation import analyse_deviation
from pricing.jour import JourCheck, JourFinding, JourFindingKind
from pricing.report import (
    Principle,
    Reason,
    Status,
    TioRule,
    compose_report,
    item_counts,
    ratio_bins,
)
from pricing.subsidy_rules import TioTandvard, rule_set_from_mapping
from pricing.taxa import Category, Item, Kind

D = Decimal
SUBSIDY_2026 = Path(__file__).resolve().parents[2] / "data" / "subsidy" / "2026.json"


def item(
    code: str | None, price: str, reference: str | None, group: str = "G", kind: Kind | None = None
) -> Item:
    return Item(
        code=code,
        category=Category.A if code else None,
        group=group,
        kind=kind or (Kind.EXTERN if reference is not None else Kind.INTERN),
        texts=(f"text {code}",),
        price=D(price),
        reference_price=None if reference is None else D(reference),
    )


def tio() -> TioTandvard:
    rule_set = rule_set_from_mapping(json.loads(SUBSIDY_2026.read_text(encoding="utf-8")))
    assert rule_set.tiotandvard is not None
    return rule_set.tiotandvard


def jour_check(*kinds: JourFindingKind) -> JourCheck:
    findings = tuple(JourFinding(k, "X", "X", D(1), D(2), D(-1), "") for k in kinds)
    return JourCheck(findings=findings, matched=10, rule_source="test")


ITEMS = [
    item("101", "1100", "1015", "Us"),  # 1xx: outside the 67+ scope
    item("341", "640", "640", "Sjukdomsbeh"),  # in scope, at reference
    item("701", "785", "720", "Reparativa"),  # in scope, above reference
    item("801", "5000", "5290", "Protetiska"),  # in scope on positions 1–5, below reference
    item("921", "7420", "1405", "Protetiska"),  # utbyte: excluded from the 67+ rule
    item("9010", "57", None, "Övrigt"),  # intern
    item(None, "3025", None, "Tandreglering"),  # "Ny kod"
]


def test_item_counts() -> None:
    counts = item_counts(ITEMS)
    assert (counts.total, counts.extern, counts.intern, counts.without_code) == (7, 5, 1, 1)


@pytest.mark.parametrize(
    ("price", "reference", "bin_index"),
    [
        ("99", "100", 0),  # below
        ("100", "100", 1),  # exactly the reference
        ("100.01", "100", 2),  # (1, 1.05]
        ("105", "100", 2),  # exactly 1.05: the upper edge belongs to the lower band
        ("105.01", "100", 3),
        ("120", "100", 5),
        ("150", "100", 6),
        ("150.01", "100", 7),  # above 1.50
        ("528", "100", 7),
    ],
)
def test_ratio_bins_edges(price: str, reference: str, bin_index: int) -> None:
    analysis = analyse_deviation([item("101", price, reference)], {"101": 7})
    bins = ratio_bins(analysis.contributions)
    assert [b.weight for b in bins] == [7 if n == bin_index else 0 for n in range(8)]
    assert bins[bin_index].share_percent == 100 and bins[bin_index].items == 1
    assert [(b.low, b.high) for b in bins] == [
        (None, D(1)),
        (D(1), D(1)),
        (D(1), D("1.05")),
        (D("1.05"), D("1.10")),
        (D("1.10"), D("1.15")),
        (D("1.15"), D("1.20")),
        (D("1.20"), D("1.50")),
        (D("1.50"), None),
    ]


def test_weighted_figures_are_the_deviation_analysis() -> None:
    volumes = {"101": 10, "341": 20, "701": 30, "801": 0, "921": 1, "9010": 600}
    figures = compose_report(ITEMS, volumes, limit_percent=D(7), previous=None, jour=None)
    assert figures.weighted and figures.deviation == analyse_deviation(ITEMS, volumes, D(7))
    assert figures.top_contributions == figures.deviation.contributions[:15]
    # revenue 11 000 + 12 800 + 23 550 + 7 420 = 54 770; reference 10 150 + 12 800 + 21 600
    # + 1 405 = 45 955: over the limit.
    assert figures.deviation.total.revenue == D("54770")
    assert figures.deviation.total.reference_revenue == D("45955")
    assert figures.verdict[Principle.DEVIATION_LIMIT].status is Status.NOT_MET
    rows = {r.item.key: r for r in figures.items}
    assert rows["701"].revenue == D("23550") and rows["701"].reference_revenue == D("21600")
    assert rows["701"].difference == D("65") and rows["701"].contribution == D("1950")
    assert rows["701"].difference_percent == D("65") * 100 / D("720")
    assert rows["801"].status == "no_volume" and rows["801"].contribution is None
    assert rows["9010"].status == "intern" and rows["9010"].revenue == D("34200")
    assert rows["921"].utbyte and not rows["701"].utbyte
    # Volume-weighted bins: 341 at reference (20), 701 in (1.05, 1.10] (30), 101 in
    # (1.05, 1.10] too (1 100 / 1 015 = 1.0837), 921 above 1.50 (1).
    assert [b.weight for b in figures.ratio_bins] == [0, 20, 0, 40, 0, 0, 0, 1]


def test_within_and_nothing_compared() -> None:
    within = compose_report(ITEMS, {"341": 5}, limit_percent=D(7), previous=None, jour=None)
    assert within.verdict[Principle.DEVIATION_LIMIT].reason is Reason.WITHIN
    nothing = compose_report(ITEMS, {"9010": 5}, limit_percent=D(7), previous=None, jour=None)
    assert nothing.verdict[Principle.DEVIATION_LIMIT].status is Status.CANNOT_ASSESS
    assert nothing.verdict[Principle.DEVIATION_LIMIT].reason is Reason.NOTHING_COMPARED


def test_without_volumes_every_code_counts_once_and_7_percent_cannot_be_assessed() -> None:
    figures = compose_report(ITEMS, None, limit_percent=D(7), previous=None, jour=None)
    assert not figures.weighted
    assert figures.weights == {"101": 1, "341": 1, "701": 1, "801": 1, "921": 1, "9010": 1}
    # Σ price 1 100 + 640 + 785 + 5 000 + 7 420 = 14 945 against Σ reference 1 015 + 640 +
    # 720 + 5 290 + 1 405 = 9 070.
    assert figures.deviation.total.revenue == D("14945")
    assert figures.deviation.total.reference_revenue == D("9070")
    assert figures.verdict[Principle.DEVIATION_LIMIT].status is Status.CANNOT_ASSESS
    assert figures.verdict[Principle.DEVIATION_LIMIT].reason is Reason.NO_VOLUMES
    assert {r.volume for r in figures.items} == {None}
    assert {r.revenue for r in figures.items} == {None}


def test_the_other_principles() -> None:
    figures = compose_report(ITEMS, {"341": 1}, limit_percent=D(7), previous=None, jour=None)
    v = figures.verdict
    assert (v[Principle.FOLLOWS_REFERENCE].status, v[Principle.FOLLOWS_REFERENCE].reason) == (
        Status.CANNOT_ASSESS,
        Reason.NO_MEASURE,
    )
    assert (v[Principle.FRISKTANDVARD].status, v[Principle.FRISKTANDVARD].reason) == (
        Status.CANNOT_ASSESS,
        Reason.NO_DATA,
    )
    assert (v[Principle.JOUR_SURCHARGE].status, v[Principle.JOUR_SURCHARGE].reason) == (
        Status.CANNOT_ASSESS,
        Reason.NO_JOUR_CHECK,
    )
    assert [x.principle for x in figures.verdicts] == list(Principle)


@pytest.mark.parametrize(
    ("kinds", "derived", "status", "reason"),
    [
        ((), False, Status.MET, Reason.CONSISTENT),
        ((JourFindingKind.EXEMPT,), False, Status.MET, Reason.CONSISTENT),
        # Texts, reference prices and items in one taxa only are listed but do not decide.
        (
            (
                JourFindingKind.TEXT_DIFFERS,
                JourFindingKind.ONLY_IN_NORMAL,
                JourFindingKind.ONLY_IN_PUBLISHED,
                JourFindingKind.REFERENCE_DIFFERS,
            ),
            False,
            Status.MET,
            Reason.CONSISTENT,
        ),
        (
            (JourFindingKind.EXEMPT, JourFindingKind.PRICE_DIFFERS),
            False,
            Status.NOT_MET,
            Reason.PRICE_FINDINGS,
        ),
        ((JourFindingKind.EXEMPT,), True, Status.MET, Reason.DERIVED),
    ],
)
def test_jour_verdict(
    kinds: tuple[JourFindingKind, ...], derived: bool, status: Status, reason: Reason
) -> None:
    figures = compose_report(
        ITEMS,
        None,
        limit_percent=D(7),
        previous=None,
        jour=jour_check(*kinds),
        jour_derived=derived,
    )
    verdict = figures.verdict[Principle.JOUR_SURCHARGE]
    assert (verdict.status, verdict.reason) == (status, reason)
    assert sum(figures.jour_counts.values()) == len(kinds)


def test_67_plus_share() -> None:
    rule = TioRule(tio(), "2026", date(2026, 1, 1), applies=True)
    volumes = {"101": 100, "341": 20, "701": 30, "801": 50, "921": 5}
    figures = compose_report(ITEMS, volumes, limit_percent=D(7), previous=None, jour=None, tio=rule)
    t = figures.tio
    assert t is not None and t.applies
    # In scope: 341, 701, 801 (801 only on positions 1–5); 101 (1xx) and 921 (utbyte) not.
    assert (t.items_in_scope, t.items_qualifying, t.position_limited) == (3, 2, 1)
    assert (t.volume_in_scope, t.volume_qualifying) == (100, 70)
    with localcontext(Context(prec=28)):
        assert t.share_items_percent == D(2) * 100 / 3
    assert t.share_volume_percent == D(70)
    rows = {r.item.key: r for r in figures.items}
    assert rows["341"].tio_in_scope and not rows["341"].tio_position_limited
    assert rows["801"].tio_in_scope and rows["801"].tio_position_limited
    assert rows["101"].tio_in_scope is False and rows["921"].tio_in_scope is False
    assert rows["9010"].tio_in_scope is None  # no reference price: the rule cannot apply
    unweighted = compose_report(ITEMS, None, limit_percent=D(7), previous=None, jour=None, tio=rule)
    assert unweighted.tio is not None and unweighted.tio.share_volume_percent is None
    assert unweighted.tio.items_qualifying == 2


def test_the_scope_reading_is_the_quote_engines() -> None:
    rule = tio()
    assert rule.scope("341").in_scope and rule.scope("341").position_limited is None
    assert rule.scope("801S").in_scope and rule.scope("801S").position_limited is not None
    excluded = rule.scope("101")
    assert not excluded.in_scope and excluded.excluded is not None
    assert excluded.included is None and excluded.position_limited is None
    assert not rule.scope("9010").in_scope and rule.scope("9010").excluded is None
    assert not rule.scope("921").in_scope


def test_year_on_year_and_price_changes() -> None:
    previous = [
        item("101", "1000", "1000", "Us"),
        item("341", "640", "600", "Sjukdomsbeh"),  # only the reference changed since
        item("701", "800", "720", "Reparativa"),
        item("9010", "57", None, "Övrigt"),
        item("555", "10", "10", "Gone"),
    ]
    volumes = {"101": 10, "341": 10, "701": 10, "9010": 100}
    figures = compose_report(ITEMS, volumes, limit_percent=D(7), previous=previous, jour=None)
    y = figures.year_on_year
    assert y is not None and figures.previous_given
    # Reference basket 101, 341, 701: prices now 11 000 + 6 400 + 7 850 = 25 250, before
    # 10 000 + 6 400 + 8 000 = 24 400: +850 / 24 400. References now 10 150 + 6 400 + 7 200,
    # before 10 000 + 6 000 + 7 200: +550 / 23 200. (50 digits, as the analysis computes.)
    with localcontext(Context(prec=50)):
        assert y.price_change_percent == D(850) * 100 / D(24400)
        assert y.reference_change_percent == D(550) * 100 / D(23200)
    assert y.dropped_codes == ("555",)
    changes = [(r.change.key, r.volume, r.effect) for r in figures.price_changes]
    # 101 +10 %, 701 −1,875 %; 341 changed only its reference price: not a price change.
    assert changes == [("101", 10, D(1000)), ("701", 10, D(-150))]
    groups = {g.group: g for g in figures.group_changes}
    assert set(groups) == {"Us", "Sjukdomsbeh", "Reparativa", "Övrigt"}
    assert groups["Us"].price_change_percent == D(10)
    assert groups["Övrigt"].price_change_percent == D(0)
    assert groups["Övrigt"].reference_change_percent is None
    # The same function as the whole: one group's figure is analyse_deviation on its items.
    alone = analyse_deviation(
        [i for i in ITEMS if i.group == "Reparativa"], volumes, D(7), previous
    ).year_on_year
    assert alone is not None
    assert groups["Reparativa"].price_change_percent == alone.price_change_all_percent
