"""Shared fixtures: a migrated database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
a client of the real app on it, and API keys of each role.

The schema is built once per database by the real Alembic migrations; each test starts from
empty tables (deleted, not dropped), so tests share no state.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.auth import Role, create_key
from app.config import REPO_ROOT, Settings
from app.db import make_engine, transaction
from app.main import create_app
from app.models import metadata

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def alembic_config(url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    return config


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = os.environ["TEST_DATABASE_URL"]
        reset_postgres(url)
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture(scope="session")
def _engines() -> Iterator[dict[str, Engine]]:
    engines: dict[str, Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture()
def engine(database_url: str, _engines: dict[str, Engine]) -> Engine:
    """The test database with every table emptied, the snapshot counter back at 0."""
    engine = _engines.setdefault(database_url, make_engine(database_url))
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name == "snapshot_version":
                conn.execute(text("UPDATE snapshot_version SET version = 0"))
            else:
                conn.execute(table.delete())
    return engine


@pytest.fixture()
def settings(database_url: str) -> Settings:
    return replace(Settings.from_env(), database_url=database_url, snapshot_check_seconds=0.0)


@pytest.fixture()
def cli_database(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABASE_URL names the test database, so that the CLI (``app.cli.main``) works on it."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)


@pytest.fixture()
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


def _key(engine: Engine, role: Role) -> dict[str, str]:
    with transaction(engine) as session:
        _, key = create_key(session, role, f"test {role.value}")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture()
def admin(engine: Engine) -> dict[str, str]:
    """Headers of an admin key."""
    return _key(engine, Role.ADMIN)


@pytest.fixture()
def clinic(engine: Engine) -> dict[str, str]:
    """Headers of a clinic key."""
    return _key(engine, Role.CLINIC)


@pytest.fixture()
def board(engine: Engine) -> dict[str, str]:
    """Headers of a board key."""
    return _key(engine, Role.BOARD)


@pytest.fixture()
def bundled(engine: Engine, settings: Settings) -> list[int]:
    """The bundled 2025 taxa, loaded and active: [normal id, jour id]."""
    from app.files import Limits
    from app.taxa.bundled import load_bundled

    with transaction(engine) as session:
        return load_bundled(
            session, Limits(settings.max_rows, settings.max_xlsx_uncompressed_bytes)
        )
