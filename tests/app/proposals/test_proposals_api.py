"""Next year's taxa proposed within the 7 % rule, through HTTP and the CLI: the 2025 taxa with
the bundled example volumes against TLV's 2026 list, as a dry run and as drafts that are
activated and then answer lookups and quotes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from uploads import example_volumes, upload_example_volumes

import app.cli as cli
from app.auth import Role, create_key
from app.config import Settings
from app.db import transaction
from app.files import Limits
from app.models import AuditEvent, Schedule
from app.reference.bundled import load_bundled_reference_lists
from app.reference.lists import load_list
from app.taxa.schedules import items_of
from pricing.proposal import propose

REPO = Path(__file__).resolve().parents[3]
TAXA_CSV = REPO / "data" / "taxa" / "region-jonkoping-2025-normal.csv"


@pytest.fixture()
def lists(engine: Engine, settings: Settings) -> list[int]:
    """The bundled lists, as `taxa load-bundled` stores them: [2025 id, 2026 id]."""
    with transaction(engine) as session:
        return load_bundled_reference_lists(session, Limits.of(settings))


@pytest.fixture()
def volumes_id(client: TestClient, admin: dict[str, str]) -> int:
    """The bundled EXAMPLE volumes (invented figures) as a stored volume set."""
    return upload_example_volumes(client, admin)


@pytest.fixture()
def proposal_2026(lists: list[int], volumes_id: int) -> dict[str, Any]:
    """The usual proposal's body: TLV's 2026 list, the stored example volumes, from 2026-01-01."""
    return {"reference_list_id": lists[1], "volumes_id": volumes_id, "valid_from": "2026-01-01"}


def schedules(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Schedule)).all())


def post(
    client: TestClient, headers: dict[str, str], schedule_id: int, body: dict[str, Any]
) -> Any:
    return client.post(f"/v1/schedules/{schedule_id}/proposals", headers=headers, json=body)


def by_key(body: Any) -> dict[str, Any]:
    return {i["key"]: i for i in body["items"]}


# --- the solved proposal ------------------------------------------------------------------------


def test_a_solved_dry_run_of_the_2025_taxa_against_the_2026_list(
    client: TestClient,
    admin: dict[str, str],
    engine: Engine,
    settings: Settings,
    bundled: list[int],
    lists: list[int],
    volumes_id: int,
    proposal_2026: dict[str, Any],
) -> None:
    response = post(client, admin, bundled[0], {**proposal_2026, "dry_run": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert schedules(engine) == 2  # nothing stored

    # The largest uniform change on a 0.01 % grid within 7 % after rounding to 5 kr.
    assert (body["percent"], body["solved"], body["limit_percent"], body["target_percent"]) == (
        "7.17",
        True,
        "7",
        "7",
    )
    assert (body["deviation_percent"], body["within"], body["headroom"]) == (
        "7.00",
        True,
        "5988.65",
    )
    assert body["deviation"]["total"]["deviation_percent"] == "7.00"
    assert body["deviation_before"]["deviation_percent"] == "-0.11"

    # The same as the pure core called directly on the stored rows.
    with Session(engine) as session:
        items = items_of(session, bundled[0])
        _, view = load_list(session, lists[1])
        _, previous = load_list(session, lists[0])
    direct = propose(items, view.ref, example_volumes(settings), old_list=previous.ref)
    assert body["exact"]["percent"] == format(direct.percent, "f")
    assert body["exact"]["deviation_percent"] == format(direct.deviation_percent, "f")

    # Recomputed from the answer alone: Σ volume × new price against Σ volume × new reference.
    volumes = example_volumes(settings)
    compared = [
        i
        for i in body["items"]
        if i["kind"] == "extern" and i["new_reference"] and volumes.get(i["code"], 0) > 0
    ]
    revenue = sum(volumes[i["code"]] * Decimal(i["new_price"]) for i in compared)
    reference = sum(volumes[i["code"]] * Decimal(i["new_reference"]) for i in compared)
    assert str(revenue) == body["deviation"]["total"]["revenue"]
    assert (revenue / reference - 1) * 100 <= 7

    items_out = by_key(body)
    assert len(items_out) == len(items) == 410
    assert items_out["101"] | {"text": None} == {
        "key": "101",
        "code": "101",
        "kind": "extern",
        "category": "A",
        "group": "Us,riskbedömn och hälsofr åtg",
        "text": None,
        "unit": "per_atgard",
        "old_price": "1100.00",
        "new_price": "1180.00",
        "change": "80.00",
        "change_percent": "7.27",
        "old_reference": "1015.00",
        "new_reference": "1100.00",
        "rule": "uniform",
        "capped": None,
    }
    assert items_out["103S"]["new_reference"] == "585.00"
    for item in body["items"]:
        new = Decimal(item["new_price"])
        if item["unit"] == "per_krona" or item["kind"] == "intern":
            assert item["new_price"] == item["old_price"], item["key"]
        elif item["unit"] == "per_minute":
            assert new == new.to_integral_value(), item["key"]
        else:
            assert new % 5 == 0, item["key"]

    assert [n["code"] for n in body["needs_price"]] == ["340"]
    assert [v["code"] for v in body["variants"]][:2] == ["541H", "541SH"]
    rise = body["list_rise"]
    assert (rise["weighted_percent"], rise["median_percent"]) == ("7.57", "2.38")
    assert rise["previous"]["id"] == lists[0] and rise["previous"]["from_region_decision"]
    assert body["policy"] == {} and any("rounded to whole 5 kr" in r for r in body["rules"])
    gains = [c["code"] for c in body["crossings"] if c["gains"]]
    assert "111" in gains and len(body["crossings"]) == 116
    assert body["checks"]["diff"]["against"]["id"] == bundled[0]
    assert (body["checks"]["diff"]["changed"], body["checks"]["diff"]["unchanged"]) == (355, 55)
    assert body["stored"] is None and body["jour"]["schedule"] is None
    assert body["jour"]["rule_file"] == "region-jonkoping-2025.json"
    assert "the owner's latest" in body["jour"]["note"]

    # The same volumes inline give the same proposal.
    inline = post(
        client,
        admin,
        bundled[0],
        {
            "reference_list_id": lists[1],
            "volumes": volumes,
            "valid_from": "2026-01-01",
            "dry_run": True,
        },
    ).json()
    assert (inline["percent"], inline["headroom"]) == ("7.17", "5988.65")
    assert inline["volumes"]["id"] is None and body["volumes"]["id"] == volumes_id


def test_the_stored_drafts_activate_and_answer_the_new_prices(
    client: TestClient,
    admin: dict[str, str],
    clinic: dict[str, str],
    engine: Engine,
    bundled: list[int],
    volumes_id: int,
    proposal_2026: dict[str, Any],
) -> None:
    response = post(client, admin, bundled[0], proposal_2026)
    assert response.status_code == 201, response.text
    body = response.json()
    normal, jour = body["stored"], body["jour"]["schedule"]
    assert (normal["status"], normal["variant"], normal["valid_from"]) == (
        "draft",
        "normal",
        "2026-01-01",
    )
    assert (jour["status"], jour["variant"]) == ("draft", "jour")
    assert normal["name"] == "Tandvårdstaxa 2026 – förslag mot HSLF-FS 2025:68"
    with Session(engine) as session:
        assert session.get(Schedule, jour["id"]).derived_from_id == normal["id"]  # type: ignore[union-attr]
        proposed = {i.key: i for i in items_of(session, normal["id"])}
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("propose") == 1
    assert actions.count("import") == 4  # the bundled normal and jour taxa, and the drafts
    assert (proposed["101"].price, proposed["101"].reference_price) == (
        Decimal("1180.00"),
        Decimal("1100.00"),
    )

    # Nothing answers the draft's prices before activation.
    def price(on: str, variant: str = "normal") -> str:
        found = client.get(
            "/v1/procedures/101", params={"on": on, "variant": variant}, headers=clinic
        )
        assert found.status_code == 200, found.text
        return str(found.json()["price"])

    assert price("2026-03-01") == "1100.00"
    for schedule_id in (normal["id"], jour["id"]):
        activated = client.post(f"/v1/schedules/{schedule_id}/activate", headers=admin)
        assert activated.status_code == 200, activated.text
    assert (price("2025-06-01"), price("2026-03-01")) == ("1100.00", "1180.00")
    assert price("2026-03-01", "jour") == "1770.00"  # 1 180 × 1.5 (the 2025 rule)
    old = client.get(f"/v1/schedules/{bundled[0]}", headers=admin).json()
    assert old["valid_to"] == "2025-12-31"

    # A 2026 quote: the new price against TLV's 2026 reference price.
    quote = client.post(
        "/v1/quotes",
        headers=clinic,
        json={
            "patient": {"birth_date": "1980-05-10", "stb_eligible": False, "atb_available": "0"},
            "lines": [{"code": "101", "quantity": 1, "date": "2026-03-10"}],
        },
    ).json()
    line = quote["lines"][0]
    assert (line["schedule_id"], line["price"], line["reference_price"]) == (
        normal["id"],
        "1180.00",
        "1100.00",
    )

    # The board's report of the new taxa, against the 2026 list its items carry.
    report = client.get(
        f"/v1/schedules/{normal['id']}/report",
        params={"format": "html", "volumes_id": volumes_id},
        headers=admin,
    )
    assert report.status_code == 200, report.text
    assert "Tandvårdstaxa 2026" in report.text


def test_policies_combined_over_http(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    proposal_2026: dict[str, Any],
) -> None:
    policy = {
        "mode": "follow_reference",
        "max_rise_percent": "10",
        "keep_at_or_below_reference": True,
        "intern_percent": "3",
        "rounding_kr": 5,
    }
    response = post(
        client,
        admin,
        bundled[0],
        {
            **proposal_2026,
            "limit_percent": "7",
            "policy": policy,
            "dry_run": True,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["policy"] == policy and body["solved"] is True and body["within"] is True
    items = by_key(body)
    assert {i["rule"] for i in body["items"] if i["kind"] == "extern"} == {"follow_reference"}
    capped = [i for i in body["items"] if i["capped"] == "max_rise"]
    assert capped and all(Decimal(i["change_percent"]) <= 10 for i in capped)
    for item in body["items"]:
        if item["capped"] == "reference":
            assert Decimal(item["new_price"]) <= Decimal(item["new_reference"])
    # Intern codes and flat fees: + 3 %, rounded to 5 kr (951: 250 → 257.50 → 260).
    assert (items["951"]["rule"], items["951"]["new_price"]) == ("intern", "260.00")
    assert any("max_rise" in rule or "rises more than 10" in rule for rule in body["rules"])

    given = post(
        client,
        admin,
        bundled[0],
        {
            **proposal_2026,
            "policy": {"percent": "3"},
            "dry_run": True,
        },
    ).json()
    assert (given["percent"], given["solved"]) == ("3", False)
    assert by_key(given)["101"]["new_price"] == "1135.00"  # 1 100 × 1.03 = 1 133 → 1 135


# --- bad input ----------------------------------------------------------------------------------


BAD_BODIES = [
    ({"colour": "blue"}, "colour"),
    ({"policy": {"rounding": "5"}}, "policy.rounding"),
    ({"policy": {"percent": 5.5}}, "policy.percent"),
    ({"policy": {"mode": "cheaper"}}, "policy.mode"),
    ({"policy": {"target_percent": "8"}}, "policy.target_percent"),
    ({"policy": {"rounding_kr": "0"}}, "policy.rounding_kr"),
    ({"limit_percent": 7.5}, "limit_percent"),
    ({"valid_from": "2025-01-01"}, "valid_from"),
    ({"dry_run": "yes"}, "dry_run"),
]


@pytest.mark.parametrize(("change", "field"), BAD_BODIES)
def test_bad_requests_name_the_field_and_store_nothing(
    client: TestClient,
    admin: dict[str, str],
    engine: Engine,
    bundled: list[int],
    change: dict[str, Any],
    field: str,
    proposal_2026: dict[str, Any],
) -> None:
    body = {**proposal_2026, **change}
    response = post(client, admin, bundled[0], body)
    assert response.status_code == 422, response.text
    assert field in [p["field"] for p in response.json()["problems"]]
    assert schedules(engine) == 2


def test_a_limit_no_rounding_can_meet_says_why_and_the_nearest_figures(
    client: TestClient,
    admin: dict[str, str],
    engine: Engine,
    bundled: list[int],
    proposal_2026: dict[str, Any],
) -> None:
    response = post(
        client,
        admin,
        bundled[0],
        {
            **proposal_2026,
            "limit_percent": "0",
            "policy": {"rounding_kr": "1000"},
        },
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert "no rounding meets the limit" in body["detail"]
    problems = {p["field"]: p["value"] for p in body["problems"]}
    assert problems == {
        "limit_percent": "0",
        "nearest.deviation_below": "-0.42",
        "nearest.deviation_above": "0.17",
        "nearest.percent_below": "1.07",
        "nearest.percent_above": "1.08",
    }
    assert schedules(engine) == 2


def test_the_list_must_be_next_years(
    client: TestClient,
    admin: dict[str, str],
    engine: Engine,
    bundled: list[int],
    lists: list[int],
    volumes_id: int,
) -> None:
    # The 2025 list ends before a 2026 taxa starts.
    ended = post(
        client,
        admin,
        bundled[0],
        {"reference_list_id": lists[0], "volumes_id": volumes_id, "valid_from": "2026-01-01"},
    )
    assert ended.status_code == 422
    assert ended.json()["problems"][0]["field"] == "reference_list_id"
    assert "ends 2025-12-31" in ended.json()["detail"]
    # A taxa from 2026-02-01: the 2026 list starts before it.
    imported = client.post(
        "/v1/imports",
        headers=admin,
        data={"name": "Tandvårdstaxa feb 2026", "valid_from": "2026-02-01"},
        files={"file": (TAXA_CSV.name, TAXA_CSV.read_bytes())},
    )
    assert imported.status_code == 201, imported.text
    later = imported.json()["schedule_id"]
    before = post(
        client,
        admin,
        later,
        {"reference_list_id": lists[1], "volumes_id": volumes_id, "valid_from": "2027-01-01"},
    )
    assert before.status_code == 422, before.text
    assert before.json()["problems"][0]["field"] == "reference_list_id"
    assert "before the taxa" in before.json()["detail"]
    assert schedules(engine) == 3


def test_ids_that_name_nothing_and_a_jour_taxa(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    proposal_2026: dict[str, Any],
) -> None:
    body = proposal_2026
    assert post(client, admin, 999, body).status_code == 404
    assert post(client, admin, bundled[0], {**body, "reference_list_id": 999}).status_code == 404
    assert post(client, admin, bundled[0], {**body, "volumes_id": 999}).status_code == 404
    jour = post(client, admin, bundled[1], body)
    assert jour.status_code == 409 and "jour" in jour.json()["detail"]
    both = post(client, admin, bundled[0], {**body, "volumes": {"101": 1}})
    assert both.status_code == 422


def test_who_may_propose(
    client: TestClient,
    admin: dict[str, str],
    clinic: dict[str, str],
    engine: Engine,
    bundled: list[int],
    proposal_2026: dict[str, Any],
) -> None:
    body = proposal_2026
    board = client.post("/v1/keys", json={"role": "board", "name": "nämnden"}, headers=admin)
    board_headers = {"Authorization": f"Bearer {board.json()['key']}"}
    assert post(client, clinic, bundled[0], {**body, "dry_run": True}).status_code == 403
    assert post(client, board_headers, bundled[0], {**body, "dry_run": True}).status_code == 200
    assert post(client, board_headers, bundled[0], body).status_code == 403
    with transaction(engine) as session:
        _, key = create_key(session, Role.ADMIN, "another region", owners=["region-x"])
    other = post(client, {"Authorization": f"Bearer {key}"}, bundled[0], body)
    assert other.status_code == 403
    assert schedules(engine) == 2


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_propose_dry_run_and_stored(
    engine: Engine,
    cli_database: None,
    bundled: list[int],
    lists: list[int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [
        "propose",
        "--list",
        str(lists[1]),
        "--valid-from",
        "2026-01-01",
        "--on",
        "2025-06-01",
        "--example-volumes",
    ]
    assert cli.main([*args, "--dry-run", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "INVENTED" in out and "extern prices: 7.17 % (solved" in out
    assert "deviation after rounding: 7.00 %: within" in out
    assert "need a price (new in the list): 340" in out and "dry run: nothing stored" in out
    assert schedules(engine) == 2

    assert cli.main([*args, "--percent", "3", "--rounding", "1", "--mode", "uniform"]) == 0
    out = capsys.readouterr().out
    assert "extern prices: 3 % (given" in out and "stored as draft schedule" in out
    assert schedules(engine) == 4

    assert cli.main([*args, "--policy", '{"rounding": 5}', "--dry-run"]) == 1
    assert "policy.rounding" in capsys.readouterr().err
