"""Two activations sent at the same moment, by two workers: exactly one wins, whatever the
timing, on SQLite and PostgreSQL alike; the other gets 409, and one audit event is written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import transaction
from app.main import create_app
from app.models import AuditEvent, Schedule
from app.taxa.schedules import ACTIVE, create_draft
from pricing.taxa import Category, Item, Kind, Unit, Variant

ROUNDS = 10
ITEM = Item(
    code="101",
    category=Category.A,
    group="G",
    kind=Kind.EXTERN,
    texts=("t",),
    price=Decimal("100.00"),
    reference_price=Decimal("90.00"),
    unit=Unit.PER_ATGARD,
    source_rows=(2,),
)


@pytest.fixture()
def workers(
    engine: Engine, settings: Settings, admin: dict[str, str]
) -> Iterator[tuple[TestClient, TestClient]]:
    """Two app instances on one database: two workers, each with its own engine and pool.

    Each serves one request first: an app's first routed request builds its parameter
    validators, and two apps in ONE process doing that at the same moment race inside pydantic
    on the module-level parameter types they share (separate worker processes share nothing).
    """
    apps = [create_app(settings), create_app(settings)]
    with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
        for client in (one, two):
            assert client.get("/v1/schedules", headers=admin).status_code == 200
        yield one, two
    for app in apps:
        app.state.engine.dispose()


def draft(engine: Engine, owner: str, valid_from: date) -> int:
    with transaction(engine) as session:
        schedule = create_draft(
            session,
            owner=owner,
            name=f"Taxa {valid_from}",
            variant=Variant.NORMAL,
            valid_from=valid_from,
            items=[ITEM],
            imported_by="test",
            source_filename=None,
            source_sha256=None,
        )
        assert schedule.id is not None
        return schedule.id


def at_once(calls: list[tuple[TestClient, str]], headers: dict[str, str]) -> list[int]:
    """POST each path from its own thread, released together; the status codes in order."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(index: int, client: TestClient, path: str) -> None:
        barrier.wait()
        statuses[index] = client.post(path, headers=headers).status_code

    threads = [threading.Thread(target=run, args=(i, c, p)) for i, (c, p) in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def active_of(engine: Engine, owner: str) -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Schedule.id).where(Schedule.owner == owner, Schedule.status == ACTIVE)
            ).all()
        )


def activations(engine: Engine, schedule_ids: list[int]) -> int:
    targets = [f"schedule:{i}" for i in schedule_ids]
    with Session(engine) as session:
        return len(
            session.exec(
                select(AuditEvent).where(
                    AuditEvent.action == "activate", col(AuditEvent.target).in_(targets)
                )
            ).all()
        )


def test_two_overlapping_drafts_activated_at_once_one_wins(
    engine: Engine, workers: tuple[TestClient, TestClient], admin: dict[str, str]
) -> None:
    one, two = workers
    for round_ in range(ROUNDS):
        owner = f"region-race-{round_}"
        # The same valid_from: whichever comes second overlaps the first and follows nothing.
        first, second = (
            draft(engine, owner, date(2026, 1, 1)),
            draft(engine, owner, date(2026, 1, 1)),
        )
        statuses = at_once(
            [(one, f"/v1/schedules/{first}/activate"), (two, f"/v1/schedules/{second}/activate")],
            admin,
        )
        assert sorted(statuses) == [200, 409], f"round {round_}: {statuses}"
        assert len(active_of(engine, owner)) == 1, f"round {round_}"
        assert activations(engine, [first, second]) == 1


def test_one_draft_activated_twice_at_once_is_activated_once(
    engine: Engine, workers: tuple[TestClient, TestClient], admin: dict[str, str]
) -> None:
    one, two = workers
    for round_ in range(ROUNDS):
        owner = f"region-twice-{round_}"
        schedule = draft(engine, owner, date(2026, 1, 1))
        path = f"/v1/schedules/{schedule}/activate"
        statuses = at_once([(one, path), (two, path)], admin)
        assert sorted(statuses) == [200, 409], f"round {round_}: {statuses}"
        assert active_of(engine, owner) == [schedule]
        assert activations(engine, [schedule]) == 1


def test_activating_an_active_schedule_is_409_with_one_audit_event(
    engine: Engine, client: TestClient, admin: dict[str, str]
) -> None:
    schedule = draft(engine, "region-again", date(2026, 1, 1))
    assert client.post(f"/v1/schedules/{schedule}/activate", headers=admin).status_code == 200
    again = client.post(f"/v1/schedules/{schedule}/activate", headers=admin)
    assert again.status_code == 409
    assert "only a draft can be activated" in again.json()["detail"]
    assert activations(engine, [schedule]) == 1
    event = client.get("/v1/audit", headers=admin).json()[0]
    assert (event["action"], event["owner"]) == ("activate", "region-again")
