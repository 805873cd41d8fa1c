"""The one rounding rule, and what an upload changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.diff import diff_taxa
from pricing.money import MoneyError, money, percent_change, round_money
from pricing.taxa import Category, Item, Kind


@pytest.mark.parametrize(
    ("amount", "step", "expected"),
    [
        ("0.005", "0.01", "0.01"),  # halves up, not to even
        ("0.015", "0.01", "0.02"),
        ("0.025", "0.01", "0.03"),
        ("-0.005", "0.01", "-0.01"),  # away from zero
        ("772.5", "5", "775.00"),
        ("767.5", "5", "770.00"),  # 767.5/5 = 153.5 → 154 × 5
        ("1652.49", "5", "1650.00"),
        ("1652.50", "5", "1655.00"),
        ("425.50", "1", "426.00"),  # E4's "shown rounded 426"
    ],
)
def test_round_money_halves_up(amount: str, step: str, expected: str) -> None:
    assert str(round_money(Decimal(amount), Decimal(step))) == expected


def test_money_refuses_floats_and_junk() -> None:
    with pytest.raises(MoneyError):
        money(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        money("abc")
    with pytest.raises(MoneyError):
        round_money(Decimal(1), Decimal(0))
    assert money("1100.50") == Decimal("1100.50")


def test_percent_change() -> None:
    assert percent_change(Decimal(1155), Decimal(1100)) == Decimal(5)
    assert percent_change(Decimal(1), Decimal(0)) is None


def item(code: str | None, price: str, ref: str | None = None, text: str = "t") -> Item:
    return Item(
        code,
        Category.A,
        "G",
        Kind.EXTERN if ref else Kind.INTERN,
        (text,),
        Decimal(price),
        None if ref is None else Decimal(ref),
    )


def test_diff_added_removed_changed() -> None:
    old = [item("101", "1100", "1015"), item("103", "515", "440"), item(None, "50", text="x")]
    new = [
        item("101", "1155", "1015"),
        item("103", "515", "450"),
        item("999", "10"),
        item(None, "50", text="x"),
    ]
    diff = diff_taxa(old, new)
    assert [a.code for a in diff.added] == ["999"]
    assert diff.removed == ()
    assert [(c.code, c.old_price, c.new_price, c.change_percent) for c in diff.changed] == [
        ("101", Decimal(1100), Decimal(1155), Decimal(5)),
        ("103", Decimal(515), Decimal(515), Decimal(0)),
    ]
    assert diff.unchanged == 1
    assert [r.key for r in diff_taxa(new, old).removed] == ["999"]
