"""Request dependencies: the caller's key and role, the snapshot, the settings, an upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, File, Request, UploadFile
from fastapi.security import HTTPBearer
from sqlalchemy.engine import Engine

from app.auth import LastUsed, authenticate, require
from app.config import Settings
from app.errors import InvalidInput, PayloadTooLarge
from app.files import Limits
from app.snapshot import KeyView, Snapshot, SnapshotCache

BEARER_DESCRIPTION = "An API key: `Authorization: Bearer taxa_…`"

MAX_FILENAME = 255  # schedule.source_filename, volume_set.source_filename


def settings(request: Request) -> Settings:
    return request.app.state.settings


def engine(request: Request) -> Engine:
    return request.app.state.engine


def snapshots(request: Request) -> SnapshotCache:
    return request.app.state.snapshots


def snapshot(request: Request) -> Snapshot:
    return snapshots(request).get()


async def current_snapshot(request: Request) -> Snapshot:
    """The snapshot, without a thread-pool hop: under /v1/ the one the key was checked against
    (app.auth.AuthenticateFirst left it in the request's state), else the cached one; the
    check against the database, when due, runs off the event loop."""
    found: Snapshot | None = request.scope.get("state", {}).get("snapshot")
    if found is not None:
        return found
    cache = snapshots(request)
    fresh = cache.fresh()
    return fresh if fresh is not None else await anyio.to_thread.run_sync(cache.get)


class Caller(HTTPBearer):
    """The dependency that lets a request through only with a key whose role has
    ``permission``: one async call, no thread-pool hop (issue 12).

    The key itself was found before the body was read (app.auth.AuthenticateFirst). Being an
    ``HTTPBearer``, it is also what the OpenAPI security scheme is made from.
    """

    def __init__(self, permission: str) -> None:
        super().__init__(auto_error=False, scheme_name="HTTPBearer", description=BEARER_DESCRIPTION)
        self.permission = permission

    async def __call__(self, request: Request) -> KeyView:  # type: ignore[override]
        key: KeyView | None = request.scope.get("state", {}).get("key")
        if key is None:  # not under /v1/ (the middleware only guards the API)
            key = authenticate(
                await current_snapshot(request), request.headers.get("authorization")
            )
        require(key, self.permission)
        last_used: LastUsed = request.app.state.last_used
        if last_used.due(key):  # at most once a minute per key: the write goes to a thread
            await anyio.to_thread.run_sync(last_used.touch, key)
        return key


def caller(permission: str) -> Caller:
    """A dependency that lets the request through only with a key whose role has
    ``permission`` (:class:`Caller`)."""
    return Caller(permission)


@dataclass(frozen=True)
class Upload:
    """An uploaded file read into memory within the size limit, with the limits to read it by."""

    content: bytes
    filename: str
    limits: Limits


def read_upload(
    request: Request,
    file: Annotated[UploadFile, File(description="A .csv or .xlsx file")],
) -> Upload:
    config = settings(request)
    filename = file.filename or ""
    if len(filename) > MAX_FILENAME:
        raise InvalidInput(
            f"the file name is longer than {MAX_FILENAME} characters: rename it",
            field="file",
            value=filename,
        )
    if "\x00" in filename:
        raise InvalidInput("the file name has a NUL character: rename it", field="file")
    content = file.file.read(config.max_upload_bytes + 1)
    if len(content) > config.max_upload_bytes:
        raise PayloadTooLarge(
            f"the file is larger than {config.max_upload_bytes} bytes (the limit)"
        )
    return Upload(content=content, filename=filename, limits=Limits.of(config))


UploadedFile = Annotated[Upload, Depends(read_upload)]
