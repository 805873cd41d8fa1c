"""API keys: revoked on every worker within the snapshot interval, listed without the secret,
scoped to owners (an admin key for one region cannot write another's taxa), last use recorded
at most once a minute."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app import cli
from app.config import Settings
from app.db import transaction
from app.main import create_app
from app.taxa.schedules import create_draft
from pricing.taxa import Category, Item, Kind, Unit, Variant

HEAD = "code;category;group;kind;text;price;reference_price;unit\n"
CSV = HEAD + "101;A;Undersökning;extern;Basundersökning;100;90;per_atgard\n"


@pytest.fixture()
def second_worker(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """Another app instance on the same database: another worker with its own snapshot."""
    app = create_app(settings)
    with TestClient(app) as worker:
        yield worker
    app.state.engine.dispose()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def new_key(client: TestClient, admin: dict[str, str], **body: object) -> dict[str, object]:
    response = client.post("/v1/keys", headers=admin, json={"role": "admin", "name": "k", **body})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def upload(client: TestClient, headers: dict[str, str], owner: str) -> int:
    return client.post(
        "/v1/imports",
        headers=headers,
        files={"file": ("t.csv", CSV.encode())},
        data={"name": "T", "valid_from": "2027-01-01", "owner": owner},
    ).status_code


def test_a_revoked_key_is_refused_by_every_worker(
    client: TestClient, second_worker: TestClient, admin: dict[str, str]
) -> None:
    created = new_key(client, admin, role="clinic")
    headers = bearer(str(created["key"]))
    for worker in (client, second_worker):
        assert worker.get("/v1/schedules", headers=headers).status_code == 200
    revoked = client.post(f"/v1/keys/{created['id']}/revoke", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    for worker in (client, second_worker):  # the second did not revoke: it reads the counter
        response = worker.get("/v1/schedules", headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"] == "unknown or revoked API key"
    again = client.post(f"/v1/keys/{created['id']}/revoke", headers=admin)
    assert again.status_code == 409
    events = [
        e for e in client.get("/v1/audit", headers=admin).json() if e["action"] == "revoke_key"
    ]
    assert [e["target"] for e in events] == [f"api_key:{created['id']}"]


def test_taxa_keys_revoke_reaches_the_running_workers(
    client: TestClient,
    second_worker: TestClient,
    admin: dict[str, str],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert (
        cli.main(
            [
                "keys",
                "create",
                "--role",
                "clinic",
                "--name",
                "kassa",
                "--owner",
                "region-jonkoping",
                "--owner",
                "region-kalmar",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert "for region-jonkoping, region-kalmar" in out[0]
    key_id = int(out[0].split()[3])
    headers = bearer(out[-1])
    assert second_worker.get("/v1/schedules", headers=headers).status_code == 200
    assert cli.main(["keys", "revoke", str(key_id)]) == 0
    for worker in (client, second_worker):
        assert worker.get("/v1/schedules", headers=headers).status_code == 401
    assert cli.main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{key_id}\t" in listed and "region-jonkoping,region-kalmar" in listed
    assert "revoked" in listed


def test_keys_are_listed_with_prefix_role_owners_and_dates_never_the_key(
    client: TestClient, admin: dict[str, str]
) -> None:
    created = new_key(client, admin, role="board", name="nämnden", owners=["region-jonkoping"])
    listed = {k["id"]: k for k in client.get("/v1/keys", headers=admin).json()}
    mine = listed[created["id"]]
    assert set(mine) == {
        "id",
        "name",
        "prefix",
        "role",
        "owners",
        "created_at",
        "last_used_at",
        "revoked_at",
    }
    assert (mine["name"], mine["role"], mine["owners"], mine["last_used_at"]) == (
        "nämnden",
        "board",
        ["region-jonkoping"],
        None,
    )
    assert str(created["key"]).startswith(mine["prefix"])
    assert all(str(created["key"]) not in str(k) for k in listed.values())
    client.get("/v1/schedules", headers=bearer(str(created["key"])))
    used = {k["id"]: k for k in client.get("/v1/keys", headers=admin).json()}
    assert used[created["id"]]["last_used_at"] is not None


def test_last_use_is_written_at_most_once_a_minute(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    created = new_key(client, admin, role="clinic")
    headers = bearer(str(created["key"]))
    client.get("/v1/schedules", headers=headers)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE api_key SET last_used_at = NULL WHERE id = :id"), {"id": created["id"]}
        )
    for _ in range(5):
        assert client.get("/v1/schedules", headers=headers).status_code == 200
    listed = {k["id"]: k for k in client.get("/v1/keys", headers=admin).json()}
    assert listed[created["id"]]["last_used_at"] is None  # not written again within the minute


def test_an_owner_scoped_admin_key_writes_only_for_its_owners(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    scoped = bearer(str(new_key(client, admin, owners=["region-jonkoping"])["key"]))
    assert upload(client, scoped, "region-kalmar") == 403
    assert upload(client, scoped, "region-jonkoping") == 201
    volumes = client.post(
        "/v1/volumes",
        headers=scoped,
        data={"name": "V", "owner": "x"},
        files={"file": ("v.csv", b"code;volume\n101;5\n")},
    )
    assert volumes.status_code == 403
    with transaction(engine) as session:
        other = create_draft(
            session,
            owner="region-kalmar",
            name="Kalmar 2027",
            variant=Variant.NORMAL,
            valid_from=date(2027, 1, 1),
            items=[
                Item(
                    code="101",
                    category=Category.A,
                    group="G",
                    kind=Kind.EXTERN,
                    texts=("t",),
                    price=Decimal(100),
                    reference_price=Decimal(90),
                    unit=Unit.PER_ATGARD,
                    source_rows=(2,),
                )
            ],
            imported_by="test",
            source_filename=None,
            source_sha256=None,
        )
    refused = client.post(f"/v1/schedules/{other.id}/activate", headers=scoped)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "this key may write for region-jonkoping only, not 'region-kalmar'"
    )
    assert client.post(f"/v1/schedules/{other.id}/activate", headers=admin).status_code == 200
    assert client.post(f"/v1/schedules/{other.id}/retire", headers=scoped).status_code == 403
    # Nor may it hand out more than its own scope.
    for body in ({}, {"owners": ["region-kalmar"]}):
        made = client.post("/v1/keys", headers=scoped, json={"role": "admin", "name": "x", **body})
        assert made.status_code == 403
    assert new_key(client, scoped, owners=["region-jonkoping"])["owners"] == ["region-jonkoping"]
    # The audit log records whose taxa each write was for.
    events = client.get("/v1/audit", headers=admin).json()
    owners = {(e["action"], e["owner"]) for e in events}
    assert {("import", "region-jonkoping"), ("activate", "region-kalmar")} <= owners
