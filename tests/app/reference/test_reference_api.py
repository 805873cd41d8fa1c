"""TLV's reference lists through HTTP and the CLI: import as published, read, map codes, check a
taxa, the deviation against a list with the list's own rise, and quotes on the list in force."""

from __future__ import annotations

import threading
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
from app.main import create_app
from app.models import AuditEvent, ReferenceCodeRow, ReferenceListRow
from app.reference.bundled import load_bundled_reference_lists
from app.reference.lists import with_list_prices
from app.taxa.schedules import items_of
from pricing.deviation import analyse_deviation, presented

REPO = Path(__file__).resolve().parents[3]
SHARED_XLSX = REPO.parent / "shared" / "reference" / "tlv-referenspriser-2026-01-01.xlsx"
DATA_XLSX = REPO / "data" / "reference" / "tlv-referenspriser-2026-01-01.xlsx"
TESTS_CSV = REPO / "tests" / "data" / "tlv-referenspriser-2026-01-01.csv"
LIST_2025 = REPO / "data" / "reference" / "region-jonkoping-2025-from-taxa.csv"
TAXA_CSV = REPO / "data" / "taxa" / "region-jonkoping-2025-normal.csv"
SHA_2026 = "4bcf4eda75f55c189fcefeb436bfd5074611f9c60a89416c7535e06ca91f2861"


def upload(
    client: TestClient, headers: dict[str, str], content: bytes, filename: str, **form: str
) -> Any:
    return client.post(
        "/v1/reference-lists", headers=headers, data=form, files={"file": (filename, content)}
    )


def upload_path(client: TestClient, headers: dict[str, str], path: Path, **form: str) -> Any:
    """``upload`` of a file on disk under its own name."""
    return upload(client, headers, path.read_bytes(), path.name, **form)


def import_2025(client: TestClient, admin: dict[str, str], **form: str) -> int:
    response = upload_path(
        client, admin, LIST_2025, name="HSLF-FS 2024:11", origin="region_decision", **form
    )
    assert response.status_code == 201, response.text
    return int(response.json()["reference_list"]["id"])


def import_2026(client: TestClient, admin: dict[str, str], **form: str) -> Any:
    response = upload_path(client, admin, DATA_XLSX, name="HSLF-FS 2025:68", **form)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture()
def lists(engine: Engine, settings: Settings) -> list[int]:
    """The bundled lists, as `taxa load-bundled` stores them: [2025 id, 2026 id]."""
    with transaction(engine) as session:
        return load_bundled_reference_lists(session, Limits.of(settings))


def stored_lists(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            len(session.exec(select(ReferenceListRow)).all()),
            len(session.exec(select(ReferenceCodeRow)).all()),
        )


# --- importing TLV's file as published ------------------------------------------------------


SOURCES_2026 = [
    pytest.param(
        SHARED_XLSX,
        id="shared-xlsx",
        marks=pytest.mark.skipif(
            not SHARED_XLSX.exists(), reason="../shared is not beside the project"
        ),
    ),
    pytest.param(TESTS_CSV, id="tests-csv"),
    pytest.param(DATA_XLSX, id="data-xlsx"),
]


@pytest.mark.parametrize("source", SOURCES_2026)
def test_tlvs_2026_file_imports_as_published(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str], source: Path
) -> None:
    response = upload_path(client, admin, source, name="HSLF-FS 2025:68", valid_to="2027-01-14")
    assert response.status_code == 201, response.text
    body = response.json()
    ref = body["reference_list"]
    # valid_from defaults to the date the headings state ("fr o m 1 jan 2026").
    assert (ref["valid_from"], ref["valid_to"], body["stated_valid_from"]) == (
        "2026-01-01",
        "2027-01-14",
        "2026-01-01",
    )
    assert (ref["origin"], ref["from_region_decision"]) == ("tlv_file", False)
    assert (body["codes"], body["general_prices"], body["specialist_prices"]) == (200, 198, 195)
    assert body["dry_run"] is False and body["previous"] is None and body["ended"] is None
    if source.suffix == ".xlsx":
        assert body["sha256"] == SHA_2026

    detail = client.get(f"/v1/reference-lists/{ref['id']}", headers=clinic).json()
    assert detail["codes"] == len(detail["entries"]) == 200
    assert detail["imported_by"].startswith("key:") and detail["source_filename"] == source.name
    entries = {e["code"]: e for e in detail["entries"]}
    assert (entries["103"]["general"], entries["103"]["specialist"]) == ("445.00", "585.00")
    assert (entries["111"]["general"], entries["111"]["specialist"]) == ("985.00", None)
    assert (entries["115"]["general"], entries["115"]["specialist"]) == (None, "1060.00")
    # TLV's calculation figure is kept to the last decimal it was published with.
    assert entries["607"]["technical"] == "26.92826271744"
    assert entries["420"]["material"] == "Titan"
    assert entries["103"]["row"] == 3
    assert [e["code"] for e in detail["entries"]][:3] == ["101", "103", "107"]


def test_a_dry_run_checks_and_stores_nothing(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    response = upload_path(client, admin, TESTS_CSV, name="HSLF-FS 2025:68", dry_run="true")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dry_run"] is True and body["reference_list"]["id"] is None
    assert body["codes"] == 200
    assert stored_lists(engine) == (0, 0)
    assert client.get("/v1/reference-lists", headers=admin).json() == []


def test_340_is_new_against_the_2025_list(client: TestClient, admin: dict[str, str]) -> None:
    first = import_2025(client, admin, valid_to="2025-12-31")
    body = import_2026(client, admin, valid_to="2027-01-14")
    assert body["previous"]["id"] == first and body["previous"]["from_region_decision"] is True
    change = body["change"]
    assert change["new_codes"] == ["340"] and change["dropped_codes"] == []
    assert change["median_percent"] == "2.38"  # domain.md: the list rose about 2.4 %
    assert change["weighted_percent"] is None  # no volumes on an import
    listed = client.get("/v1/reference-lists", headers=admin).json()
    assert [(x["name"], x["valid_from"], x["codes"]) for x in listed] == [
        ("HSLF-FS 2025:68", "2026-01-01", 200),
        ("HSLF-FS 2024:11", "2025-01-15", 199),
    ]


def test_the_next_list_closes_an_open_end_and_any_other_overlap_is_refused(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    first = import_2025(client, admin)  # open-ended: the 2026 date is not known yet
    body = import_2026(client, admin)
    assert body["ended"] == {**body["previous"], "valid_to": "2025-12-31"}
    assert body["ended"]["id"] == first
    stored = client.get(f"/v1/reference-lists/{first}", headers=admin).json()
    assert stored["valid_to"] == "2025-12-31"
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("import_reference_list") == 2

    before = stored_lists(engine)
    # The same list again, and a list starting inside the (now closed) 2025 list.
    for form in ({}, {"valid_from": "2025-06-01", "valid_to": "2025-12-31"}):
        response = upload_path(client, admin, TESTS_CSV, name="HSLF-FS 2025:68", **form)
        assert response.status_code == 409, response.text
        error = response.json()
        assert error["error"] == "conflict" and "overlaps list" in error["detail"]
        assert error["problems"][0]["field"] in ("valid_from", "valid_to")
    assert stored_lists(engine) == before


def test_two_imports_of_one_list_at_the_same_moment_store_one(
    engine: Engine, settings: Settings, admin: dict[str, str]
) -> None:
    """Two workers, released together: the database (PostgreSQL's exclusion constraint, SQLite's
    serialised writes) lets exactly one list in; the other gets 409, whatever the timing."""
    content = TESTS_CSV.read_bytes()

    def race(clients: tuple[TestClient, TestClient]) -> list[int]:
        barrier = threading.Barrier(2)
        found = [0, 0]

        def run(index: int) -> None:
            barrier.wait()
            found[index] = upload(
                clients[index], admin, content, TESTS_CSV.name, name="HSLF-FS 2025:68"
            ).status_code

        threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(found)

    apps = [create_app(settings), create_app(settings)]
    statuses: list[int] = []
    try:
        with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
            for client in (one, two):  # the first request of an app builds its validators
                assert (
                    upload(
                        client, admin, content, TESTS_CSV.name, name="x", dry_run="true"
                    ).status_code
                    == 200
                )
            for _ in range(3):
                with transaction(engine) as session:
                    session.execute(ReferenceCodeRow.__table__.delete())  # type: ignore[attr-defined]
                    session.execute(ReferenceListRow.__table__.delete())  # type: ignore[attr-defined]
                statuses.extend(race((one, two)))
                assert stored_lists(engine) == (1, 200)
    finally:
        for app in apps:
            app.state.engine.dispose()
    assert statuses == [201, 409] * 3


def test_a_file_that_is_not_tlvs_layout(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    response = upload_path(client, admin, TAXA_CSV, name="x", valid_from="2026-01-01")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "file_rejected"
    # The service's own taxa format has a code and a text, but no reference price columns.
    assert {p["column"] for p in body["problems"]} == {
        "Referenspris allmäntandvård",
        "Referenspris specialisttandvård",
    }
    assert all("not TLV's reference list layout" in p["message"] for p in body["problems"])
    assert stored_lists(engine) == (0, 0)


def test_every_problem_of_a_bad_file_at_once(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    content = (
        "Åtgärdsnummer;Åtgärdsnamn;Referenspris allmäntandvård;Referenspris specialisttandvård\n"
        "101;Basundersökning;1100;1100\n"
        "1O3;Kompletterande undersökning;445;585\n"  # a letter O, not a zero
        "107;Undersökning;-50;-\n"
        "108;Undersökning;12,345;-\n"
        "101;Basundersökning igen;1100;1100\n"
        "111;;985;-\n"
        "112;Utan pris;-;-\n"
    ).encode()
    response = upload(client, admin, content, "lista.csv", name="x", valid_from="2026-01-01")
    assert response.status_code == 422, response.text
    problems = [(p["row"], p["column"], p["value"]) for p in response.json()["problems"]]
    assert problems == [
        (3, "Åtgärdsnummer", "1O3"),
        (4, "Referenspris allmäntandvård", "-50"),
        (5, "Referenspris allmäntandvård", "12,345"),
        (6, "Åtgärdsnummer", "101"),
        (7, "Åtgärdsnamn", None),
        (8, "Referenspris allmäntandvård", "-"),
    ]
    assert stored_lists(engine) == (0, 0)


def test_hostile_files_get_the_uploads_limits(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    not_xlsx = upload(client, admin, b"\x00\x01 not a workbook", "lista.xlsx", name="x")
    assert not_xlsx.status_code == 415
    not_a_sheet = upload(client, admin, b"%PDF-1.7", "lista.pdf", name="x")
    assert not_a_sheet.status_code == 415
    wide = (
        "Åtgärdsnummer,Åtgärdsnamn,Referenspris allmäntandvård,Referenspris "
        "specialisttandvård" + ",x" * 200 + "\n"
    ).encode()
    assert upload(client, admin, wide, "lista.csv", name="x").status_code == 413
    nul = upload_path(client, admin, TESTS_CSV, name="HSLF\x00")
    assert nul.status_code == 422 and nul.json()["problems"][0]["field"] == "name"
    origin = upload_path(client, admin, TESTS_CSV, name="x", origin="guessed")
    assert origin.status_code == 422 and origin.json()["problems"][0]["field"] == "origin"
    assert stored_lists(engine) == (0, 0)


def test_dates_that_cannot_be(client: TestClient, admin: dict[str, str], engine: Engine) -> None:
    response = upload_path(
        client, admin, TESTS_CSV, name="x", valid_from="2026-01-01", valid_to="2025-12-31"
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "valid_to"
    undated = (
        "Åtgärdsnummer,Åtgärdsnamn,Referenspris allmäntandvård,Referenspris "
        "specialisttandvård\n101,Basundersökning,1100,1100\n"
    ).encode()
    response = upload(client, admin, undated, "utan-datum.csv", name="x")
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "valid_from"
    response = upload(client, admin, undated, "utan-datum.csv", name="x", valid_from="2026-02-30")
    assert response.status_code == 422
    assert stored_lists(engine) == (0, 0)


def test_who_may_read_and_import(
    client: TestClient,
    admin: dict[str, str],
    clinic: dict[str, str],
    engine: Engine,
    lists: list[int],
) -> None:
    board = client.post("/v1/keys", json={"role": "board", "name": "nämnden"}, headers=admin)
    board_headers = {"Authorization": f"Bearer {board.json()['key']}"}
    for headers in (clinic, board_headers, admin):
        assert client.get("/v1/reference-lists", headers=headers).status_code == 200
        assert (
            client.get(f"/v1/reference-lists/{lists[1]}/codes/103S", headers=headers).status_code
            == 200
        )
    assert client.get("/v1/reference-lists").status_code == 401
    for headers in (clinic, board_headers):
        response = upload_path(client, headers, TESTS_CSV, name="x", valid_from="2028-01-01")
        assert response.status_code == 403
    with transaction(engine) as session:
        _, key = create_key(session, Role.ADMIN, "one region", owners=["region-jonkoping"])
    response = upload_path(
        client, {"Authorization": f"Bearer {key}"}, TESTS_CSV, name="x", valid_from="2028-01-01"
    )
    assert response.status_code == 403 and "national" in response.json()["detail"]
    assert stored_lists(engine)[0] == 2


# --- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "tlv", "column", "variant", "price"),
    [
        ("103", "103", "general", None, "445.00"),
        ("103S", "103", "specialist", None, "585.00"),
        ("541H", "541", "general", "H", "4410.00"),
        ("541SH", "541", "specialist", "H", "5665.00"),
        ("111S", "111", "specialist", None, None),  # TLV's "-": no specialist price
        ("115", "115", "general", None, None),
        ("0101", "101", "general", None, "1100.00"),
    ],
)
def test_region_codes_map_onto_tlvs(
    client: TestClient,
    clinic: dict[str, str],
    lists: list[int],
    code: str,
    tlv: str,
    column: str,
    variant: str | None,
    price: str | None,
) -> None:
    response = client.get(f"/v1/reference-lists/{lists[1]}/codes/{code}", headers=clinic)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        body["code"],
        body["tlv_code"],
        body["column"],
        body["variant"],
        body["reference_price"],
    ) == (code, tlv, column, variant, price)
    assert body["entry"]["code"] == tlv and body["reference_list"]["id"] == lists[1]
    notes = " ".join(body["notes"])
    assert ("confirm" in notes) == (variant is not None)
    assert ("'-'" in notes) == (price is None)


def test_codes_that_name_nothing_are_404(
    client: TestClient, clinic: dict[str, str], lists: list[int]
) -> None:
    for path, field in [
        (f"/v1/reference-lists/{lists[1]}/codes/A11", "code"),
        (f"/v1/reference-lists/{lists[1]}/codes/999", "code"),
        ("/v1/reference-lists/99999/codes/101", "list_id"),
        ("/v1/reference-lists/99999999999", "list_id"),
    ]:
        response = client.get(path, headers=clinic)
        assert response.status_code == 404, path
        assert response.json()["problems"][0]["field"] == field
    # 340 is new in 2026: the 2025 list does not have it.
    assert (
        client.get(f"/v1/reference-lists/{lists[0]}/codes/340", headers=clinic).status_code == 404
    )


# --- a taxa against a list --------------------------------------------------------------------


def test_the_2025_taxa_against_the_2026_list(
    client: TestClient, clinic: dict[str, str], bundled: list[int], lists: list[int]
) -> None:
    response = client.get(
        f"/v1/schedules/{bundled[0]}/reference-check",
        params={"reference_list_id": lists[1]},
        headers=clinic,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reference_list"]["name"] == "HSLF-FS 2025:68"
    assert (body["compared"], body["unchanged"], len(body["differences"])) == (355, 3, 352)
    assert body["consistent"] is False and body["only_in_taxa"] == []
    assert [(e["code"], e["general"], e["specialist"]) for e in body["only_in_list"]] == [
        ("340", "525.00", "575.00")
    ]
    assert [v["code"] for v in body["variants"]] == [
        "541H",
        "541SH",
        "861L",
        "861SL",
        "862L",
        "862SL",
        "863L",
        "863SL",
        "865L",
        "865SL",
    ]
    by_code = {d["code"]: d for d in body["differences"]}
    assert by_code["101"] == {
        "code": "101",
        "tlv_code": "101",
        "column": "general",
        "taxa_reference": "1015.00",
        "list_reference": "1100.00",
        "change": "85.00",
        "change_percent": "8.37",
    }
    assert (by_code["103S"]["taxa_reference"], by_code["103S"]["list_reference"]) == (
        "580.00",
        "585.00",
    )


def test_the_2025_taxa_is_its_own_2025_list(
    client: TestClient, clinic: dict[str, str], bundled: list[int], lists: list[int]
) -> None:
    body = client.get(
        f"/v1/schedules/{bundled[0]}/reference-check",
        params={"reference_list_id": lists[0]},
        headers=clinic,
    ).json()
    assert body["consistent"] is True and body["reference_list"]["from_region_decision"] is True
    assert (body["compared"], body["unchanged"], body["differences"]) == (355, 355, [])


def test_reference_check_needs_a_list_that_exists(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    missing = client.get(f"/v1/schedules/{bundled[0]}/reference-check", headers=clinic)
    assert missing.status_code == 422
    assert missing.json()["problems"][0]["field"] == "reference_list_id"
    unknown = client.get(
        f"/v1/schedules/{bundled[0]}/reference-check",
        params={"reference_list_id": 4},
        headers=clinic,
    )
    assert unknown.status_code == 404
    assert unknown.json()["problems"][0]["field"] == "reference_list_id"


# --- the deviation against a list -------------------------------------------------------------


def test_deviation_against_the_2026_list_with_the_lists_own_rise(
    client: TestClient,
    admin: dict[str, str],
    engine: Engine,
    settings: Settings,
    bundled: list[int],
    lists: list[int],
) -> None:
    volumes_id = upload_example_volumes(client, admin)
    response = client.post(
        f"/v1/schedules/{bundled[0]}/deviation",
        headers=admin,
        json={"volumes_id": volumes_id, "reference_list_id": lists[1]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    with Session(engine) as session:
        items = items_of(session, bundled[0])
    from app.reference.lists import load_list

    with Session(engine) as session:
        _, view = load_list(session, lists[1])
    direct = analyse_deviation(with_list_prices(items, view.ref), example_volumes(settings))
    assert body["total"]["revenue"] == str(direct.total.revenue)
    assert body["total"]["reference_revenue"] == str(direct.total.reference_revenue)
    assert body["deviation_percent"] == str(presented(direct.total.deviation_percent)) == "-0.11"
    assert body["reference_list"]["id"] == lists[1]
    rise = body["list_rise"]
    assert rise["previous"]["id"] == lists[0] and rise["previous"]["from_region_decision"]
    assert (rise["weighted_percent"], rise["median_percent"]) == ("7.57", "2.38")
    assert (rise["compared"], rise["new_codes"], rise["dropped_codes"]) == (345, ["340"], [])
    assert any("HSLF-FS 2025:68" in note for note in body["notes"])

    plain = client.post(
        f"/v1/schedules/{bundled[0]}/deviation", headers=admin, json={"volumes_id": volumes_id}
    ).json()
    assert plain["reference_list"] is None and plain["list_rise"] is None
    assert plain["deviation_percent"] != body["deviation_percent"]


def test_the_rise_without_a_stored_list_before_is_measured_from_the_taxa(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    """Only the 2026 list stored: the rise is measured from the taxa's own referenspris column,
    which is the 2025 list, so the figure is the same, and the answer says where it came from."""
    new = import_2026(client, admin)["reference_list"]["id"]
    volumes_id = upload_example_volumes(client, admin)
    body = client.post(
        f"/v1/schedules/{bundled[0]}/deviation",
        headers=admin,
        json={"volumes_id": volumes_id, "reference_list_id": new},
    ).json()
    rise = body["list_rise"]
    assert rise["previous"] is None and "referenspris column" in rise["note"]
    assert rise["weighted_percent"] == "7.57"


# --- quotes on the list in force --------------------------------------------------------------


def quote(client: TestClient, headers: dict[str, str], *lines: dict[str, Any]) -> Any:
    response = client.post(
        "/v1/quotes",
        headers=headers,
        json={
            "patient": {"birth_date": "1980-05-10", "stb_eligible": False, "atb_available": "0"},
            "lines": list(lines),
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_quotes_take_the_reference_price_of_the_list_in_force_on_each_line(
    client: TestClient, clinic: dict[str, str], bundled: list[int], lists: list[int]
) -> None:
    body = quote(
        client,
        clinic,
        {"code": "101", "quantity": 1, "date": "2025-01-10"},
        {"code": "101", "quantity": 1, "date": "2025-03-10"},
        {"code": "101", "quantity": 1, "date": "2026-03-10"},
        {"code": "103S", "quantity": 1, "date": "2026-03-10"},
        {"code": "103S", "quantity": 1, "date": "2026-03-10", "specialist_referral": True},
        {"code": "101", "quantity": 1, "date": "2027-02-01"},
    )
    before, y2025, y2026, s_plain, s_referred, after = body["lines"]
    # Before 2025-01-15 and after 2027-01-14 no list covers the day: the taxa's column.
    for line, day in ((before, "2025-01-10"), (after, "2027-02-01")):
        assert line["reference_price"] == "1015.00"
        assert line["notes"][0] == (
            f"no TLV reference list covers {day}: the reference price "
            "is the taxa's own referenspris column"
        )
    assert y2025["reference_price"] == "1015.00"
    assert y2025["notes"][0] == (
        "reference price from HSLF-FS 2024:11 (taken from the "
        "region's taxa decision), in force 2025-01-15 – 2025-12-31"
    )
    # 2026: TLV's 2026 list, although the 2025 taxa (no end date) prices the line.
    assert (y2026["price"], y2026["reference_price"]) == ("1100.00", "1100.00")
    assert y2026["schedule_id"] == bundled[0]
    assert (
        y2026["notes"][0] == "reference price from HSLF-FS 2025:68, in force 2026-01-01 – "
        "2027-01-14"
    )
    # 103S: the general price of 103 without referral, the specialist price with it.
    assert (s_plain["reference_price"], s_plain["reference_code"]) == ("445.00", "103")
    assert (s_referred["reference_price"], s_referred["reference_code"]) == ("585.00", "103S")


def test_a_code_the_list_does_not_price_gets_no_support_and_says_why(
    client: TestClient, clinic: dict[str, str], bundled: list[int], lists: list[int]
) -> None:
    """115 has no general price in TLV's 2026 list: 115S without referral falls back to 115."""
    line = quote(client, clinic, {"code": "115S", "quantity": 1, "date": "2026-03-10"})["lines"][0]
    assert line["reference_price"] is None and line["state"] == "0.00"
    assert "HSLF-FS 2025:68" in line["notes"][0] and "no reference price" in line["notes"][0]


def test_an_imported_list_reaches_the_quotes_at_once(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str], bundled: list[int]
) -> None:
    line = {"code": "101", "quantity": 1, "date": "2026-03-10"}
    first = quote(client, clinic, line)["lines"][0]
    assert first["reference_price"] == "1015.00"  # no list stored: as before this feature
    assert not any("reference list" in n or "HSLF" in n for n in first["notes"])
    import_2026(client, admin)
    second = quote(client, clinic, line)["lines"][0]
    assert second["reference_price"] == "1100.00"
    assert "HSLF-FS 2025:68" in second["notes"][0]


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_load_bundled_import_list_show_and_check(
    engine: Engine,
    cli_database: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["load-bundled"]) == 0
    out = capsys.readouterr().out
    assert "as schedules [" in out and "as reference lists [" in out
    assert cli.main(["load-bundled"]) == 0
    assert "bundled lists not loaded" in capsys.readouterr().out
    with Session(engine) as session:
        rows = session.exec(select(ReferenceListRow).order_by(ReferenceListRow.valid_from)).all()
        assert [(r.name, str(r.valid_from), str(r.valid_to), r.origin) for r in rows] == [
            ("HSLF-FS 2024:11", "2025-01-15", "2025-12-31", "region_decision"),
            ("HSLF-FS 2025:68", "2026-01-01", "2027-01-14", "tlv_file"),
        ]
        first, second = (r.id for r in rows)

    assert cli.main(["reference", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].startswith(f"{second}\t2026-01-01\t2027-01-14\t200 codes\ttlv_file")

    assert cli.main(["reference", "show", str(second), "--code", "861SL"]) == 0
    out = capsys.readouterr().out
    assert "TLV åtgärd 861" in out and "specialist price" in out and "confirm" in out

    assert cli.main(["reference", "check", "--list", str(second), "--on", "2025-06-01"]) == 0
    out = capsys.readouterr().out
    assert "355 extern codes priced by the list: 3 unchanged, 352 differ" in out
    assert "101: 1015.00 -> 1100.00 (8.37 %)" in out
    assert "each needs a price): 340" in out

    assert cli.main(["deviation", "--on", "2025-06-01", "--list", str(second), "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "total: deviation -0.11 %" in out
    assert "the reference list's own rise on HSLF-FS 2024:11: weighted 7.57 %" in out

    # A dry run of the tests' copy, then a real import that overlaps: refused, exit 1.
    assert (
        cli.main(
            [
                "reference",
                "import",
                str(TESTS_CSV),
                "--name",
                "HSLF-FS 2025:68",
                "--valid-from",
                "2027-01-15",
                "--dry-run",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "200 åtgärder" in out and "dry run: nothing stored" in out
    assert cli.main(["reference", "import", str(TESTS_CSV), "--name", "x"]) == 1
    assert "overlaps list" in capsys.readouterr().err
    assert first is not None
