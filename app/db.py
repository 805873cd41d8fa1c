"""The database engine. One transaction per request: routes get a session, the boundary commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, create_engine

from app.models import AuditEvent, SnapshotVersion


def make_engine(database_url: str, busy_seconds: float = 5.0) -> Engine:
    """An engine; on SQLite a write transaction takes the write lock when it begins.

    SQLite allows one writer. A transaction that reads first and writes later can find, in
    WAL mode, that another write came in between and fail at once ("database is locked"),
    whatever the busy timeout. So :func:`transaction` begins with ``BEGIN IMMEDIATE``: writes
    queue at their start, each waiting at most ``busy_seconds`` (then 503, app.errors), and the
    activation's read-check-write is serialised as a whole.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # BEGIN is ours (below), not the driver's
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            write = conn.get_execution_options().get(WRITE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(database_url, pool_pre_ping=True)


WRITE = "taxa_write"  # execution option: this transaction will write


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed once at the end, or rolled back whole on any error."""
    with Session(engine.execution_options(**{WRITE: True}), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def now() -> datetime:
    return datetime.now(UTC)


def bump_snapshot_version(session: Session) -> None:
    session.exec(
        update(SnapshotVersion)
        .where(col(SnapshotVersion.id) == 1)
        .values(version=SnapshotVersion.version + 1)
    )


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    sha256: str | None = None,
    owner: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEvent(
            at=now(),
            actor=actor,
            action=action,
            target=target,
            sha256=sha256,
            owner=owner,
            detail=_jsonable(detail),
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value
