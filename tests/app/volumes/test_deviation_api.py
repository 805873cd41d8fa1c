"""The 7 % deviation analysis through HTTP and the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from uploads import upload_example_volumes

import app.cli as cli
from app.config import Settings
from app.files import Limits
from app.taxa.schedules import items_of
from app.volumes.volume_sets import EXAMPLE_VOLUMES, parse_volume_file
from pricing.deviation import analyse_deviation, presented


def example_volumes(settings: Settings) -> dict[str, int]:
    limits = Limits(settings.max_rows, settings.max_xlsx_uncompressed_bytes)
    validation = parse_volume_file(EXAMPLE_VOLUMES.read_bytes(), EXAMPLE_VOLUMES.name, limits)
    assert validation.ok and validation.findings == ()
    return dict(validation.totals)


def board_key(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    response = client.post("/v1/keys", json={"role": "board", "name": "nämnden"}, headers=admin)
    return {"Authorization": f"Bearer {response.json()['key']}"}


def figures(f: Any) -> dict[str, Any]:
    """What FiguresOut must say about a pricing.deviation.Figures."""
    return {
        "items": f.items,
        "volume": f.volume,
        "revenue": str(f.revenue),
        "reference_revenue": str(f.reference_revenue),
        "limit_percent": str(f.limit_percent),
        "deviation_percent": None
        if f.deviation_percent is None
        else str(presented(f.deviation_percent)),
        "within": f.within,
        "headroom": str(presented(f.headroom)),
        "uniform_change_percent": None
        if f.uniform_change_percent is None
        else str(presented(f.uniform_change_percent)),
        "exact": {
            "deviation_percent": None
            if f.deviation_percent is None
            else format(f.deviation_percent, "f"),
            "headroom": format(f.headroom, "f"),
            "uniform_change_percent": None
            if f.uniform_change_percent is None
            else format(f.uniform_change_percent, "f"),
        },
    }


def test_bundled_2025_with_the_example_volumes_equals_the_analysis_called_directly(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    engine: Engine,
    settings: Settings,
) -> None:
    volumes_id = upload_example_volumes(client, admin)
    response = client.post(
        f"/v1/schedules/{bundled[0]}/deviation",
        json={"volumes_id": volumes_id},
        headers=board_key(client, admin),
    )
    assert response.status_code == 200, response.text
    body = response.json()

    with Session(engine) as session:
        items = items_of(session, bundled[0])
    a = analyse_deviation(items, example_volumes(settings))

    # The headline figures (data/README.md), then every figure against the direct call.
    assert (body["deviation_percent"], body["within"], body["headroom"]) == (
        "7.45",
        False,
        "-2220792.45",
    )
    assert (body["total"]["revenue"], body["total"]["reference_revenue"]) == (
        "528338150.00",
        "491698465.00",
    )
    assert (body["without_utbyte"]["deviation_percent"], body["without_utbyte"]["within"]) == (
        "6.77",
        True,
    )
    assert body["uniform_change_percent"] == "-0.42"
    assert Decimal(body["total"]["exact"]["deviation_percent"]) == a.deviation_percent
    assert body["total"] == figures(a.total)
    assert body["without_utbyte"] == figures(a.without_utbyte)
    assert body["utbyte"] == figures(a.utbyte)
    assert [(c["category"], c["figures"]) for c in body["by_category"]] == [
        (c.value if c else None, figures(f)) for c, f in a.by_category.items()
    ]
    assert [(g["group"], g["figures"]) for g in body["by_group"]] == [
        (g, figures(f)) for g, f in a.by_group.items()
    ]
    assert body["contributions_total"] == len(a.contributions) == 353
    assert [
        (c["key"], c["volume"], c["contribution"], c["utbyte"]) for c in body["contributions"]
    ] == [(c.key, c.volume, str(c.contribution), c.utbyte) for c in a.contributions]
    assert body["price_position"] == {
        "above": a.price_position.above,
        "at": a.price_position.at,
        "below": a.price_position.below,
    }
    left_out = body["left_out"]
    for name in ("intern", "no_reference", "no_volume"):
        assert [(o["key"], o["reason"], o["volume"], o["revenue"]) for o in left_out[name]] == [
            (o.key, o.reason.value, o.volume, str(o.revenue)) for o in getattr(a, name)
        ]
    assert left_out["revenue"] == str(a.left_out_revenue)
    assert [o["key"] for o in left_out["no_volume"]] == ["433S", "862"]
    assert body["unknown_volumes"] == [] and a.unknown_volumes == ()
    assert body["year_on_year"] is None
    assert body["notes"] == [
        "no previous schedule of the same owner and variant: no year-on-year change"
    ]
    assert body["volumes"]["id"] == volumes_id and body["volumes"]["codes"] == 400


# 101: 1100 against 1015; 141: 990 against 990. 154 × 1100 + 31 × 990 = 200 090 and
# 154 × 1015 + 31 × 990 = 187 000; 187 000 × 1.07 = 200 090: exactly 7 %.
AT_LIMIT = {"101": 154, "141": 31}


def test_two_codes_exactly_at_the_limit_are_within(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    response = client.post(
        f"/v1/schedules/{bundled[0]}/deviation", json={"volumes": AT_LIMIT, "top": 1}, headers=admin
    )
    assert response.status_code == 200, response.text
    body = response.json()
    total = body["total"]
    assert (total["revenue"], total["reference_revenue"], total["items"], total["volume"]) == (
        "200090.00",
        "187000.00",
        2,
        185,
    )
    assert (body["deviation_percent"], body["within"], body["headroom"]) == ("7.00", True, "0.00")
    assert total["exact"]["deviation_percent"] == "7" and body["uniform_change_percent"] == "0.00"
    assert body["limit_percent"] == "7"
    assert [(c["code"], c["contribution"]) for c in body["contributions"]] == [("101", "13090.00")]
    assert body["contributions_total"] == 2
    assert body["volumes"] == {
        "id": None,
        "name": None,
        "source_filename": None,
        "sha256": None,
        "codes": 2,
        "total_volume": 185,
    }


def test_one_more_basundersokning_is_just_over(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    # 155 × 1100 + 31 × 990 = 201 190 against 155 × 1015 + 31 × 990 = 188 015:
    # 13 175 × 100 / 188 015 = 7.0074…; headroom 188 015 × 1.07 − 201 190 = −13.95.
    response = client.post(
        f"/v1/schedules/{bundled[0]}/deviation",
        json={"volumes": {"101": 155, "141": 31}},
        headers=admin,
    )
    body = response.json()
    assert (body["deviation_percent"], body["within"], body["headroom"]) == (
        "7.01",
        False,
        "-13.95",
    )
    assert body["total"]["exact"]["deviation_percent"].startswith("7.007419620774938169826875515")
    # With a limit of 7.01 % it is within again.
    response = client.post(
        f"/v1/schedules/{bundled[0]}/deviation",
        json={"volumes": {"101": 155, "141": 31}, "limit_percent": "7.01"},
        headers=admin,
    )
    assert (response.json()["within"], response.json()["limit_percent"]) == (True, "7.01")


def test_volumes_for_codes_the_schedule_lacks_are_reported_not_dropped(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    volumes = {**AT_LIMIT, "925": 3, "9999": 12, "A11": 2}
    body = client.post(
        f"/v1/schedules/{bundled[0]}/deviation", json={"volumes": volumes}, headers=admin
    ).json()
    assert body["unknown_volumes"] == [{"code": "925", "volume": 3}, {"code": "9999", "volume": 12}]
    assert "2 volume(s) for codes not in the taxa are left out: 925, 9999" in body["notes"]
    assert body["deviation_percent"] == "7.00"  # unchanged by them
    a11 = [o for o in body["left_out"]["intern"] if o["code"] == "A11"]
    assert a11 == [
        {
            "key": "A11",
            "code": "A11",
            "reason": "intern",
            "volume": 2,
            "revenue": "4550.00",
            "detail": "intern code: no reference price, outside the state support",
        }
    ]


def test_year_on_year_against_the_previous_schedule(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    taxa_2026 = (
        "ATV-kod eller STV-kod;Åtgärdsgrupp;Extern / intern kod;Åtgärd;Åtgärdstext;"
        "FTV pris 2026;Referenspris 2026\n"
        "A;Us;Extern;101;Basundersökning;1 155;1 050\n"
        "A;Us;Extern;121;Röntgen;84;75\n"
        "A;Us;Extern;999;Ny åtgärd;100;90\n"
    ).encode()
    created = client.post(
        "/v1/imports",
        headers=admin,
        files={"file": ("t.csv", taxa_2026)},
        data={"name": "Tandvårdstaxa 2026", "valid_from": "2026-01-01"},
    )
    draft = created.json()["schedule_id"]
    body = client.post(
        f"/v1/schedules/{draft}/deviation", json={"volumes": {"101": 10, "121": 20}}, headers=admin
    ).json()
    yoy = body["year_on_year"]
    # Referenspris: (10 × 1050 + 20 × 75) / (10 × 1015 + 20 × 70) − 1 = 12 000 / 11 550 − 1
    # = 3.896…%; FTV price: (10 × 1155 + 20 × 84) / (10 × 1100 + 20 × 80) − 1 = 5 %.
    assert yoy["previous"]["id"] == bundled[0]
    assert (
        yoy["reference_change_percent"],
        yoy["price_change_percent"],
        yoy["price_change_all_percent"],
    ) == ("3.90", "5.00", "5.00")
    assert yoy["exact"]["reference_change_percent"].startswith("3.896103896103")
    assert (yoy["reference_codes"], yoy["all_codes"], yoy["new_codes"]) == (2, 2, ["999"])
    assert len(yoy["dropped_codes"]) == 400
    # An explicit previous schedule: the jour taxa, just to show it is the one used.
    explicit = client.post(
        f"/v1/schedules/{draft}/deviation",
        json={"volumes": {"101": 10}, "previous_id": bundled[1]},
        headers=admin,
    ).json()["year_on_year"]
    assert explicit["previous"]["id"] == bundled[1]
    assert explicit["price_change_percent"] == "-30.00"  # 1155 against 1650


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"volumes_id": 1, "volumes": {"101": 1}}, "body"),
        # One field notation for every error (issue 8): volumes["101"], not body.volumes.101.
        ({"volumes": {"101": -1}}, 'volumes["101"]'),
        ({"volumes": {"101": 1.5}}, 'volumes["101"]'),
        ({"volumes": {"101": "12"}}, 'volumes["101"]'),
        ({"volumes": {"101": 1}, "limit_percent": "-1"}, "limit_percent"),
    ],
)
def test_malformed_requests_are_422(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    body: dict[str, Any],
    field: str,
) -> None:
    response = client.post(f"/v1/schedules/{bundled[0]}/deviation", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["field"] == field


def test_roles_and_unknown_ids(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str], bundled: list[int]
) -> None:
    path = f"/v1/schedules/{bundled[0]}/deviation"
    assert client.post(path, json={"volumes": AT_LIMIT}, headers=clinic).status_code == 403
    assert client.post(path, json={"volumes": AT_LIMIT}).status_code == 401
    response = client.post(path, json={"volumes_id": 999}, headers=admin)
    assert (response.status_code, response.json()["detail"]) == (404, "no volume set with id 999")
    response = client.post("/v1/schedules/999/deviation", json={"volumes": AT_LIMIT}, headers=admin)
    assert response.status_code == 404


def test_cli_deviation_defaults_to_the_example_volumes_and_the_taxa_in_force(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    cli_database: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["deviation", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    volumes_id = upload_example_volumes(client, admin)
    http = client.post(
        f"/v1/schedules/{bundled[0]}/deviation", json={"volumes_id": volumes_id}, headers=admin
    ).json()
    assert printed["volumes"]["name"] == "EXAMPLE volumes: INVENTED, not real statistics"
    assert printed["volumes"]["sha256"] == http["volumes"]["sha256"]
    del printed["volumes"], http["volumes"]
    assert printed == http

    assert cli.main(["deviation", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("NOTE: the bundled EXAMPLE volumes are INVENTED, not real statistics")
    assert (
        "total: deviation 7.45 % (limit 7 %): NOT within; headroom -2 220 792.45 kr; "
        "revenue 528 338 150.00 kr against referenspris revenue 491 698 465.00 kr"
    ) in out
    assert "without utbytesåtgärder: deviation 6.77 % (limit 7 %): within;" in out
    assert "top 3 of 353 contributions" in out
    assert "  101: 49184 × (1100.00 − 1015.00) = 4 180 640.00 kr\n" in out
    assert "2 without volume: 433S, 862" in out

    assert cli.main(["deviation", "--volumes-id", str(volumes_id), "--limit", "7.5"]) == 0
    assert "total: deviation 7.45 % (limit 7.5 %): within;" in capsys.readouterr().out
    assert cli.main(["deviation", "--schedule", "999"]) == 1
    assert "no schedule with id 999" in capsys.readouterr().err
