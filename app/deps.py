"""Request dependencies: the caller's key and role, the snapshot, the settings, an upload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, File, Request, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine

from app.auth import LastUsed, authenticate, require
from app.config import Settings
from app.errors import InvalidInput, PayloadTooLarge
from app.files import Limits
from app.snapshot import KeyView, Snapshot, SnapshotCache

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer taxa_…`")

MAX_FILENAME = 255  # schedule.source_filename, volume_set.source_filename


def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def snapshots(request: Request) -> SnapshotCache:
    return request.app.state.snapshots  # type: ignore[no-any-return]


def snapshot(request: Request) -> Snapshot:
    return snapshots(request).get()


def caller(permission: str) -> Callable[..., KeyView]:
    """A dependency that lets the request through only with a key whose role has ``permission``.

    The key itself was found before the body was read (app.auth.AuthenticateFirst); the
    ``bearer`` parameter is here for the OpenAPI security scheme.
    """

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    ) -> KeyView:
        key: KeyView | None = getattr(request.state, "key", None)
        if key is None:
            header = None if credentials is None else (
                f"{credentials.scheme} {credentials.credentials}")
            key = authenticate(snapshot(request), header)
        require(key, permission)
        last_used: LastUsed = request.app.state.last_used
        last_used.touch(key)
        return key

    return dependency


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
        raise InvalidInput(f"the file name is longer than {MAX_FILENAME} characters: rename it",
                           field="file", value=filename)
    if "\x00" in filename:
        raise InvalidInput("the file name has a NUL character: rename it", field="file")
    content = file.file.read(config.max_upload_bytes + 1)
    if len(content) > config.max_upload_bytes:
        raise PayloadTooLarge(f"the file is larger than {config.max_upload_bytes} bytes "
                              "(the limit)")
    return Upload(content=content, filename=filename, limits=Limits.of(config))


UploadedFile = Annotated[Upload, Depends(read_upload)]
