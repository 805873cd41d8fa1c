"""Clinic systems' lookups, keys and roles, and the OpenAPI description."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.auth import hash_key
from app.models import ApiKey


def test_health_needs_no_key(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/v1/procedures/101?on=2025-03-01"),
        ("get", "/v1/procedures?on=2025-03-01"),
        ("get", "/v1/schedules"),
        ("get", "/v1/schedules/1"),
        ("get", "/v1/schedules/1/export"),
        ("post", "/v1/imports"),
        ("post", "/v1/schedules/1/activate"),
        ("post", "/v1/schedules/1/retire"),
        ("get", "/v1/audit"),
        ("post", "/v1/keys"),
    ],
)
def test_every_endpoint_but_health_needs_a_key(client: TestClient, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    wrong = getattr(client, method)(path, headers={"Authorization": "Bearer taxa_nope"})
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/v1/imports"),
        ("post", "/v1/schedules/1/activate"),
        ("post", "/v1/schedules/1/retire"),
        ("get", "/v1/audit"),
        ("post", "/v1/keys"),
    ],
)
def test_clinic_role_may_not_write(
    client: TestClient, clinic: dict[str, str], method: str, path: str
) -> None:
    response = getattr(client, method)(path, headers=clinic)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_keys_are_stored_hashed_and_work_at_once(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    response = client.post(
        "/v1/keys", json={"role": "clinic", "name": "T4 Jönköping"}, headers=admin
    )
    assert response.status_code == 201
    key = response.json()["key"]
    with Session(engine) as session:
        stored = session.exec(select(ApiKey).where(ApiKey.name == "T4 Jönköping")).one()
    assert stored.key_hash == hash_key(key) and key not in stored.key_hash
    assert (
        client.get("/v1/schedules", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )
    assert client.get("/v1/audit", headers=admin).json()[0]["action"] == "create_key"


def test_lookup_answers_price_texts_and_its_schedule(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    body = client.get("/v1/procedures/401", params={"on": "2025-06-01"}, headers=clinic).json()
    # Seed lines 798 and 810: 401 on two rows, 1 370 against referenspris 1 265.
    assert (body["price"], body["reference_price"]) == ("1370.00", "1265.00")
    assert body["code"] == "401" and body["kind"] == "extern" and body["category"] == "A"
    assert body["text"] == "Tandextraktion, en tand"
    assert body["alternative_texts"] == ['Avlägsnande av hängande led, "Grafisk åtgärd"']
    assert body["schedule"]["id"] == bundled[0] and body["schedule"]["name"] == "Tandvårdstaxa 2025"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"on": "2025-06-01"}, "code '0000' is not in 'Tandvårdstaxa 2025'"),
        ({"on": "2024-12-31"}, "no active normal taxa of 'region-jonkoping' covers 2024-12-31"),
        ({"on": "2025-06-01", "owner": "region-x"}, "no active normal taxa of 'region-x'"),
    ],
)
def test_unknown_code_or_uncovered_date_is_404_with_a_message(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    params: dict[str, str],
    message: str,
) -> None:
    response = client.get("/v1/procedures/0000", params=params, headers=clinic)
    assert response.status_code == 404
    assert message in response.json()["detail"]


def test_malformed_query_is_422_naming_the_field(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    response = client.get("/v1/procedures/101", params={"on": "2025-13-01"}, headers=clinic)
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "on"  # a parameter by its name
    response = client.get(
        "/v1/procedures/101", params={"on": "2025-01-01", "variant": "natt"}, headers=clinic
    )
    assert response.status_code == 422


def test_search_finds_by_words_in_text(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    body = client.get(
        "/v1/procedures", params={"on": "2025-06-01", "q": "blekning käk"}, headers=clinic
    ).json()
    assert {i["code"] for i in body["items"]} == {"9011", "9012"}
    everything = client.get("/v1/procedures", params={"on": "2025-06-01"}, headers=clinic).json()
    detail = client.get(f"/v1/schedules/{bundled[0]}", headers=clinic).json()
    assert len(everything["items"]) == detail["item_count"] == len(detail["items"])


def test_retired_schedule_stops_answering_but_stays_readable(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    assert client.post(f"/v1/schedules/{bundled[1]}/retire", headers=admin).status_code == 200
    jour = client.get(
        "/v1/procedures/101", params={"on": "2025-06-01", "variant": "jour"}, headers=admin
    )
    assert jour.status_code == 404
    assert client.get(f"/v1/schedules/{bundled[1]}", headers=admin).json()["status"] == "retired"


def test_openapi_documents_every_endpoint_with_security_and_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path == "/health":
                assert "security" not in operation
                continue
            assert operation.get("security"), f"{method} {path} has no security"
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
    assert client.get("/docs").status_code == 200
