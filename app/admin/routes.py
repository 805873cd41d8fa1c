"""Admin-only: the audit log and API keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session, col, select

from app.admin.schemas import AuditOut, KeyIn, KeyInfo, KeyOut
from app.auth import Role, actor_of, create_key, get_key, require_owners, revoke_key
from app.db import audit, transaction
from app.deps import caller, engine, snapshots
from app.errors import BUSY_RESPONSES, ERROR_RESPONSES, error_response
from app.models import ApiKey, AuditEvent
from app.snapshot import KeyView

router = APIRouter(tags=["admin"])

KEY_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: error_response("No API key with that id")}


@router.get(
    "/v1/audit",
    response_model=list[AuditOut],
    responses=ERROR_RESPONSES,
    summary="Every write, newest first: who, when, what, for which owner, file checksum",
)
def read_audit(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    _key: KeyView = Depends(caller("audit")),
) -> list[AuditOut]:
    with Session(engine(request)) as session:
        rows = session.exec(
            select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
        ).all()
        return [AuditOut(**row.model_dump()) for row in rows]


@router.post(
    "/v1/keys",
    response_model=KeyOut,
    status_code=201,
    responses={**ERROR_RESPONSES, **BUSY_RESPONSES},
    summary="Create an API key (shown once), for every owner or scoped to some",
)
def make_key(body: KeyIn, request: Request, key: KeyView = Depends(caller("write"))) -> KeyOut:
    require_owners(key, body.owners)
    with transaction(engine(request)) as session:
        row, secret = create_key(session, Role(body.role), body.name, body.owners)
        audit(
            session,
            actor=actor_of(key),
            action="create_key",
            target=f"api_key:{row.id}",
            role=body.role,
            name=body.name,
            prefix=row.prefix,
            owners=row.owners,
        )
        assert row.id is not None
        result = KeyOut(id=row.id, name=row.name, role=row.role, owners=row.owners, key=secret)
    snapshots(request).invalidate()
    return result


@router.get(
    "/v1/keys",
    response_model=list[KeyInfo],
    responses=ERROR_RESPONSES,
    summary="Every API key: prefix, role, owners, created, last used, revoked",
)
def list_keys(request: Request, key: KeyView = Depends(caller("audit"))) -> list[KeyInfo]:
    with Session(engine(request)) as session:
        rows = session.exec(select(ApiKey).order_by(col(ApiKey.id))).all()
    return [KeyInfo.of(row) for row in rows if _within(key, row)]


@router.post(
    "/v1/keys/{key_id}/revoke",
    response_model=KeyInfo,
    responses={
        **ERROR_RESPONSES,
        **KEY_NOT_FOUND,
        409: error_response("Already revoked"),
        **BUSY_RESPONSES,
    },
    summary="Revoke an API key: every worker refuses it within the snapshot interval",
)
def revoke(key_id: int, request: Request, key: KeyView = Depends(caller("write"))) -> KeyInfo:
    with transaction(engine(request)) as session:
        row = get_key(session, key_id)
        require_owners(key, row.owners)
        revoke_key(session, row)
        audit(
            session,
            actor=actor_of(key),
            action="revoke_key",
            target=f"api_key:{row.id}",
            name=row.name,
            prefix=row.prefix,
            owners=row.owners,
        )
        result = KeyInfo.of(row)
    snapshots(request).invalidate()
    return result


def _within(key: KeyView, row: ApiKey) -> bool:
    """A key scoped to owners sees the keys scoped within them."""
    return key.owners is None or (row.owners is not None and set(row.owners) <= key.owners)
