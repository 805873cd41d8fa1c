"""The jour surcharge rule, the derived jour prices, and the check against a published table."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.errors import PricingError
from pricing.jour import (
    JourCheckError,
    JourFindingKind,
    SurchargeRule,
    SurchargeRuleError,
    check_jour,
    derive_jour,
    exemption,
    jour_price,
    surcharge_rule_from_mapping,
)
from pricing.taxa import Category, Item, Kind, Unit

REPO = Path(__file__).resolve().parents[2]
RULE_FILE = REPO / "data" / "jour" / "region-jonkoping-2025.json"
NORMAL_CSV = REPO / "data" / "taxa" / "region-jonkoping-2025-normal.csv"
JOUR_CSV = REPO / "data" / "taxa" / "region-jonkoping-2025-jour.csv"

RULE = SurchargeRule(
    percent=Decimal(50),
    step=Decimal(5),
    source="test",
    exempt_groups=frozenset({"Besöksavgift"}),
    exempt_codes=frozenset({"961", "962", "963"}),
)


def item(
    code: str | None,
    price: str,
    reference: str | None = None,
    *,
    group: str = "Övrigt",
    kind: Kind | None = None,
    unit: Unit = Unit.PER_ATGARD,
    texts: tuple[str, ...] = ("text",),
) -> Item:
    if kind is None:
        kind = Kind.EXTERN if reference is not None else Kind.INTERN
    return Item(
        code=code,
        category=Category.A if code is not None else None,
        group=group,
        kind=kind,
        texts=texts,
        price=Decimal(price),
        reference_price=Decimal(reference) if reference is not None else None,
        unit=unit,
    )


# --- jour_price: every rounding case at step 5, halves up -------------------------------------


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("1100", "1650.00"),  # exact multiple of 5
        ("515", "775.00"),  # 772.50: midpoint between 770 and 775 -> up
        ("345", "520.00"),  # 517.50 -> up
        ("5", "10.00"),  # 7.50 -> up
        ("15", "25.00"),  # 22.50: 2.5 below 25 -> up
        ("105", "160.00"),  # 157.50: 2.5 below 160 -> up
        ("14.99", "20.00"),  # 22.485: just below the midpoint -> down
        ("15.01", "25.00"),  # 22.515: just above the midpoint -> up
        ("101", "150.00"),  # 151.50 -> down (not a midpoint)
        ("103", "155.00"),  # 154.50 -> up
        ("102", "155.00"),  # 153.00 -> up
        ("2", "5.00"),  # 3.00 -> up
        ("1", "0.00"),  # 1.50 -> down to 0: why per-krona prices are exempt
        ("0", "0.00"),
        ("12815", "19225.00"),  # 19 222.50 (929 in the 2025 tables)
        ("7420", "11130.00"),
    ],
)
def test_jour_price_rounds_to_whole_5_kr_halves_up(price: str, expected: str) -> None:
    assert jour_price(item("101", price, "100"), RULE) == Decimal(expected)


@pytest.mark.parametrize(
    ("code", "group", "price", "expected", "reason"),
    [
        ("951", "Besöksavgift", "250", "250", "exempt group Besöksavgift"),
        ("ASYL", "Besöksavgift", "50", "50", "exempt group Besöksavgift"),
        ("953", "  besöksavgift ", "250", "250", "exempt group   besöksavgift "),
        ("961", "Övrigt", "250", "250", "exempt code 961"),
        ("963", "Övrigt", "250", "250", "exempt code 963"),
        ("964", "Övrigt", "500", "750.00", None),  # surcharged in the published table
        ("965", "Övrigt", "750", "1125.00", None),
        ("A19", "Övrigt", "250", "375.00", None),
    ],
)
def test_exempt_flat_fees_keep_their_price(
    code: str, group: str, price: str, expected: str, reason: str | None
) -> None:
    it = item(code, price, group=group)
    assert jour_price(it, RULE) == Decimal(expected)
    assert exemption(it, RULE) == reason


@pytest.mark.parametrize(
    ("code", "price", "unit", "expected"),
    [
        ("9008", "35", Unit.PER_MINUTE, "53.00"),  # 52.50 -> up, whole kronor
        ("9010", "57", Unit.PER_MINUTE, "86.00"),  # 85.50 -> up
        ("9021", "83", Unit.PER_MINUTE, "125.00"),  # 124.50 -> up
        ("9009", "1", Unit.PER_KRONA, "1"),  # material at cost: never surcharged
        ("9013", "1", Unit.PER_KRONA, "1"),
        ("X1", "550", Unit.PER_BRACKET, "825.00"),
        ("A16", "515", Unit.PER_TOOTH, "775.00"),
    ],
)
def test_units(code: str, price: str, unit: Unit, expected: str) -> None:
    assert jour_price(item(code, price, unit=unit), RULE) == Decimal(expected)


def test_per_minute_step_is_configurable() -> None:
    rule = replace(RULE, per_minute_step=Decimal(5))
    assert jour_price(item("9010", "57", unit=Unit.PER_MINUTE), rule) == Decimal("85.00")


def test_derive_jour_keeps_reference_prices_and_everything_else() -> None:
    normal = [
        item("101", "1100", "1015"),
        item("951", "250", group="Besöksavgift", unit=Unit.PER_VISIT),
        item(None, "3025", texts=("Framställa ny retainer",)),
    ]
    jour = derive_jour(normal, RULE)
    assert [j.price for j in jour] == [Decimal("1650.00"), Decimal("250"), Decimal("4540.00")]
    assert [j.reference_price for j in jour] == [Decimal("1015"), None, None]
    assert [replace(j, price=n.price) for j, n in zip(jour, normal, strict=True)] == normal


def test_zero_percent_is_rounding_only() -> None:
    rule = replace(RULE, percent=Decimal(0))
    assert jour_price(item("101", "1102.50", "1"), rule) == Decimal("1105.00")


@given(st.integers(min_value=0, max_value=10_000_000))
def test_surcharge_is_within_half_a_step_and_a_multiple_of_the_step(ore: int) -> None:
    price = Decimal(ore) / 100
    result = jour_price(item("101", str(price), "1"), RULE)
    assert result % 5 == 0
    assert abs(result - price * Decimal("1.5")) <= Decimal("2.5")


# --- the rule as data ---------------------------------------------------------------------------


def valid_mapping() -> dict[str, Any]:
    return {
        "percent": "50",
        "rounding_step": "5",
        "rounding_mode": "half_up",
        "exempt_groups": ["Besöksavgift"],
        "exempt_codes": ["961"],
        "source": "RJL 2024/12",
    }


def test_rule_from_mapping() -> None:
    rule = surcharge_rule_from_mapping(valid_mapping())
    assert rule == SurchargeRule(
        percent=Decimal(50),
        step=Decimal(5),
        source="RJL 2024/12",
        exempt_groups=frozenset({"Besöksavgift"}),
        exempt_codes=frozenset({"961"}),
    )
    assert rule.factor == Decimal("1.5")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"percent": 50.0}, "never a float"),
        ({"percent": "fifty"}, "not a number"),
        ({"percent": "NaN"}, "not a number"),
        ({"percent": "-1"}, "must not be negative"),
        ({"percent": True}, "never a float"),
        ({"rounding_step": "0"}, "step must be positive"),
        ({"rounding_step": "-5"}, "step must be positive"),
        ({"per_minute_rounding_step": "0"}, "per-minute rounding step"),
        ({"rounding_mode": "half_even"}, "not supported"),
        ({"rounding_mode": 1}, "must be a string"),
        ({"source": ""}, "needs its source"),
        ({"source": None}, "needs its 'source'"),
        ({"exempt_codes": "961"}, "list of non-empty strings"),
        ({"exempt_groups": [""]}, "list of non-empty strings"),
        ({"exempt_groups": [1]}, "list of non-empty strings"),
        ({"valid_from": "2025-13-01"}, "not an ISO date"),
        ({"valid_from": 2025}, "ISO date string"),
        ({"valid_from": "2025-02-01", "valid_to": "2025-01-01"}, "before valid_from"),
        ({"exempt_code": ["961"]}, "unknown keys in surcharge rule: exempt_code"),
    ],
)
def test_bad_rule_raises(change: dict[str, Any], message: str) -> None:
    with pytest.raises(SurchargeRuleError, match=message):
        surcharge_rule_from_mapping({**valid_mapping(), **change})


@pytest.mark.parametrize("key", ["percent", "rounding_step"])
def test_missing_required_value_raises(key: str) -> None:
    data = valid_mapping()
    del data[key]
    with pytest.raises(SurchargeRuleError, match=f"missing '{key}'"):
        surcharge_rule_from_mapping(data)


def test_rule_must_be_a_mapping() -> None:
    with pytest.raises(SurchargeRuleError, match="must be a mapping"):
        surcharge_rule_from_mapping([])  # type: ignore[arg-type]


def test_rule_errors_are_pricing_errors_and_value_errors() -> None:
    assert issubclass(SurchargeRuleError, PricingError)
    assert issubclass(SurchargeRuleError, ValueError)


def test_bundled_2025_rule() -> None:
    rule = surcharge_rule_from_mapping(json.loads(RULE_FILE.read_text(encoding="utf-8")))
    assert rule.percent == Decimal(50)
    assert rule.step == Decimal(5)
    assert rule.rounding_mode == "half_up"
    assert rule.per_minute_step == Decimal(1)
    assert rule.exempt_groups == frozenset({"Besöksavgift"})
    assert rule.exempt_codes == frozenset({"951", "952", "953", "961", "962", "963", "ASYL"})
    assert "RJL 2024/12" in rule.source
    assert (str(rule.valid_from), str(rule.valid_to)) == ("2025-01-01", "2025-12-31")


# --- check_jour on small tables -----------------------------------------------------------------


def test_check_jour_reports_every_kind_in_order() -> None:
    normal = [
        item("101", "1100", "1015"),  # matches
        item("103", "515", "440"),  # published price wrong
        item("107", "1340", "1260"),  # reference differs
        item("951", "250", group="Besöksavgift"),  # exempt, matches
        item("961", "250"),  # exempt, published surcharged
        item("A11", "2275", texts=("Tandskydd",)),  # text differs
        item("9009", "1", unit=Unit.PER_KRONA),  # exempt by unit, missing in published
        item("O001", "13295"),  # only in normal
    ]
    published = [
        item("101", "1650", "1015"),
        item("103", "770", "440"),
        item("107", "2010", "1300"),
        item("951", "250", group="Besöksavgift"),
        item("961", "375"),
        item("A11", "3415", texts=("Tandskydd, ny",)),
        item("925", "11130", "1405"),  # only in published
    ]
    check = check_jour(published, normal, RULE)
    got = [(f.kind, f.key, f.published, f.expected, f.difference) for f in check.findings]
    d = Decimal
    assert got == [
        (JourFindingKind.PRICE_DIFFERS, "103", d("770"), d("775.00"), d("-5.00")),
        (JourFindingKind.REFERENCE_DIFFERS, "107", d("1300"), d("1260"), d("40")),
        (JourFindingKind.EXEMPT, "951", d("250"), d("250"), d("0")),
        (JourFindingKind.EXEMPT, "961", d("375"), d("250"), d("125")),
        (JourFindingKind.PRICE_DIFFERS, "961", d("375"), d("250"), d("125")),
        (JourFindingKind.TEXT_DIFFERS, "A11", None, None, None),
        (JourFindingKind.EXEMPT, "9009", None, d("1"), None),
        (JourFindingKind.ONLY_IN_NORMAL, "9009", None, d("1"), None),
        (JourFindingKind.ONLY_IN_NORMAL, "O001", None, d("19945.00"), None),
        (JourFindingKind.ONLY_IN_PUBLISHED, "925", d("11130"), None, None),
    ]
    assert check.matched == 6
    assert not check.consistent
    assert [f.key for f in check.of_kind(JourFindingKind.EXEMPT)] == ["951", "961", "9009"]
    assert check.rule_source == "test"


def test_check_jour_of_a_derived_table_finds_only_exemptions() -> None:
    normal = [
        item("101", "1100", "1015"),
        item("951", "250", group="Besöksavgift"),
        item(None, "3025", texts=("Framställa ny retainer",)),
    ]
    check = check_jour(derive_jour(normal, RULE), normal, RULE)
    assert [(f.kind, f.key) for f in check.findings] == [(JourFindingKind.EXEMPT, "951")]
    assert check.consistent
    assert check.matched == 3


def test_check_jour_reference_added_or_removed() -> None:
    normal = [item("101", "1100", "1015"), item("A13", "1025")]
    published = [item("101", "1650", None, kind=Kind.EXTERN), item("A13", "1540", "1000")]
    findings = check_jour(published, normal, RULE).findings
    assert [(f.kind, f.key, f.published, f.expected, f.difference) for f in findings] == [
        (JourFindingKind.REFERENCE_DIFFERS, "101", None, Decimal("1015"), None),
        (JourFindingKind.REFERENCE_DIFFERS, "A13", Decimal("1000"), None, None),
    ]


def test_texts_compared_ignoring_case_whitespace_and_order() -> None:
    normal = [item("401", "1370", "1265", texts=("Tandextraktion, en tand", "Avlägsnande"))]
    published = [item("401", "2055", "1265", texts=("avlägsnande", "Tandextraktion,  en tand "))]
    assert check_jour(published, normal, RULE).findings == ()


def test_codeless_items_are_matched_by_text() -> None:
    normal = [item(None, "3025", texts=("Framställa ny retainer",))]
    published = [item(None, "4540", texts=("Framställa ny retainer",))]
    assert check_jour(published, normal, RULE).findings == ()
    renamed = [item(None, "4540", texts=("Ny retainer",))]
    kinds = [(f.kind, f.key) for f in check_jour(renamed, normal, RULE).findings]
    assert kinds == [
        (JourFindingKind.ONLY_IN_NORMAL, "(ny kod) Framställa ny retainer"),
        (JourFindingKind.ONLY_IN_PUBLISHED, "(ny kod) Ny retainer"),
    ]


@pytest.mark.parametrize("which", ["published", "normal"])
def test_duplicate_keys_raise(which: str) -> None:
    one = [item("101", "1650", "1015")]
    two = one * 2
    with pytest.raises(JourCheckError, match="two items with key '101'"):
        if which == "published":
            check_jour(two, one, RULE)
        else:
            check_jour(one, two, RULE)


# --- the bundled 2025 pair ----------------------------------------------------------------------


def read_taxa_csv(path: Path) -> list[Item]:
    """data/FORMAT.md -> Items; rows with the same code become one item with several texts."""
    grouped: dict[str, list[dict[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            grouped.setdefault(row["code"] or f"(row {number})", []).append(row)
    items = []
    for rows in grouped.values():
        first = rows[0]
        assert all(r["price"] == first["price"] for r in rows), first["code"]
        items.append(
            Item(
                code=first["code"] or None,
                category=Category(first["category"]) if first["category"] else None,
                group=first["group"],
                kind=Kind(first["kind"]),
                texts=tuple(r["text"] for r in rows),
                price=Decimal(first["price"]),
                reference_price=(
                    Decimal(first["reference_price"]) if first["reference_price"] else None
                ),
                unit=Unit(first["unit"]),
                source_rows=tuple(int(r["source_row"]) for r in rows),
            )
        )
    return items


def test_bundled_2025_pair() -> None:
    """Every finding of the bundled rule on the bundled 2025 tables, exactly.

    The published jour table is consistent with "normal × 1.5, whole 5 kr, halves up, flat
    fees exempt" everywhere except the utbytesåtgärder: there it lists 925/928 (not in the
    normal table) and lacks 923/924, and its 926 carries 923's jour price and reference. It has
    no row for the per-minute, per-krona, cosmetic (9080, 9081, 9011, 9012, 10001) and
    orthodontic O-codes, and several texts are older wordings.
    """
    rule = surcharge_rule_from_mapping(json.loads(RULE_FILE.read_text(encoding="utf-8")))
    check = check_jour(read_taxa_csv(JOUR_CSV), read_taxa_csv(NORMAL_CSV), rule)
    d = Decimal
    k = JourFindingKind
    got = [
        (f.kind, f.key, f.published, f.expected)
        for f in check.findings
        if f.kind is not k.TEXT_DIFFERS
    ]
    only_normal = [
        ("9008", "53.00"), ("9010", "86.00"), ("9080", "13915.00"), ("9081", "10800.00"),
        ("9011", "5550.00"), ("9012", "8310.00"), ("9021", "125.00"),
    ]  # fmt: skip
    o_codes = [
        ("O001", "19945.00"), ("O002", "26365.00"), ("O003", "29935.00"),
        ("O004", "39585.00"), ("O005", "37275.00"), ("O006", "49660.00"),
        ("O007", "43950.00"), ("O008", "58825.00"), ("O009", "54490.00"),
        ("O010", "73270.00"), ("O011", "42145.00"), ("O012", "55050.00"),
        ("O013", "49485.00"), ("O014", "65130.00"), ("O015", "56835.00"),
        ("O016", "75220.00"), ("O017", "68500.00"), ("O018", "91185.00"),
    ]  # fmt: skip
    assert got == [
        (k.ONLY_IN_NORMAL, "923", None, d("11130.00")),
        (k.ONLY_IN_NORMAL, "923S", None, d("13420.00")),
        (k.ONLY_IN_NORMAL, "924", None, d("11130.00")),
        (k.ONLY_IN_NORMAL, "924S", None, d("13420.00")),
        (k.PRICE_DIFFERS, "926", d("11130.00"), d("19225.00")),
        (k.REFERENCE_DIFFERS, "926", d("1805.00"), d("7965.00")),
        (k.PRICE_DIFFERS, "926S", d("13420.00"), d("23380.00")),
        (k.REFERENCE_DIFFERS, "926S", d("1805.00"), d("9375.00")),
        (k.EXEMPT, "ASYL", d("50.00"), d("50.00")),
        (k.EXEMPT, "951", d("250.00"), d("250.00")),
        (k.EXEMPT, "952", d("250.00"), d("250.00")),
        (k.EXEMPT, "953", d("250.00"), d("250.00")),
        (k.EXEMPT, "961", d("250.00"), d("250.00")),
        (k.EXEMPT, "962", d("250.00"), d("250.00")),
        (k.EXEMPT, "963", d("250.00"), d("250.00")),
        *[(k.ONLY_IN_NORMAL, c, None, d(p)) for c, p in only_normal],
        (k.EXEMPT, "9009", None, d("1.00")),
        (k.ONLY_IN_NORMAL, "9009", None, d("1.00")),
        (k.EXEMPT, "9013", None, d("1.00")),
        (k.ONLY_IN_NORMAL, "9013", None, d("1.00")),
        (k.ONLY_IN_NORMAL, "10001", None, d("2565.00")),
        *[(k.ONLY_IN_NORMAL, c, None, d(p)) for c, p in o_codes],
        (k.ONLY_IN_PUBLISHED, "925", d("11130.00"), None),
        (k.ONLY_IN_PUBLISHED, "925S", d("13420.00"), None),
        (k.ONLY_IN_PUBLISHED, "928", d("19225.00"), None),
        (k.ONLY_IN_PUBLISHED, "928S", d("23380.00"), None),
    ]
    assert [f.key for f in check.of_kind(k.TEXT_DIFFERS)] == [
        "201", "311", "312", "322", "405", "405S", "409", "409S", "420",
        "824", "824S", "825", "825S", "850", "850S", "964", "965",
    ]  # fmt: skip
    assert check.matched == 378
