"""API keys and roles. A key is 256 random bits shown once; the database keeps its SHA-256.

A plain SHA-256 (no salt, no slow hash) is enough because the keys are long random secrets, not
passwords a person chose: there is nothing to guess from a dictionary.

A key may be scoped to owners (``owners``; null: every owner): it then writes only those owners'
taxa and volumes. Revoking a key bumps the snapshot counter, so every worker drops it within
the snapshot interval.

The key is checked before the request's body is read (:class:`AuthenticateFirst`): a request
without a valid key costs a header lookup, never a parse of its body.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from enum import StrEnum

import anyio.to_thread
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.db import bump_snapshot_version, now
from app.errors import Conflict, Forbidden, NotFound, Unauthorized
from app.models import MAX_ID, ApiKey
from app.snapshot import KeyView, Snapshot, SnapshotCache

KEY_PREFIX = "taxa_"
ACTOR_LENGTH = 100  # audit_event.actor, schedule.imported_by/activated_by
LAST_USED_EVERY_SECONDS = 60.0  # last_used_at is written at most this often per key


class Role(StrEnum):
    ADMIN = "admin"  # price administrators: import, activate, audit log, keys
    CLINIC = "clinic"  # clinic systems: read prices, quotes
    BOARD = "board"  # the board's readers: reports, read-only


# What each role may do; admin includes everything the others may.
PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.CLINIC: frozenset({"read", "quote"}),
    Role.BOARD: frozenset({"read", "report"}),
    Role.ADMIN: frozenset({"read", "quote", "report", "write", "audit"}),
}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    session: Session, role: Role, name: str, owners: Iterable[str] | None = None
) -> tuple[ApiKey, str]:
    """A new key: returns the stored row and the key itself, which is never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        role=role.value,
        key_hash=hash_key(key),
        prefix=key[:12],
        created_at=now(),
        owners=None if owners is None else sorted(set(owners)),
    )
    session.add(row)
    bump_snapshot_version(session)  # every worker learns the new key with its next check
    session.flush()
    return row, key


def get_key(session: Session, key_id: int) -> ApiKey:
    row = session.get(ApiKey, key_id) if 1 <= key_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"no API key with id {key_id}")
    return row


def revoke_key(session: Session, row: ApiKey) -> None:
    """The key stops working on every worker within the snapshot interval."""
    if row.revoked_at is not None:
        raise Conflict(f"API key {row.id} was revoked at {row.revoked_at.isoformat()}")
    row.revoked_at = now()
    session.add(row)
    bump_snapshot_version(session)
    session.flush()


def authenticate(snapshot: Snapshot, authorization: str | None) -> KeyView:
    """The key behind an Authorization header, looked up in memory (no query per request)."""
    if not authorization:
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    found = snapshot.key_for(key.strip())
    if found is None:
        raise Unauthorized("unknown or revoked API key")
    return found


_PERMISSIONS_OF_ROLE = {role.value: allowed for role, allowed in PERMISSIONS.items()}


def require(key: KeyView, permission: str) -> None:
    if permission not in _PERMISSIONS_OF_ROLE[key.role]:
        raise Forbidden(f"role {key.role!r} may not {permission}")


def require_owner(key: KeyView, owner: str) -> None:
    """A key scoped to owners writes only their taxa and volumes."""
    if key.owners is not None and owner not in key.owners:
        raise Forbidden(
            f"this key may write for {', '.join(sorted(key.owners))} only, not {owner!r}"
        )


def require_owners(key: KeyView, owners: Iterable[str] | None) -> None:
    """A scoped key may not hand out (or take away) more than its own scope."""
    if key.owners is None:
        return
    if owners is None:
        raise Forbidden("a key scoped to owners may only manage keys scoped within them")
    for owner in owners:
        require_owner(key, owner)


def actor_of(key: KeyView) -> str:
    """Who wrote, for the audit log: cut to the column's length, whatever the key's name."""
    return f"key:{key.id}:{key.name}"[:ACTOR_LENGTH]


class LastUsed:
    """Records when each key was last used, at most once a minute per key and process: a read
    request must not write each time, nor fail when the write cannot be made."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._written: dict[int, float] = {}

    def due(self, key: KeyView) -> bool:
        """Whether :meth:`touch` would write now (no I/O)."""
        written = self._written.get(key.id, -LAST_USED_EVERY_SECONDS)
        return time.monotonic() - written >= LAST_USED_EVERY_SECONDS

    def touch(self, key: KeyView) -> None:
        moment = time.monotonic()
        if moment - self._written.get(key.id, -LAST_USED_EVERY_SECONDS) < LAST_USED_EVERY_SECONDS:
            return
        self._written[key.id] = moment
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    update(ApiKey).where(col(ApiKey.id) == key.id).values(last_used_at=now())
                )
        except OperationalError:
            pass  # a busy database: the date waits for the next minute, the request goes on


class AuthenticateFirst:
    """ASGI middleware: every ``/v1/`` request needs a known key before its body is read.

    The key found is left in the request's state for :func:`app.deps.caller`, which checks
    the role. A request without a valid key is answered 401 at once.
    """

    def __init__(self, app: ASGIApp, snapshots: SnapshotCache) -> None:
        self.app = app
        self.snapshots = snapshots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        header = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        try:
            # In memory on the hot path; the check against the database runs off the loop.
            snap = self.snapshots.fresh()
            if snap is None:
                snap = await anyio.to_thread.run_sync(self.snapshots.get)
            key = authenticate(snap, header)
        except Unauthorized as exc:
            response = JSONResponse(
                exc.body(), status_code=exc.status, headers={"WWW-Authenticate": "Bearer"}
            )
            await response(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["key"] = key
        state["snapshot"] = snap  # the route reads the same snapshot (app.deps.current_snapshot)
        await self.app(scope, receive, send)
