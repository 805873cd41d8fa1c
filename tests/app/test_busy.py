"""SQLite under a long write: other writes wait a bounded time, then answer 503 with
Retry-After (never 500 "database is locked"); reads go on. SQLite only: PostgreSQL has row
locks, not one writer."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from app.auth import Role, create_key
from app.config import REPO_ROOT, Settings
from app.db import make_engine, transaction
from app.main import create_app


def test_a_write_that_finds_the_database_busy_is_503_with_retry_after(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    url = f"sqlite:///{path}"
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")
    engine = make_engine(url)
    with transaction(engine) as session:
        _, key = create_key(session, Role.ADMIN, "admin")
    engine.dispose()
    headers = {"Authorization": f"Bearer {key}"}
    settings = replace(
        Settings.from_env(), database_url=url, snapshot_check_seconds=0.0, sqlite_busy_seconds=0.2
    )
    app = create_app(settings)
    other_writer = sqlite3.connect(path, isolation_level=None)
    try:
        with TestClient(app) as client:
            assert client.get("/v1/schedules", headers=headers).status_code == 200
            other_writer.execute("BEGIN IMMEDIATE")  # a long import holds the write lock
            busy = client.post("/v1/keys", headers=headers, json={"role": "clinic", "name": "k"})
            assert busy.status_code == 503, busy.text
            assert busy.headers["Retry-After"] == "1"
            assert busy.json() == {
                "error": "busy",
                "problems": [],
                "detail": "the database is busy with another write: try again in a moment",
            }
            assert client.get("/v1/schedules", headers=headers).status_code == 200  # reads go on
            other_writer.execute("COMMIT")
            done = client.post("/v1/keys", headers=headers, json={"role": "clinic", "name": "k"})
            assert done.status_code == 201
    finally:
        other_writer.close()
        app.state.engine.dispose()
