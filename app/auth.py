"""API keys and roles. A key is 256 random bits shown once; the database keeps its SHA-256.

A plain SHA-256 (no salt, no slow hash) is enough because the keys are long random secrets, not
passwords a person chose: there is nothing to guess from a dictionary.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import Enum

from sqlmodel import Session

from app.db import bump_snapshot_version, now
from app.errors import Forbidden, Unauthorized
from app.models import ApiKey
from app.snapshot import KeyView, Snapshot

KEY_PREFIX = "taxa_"


class Role(str, Enum):
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


def create_key(session: Session, role: Role, name: str) -> tuple[ApiKey, str]:
    """A new key: returns the stored row and the key itself, which is never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, role=role.value, key_hash=hash_key(key), prefix=key[:12],
                 created_at=now())
    session.add(row)
    bump_snapshot_version(session)  # every worker learns the new key with its next check
    session.flush()
    return row, key


def authenticate(snapshot: Snapshot, authorization: str | None) -> KeyView:
    """The key behind an Authorization header, looked up in memory (no query per request)."""
    if not authorization:
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    found = snapshot.keys.get(hash_key(key.strip()))
    if found is None:
        raise Unauthorized("unknown or revoked API key")
    return found


def require(key: KeyView, permission: str) -> None:
    if permission not in PERMISSIONS[Role(key.role)]:
        raise Forbidden(f"role {key.role!r} may not {permission}")


def actor_of(key: KeyView) -> str:
    return f"key:{key.id}:{key.name}"
