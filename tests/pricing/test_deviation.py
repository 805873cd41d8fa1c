"""The 7 % rule: deviation of the taxa's revenue from the reference price list's."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.deviation import (
    Contribution,
    DeviationError,
    Figures,
    LeftOut,
    LeftOutReason,
    PricePosition,
    UnknownVolume,
    analyse_deviation,
    is_utbyte,
    presented,
)
from pricing.errors import PricingError
from pricing.taxa import Category, Item, Kind

D = Decimal


def close(value: Decimal | None, exact: Fraction) -> bool:
    """Correct to the 50 significant digits the analysis computes with."""
    assert value is not None
    return abs(Fraction(value) - exact) <= abs(exact) * Fraction(1, 10**48) + Fraction(1, 10**48)


def item(
    code: str | None,
    price: str,
    reference: str | None = None,
    *,
    category: Category | None = Category.A,
    group: str = "Grupp",
    kind: Kind | None = None,
) -> Item:
    if kind is None:
        kind = Kind.EXTERN if reference is not None else Kind.INTERN
    return Item(
        code=code,
        category=category if code is not None else None,
        group=group,
        kind=kind,
        texts=(f"text {code}",),
        price=D(price),
        reference_price=D(reference) if reference is not None else None,
    )


# --- the limit ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "deviation", "within"),
    [
        ("1000", "0", True),
        ("1070", "7", True),  # exactly at the limit: within
        ("1070.01", "7.001", False),  # just over
        ("1069.99", "6.999", True),
        ("930", "-7", True),  # exactly at the lower limit
        ("929.99", "-7.001", False),
        ("1100", "10", False),
    ],
)
def test_limit(price: str, deviation: str, within: bool) -> None:
    analysis = analyse_deviation([item("101", price, "1000")], {"101": 10})
    assert analysis.deviation_percent == D(deviation)
    assert analysis.within is within
    assert analysis.total.within is within


def test_just_over_the_limit_by_one_ore_over_a_large_volume() -> None:
    # R = 1 000 000 × 100 = 100 000 000; the limit revenue is 107 000 000.
    items = [item("101", "107", "100"), item("103", "0.01", "0", group="G2")]
    at_limit = analyse_deviation(items, {"101": 1_000_000})
    over = analyse_deviation(items, {"101": 1_000_000, "103": 1})
    assert (at_limit.within, at_limit.headroom) == (True, D("0"))
    assert (over.within, over.headroom) == (False, D("-0.01"))


def test_other_limit() -> None:
    analysis = analyse_deviation([item("101", "1100", "1000")], {"101": 1}, D("10"))
    assert (analysis.limit_percent, analysis.within, analysis.headroom) == (D(10), True, D(0))


def test_total_figures() -> None:
    items = [item("101", "1100", "1015"), item("103", "515", "440")]
    analysis = analyse_deviation(items, {"101": 10, "103": 20})
    # P = 11 000 + 10 300 = 21 300; R = 10 150 + 8 800 = 18 950
    total = analysis.total
    assert (total.items, total.volume) == (2, 30)
    assert (total.revenue, total.reference_revenue) == (D("21300"), D("18950"))
    assert total.deviation_percent is not None
    assert presented(total.deviation_percent) == D("12.40")  # 12.4010554…
    assert close(total.deviation_percent, Fraction(21300, 18950) * 100 - 100)
    assert total.within is False
    assert total.headroom == D("18950") * D("1.07") - D("21300") == D("-1023.50")
    assert presented(total.uniform_change_percent) == D("-4.81")


# --- uniform change -----------------------------------------------------------------------------


def test_uniform_change_lands_exactly_on_the_limit() -> None:
    items = [item("101", "1000", "1000"), item("103", "500", "500")]
    analysis = analyse_deviation(items, {"101": 3, "103": 4})
    assert analysis.uniform_change_percent == D("7")
    factor = 1 + analysis.uniform_change_percent / 100
    raised = [replace(i, price=i.price * factor) for i in items]
    after = analyse_deviation(raised, {"101": 3, "103": 4})
    assert after.deviation_percent == D("7")
    assert after.within is True
    assert after.headroom == 0


def test_uniform_change_when_over_is_a_cut() -> None:
    analysis = analyse_deviation([item("101", "1284", "1000")], {"101": 1})
    assert analysis.uniform_change_percent is not None
    # 1070 / 1284 − 1 = −16.6666…%
    assert presented(analysis.uniform_change_percent) == D("-16.67")


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10_000_000),  # price in öre
            st.integers(min_value=1, max_value=10_000_000),  # reference in öre
            st.integers(min_value=1, max_value=100_000),  # volume
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=0, max_value=2000),
)
def test_uniform_change_property(rows: list[tuple[int, int, int]], limit_tenths: int) -> None:
    limit = D(limit_tenths) / 10
    items = [
        item(str(100 + n), str(D(p) / 100), str(D(r) / 100)) for n, (p, r, _) in enumerate(rows)
    ]
    volumes = {str(100 + n): v for n, (_, _, v) in enumerate(rows)}
    analysis = analyse_deviation(items, volumes, limit)
    change = analysis.uniform_change_percent
    assert change is not None
    with localcontext() as ctx:
        ctx.prec = 50
        raised = [replace(i, price=i.price * (1 + change / 100)) for i in items]
    after = analyse_deviation(raised, volumes, limit).deviation_percent
    assert after is not None
    assert abs(after - limit) < D("1e-40")


# --- breakdowns ---------------------------------------------------------------------------------


def sample() -> list[Item]:
    return [
        item("101", "1100", "1000", group="Undersökning"),
        item("103S", "680", "580", category=Category.S, group="Undersökning"),
        item("401", "1370", "1265", group="Kirurgi"),
        item("924", "7420", "1805", group="Protetik"),  # utbyte
        item("941S", "9375", "9375", category=Category.S, group="Övrigt"),  # utbyte
        item("800", "9000", "9500", group="Protetik"),
    ]


SAMPLE_VOLUMES = {"101": 10, "103S": 5, "401": 4, "924": 2, "941S": 1, "800": 1}


def test_by_category_group_and_utbyte() -> None:
    analysis = analyse_deviation(sample(), SAMPLE_VOLUMES)
    assert list(analysis.by_category) == [Category.A, Category.S]
    a, s = analysis.by_category[Category.A], analysis.by_category[Category.S]
    # A: 101 11000/10000, 401 5480/5060, 924 14840/3610, 800 9000/9500
    assert (a.revenue, a.reference_revenue) == (D("40320"), D("28170"))
    # S: 103S 3400/2900, 941S 9375/9375
    assert (s.revenue, s.reference_revenue) == (D("12775"), D("12275"))
    assert list(analysis.by_group) == ["Kirurgi", "Protetik", "Undersökning", "Övrigt"]
    assert analysis.by_group["Protetik"].revenue == D("23840")
    assert analysis.by_group["Protetik"].reference_revenue == D("13110")
    assert analysis.total.revenue == a.revenue + s.revenue
    # without utbyte: 101, 103S, 401, 800
    wo = analysis.without_utbyte
    assert (wo.items, wo.revenue, wo.reference_revenue) == (4, D("28880"), D("27460"))
    assert (analysis.utbyte.items, analysis.utbyte.revenue) == (2, D("24215"))
    assert analysis.utbyte.reference_revenue == D("12985")
    assert wo.within is True  # 5.17 %
    assert analysis.within is False  # the utbyte codes push it to 31.28 %
    assert presented(wo.deviation_percent) == D("5.17")
    assert (analysis.total.revenue, analysis.total.reference_revenue) == (D(53095), D(40445))
    assert presented(analysis.deviation_percent) == D("31.28")


def test_group_without_volume_is_listed_with_no_deviation() -> None:
    items = [item("101", "1100", "1000", group="A"), item("201", "500", "400", group="B")]
    analysis = analyse_deviation(items, {"101": 1})
    empty = analysis.by_group["B"]
    assert empty == Figures(
        items=0,
        volume=0,
        revenue=D(0),
        reference_revenue=D(0),
        limit_percent=D(7),
        deviation_percent=None,
        within=None,
        headroom=D(0),
        uniform_change_percent=None,
    )


def test_contributions_sorted_by_absolute_size() -> None:
    analysis = analyse_deviation(sample(), SAMPLE_VOLUMES)
    assert [(c.code, c.contribution) for c in analysis.contributions] == [
        ("924", D("11230")),
        ("101", D("1000")),
        ("103S", D("500")),
        ("800", D("-500")),  # same size as 103S: then by key
        ("401", D("420")),
        ("941S", D("0")),
    ]
    assert analysis.contributions[0] == Contribution(
        key="924",
        code="924",
        category=Category.A,
        group="Protetik",
        volume=2,
        price=D("7420"),
        reference_price=D("1805"),
        contribution=D("11230"),
        utbyte=True,
    )
    total = sum((c.contribution for c in analysis.contributions), D(0))
    assert total == analysis.total.revenue - analysis.total.reference_revenue


def test_price_position_counts_every_item_with_a_reference() -> None:
    items = [*sample(), item("107", "1000", "1000"), item("A11", "2275")]
    analysis = analyse_deviation(items, {"101": 1})
    assert analysis.price_position == PricePosition(above=4, at=2, below=1)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("921", True),
        ("921S", True),
        ("924", True),
        ("929S", True),
        ("940", True),
        ("941", True),
        ("941S", True),
        ("920", False),
        ("942", False),
        ("900", False),
        ("9210", False),
        ("A921", False),
        ("921X", False),
        (None, False),
    ],
)
def test_is_utbyte(code: str | None, expected: bool) -> None:
    assert is_utbyte(code) is expected


# --- what is left out ---------------------------------------------------------------------------


def test_everything_left_out_is_listed_with_its_revenue() -> None:
    items = [
        item("101", "1100", "1000"),
        item("A11", "2275"),  # intern with volume
        item("A13", "1025"),  # intern without volume
        item(None, "3025"),  # Ny kod: intern, never a volume
        item("X99", "300", None, kind=Kind.EXTERN),  # extern without reference
        item("103", "515", "440"),  # no volume given
        item("107", "1340", "1260"),  # volume 0
    ]
    volumes = {"101": 2, "A11": 3, "X99": 4, "107": 0, "ZZZ": 5, "AAA": 0}
    analysis = analyse_deviation(items, volumes)
    assert analysis.total.items == 1
    assert [(o.key, o.reason, o.volume, o.revenue) for o in analysis.intern] == [
        ("A11", LeftOutReason.INTERN, 3, D("6825")),
        ("A13", LeftOutReason.INTERN, 0, D("0")),
        ("(ny kod) text None", LeftOutReason.INTERN, 0, D("0")),
    ]
    detail = "extern code without a reference price"
    assert analysis.no_reference == (
        LeftOut("X99", "X99", LeftOutReason.NO_REFERENCE, 4, D("1200"), detail),
    )
    assert [(o.key, o.volume, o.revenue, o.detail) for o in analysis.no_volume] == [
        ("103", 0, D("0"), "no volume given"),
        ("107", 0, D("0"), "volume 0"),
    ]
    assert analysis.unknown_volumes == (UnknownVolume("AAA", 0), UnknownVolume("ZZZ", 5))
    assert analysis.left_out_revenue == D("8025")
    assert analysis.notes == ("2 volume(s) for codes not in the taxa are left out: AAA, ZZZ",)
    # the no-volume items still count in the price position
    assert analysis.price_position == PricePosition(above=3, at=0, below=0)


def test_empty_volumes_cannot_be_computed_and_say_so() -> None:
    analysis = analyse_deviation(sample(), {})
    assert analysis.total == Figures(
        items=0,
        volume=0,
        revenue=D(0),
        reference_revenue=D(0),
        limit_percent=D(7),
        deviation_percent=None,
        within=None,
        headroom=D(0),
        uniform_change_percent=None,
    )
    assert analysis.deviation_percent is None
    assert analysis.within is None
    assert analysis.notes == ("no volumes given: the deviation cannot be computed",)
    assert len(analysis.no_volume) == 6
    assert analysis.contributions == ()


def test_volumes_only_for_intern_items_cannot_be_computed() -> None:
    analysis = analyse_deviation([item("101", "1100", "1000"), item("A11", "2275")], {"A11": 1})
    assert analysis.deviation_percent is None
    assert analysis.notes == (
        "no extern item with a reference price has a volume: the deviation cannot be computed",
    )
    assert analysis.left_out_revenue == D("2275")


def test_no_items_at_all() -> None:
    analysis = analyse_deviation([], {})
    assert analysis.by_category == {}
    assert analysis.by_group == {}
    assert analysis.price_position == PricePosition(0, 0, 0)


# --- invalid input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volumes", "message"),
    [
        ({"101": -1}, "negative"),
        ({"101": 1.5}, "whole number"),
        ({"101": 2.0}, "whole number"),
        ({"101": D(2)}, "whole number"),
        ({"101": "2"}, "whole number"),
        ({"101": True}, "whole number"),
        ({101: 2}, "keyed by code"),
    ],
)
def test_bad_volumes_raise(volumes: dict[Any, Any], message: str) -> None:
    with pytest.raises(DeviationError, match=message):
        analyse_deviation([item("101", "1100", "1000")], volumes)


@pytest.mark.parametrize("limit", [D(-1), D("NaN"), D("Infinity")])
def test_bad_limit_raises(limit: Decimal) -> None:
    with pytest.raises(DeviationError, match="limit"):
        analyse_deviation([item("101", "1100", "1000")], {"101": 1}, limit)


def test_duplicate_code_raises() -> None:
    with pytest.raises(DeviationError, match="code 101 occurs twice in the current taxa"):
        analyse_deviation([item("101", "1100", "1000"), item("101", "1", "1")], {"101": 1})


def test_errors_are_pricing_errors() -> None:
    assert issubclass(DeviationError, PricingError)


# --- year on year -------------------------------------------------------------------------------


def test_year_on_year_changes() -> None:
    previous = [
        item("101", "1000", "950"),
        item("103", "500", "400"),
        item("A11", "2000"),
        item("OLD", "100", "100"),
        item("201", "100", None, kind=Kind.EXTERN),  # no reference then
    ]
    current = [
        item("101", "1100", "1000"),
        item("103", "515", "440"),
        item("A11", "2275"),
        item("NEW", "100", "100"),
        item("201", "110", "100"),
        item("301", "100", "100"),  # no volume
    ]
    volumes = {"101": 10, "103": 20, "A11": 4, "NEW": 7, "201": 10}
    yoy = analyse_deviation(current, volumes, previous=previous).year_on_year
    assert yoy is not None
    # reference basket: 101, 103. refs now 10 000 + 8 800 = 18 800, then 9 500 + 8 000 = 17 500
    assert yoy.reference_codes == 2
    assert close(yoy.reference_change_percent, Fraction(18800, 17500) * 100 - 100)
    # prices over the same basket: 11 000 + 10 300 = 21 300 against 10 000 + 10 000 = 20 000
    assert yoy.price_change_percent == D("6.5")
    # all codes in both with volume: + A11 9 100/8 000 + 201 1 100/1 000
    assert yoy.all_codes == 4
    assert close(yoy.price_change_all_percent, Fraction(31500, 29000) * 100 - 100)
    assert yoy.new_codes == ("301", "NEW")
    assert yoy.dropped_codes == ("OLD",)


def test_year_on_year_absent_without_previous_and_empty_basket() -> None:
    assert analyse_deviation(sample(), SAMPLE_VOLUMES).year_on_year is None
    yoy = analyse_deviation(sample(), {}, previous=sample()).year_on_year
    assert yoy is not None
    assert (yoy.reference_change_percent, yoy.price_change_percent) == (None, None)
    assert (yoy.reference_codes, yoy.all_codes, yoy.new_codes) == (0, 0, ())


def test_previous_with_duplicate_code_raises() -> None:
    with pytest.raises(DeviationError, match="previous"):
        analyse_deviation(sample(), {}, previous=[item("101", "1", "1"), item("101", "1", "1")])


# --- presentation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("12.4010554"), D("12.40")),
        (D("0.005"), D("0.01")),
        (D("-0.005"), D("-0.01")),  # halves away from zero
        (D("7"), D("7.00")),
        (None, None),
    ],
)
def test_presented(value: Decimal | None, shown: Decimal | None) -> None:
    assert presented(value) == shown


def test_the_callers_decimal_context_does_not_matter() -> None:
    items = [item("101", "1100.55", "1015.25"), item("103", "515", "440")]
    expected = analyse_deviation(items, {"101": 12345, "103": 6789})
    with localcontext() as ctx:
        ctx.prec = 3
        got = analyse_deviation(items, {"101": 12345, "103": 6789})
    assert got == expected
    assert got.total.revenue == D("17082624.75")  # 12 345 × 1 100.55 + 6 789 × 515


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=0, max_value=3000),
)
def test_within_is_the_rounded_free_comparison(price: int, reference: int, limit: int) -> None:
    limit_percent = D(limit) / 100
    analysis = analyse_deviation(
        [item("101", str(D(price) / 100), str(D(reference) / 100))], {"101": 1}, limit_percent
    )
    exact = Fraction(price - reference, reference) * 100
    assert analysis.within is (abs(exact) <= Fraction(limit_percent))
    assert analysis.headroom == D(reference) / 100 * (1 + limit_percent / 100) - D(price) / 100
