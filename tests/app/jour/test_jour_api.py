"""The jour taxa through HTTP: derive a draft from the normal taxa, check the published one, and
price lookups ``at=`` an instant (which variant, and why)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import app.cli as cli
from app.config import DATA_DIR

# --- the findings on the bundled 2025 pair (data/README.md, "Jour check findings") -------------

PRICE_DIFFERS = {  # key: (published, expected by the rule, difference)
    "926": ("11130.00", "19225.00", "-8095.00"),
    "926S": ("13420.00", "23380.00", "-9960.00"),
}
REFERENCE_DIFFERS = {  # key: (jour referenspris, normal referenspris, difference)
    "926": ("1805.00", "7965.00", "-6160.00"),
    "926S": ("1805.00", "9375.00", "-7570.00"),
}
ONLY_IN_NORMAL = {  # key: what the rule gives
    "923": "11130.00", "923S": "13420.00", "924": "11130.00", "924S": "13420.00",
    "9008": "53.00", "9010": "86.00", "9080": "13915.00", "9081": "10800.00",
    "9011": "5550.00", "9012": "8310.00", "9021": "125.00", "9009": "1.00", "9013": "1.00",
    "10001": "2565.00",
    "O001": "19945.00", "O002": "26365.00", "O003": "29935.00", "O004": "39585.00",
    "O005": "37275.00", "O006": "49660.00", "O007": "43950.00", "O008": "58825.00",
    "O009": "54490.00", "O010": "73270.00", "O011": "42145.00", "O012": "55050.00",
    "O013": "49485.00", "O014": "65130.00", "O015": "56835.00", "O016": "75220.00",
    "O017": "68500.00", "O018": "91185.00",
}  # fmt: skip
ONLY_IN_PUBLISHED = {"925": "11130.00", "925S": "13420.00", "928": "19225.00", "928S": "23380.00"}
TEXT_DIFFERS = [
    "201", "311", "312", "322", "405", "405S", "409", "409S", "420",
    "824", "824S", "825", "825S", "850", "850S", "964", "965",
]  # fmt: skip
EXEMPT = {
    "ASYL": "50.00",
    "951": "250.00",
    "952": "250.00",
    "953": "250.00",
    "961": "250.00",
    "962": "250.00",
    "963": "250.00",
    "9009": "1.00",
    "9013": "1.00",
}
GROUP_DIFFERS = {"103"}  # not a check finding (the check compares prices and texts)


def _findings(body: dict[str, object], kind: str) -> list[dict[str, str]]:
    return [f for f in body["findings"] if f["kind"] == kind]  # type: ignore[attr-defined,index]


def test_check_of_the_published_2025_jour_taxa_reports_exactly_these_findings(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    normal, jour = bundled
    response = client.get(
        f"/v1/schedules/{jour}/jour-check", params={"base": normal}, headers=clinic
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["schedule"]["id"], body["base"]["id"]) == (jour, normal)
    assert body["rule"]["file"] == "data/jour/region-jonkoping-2025.json"
    assert body["rule"]["percent"] == "50" and body["rule"]["rounding_step"] == "5"
    assert body["matched"] == 378 and body["consistent"] is False
    assert body["counts"] == {
        "text_differs": 17,
        "only_in_normal": 32,
        "price_differs": 2,
        "reference_differs": 2,
        "exempt": 9,
        "only_in_published": 4,
    }
    assert {
        f["key"]: (f["published"], f["expected"], f["difference"])
        for f in _findings(body, "price_differs")
    } == PRICE_DIFFERS
    assert {
        f["key"]: (f["published"], f["expected"], f["difference"])
        for f in _findings(body, "reference_differs")
    } == REFERENCE_DIFFERS
    assert {f["key"]: f["expected"] for f in _findings(body, "only_in_normal")} == ONLY_IN_NORMAL
    assert {
        f["key"]: f["published"] for f in _findings(body, "only_in_published")
    } == ONLY_IN_PUBLISHED
    assert [f["key"] for f in _findings(body, "text_differs")] == TEXT_DIFFERS
    assert {f["key"]: f["expected"] for f in _findings(body, "exempt")} == EXEMPT
    # Without base: the normal taxa in force on the jour taxa's valid_from, the same answer.
    again = client.get(f"/v1/schedules/{jour}/jour-check", headers=clinic).json()
    assert again == body


def test_the_findings_are_written_down_in_data_readme() -> None:
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("## Jour check findings", 1)[1].split("\n## ", 1)[0]
    keys = {
        *PRICE_DIFFERS,
        *REFERENCE_DIFFERS,
        *ONLY_IN_NORMAL,
        *ONLY_IN_PUBLISHED,
        *TEXT_DIFFERS,
        *EXEMPT,
        *GROUP_DIFFERS,
    }
    o_codes = {k for k in keys if re.fullmatch(r"O0\d\d", k)}
    assert "O001–O018" in section
    missing = [k for k in sorted(keys - o_codes) if not re.search(rf"\b{k}\b", section)]
    assert missing == []
    assert "filled in by the jour check" not in section  # the placeholder is gone


def test_derive_makes_a_draft_that_differs_from_the_published_only_by_the_findings(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    normal, jour = bundled
    response = client.post(f"/v1/schedules/{normal}/derive-jour", headers=admin)
    assert response.status_code == 201, response.text
    body = response.json()
    draft = body["schedule"]
    assert (draft["status"], draft["variant"], draft["valid_from"], draft["name"]) == (
        "draft",
        "jour",
        "2025-01-01",
        "Tandvårdstaxa 2025 - Jour (härledd)",
    )
    assert body["derived_from"]["id"] == normal
    assert draft["source_filename"] == "data/jour/region-jonkoping-2025.json"
    assert body["items"] == draft["item_count"] == 410
    assert {n["key"]: n["price"] for n in body["not_surcharged"]} == EXEMPT

    derived = {
        i["code"] or i["text"]: i
        for i in client.get(f"/v1/schedules/{draft['id']}", headers=admin).json()["items"]
    }
    published = {
        i["code"] or i["text"]: i
        for i in client.get(f"/v1/schedules/{jour}", headers=admin).json()["items"]
    }
    both = derived.keys() & published.keys()
    assert set(derived) - set(published) == set(ONLY_IN_NORMAL)
    assert set(published) - set(derived) == set(ONLY_IN_PUBLISHED)
    assert {k for k in both if derived[k]["price"] != published[k]["price"]} == set(PRICE_DIFFERS)
    assert {
        k for k in both if derived[k]["reference_price"] != published[k]["reference_price"]
    } == set(REFERENCE_DIFFERS)
    assert {
        k
        for k in both
        if {t.casefold() for t in [derived[k]["text"], *derived[k]["alternative_texts"]]}
        != {t.casefold() for t in [published[k]["text"], *published[k]["alternative_texts"]]}
    } == set(TEXT_DIFFERS)
    assert {k for k in both if derived[k]["group"] != published[k]["group"]} == GROUP_DIFFERS
    for field in ("category", "kind", "unit"):
        assert {k for k in both if derived[k][field] != published[k][field]} == set()
    # The rule on a few items, by hand: 1100 × 1.5 = 1650; 515 × 1.5 = 772.50 → 775;
    # 57 kr/min × 1.5 = 85.50 → 86 (per minute: whole kronor); flat fees and per krona kept.
    assert [
        (derived[c]["price"], derived[c]["reference_price"])
        for c in ("101", "103", "9010", "ASYL", "9009")
    ] == [
        ("1650.00", "1015.00"),
        ("775.00", "440.00"),
        ("86.00", None),
        ("50.00", None),
        ("1.00", None),
    ]

    audit = client.get("/v1/audit", headers=admin).json()[0]
    assert (audit["action"], audit["target"]) == ("derive_jour", f"schedule:{draft['id']}")
    assert audit["detail"]["derived_from"] == normal and audit["sha256"] == draft["source_sha256"]

    # Checked against the normal taxa it came from (the default base): nothing but exemptions.
    check = client.get(f"/v1/schedules/{draft['id']}/jour-check", headers=admin).json()
    assert check["base"]["id"] == normal and check["consistent"] is True
    assert check["counts"] == {"exempt": 9} and check["matched"] == 410


def test_derive_with_a_rule_in_the_body(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    rule = {"percent": "10", "rounding_step": "1", "exempt_codes": ["101"], "source": "test"}
    response = client.post(f"/v1/schedules/{bundled[0]}/derive-jour", json=rule, headers=admin)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["rule"]["file"] is None and body["rule"]["percent"] == "10"
    items = {
        i["code"]: i
        for i in client.get(f"/v1/schedules/{body['schedule']['id']}", headers=admin).json()[
            "items"
        ]
    }
    # 101 exempt; 103: 515 × 1.1 = 566.50 → 567; ASYL is no longer exempt: 55.
    assert [items[c]["price"] for c in ("101", "103", "ASYL")] == ["1100.00", "567.00", "55.00"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"percent": 50.0, "rounding_step": "5", "source": "x"}, "never a float"),
        (
            {"percent": "50", "rounding_step": "5", "source": "x", "exempt": ["951"]},
            "unknown keys in surcharge rule: exempt",
        ),
        ({"percent": "50", "rounding_step": "5"}, "needs its 'source'"),
        (
            {"percent": "50", "rounding_step": "5", "source": "x", "valid_from": "2026-01-01"},
            "does not cover the schedule's valid_from 2025-01-01",
        ),
    ],
)
def test_a_bad_rule_is_422_and_stores_nothing(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    rule: dict[str, object],
    message: str,
) -> None:
    response = client.post(f"/v1/schedules/{bundled[0]}/derive-jour", json=rule, headers=admin)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert len(client.get("/v1/schedules", headers=admin).json()) == 2


def test_derive_refusals(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str], bundled: list[int]
) -> None:
    normal, jour = bundled
    assert client.post(f"/v1/schedules/{normal}/derive-jour", headers=clinic).status_code == 403
    from_jour = client.post(f"/v1/schedules/{jour}/derive-jour", headers=admin)
    assert from_jour.status_code == 409
    assert "derive from a normal one" in from_jour.json()["detail"]
    assert client.post("/v1/schedules/999/derive-jour", headers=admin).status_code == 404
    check_normal = client.get(f"/v1/schedules/{normal}/jour-check", headers=admin)
    assert check_normal.status_code == 409
    bad_base = client.get(f"/v1/schedules/{jour}/jour-check", params={"base": jour}, headers=admin)
    assert bad_base.status_code == 409
    # An owner without a bundled rule: send one.
    csv_file = (
        "ATV-kod eller STV-kod;Åtgärdsgrupp;Extern / intern kod;Åtgärd;Åtgärdstext;"
        "FTV pris;Referenspris\nA;Us;Extern;101;Bas;1 100;1 015\n"
    ).encode()
    other = client.post(
        "/v1/imports",
        headers=admin,
        files={"file": ("t.csv", csv_file)},
        data={"name": "X", "valid_from": "2025-01-01", "owner": "region-x"},
    )
    assert other.status_code == 201, other.text
    response = client.post(
        f"/v1/schedules/{other.json()['schedule_id']}/derive-jour", headers=admin
    )
    assert response.status_code == 422
    assert "no bundled jour surcharge rule of 'region-x'" in response.json()["detail"]
    assert len(client.get("/v1/schedules", headers=admin).json()) == 3


# --- lookups at= an instant ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "variant", "price", "on", "local_time", "reason"),
    [
        (
            "2025-03-12T10:00:00+01:00",
            "normal",
            "1100.00",
            "2025-03-12",
            "2025-03-12T10:00:00+01:00",
            "Wednesday 10:00: within normal hours 08:00–17:00",
        ),
        (
            "2025-03-12T19:30:00+01:00",
            "jour",
            "1650.00",
            "2025-03-12",
            "2025-03-12T19:30:00+01:00",
            "Wednesday 19:30: outside normal hours 08:00–17:00",
        ),
        (
            "2025-03-12T16:59:59+01:00",
            "normal",
            "1100.00",
            "2025-03-12",
            "2025-03-12T16:59:59+01:00",
            "Wednesday 16:59: within normal hours 08:00–17:00",
        ),
        (
            "2025-03-12T17:00:00+01:00",
            "jour",
            "1650.00",
            "2025-03-12",
            "2025-03-12T17:00:00+01:00",
            "Wednesday 17:00: outside normal hours 08:00–17:00",
        ),
        (
            "2025-12-24T10:00:00+01:00",
            "jour",
            "1650.00",
            "2025-12-24",
            "2025-12-24T10:00:00+01:00",
            "julafton: jourtid all day",
        ),
        (
            "2025-06-20T10:00:00+02:00",
            "jour",
            "1650.00",
            "2025-06-20",
            "2025-06-20T10:00:00+02:00",
            "midsommarafton: jourtid all day",
        ),
        (
            "2025-06-06T10:00:00+02:00",
            "jour",
            "1650.00",
            "2025-06-06",
            "2025-06-06T10:00:00+02:00",
            "nationaldagen: public holiday, jourtid all day",
        ),
        (
            "2025-03-15T10:00:00+01:00",
            "jour",
            "1650.00",
            "2025-03-15",
            "2025-03-15T10:00:00+01:00",
            "Saturday: weekends are jourtid all day",
        ),
        # Daylight saving: 06:30 UTC is 07:30 in winter (jour) and 08:30 in summer (normal).
        (
            "2025-03-28T06:30:00Z",
            "jour",
            "1650.00",
            "2025-03-28",
            "2025-03-28T07:30:00+01:00",
            "Friday 07:30: outside normal hours 08:00–17:00",
        ),
        (
            "2025-03-31T06:30:00Z",
            "normal",
            "1100.00",
            "2025-03-31",
            "2025-03-31T08:30:00+02:00",
            "Monday 08:30: within normal hours 08:00–17:00",
        ),
        # The night summer time ends: 02:30 happens twice, the offset tells which.
        (
            "2025-10-26T00:30:00Z",
            "jour",
            "1650.00",
            "2025-10-26",
            "2025-10-26T02:30:00+02:00",
            "Sunday: weekends are jourtid all day",
        ),
        (
            "2025-10-26T01:30:00Z",
            "jour",
            "1650.00",
            "2025-10-26",
            "2025-10-26T02:30:00+01:00",
            "Sunday: weekends are jourtid all day",
        ),
        # 23:30 UTC on nyårsafton is already nyårsdagen in Sweden.
        (
            "2025-12-31T23:30:00Z",
            "jour",
            "1650.00",
            "2026-01-01",
            "2026-01-01T00:30:00+01:00",
            "nyårsdagen: public holiday, jourtid all day",
        ),
        # A "+" left unencoded arrives as a space: read as the "+" it was.
        (
            "2025-03-12T10:00:00 01:00",
            "normal",
            "1100.00",
            "2025-03-12",
            "2025-03-12T10:00:00+01:00",
            "Wednesday 10:00: within normal hours 08:00–17:00",
        ),
    ],
)
def test_lookup_at_an_instant_chooses_the_variant_and_says_why(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    at: str,
    variant: str,
    price: str,
    on: str,
    local_time: str,
    reason: str,
) -> None:
    response = client.get("/v1/procedures/101", params={"at": at}, headers=clinic)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["variant"], body["price"], body["schedule"]["id"]) == (
        variant,
        price,
        bundled[0] if variant == "normal" else bundled[1],
    )
    jourtid = body["jourtid"]
    assert (jourtid["jour"], jourtid["local_time"], jourtid["reason"], jourtid["windows"]) == (
        variant == "jour",
        local_time,
        reason,
        "windows-default.json",
    )
    listing = client.get("/v1/procedures", params={"at": at, "q": "101"}, headers=clinic).json()
    assert (listing["on"], listing["variant"], listing["jourtid"]["reason"]) == (
        on,
        variant,
        reason,
    )
    assert price in {i["price"] for i in listing["items"]}


def test_lookup_by_on_has_no_jourtid_and_defaults_to_normal(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    body = client.get("/v1/procedures/101", params={"on": "2025-12-24"}, headers=clinic).json()
    assert (body["variant"], body["price"], body["jourtid"]) == ("normal", "1100.00", None)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"at": "2025-12-24T19:30:00"}, "has no time zone: give the offset"),
        ({"at": "2025-12-24T19:30:00", "q": "x"}, "has no time zone"),
        ({"at": "julafton"}, "is not an ISO 8601 date and time"),
        ({"at": "2025-12-24T19:30:00+01:00", "on": "2025-12-24"}, "give either at, or on"),
        ({"at": "2025-12-24T19:30:00+01:00", "variant": "jour"}, "give either at, or on"),
        ({}, "give on (a date) or at"),
    ],
)
def test_at_refusals_are_422_with_a_clear_message(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    params: dict[str, str],
    message: str,
) -> None:
    path = "/v1/procedures" if "q" in params else "/v1/procedures/101"
    response = client.get(path, params=params, headers=clinic)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_jour_check_prints_the_endpoints_json(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    cli_database: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["jour-check", "--json"]) == 0  # the jour taxa in force today
    printed = json.loads(capsys.readouterr().out)
    http = client.get(f"/v1/schedules/{bundled[1]}/jour-check", headers=admin).json()
    assert printed == http
    assert cli.main(["jour-check", str(bundled[1])]) == 0
    out = capsys.readouterr().out
    assert "378 items in both; findings:" in out and "  only_in_normal: 32" in out
    assert "price_differs\t926: published jour price 11130.00, the rule gives 19225.00" in out


def test_cli_derive_jour_stores_a_draft(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    cli_database: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["derive-jour", str(bundled[0])]) == 0
    out = capsys.readouterr().out
    schedules = client.get("/v1/schedules", params={"status": "draft"}, headers=admin).json()
    assert [(s["name"], s["variant"]) for s in schedules] == [
        ("Tandvårdstaxa 2025 - Jour (härledd)", "jour")
    ]
    assert out.startswith(f"draft jour schedule {schedules[0]['id']} ")
    assert "9 kept at the normal price" in out
    assert client.get("/v1/audit", headers=admin).json()[0]["actor"] == "cli"
    # A jour schedule cannot be derived from: an error on stderr, exit 1, nothing stored.
    assert cli.main(["derive-jour", str(bundled[1])]) == 1
    assert "derive from a normal one" in capsys.readouterr().err
    assert len(client.get("/v1/schedules", headers=admin).json()) == 3


def test_cli_derive_jour_with_a_rule_file(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    cli_database: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    rule = tmp_path / "rule.json"
    rule.write_text(json.dumps({"percent": "20", "rounding_step": "10", "source": "test"}))
    assert cli.main(["derive-jour", str(bundled[0]), "--rule", str(rule)]) == 0
    capsys.readouterr()
    draft = client.get("/v1/schedules", params={"status": "draft"}, headers=admin).json()[0]
    items = {
        i["code"]: i["price"]
        for i in client.get(f"/v1/schedules/{draft['id']}", headers=admin).json()["items"]
    }
    assert (items["101"], items["103"]) == ("1320.00", "620.00")  # 1320; 618 → 620
