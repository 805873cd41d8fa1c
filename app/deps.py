"""Request dependencies: the caller's key and role, the snapshot, the settings."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine

from app.auth import authenticate, require
from app.config import Settings
from app.snapshot import KeyView, Snapshot, SnapshotCache

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer taxa_…`")


def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def snapshots(request: Request) -> SnapshotCache:
    return request.app.state.snapshots  # type: ignore[no-any-return]


def snapshot(request: Request) -> Snapshot:
    return snapshots(request).get()


def caller(permission: str) -> Callable[..., KeyView]:
    """A dependency that lets the request through only with a key whose role has ``permission``."""

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    ) -> KeyView:
        header = None if credentials is None else f"{credentials.scheme} {credentials.credentials}"
        key = authenticate(snapshot(request), header)
        require(key, permission)
        return key

    return dependency
