"""Patient cost quotes through HTTP (``POST /v1/quotes``) and the CLI, on the bundled 2025 taxa.

Prices are those of data/taxa/region-jonkoping-2025-normal.csv (FTV price / referenspris) and
region-jonkoping-2025-jour.csv:

    101 1 100 / 1 015 (jour 1 650)     121    80 /    70     103 515 / 440    103S 680 / 580
    301   515 /   480 (jour   775)     342 1 245 / 1 245     501 4 160 / 4 015
    701   785 /   720                  702 1 210 / 1 145     A11 2 275 (intern)  9010 57/min

The bundled taxa is valid from 2025-01-01 with no end, so lines dated 2026 are priced on the
2025 taxa (no 2026 taxa is loaded) while the 2026 subsidy rule set applies to them.
Rules (data/subsidy): the patient pays all up to 3 000 kr counted in the ersättningsperiod, the
state 50 % between 3 000 and 15 000, 85 % above; each line counts min(price, reference) less the
STB and ATB used; from 2026 a patient 67+ pays 10 % of in-scope lines priced ≤ reference.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import app.quotes.routes as quote_routes
import app.quotes.rules as subsidy_data
from app.cli import main
from app.config import DATA_DIR, Settings
from app.main import create_app
from app.quotes.routes import RESPONSE_EXAMPLE
from app.quotes.rules import (
    DEFAULT_VALID_MONTHS,
    DataFileError,
    default_terms,
    load_estimate_terms,
    load_regional_rules,
    load_rule_sets,
)

Json = dict[str, Any]


def post(client: TestClient, headers: dict[str, str], body: Json) -> Json:
    response = client.post("/v1/quotes", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def figures(line: Json) -> tuple[str | None, ...]:
    """price, reference, basis, atb, stb, state, region, patient of a line."""
    keys = ("price", "reference_price", "basis", "atb", "stb", "state", "region", "patient")
    return tuple(line[k] for k in keys)


Quoter = Callable[[Json, list[Json]], Json]


@pytest.fixture()
def quote_of(client: TestClient, clinic: dict[str, str]) -> Quoter:
    """Quotes lines for a patient with a clinic key: ``quote_of(patient, lines)``, the answer."""

    def quote(patient: Json, lines: list[Json]) -> Json:
        return post(client, clinic, {"patient": patient, "lines": lines})

    return quote


def amounts(text: str) -> tuple[str | None, ...]:
    """The figures a test expects, written on one line in ``figures``' order ("1100.00 1015.00 …");
    ``None`` stands for an absent reference price."""
    return tuple(None if word == "None" else word for word in text.split())


def adds_up(quote: Json) -> None:
    """price = state + atb + stb + region + patient on every line and in the totals."""
    from decimal import Decimal

    for part in [*quote["lines"], quote["totals"]]:
        paid = sum(Decimal(part[k]) for k in ("state", "atb", "stb", "region", "patient"))
        assert paid == Decimal(part["price"])


# --- 2025 -------------------------------------------------------------------------------------

QUOTE_2025: Json = {
    "patient": {
        "birth_date": "1980-05-10",
        "stb_eligible": False,
        "atb_available": "300.00",
        "period": {"start": "2025-01-15", "counted": "2500.00"},
    },
    "lines": [
        {"code": "101", "quantity": 1, "date": "2025-03-10", "variant": "normal"},
        {"code": "121", "quantity": 2, "date": "2025-03-10"},
        {"code": "701", "quantity": 1, "date": "2025-03-10", "tooth_position": 2},
    ],
}


def test_2025_quote_101_two_121_701(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    quote = post(client, clinic, QUOTE_2025)
    l101, l121, l701 = quote["lines"]
    # 101: price 1 100, capped at the reference 1 015. ATB pays 300 of it (all the balance),
    # basis 1 015 − 300 = 715. Counted 2 500 → 3 215: 215 above 3 000 at 50 % = 107.50.
    # Patient 1 100 − 107.50 − 300 = 692.50 (the 85 above the reference included).
    assert figures(l101) == amounts("1100.00 1015.00 715.00 300.00 0.00 107.50 0.00 692.50")
    assert l101["state_by_rule"] == {"hkskydd_50": "107.50"}
    assert l101["period_counted_after"] == "3215.00"
    # 2 × 121: price 2 × 80 = 160, reference 2 × 70 = 140, no ATB left: basis 140.
    # Counted 3 215 → 3 355, all above 3 000: 140 × 50 % = 70. Patient 160 − 70 = 90.
    assert figures(l121) == amounts("160.00 140.00 140.00 0.00 0.00 70.00 0.00 90.00")
    assert l121["quantity"] == 2 and l121["period_counted_after"] == "3355.00"
    # 701: price 785, reference 720: basis 720, counted 3 355 → 4 075: 720 × 50 % = 360.
    # Patient 785 − 360 = 425.
    assert figures(l701) == amounts("785.00 720.00 720.00 0.00 0.00 360.00 0.00 425.00")
    # Totals: 1 100 + 160 + 785 = 2 045; state 107.50 + 70 + 360 = 537.50; ATB 300;
    # patient 692.50 + 90 + 425 = 1 207.50 (= 2 045 − 537.50 − 300).
    assert quote["totals"] == {
        "price": "2045.00",
        "state": "537.50",
        "atb": "300.00",
        "stb": "0.00",
        "region": "0.00",
        "patient": "1207.50",
    }
    # The state after the quote, once, in the request's shape (issue 8: it was also carried as
    # period_after / atb_remaining / stb_used_after).
    assert quote["patient_after"]["period"] == {"start": "2025-01-15", "counted": "4075.00"}
    assert quote["patient_after"]["atb_available"] == "0.00"
    assert not {"period_after", "atb_remaining", "stb_used_after"} & set(quote)
    assert [r["id"] for r in quote["rule_sets"]] == ["2025"]
    assert {line["rule"] for line in quote["lines"]} == {"hkskydd"}
    assert {line["rule_set"] for line in quote["lines"]} == {"2025"}
    assert {line["schedule_id"] for line in quote["lines"]} == {bundled[0]}
    assert l101["notes"] == [
        "price 1 100.00 above reference 1 015.00: the patient pays the difference 85.00"
    ]
    assert quote["notes"] == []  # no uncertain (L) value is used in 2025
    adds_up(quote)


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def test_the_documented_example_is_this_quote(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    today_is: Callable[[str], None],
) -> None:
    """The OpenAPI response example is the real answer to the OpenAPI request example (asked
    on 2025-03-01: the next ATB credit is 1 July 2025)."""
    today_is("2025-03-01")
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/quotes"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["examples"]["2025"]["value"]
    assert without_nulls(request) == {**QUOTE_2025, "owner": "region-jonkoping"}
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert example == without_nulls(RESPONSE_EXAMPLE)  # FastAPI leaves nulls out of the spec
    quote = post(client, clinic, request)
    for line in quote["lines"]:
        assert line.pop("schedule_id") == bundled[0]
    expected = json.loads(json.dumps(RESPONSE_EXAMPLE))
    for line in expected["lines"]:
        line.pop("schedule_id")
    assert quote == expected


# --- 2026: a patient aged 70 ------------------------------------------------------------------


@pytest.fixture()
def today_is(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set the service's "today" (Europe/Stockholm) for the quote route."""

    def set_today(day: str) -> None:
        monkeypatch.setattr(quote_routes, "stockholm_today", lambda: dt.date.fromisoformat(day))

    return set_today


def test_2026_patient_aged_70(
    quote_of: Quoter, bundled: list[int], today_is: Callable[[str], None]
) -> None:
    # Born 1956: 2026 − 1956 = 70 ≥ 67. The dates are 2026: the 2025 taxa prices them (it has no
    # end date), the 2026 rule set (with the 67+ rule) applies.
    today_is("2026-02-01")
    quote = quote_of(
        {"birth_date": "1956-04-02", "atb_available": "600.00", "period": None},
        [
            {"code": "101", "date": "2026-02-10"},
            {"code": "342", "date": "2026-02-10"},
            {"code": "701", "date": "2026-02-10", "tooth_position": 2},
        ],
    )
    l101, l342, l701 = quote["lines"]
    assert {line["schedule_id"] for line in quote["lines"]} == {bundled[0]}
    assert {line["rule_set"] for line in quote["lines"]} == {"2026"}
    # 101 (examination): outside the 67+ rule's scope → ordinary protection. Capped 1 015,
    # ATB 600, basis 415: a new period opens and counts 415, far below 3 000: state 0.
    # Patient 1 100 − 600 = 500.
    assert l101["rule"] == "hkskydd"
    assert (l101["ersattning"], l101["ersattning_reason"]) == ("allman", "outside_sarskild_scope")
    assert figures(l101) == amounts("1100.00 1015.00 415.00 600.00 0.00 0.00 0.00 500.00")
    assert any("code outside the 67+ rule's scope" in note for note in l101["notes"])
    # 342 (price 1 245 = reference 1 245, group 3xx, in scope): the 67+ rule. The patient pays
    # 10 % of 1 245 = 124.50, the state 1 245 − 124.50 = 1 120.50; no ATB, nothing counted.
    assert l342["rule"] == "tiotandvard_67"
    assert (l342["ersattning"], l342["ersattning_reason"]) == ("sarskild", None)
    assert figures(l342) == amounts("1245.00 1245.00 1245.00 0.00 0.00 1120.50 0.00 124.50")
    assert l342["state_by_rule"] == {"tiotandvard_67": "1120.50"} and l342["counted"] == "0.00"
    # 701 (filling, in scope) but priced 785 above its reference 720: the 67+ rule requires a
    # price ≤ reference, so the ordinary protection applies: basis 720, counted 415 → 1 135,
    # below 3 000: state 0, patient 785.
    assert l701["rule"] == "hkskydd"
    assert (l701["ersattning"], l701["ersattning_reason"]) == ("allman", "price_above_reference")
    assert figures(l701) == amounts("785.00 720.00 720.00 0.00 0.00 0.00 0.00 785.00")
    assert (
        "701: price 785.00 above reference 720.00: the 67+ rule does not apply; ordinary "
        "high-cost protection"
    ) in l701["notes"]
    # Totals: 1 100 + 1 245 + 785 = 3 130; state 1 120.50; ATB 600;
    # patient 500 + 124.50 + 785 = 1 409.50.
    assert quote["totals"] == {
        "price": "3130.00",
        "state": "1120.50",
        "atb": "600.00",
        "stb": "0.00",
        "region": "0.00",
        "patient": "1409.50",
    }
    assert quote["patient_after"]["period"] == {"start": "2026-02-10", "counted": "1135.00"}
    # The statute was read (issue 10): the quote names the 2026 rule set and its thresholds
    # (from the 2026 prisbasbelopp), and no longer flags them or the STB amount as unconfirmed.
    assert [r["id"] for r in quote["rule_sets"]] == ["2026"]
    assert quote["period_thresholds"] == [
        {
            "rule_set": "2026",
            "period_start": "2026-02-10",
            "lower": "3000.00",
            "upper": "15000.00",
            "how": "karens 3 000 kr and upper threshold 15 000 kr: 0.0507 and "
            "0.2534 × the prisbasbelopp of 2026 (59 200 kr), each rounded down to whole 50 kr",
        }
    ]
    assert quote["notes"] == [
        "the ersättningsperiod starting 2026-02-10 (rule set 2026): karens 3 000 kr and upper "
        "threshold 15 000 kr: 0.0507 and 0.2534 × the prisbasbelopp of 2026 (59 200 kr), each "
        "rounded down to whole 50 kr"
    ]
    assert not any("uncertain" in note for note in quote["notes"])
    # Next 1 July (2026) the patient, 70 that year, is credited the upper band's 600 kr.
    assert quote["atb_next_credit"] == {
        "date": "2026-07-01",
        "amount": "600.00",
        "age": 70,
        "rule_set": "2026",
        "transitional": False,
    }
    adds_up(quote)


# --- jour -------------------------------------------------------------------------------------

IN_PERIOD = {"birth_date": "1980-05-10", "period": {"start": "2025-01-10", "counted": "3000.00"}}


def test_jour_line_uses_the_jour_price_and_the_normal_reference(
    quote_of: Quoter, bundled: list[int]
) -> None:
    quote = quote_of(IN_PERIOD, [{"code": "101", "date": "2025-05-14", "variant": "jour"}])
    (line,) = quote["lines"]
    # Jour price 1 650 (1 100 × 1.5), reference still 1 015 (never surcharged). 3 000 already
    # counted: 1 015 × 50 % = 507.50; patient 1 650 − 507.50 = 1 142.50 (the whole surcharge).
    assert (line["variant"], line["schedule_id"]) == ("jour", bundled[1])
    assert figures(line) == amounts("1650.00 1015.00 1015.00 0.00 0.00 507.50 0.00 1142.50")
    assert any("jour price 1 650.00" in note for note in line["notes"])


def test_lines_given_as_instants_are_jour_or_normal_by_the_jour_windows(
    quote_of: Quoter, bundled: list[int]
) -> None:
    quote = quote_of(
        IN_PERIOD,
        [
            {"code": "301", "at": "2025-12-24T19:30:00+01:00"},  # julafton evening
            {"code": "301", "at": "2025-12-22T10:00:00+01:00"},  # a Monday morning
            {"code": "301", "at": "2025-12-31T23:30:00Z"},  # 00:30 on nyårsdagen in Stockholm
        ],
    )
    monday, julafton, new_year = quote["lines"]  # computed in date order
    # Monday 10:00: normal time, 301 at 515 / reference 480: 3 000 counted → 480 × 50 % = 240,
    # patient 515 − 240 = 275.
    assert (monday["index"], monday["date"], monday["variant"]) == (1, "2025-12-22", "normal")
    assert monday["schedule_id"] == bundled[0]
    assert figures(monday) == amounts("515.00 480.00 480.00 0.00 0.00 240.00 0.00 275.00")
    # Julafton 19:30: jourtid; jour 301 at 775, reference 480: state 240, patient 535.
    assert (julafton["index"], julafton["date"], julafton["variant"]) == (0, "2025-12-24", "jour")
    assert julafton["schedule_id"] == bundled[1]
    assert julafton["at"] == "2025-12-24T19:30:00+01:00"
    assert julafton["notes"][0] == (
        "at 2025-12-24T19:30:00+01:00 is 2025-12-24 19:30 local "
        "time: julafton: jourtid all day (windows-default.json): "
        "jour taxa"
    )
    assert figures(julafton) == amounts("775.00 480.00 480.00 0.00 0.00 240.00 0.00 535.00")
    # 23:30 UTC on 31 December is 00:30 on 1 January 2026 in Stockholm: a 2026 line (rule set
    # 2026), jourtid (public holiday), still in the period that started 2025-01-10. State 240.
    assert (new_year["date"], new_year["variant"], new_year["rule_set"]) == (
        "2026-01-01",
        "jour",
        "2026",
    )
    assert figures(new_year) == amounts("775.00 480.00 480.00 0.00 0.00 240.00 0.00 535.00")
    assert quote["patient_after"]["period"] == {"start": "2025-01-10", "counted": "4440.00"}
    assert [r["id"] for r in quote["rule_sets"]] == ["2025", "2026"]


# --- specialist, intern, free care ------------------------------------------------------------


def test_s_code_without_referral_gets_the_general_reference_price(
    quote_of: Quoter, bundled: list[int]
) -> None:
    quote = quote_of(
        {"birth_date": "1980-05-10"},
        [
            {"code": "103S", "date": "2025-03-10"},
            {"code": "103S", "date": "2025-03-10", "specialist_referral": True},
        ],
    )
    plain, referred = quote["lines"]
    # Without referral: price 680, reference of the general code 103 = 440; basis 440, a new
    # period opens; below 3 000: state 0, patient 680.
    assert (plain["reference_code"], plain["reference_price"]) == ("103", "440.00")
    assert figures(plain) == amounts("680.00 440.00 440.00 0.00 0.00 0.00 0.00 680.00")
    assert (
        "103S without specialist referral: the general reference price of 103 (440.00 kr) applies"
    ) in plain["notes"]
    # With referral: its own reference 580; counted 440 + 580 = 1 020.
    assert (referred["reference_code"], referred["reference_price"]) == ("103S", "580.00")
    assert quote["patient_after"]["period"] == {"start": "2025-03-10", "counted": "1020.00"}


def test_intern_codes_get_no_support_and_open_no_period(
    quote_of: Quoter, bundled: list[int]
) -> None:
    quote = quote_of(
        {"birth_date": "1980-05-10", "atb_available": "300.00"},
        [
            {"code": "A11", "date": "2025-03-10"},
            {"code": "9010", "quantity": 30, "date": "2025-03-10"},  # 57 kr per minute × 30
        ],
    )
    a11, cosmetic = quote["lines"]
    assert a11["rule"] == "no_support" and a11["reference_price"] is None
    assert figures(a11) == amounts("2275.00 None 0.00 0.00 0.00 0.00 0.00 2275.00")
    # 57 × 30 = 1 710, all the patient's; the ATB is not touched.
    assert figures(cosmetic) == amounts("1710.00 None 0.00 0.00 0.00 0.00 0.00 1710.00")
    assert quote["patient_after"]["period"] is None
    assert quote["patient_after"]["atb_available"] == "300.00"


def test_a_young_patient_gets_free_care_paid_by_the_region(
    quote_of: Quoter, bundled: list[int]
) -> None:
    # The patient turns 15 in 2025: free care through 19.
    quote = quote_of(
        {"birth_date": "2010-06-01"},
        [{"code": "101", "date": "2025-03-10"}, {"code": "701", "date": "2025-03-10"}],
    )
    assert [line["rule"] for line in quote["lines"]] == ["region_free_care"] * 2
    # The region pays the whole price: 1 100 + 785 = 1 885; patient and state nothing.
    assert quote["totals"] == {
        "price": "1885.00",
        "state": "0.00",
        "atb": "0.00",
        "stb": "0.00",
        "region": "1885.00",
        "patient": "0.00",
    }
    assert quote["patient_after"]["period"] is None
    assert "free care by age: the patient turns 15 in 2025" in quote["lines"][0]["notes"][0]


# --- a treatment quoted in two parts ----------------------------------------------------------

PATIENT = {"birth_date": "1980-05-10", "stb_eligible": True, "atb_available": "300.00"}
PART_1 = [{"code": "101", "date": "2025-03-10"}, {"code": "701", "date": "2025-03-10"}]
PART_2 = [{"code": "501", "date": "2025-04-01"}, {"code": "103", "date": "2025-04-15"}]


def test_patient_after_carries_the_period_atb_and_stb_into_the_next_quote(
    quote_of: Quoter, bundled: list[int]
) -> None:
    whole = quote_of(PATIENT, PART_1 + PART_2)
    first = quote_of(PATIENT, PART_1)
    second = quote_of(first["patient_after"], PART_2)
    # 101: capped 1 015; STB (2025: 600 per half-year, 101 on its list) pays 600, ATB 300,
    #      basis 115: the period opens 2025-03-10, counted 115; patient 1 100 − 900 = 200.
    # 701: basis 720, counted 835; patient 785.
    assert first["patient_after"] == {
        "birth_date": "1980-05-10",
        "stb_eligible": True,
        "atb_available": "0.00",
        "period": {"start": "2025-03-10", "counted": "835.00"},
        "stb_used_this_half_year": "600.00",
        "stb_half_year_start": "2025-01-01",
        "regional_support": None,
        "frikort_spent": "0.00",
    }
    # 501: basis 4 015, counted 835 → 4 850: 1 850 above 3 000 × 50 % = 925; patient 3 235.
    # 103: on the STB list but the half-year's 600 is used: basis 440, 4 850 → 5 290:
    #      state 220, patient 295.
    assert [figures(line) for line in second["lines"]] == [
        amounts("4160.00 4015.00 4015.00 0.00 0.00 925.00 0.00 3235.00"),
        amounts("515.00 440.00 440.00 0.00 0.00 220.00 0.00 295.00"),
    ]
    # Together: price 1 100 + 785 + 4 160 + 515 = 6 560, state 925 + 220 = 1 145, ATB 300,
    # STB 600, patient 200 + 785 + 3 235 + 295 = 4 515.
    assert whole["totals"] == {
        "price": "6560.00",
        "state": "1145.00",
        "atb": "300.00",
        "stb": "600.00",
        "region": "0.00",
        "patient": "4515.00",
    }
    for key in whole["totals"]:
        from decimal import Decimal

        assert Decimal(first["totals"][key]) + Decimal(second["totals"][key]) == Decimal(
            whole["totals"][key]
        ), key
    assert [figures(line) for line in first["lines"] + second["lines"]] == [
        figures(line) for line in whole["lines"]
    ]
    assert second["patient_after"] == whole["patient_after"]
    assert whole["patient_after"]["period"] == {"start": "2025-03-10", "counted": "5290.00"}


# --- 2026 by the statute (issue 10): E8, E9 on a 2026 taxa ----------------------------------

NORMAL_CSV = DATA_DIR / "taxa" / "region-jonkoping-2025-normal.csv"


def import_2026_taxa(
    client: TestClient, admin: dict[str, str], changes: dict[str, tuple[str, str]]
) -> int:
    """The bundled normal taxa with (price, reference price) changed for some codes, imported
    and activated from 2026-01-01 (the 2025 taxa ends 2025-12-31)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(NORMAL_CSV.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        if row[0] in changes:
            row[5], row[6] = changes[row[0]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    created = client.post(
        "/v1/imports",
        headers=admin,
        files={"file": ("taxa-2026.csv", out.getvalue().encode())},
        data={"name": "Tandvårdstaxa 2026 (test)", "valid_from": "2026-01-01"},
    )
    assert created.status_code == 201, created.text
    schedule_id = int(created.json()["schedule_id"])
    activated = client.post(f"/v1/schedules/{schedule_id}/activate", headers=admin)
    assert activated.status_code == 200, activated.text
    return schedule_id


# domain.md §3 E8/E9: 704 priced 900 against the reference 940; 101 priced at its reference.
TAXA_E8_E9 = {"704": ("900.00", "940.00"), "101": ("1100.00", "1100.00")}
TURNS_67_IN_2026 = "1959-08-15"


@pytest.fixture()
def taxa_e8_e9(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    today_is: Callable[[str], None],
) -> int:
    """E8/E9's 2026 taxa in force after the bundled 2025 one, quoted on 2026-03-01; its id."""
    schedule_id = import_2026_taxa(client, admin, TAXA_E8_E9)
    today_is("2026-03-01")
    return schedule_id


def test_e8_a_67_year_old_pays_10_percent_and_the_period_is_unchanged(
    quote_of: Quoter, taxa_e8_e9: int
) -> None:
    quote = quote_of(
        {
            "birth_date": TURNS_67_IN_2026,
            "period": {"start": "2026-01-20", "counted": "1500.00"},
        },
        [{"code": "704", "date": "2026-03-10", "tooth_position": 36}],
    )
    (line,) = quote["lines"]
    # E8: turns 67 in 2026, 900 ≤ 940: särskild tandvårdsersättning on the base 900: state
    # 90 % = 810, patient 90; nothing counted, the open period stays at 1 500.
    assert (line["schedule_id"], line["rule_set"], line["rule"]) == (
        taxa_e8_e9,
        "2026",
        "tiotandvard_67",
    )
    assert (line["ersattning"], line["ersattning_reason"]) == ("sarskild", None)
    assert figures(line) == amounts("900.00 940.00 900.00 0.00 0.00 810.00 0.00 90.00")
    assert line["counted"] == "0.00" and line["tooth_position"] == 36
    assert line["text"] == "Fyllning av en yta på molar eller premolar"
    assert quote["patient_after"]["period"] == {"start": "2026-01-20", "counted": "1500.00"}
    assert quote["period_thresholds"] == []  # no line counted toward a period
    adds_up(quote)


def test_e9_one_visit_101_in_the_period_704_tiotandvard(quote_of: Quoter, taxa_e8_e9: int) -> None:
    lines = [{"code": "101", "date": "2026-03-10"}, {"code": "704", "date": "2026-03-10"}]
    quote = quote_of({"birth_date": TURNS_67_IN_2026}, lines)
    l101, l704 = quote["lines"]
    # 101 (an examination, outside the 67+ rule's scope): allmän tandvårdsersättning, a fresh
    # period opens and counts 1 100, below the karens: the patient pays 1 100.
    assert (l101["ersattning"], l101["ersattning_reason"]) == ("allman", "outside_sarskild_scope")
    assert figures(l101) == amounts("1100.00 1100.00 1100.00 0.00 0.00 0.00 0.00 1100.00")
    # 704: särskild, the patient 90, not counted.
    assert (l704["ersattning"], l704["state"], l704["patient"], l704["counted"]) == (
        "sarskild",
        "810.00",
        "90.00",
        "0.00",
    )
    assert quote["patient_after"]["period"] == {"start": "2026-03-10", "counted": "1100.00"}
    assert quote["period_thresholds"] == [
        {
            "rule_set": "2026",
            "period_start": "2026-03-10",
            "lower": "3000.00",
            "upper": "15000.00",
            "how": "karens 3 000 kr and upper threshold 15 000 kr: 0.0507 and "
            "0.2534 × the prisbasbelopp of 2026 (59 200 kr), each rounded down to whole 50 kr",
        }
    ]
    # E9 with ATB 300: the ATB goes to 101 (first), which then counts 800; 704 still 90.
    with_atb = quote_of({"birth_date": TURNS_67_IN_2026, "atb_available": "300.00"}, lines)
    a101, a704 = with_atb["lines"]
    assert (a101["atb"], a101["basis"], a101["patient"]) == ("300.00", "800.00", "800.00")
    assert (a704["atb"], a704["patient"]) == ("0.00", "90.00")
    assert with_atb["patient_after"]["atb_available"] == "0.00"
    adds_up(quote)
    adds_up(with_atb)


def test_material_and_technical_costs_are_part_of_the_price(
    quote_of: Quoter, taxa_e8_e9: int
) -> None:
    quote = quote_of(
        {"birth_date": TURNS_67_IN_2026},
        [
            # 900 + 30 material = 930 ≤ 940: still särskild, on 930: state 837, patient 93.
            {"code": "704", "date": "2026-03-10", "material_kr": "30.00"},
            # 900 + 30 + 20 = 950 > 940: the whole price is above the reference: allmän, and
            # the patient pays the 10 above it; counted 940 (below the karens): patient 950.
            {
                "code": "704",
                "date": "2026-03-11",
                "material_kr": "30.00",
                "technical_kr": "20.00",
            },
        ],
    )
    cheap, dear = quote["lines"]
    assert (cheap["ersattning"], cheap["material_kr"], cheap["technical_kr"]) == (
        "sarskild",
        "30.00",
        "0.00",
    )
    assert figures(cheap) == amounts("930.00 940.00 930.00 0.00 0.00 837.00 0.00 93.00")
    assert (dear["ersattning"], dear["ersattning_reason"]) == ("allman", "price_above_reference")
    assert (dear["material_kr"], dear["technical_kr"]) == ("30.00", "20.00")
    assert figures(dear) == amounts("950.00 940.00 940.00 0.00 0.00 0.00 0.00 950.00")
    adds_up(quote)


# --- regional dental support (domain.md §4) --------------------------------------------------


def test_regional_support_the_patient_pays_the_visit_fee_the_region_the_rest(
    quote_of: Quoter,
    bundled: list[int],
    today_is: Callable[[str], None],
) -> None:
    today_is("2025-03-01")
    quote = quote_of(
        {
            "birth_date": "1950-05-10",
            "regional_support": "nodvandig",
            "atb_available": "600.00",
            "stb_eligible": True,
            "frikort_spent": "1300.00",
            "period": {"start": "2025-01-15", "counted": "2500.00"},
        },
        [
            {"code": "101", "date": "2025-03-10"},
            {"code": "701", "date": "2025-03-10", "tooth_position": 2},
            {"code": "401", "date": "2025-04-02"},
        ],
    )
    l101, l701, l401 = quote["lines"]
    # data/subsidy/regional/region-jonkoping.json, 2025: a 250 kr visit fee, frikort ceiling
    # 1 400 kr. 1 300 already counted: the first visit (10 March: 101 + 701, 1 885 kr) costs the
    # patient the 100 left, charged on its first line; the region pays the rest. The frikort is
    # then reached: the second visit (401, 1 370 kr) is free. No ATB, STB or state support;
    # nothing is counted toward the ersättningsperiod.
    for line in quote["lines"]:
        assert (line["rule"], line["ersattning"], line["ersattning_reason"]) == (
            "regional_support",
            None,
            "regional_support",
        )
        assert (line["atb"], line["stb"], line["state"], line["counted"]) == ("0.00",) * 4
    assert (l101["patient"], l101["region"]) == ("100.00", "1000.00")
    assert (l701["patient"], l701["region"]) == ("0.00", "785.00")
    assert (l401["patient"], l401["region"]) == ("0.00", "1370.00")
    assert quote["totals"] == {
        "price": "3255.00",
        "state": "0.00",
        "atb": "0.00",
        "stb": "0.00",
        "region": "3155.00",
        "patient": "100.00",
    }
    first, second = quote["regional_visits"]
    assert {
        k: first[k]
        for k in (
            "date",
            "fee",
            "patient",
            "region",
            "frikort_spent_after",
            "line_indexes",
            "fee_codes",
        )
    } == {
        "date": "2025-03-10",
        "fee": "250.00",
        "patient": "100.00",
        "region": "1785.00",
        "frikort_spent_after": "1400.00",
        "line_indexes": [0, 1],
        "fee_codes": ["951", "952", "953"],
    }
    assert (second["date"], second["patient"], second["region"]) == (
        "2025-04-02",
        "0.00",
        "1370.00",
    )
    after = quote["patient_after"]
    assert (after["regional_support"], after["frikort_spent"], after["atb_available"]) == (
        "nodvandig",
        "1400.00",
        "600.00",
    )
    assert after["period"] == {"start": "2025-01-15", "counted": "2500.00"}
    # The uncertain (L) regional values used are named: the 2025 frikort ceiling and 85+.
    flagged = " ".join(quote["notes"])
    for name in ("frikort_ceiling", "free_from_age"):
        assert f"uncertain value (L) used from regional rules 2025-01-01–2025-12-31: {name}" in (
            flagged
        )
    adds_up(quote)


def test_regional_support_85_and_over_pay_nothing(quote_of: Quoter, bundled: list[int]) -> None:
    quote = quote_of(
        {"birth_date": "1939-01-10", "regional_support": "sjukdomsbehandling"},
        [{"code": "101", "date": "2025-03-10"}],
    )
    (line,) = quote["lines"]
    # 86 on the visit date (85 or older): no fee; the region pays the whole 1 100.
    assert (line["patient"], line["region"]) == ("0.00", "1100.00")
    assert quote["regional_visits"][0]["patient"] == "0.00"
    assert quote["patient_after"]["frikort_spent"] == "0.00"


def test_an_owner_without_regional_rules_cannot_quote_regional_support(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import MappingProxyType

    monkeypatch.setattr(quote_routes, "load_regional_rules", lambda: MappingProxyType({}))
    response = client.post(
        "/v1/quotes", headers=clinic, json=_with({"regional_support": "nodvandig"})
    )
    assert response.status_code == 422, response.text
    (problem,) = response.json()["problems"]
    assert problem == {
        "field": "patient.regional_support",
        "value": "nodvandig",
        "message": "nodvandig: no regional dental support rules were given for this owner",
    }


# --- bad input: a 422 naming the field, never a 500 -------------------------------------------

LINE = {"code": "101", "date": "2025-03-10"}


def _with(patient: Json | None = None, **line: Any) -> Json:
    return {"patient": {"birth_date": "1980-05-10", **(patient or {})}, "lines": [{**LINE, **line}]}


@pytest.mark.parametrize(
    ("body", "error", "field", "detail"),
    [
        (
            _with(code="999"),
            "unknown_code",
            "lines[0].code",
            "'999' is not in the normal taxa in force on 2025-03-10",
        ),
        (
            _with(date="2024-06-01"),
            "not_covered",
            "lines[0].date",
            "no active normal taxa of 'region-jonkoping' covers 2024-06-01",
        ),
        (
            _with(date="2023-06-01"),
            "not_covered",
            "lines[0].date",
            "no subsidy rule set is in force on 2023-06-01",
        ),
        (
            {**_with(), "lines": [{"code": "101", "at": "2024-06-03T10:00:00+02:00"}]},
            "not_covered",
            "lines[0].at",
            "no active normal taxa",
        ),
        (
            _with({"period": {"start": "2025-04-01", "counted": "100.00"}}),
            "invalid",
            "patient.period.start",
            "the period starts 2025-04-01, after line 0 dated 2025-03-10",
        ),
        (
            _with({"period": {"start": None, "counted": "100.00"}}),
            "invalid",
            "patient.period.counted",
            "an amount is counted but no period_start is given",
        ),
        (
            _with({"birth_date": "2099-01-01"}, date="2099-06-01"),
            "invalid",
            "patient.birth_date",
            "2099-01-01 is in the future",
        ),
        (
            _with({"birth_date": "2025-06-01"}),
            "invalid",
            "patient.birth_date",
            "born 2025-06-01, after line 0 dated 2025-03-10",
        ),
        (
            _with({"period": {"start": "2099-01-02"}}, date="2099-06-01"),
            "invalid",
            "patient.period.start",
            "the period starts 2099-01-02, in the future",
        ),
        (
            _with(code="9010", quantity=30, material_kr="100.00"),
            "invalid",
            "lines[0].material_kr",
            "9010 is billed per_minute: material and dental-technical costs cannot be added to it",
        ),
        (
            _with(code="952", technical_kr="10.00"),
            "invalid",
            "lines[0].technical_kr",
            "952 is billed per_visit",
        ),
        (
            _with({"regional_support": "nodvandig"}, code="952"),
            "invalid",
            "lines[0].code",
            "952 is region-jonkoping's visit fee for the regional dental support",
        ),
        (_with(tooth_position=99), "invalid", "lines[0].tooth_position", "not a tooth position"),
        (
            _with(treatment_started="2025-04-01"),
            "invalid",
            "lines[0].treatment_started",
            "is after the line's date",
        ),
        ({**_with(), "owner": "region-x"}, "invalid", "owner", "no active taxa of owner"),
    ],
)
def test_bad_content_is_422_naming_the_field(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    body: Json,
    error: str,
    field: str,
    detail: str,
) -> None:
    response = client.post("/v1/quotes", json=body, headers=clinic)
    assert response.status_code == 422, response.text
    answer = response.json()
    # One error shape (issue 8): the engine's field is a problem's field, as Pydantic's are.
    (problem,) = answer["problems"]
    assert (answer["error"], problem["field"]) == (error, field)
    assert detail in answer["detail"]
    assert set(problem) == {"field", "value", "message"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (_with({"atb_available": "-1.00"}), "patient.atb_available", "greater than or equal to 0"),
        (
            _with({"period": {"start": "2025-01-02", "counted": "-5"}}),
            "patient.period.counted",
            "greater than or equal to 0",
        ),
        (
            _with({"atb_available": 300.5}),
            "patient.atb_available",
            'give amounts as decimal strings such as "300.50"',
        ),
        (
            _with({"atb_available": "300.001"}),
            "patient.atb_available",
            "no more than 2 decimal places",
        ),
        (_with(quantity=0), "lines[0].quantity", "greater than or equal to 1"),
        (_with(quantity=1.5), "lines[0].quantity", "valid integer"),
        (
            {**_with(), "lines": [{"code": "301", "at": "2025-12-24T19:30:00"}]},
            "lines[0].at",
            "timezone",
        ),
        (_with(at="2025-12-24T19:30:00+01:00"), "lines[0]", "not both"),
        ({**_with(), "lines": [{"code": "101"}]}, "lines[0]", "give 'date'"),
        ({**_with(), "lines": []}, "lines", "at least 1 item"),
        (_with({"atb": "300"}), "patient.atb", "Extra inputs are not permitted"),
        (_with(variant="natt"), "lines[0].variant", "'normal' or 'jour'"),
        (
            _with({"regional_support": "kommunal"}),
            "patient.regional_support",
            "'nodvandig' or 'sjukdomsbehandling'",
        ),
        (_with({"frikort_spent": "-5.00"}), "patient.frikort_spent", "greater than or equal to 0"),
        (_with(material_kr="-10.00"), "lines[0].material_kr", "greater than or equal to 0"),
        (
            _with(technical_kr=12.5),
            "lines[0].technical_kr",
            'give amounts as decimal strings such as "12.50"',
        ),
    ],
)
def test_malformed_request_is_422_naming_the_field(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    body: Json,
    field: str,
    message: str,
) -> None:
    response = client.post("/v1/quotes", json=body, headers=clinic)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["error"] == "invalid_request"
    (problem,) = answer["problems"]
    assert problem["field"] == field
    assert message in problem["message"]


# --- keys and roles ---------------------------------------------------------------------------


def test_quotes_need_a_key_with_permission_quote(
    client: TestClient,
    clinic: dict[str, str],
    admin: dict[str, str],
    board: dict[str, str],
    bundled: list[int],
) -> None:
    response = client.post("/v1/quotes", json=QUOTE_2025)
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    response = client.post("/v1/quotes", json={"bad": "body"})
    assert response.status_code == 401  # the key is checked before the body
    response = client.post("/v1/quotes", json=QUOTE_2025, headers=board)
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "detail": "role 'board' may not quote",
        "problems": [],
    }  # one error shape, problems always listed
    for headers in (clinic, admin):
        assert post(client, headers, QUOTE_2025)["totals"]["patient"] == "1207.50"


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_quote_answers_the_same_json_from_the_database(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    request_file: Callable[[Any], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = request_file(QUOTE_2025)
    assert main(["quote", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == post(client, clinic, QUOTE_2025)
    assert out["totals"]["patient"] == "1207.50"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_with(code="999"), "error: lines[0].code: '999' is not in the normal taxa"),
        (
            _with({"atb_available": 300.5}),
            "error: patient.atb_available: Value error, give amounts as decimal strings",
        ),
        (_with(date="2023-06-01"), "error: lines[0].date: no subsidy rule set"),
        ({**_with(), "owner": "region-x"}, "error: no active taxa of owner 'region-x'"),
    ],
)
def test_cli_quote_bad_input_exits_1_with_the_error(
    bundled: list[int],
    request_file: Callable[[Any], Path],
    capsys: pytest.CaptureFixture[str],
    body: Json,
    message: str,
) -> None:
    path = request_file(body)
    assert main(["quote", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_cli_quote_refuses_a_file_that_is_not_json(
    request_file: Callable[[Any], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = request_file("{not json")
    assert main(["quote", str(path)]) == 1
    assert f"error: {path}: Expecting property name" in capsys.readouterr().err


# --- the data files ---------------------------------------------------------------------------


@pytest.fixture()
def fresh_cache() -> Iterator[None]:
    loaders = (load_rule_sets, load_regional_rules, load_estimate_terms)
    for loader in loaders:
        loader.cache_clear()
    yield
    for loader in loaders:
        loader.cache_clear()


def test_a_broken_rule_set_file_stops_the_start(
    settings: Settings,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_cache: None,
) -> None:
    good = json.loads((subsidy_data.SUBSIDY_DIR / "2025.json").read_text(encoding="utf-8"))
    good["high_cost_protection"]["lower_threshold"]["value"] = 3000  # a number, not a string
    (tmp_path / "2025.json").write_text(json.dumps(good), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_rule_sets(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / '2025.json'}: high_cost_protection.lower_threshold.value: an amount must "
        'be a string such as "3000", got 3000'
    )
    monkeypatch.setattr(subsidy_data, "SUBSIDY_DIR", tmp_path)
    app = create_app(settings)
    with pytest.raises(DataFileError), TestClient(app):
        pass  # pragma: no cover - the start-up fails
    app.state.engine.dispose()


def test_rule_sets_are_read_from_data_subsidy(fresh_cache: None) -> None:
    # The data changed on purpose (issue 10): STB's video codes from 2024-01-15 split 2024, and
    # the statute already says 2027 (the riktålder moves the ATB band).
    assert [
        (r.id, str(r.valid_from), r.valid_to and str(r.valid_to)) for r in load_rule_sets()
    ] == [
        ("2024-01-01", "2024-01-01", "2024-01-14"),
        ("2024", "2024-01-15", "2024-12-31"),
        ("2025", "2025-01-01", "2025-12-31"),
        ("2026", "2026-01-01", "2026-12-31"),
        ("2027", "2027-01-01", None),
    ]


def test_regional_rules_and_estimate_terms_are_read_per_owner(fresh_cache: None) -> None:
    assert list(load_regional_rules()) == ["region-jonkoping"]
    terms = load_estimate_terms()["region-jonkoping"]
    assert (terms.name, terms.valid_months) == ("Folktandvården Region Jönköpings län", 3)
    # An owner without a file: its id as the name, the README's default validity.
    assert default_terms("region-x").valid_months == DEFAULT_VALID_MONTHS == 3


@pytest.mark.parametrize(
    ("loader", "name", "change", "message"),
    [
        (
            "regional",
            "region-jonkoping.json",
            {"owner": "region-x"},
            "owner 'region-x' is not the file's name",
        ),
        (
            "regional",
            "region-jonkoping.json",
            {"periods": []},
            "periods: expected a non-empty list of periods",
        ),
        (
            "terms",
            "region-jonkoping.json",
            {"valid_months": 0},
            "valid_months: expected a whole number 1–24, got 0",
        ),
        (
            "terms",
            "region-jonkoping.json",
            {"colour": "blue"},
            "unknown keys ['colour'], missing keys []",
        ),
    ],
)
def test_a_broken_regional_or_terms_file_stops_the_start(
    fresh_cache: None,
    tmp_path: Path,
    loader: str,
    name: str,
    change: Json,
    message: str,
) -> None:
    source = subsidy_data.REGIONAL_DIR if loader == "regional" else subsidy_data.ESTIMATE_DIR
    data = {**json.loads((source / name).read_text(encoding="utf-8")), **change}
    (tmp_path / name).write_text(json.dumps(data), encoding="utf-8")
    load = load_regional_rules if loader == "regional" else load_estimate_terms
    with pytest.raises(DataFileError) as caught:
        load(tmp_path)
    assert str(caught.value) == f"{tmp_path / name}: {message}"
