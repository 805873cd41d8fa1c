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


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed once at the end, or rolled back whole on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise







def now() -> datetime:
    return datetime.now(UTC)


def bump_snapshot_version(session: Session) -> None:
    session.exec(  # type: ignore[call-overload]
        update(SnapshotVersion).where(col(SnapshotVersion.id) == 1).values(
            version=SnapshotVersion.version + 1
        )
    )


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    sha256: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEvent(at=now(), actor=actor, action=action, target=target, sha256=sha256,
                   detail=_jsonable(detail))
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value
