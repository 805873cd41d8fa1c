"""Admin-only: the audit log and API keys.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session, col, select

from app.admin.schemas import AuditOut, KeyIn, KeyOut
from app.auth import Role, actor_of, create_key
from app.db import audit, transaction
from app.deps import caller, engine, snapshots
from app.errors import ERROR_RESPONSES
from app.models import AuditEvent
from app.snapshot import KeyView

router = APIRouter(tags=["admin"])


@router.get("/v1/audit", response_model=list[AuditOut], responses=ERROR_RESPONSES,
            summary="Every write, newest first: who, when, what, file checksum")
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


@router.post("/v1/keys", response_model=KeyOut, status_code=201, responses=ERROR_RESPONSES,
             summary="Create an API key (shown once)")
def make_key(body: KeyIn, request: Request, key: KeyView = Depends(caller("write"))) -> KeyOut:
    with transaction(engine(request)) as session:
        row, secret = create_key(session, Role(body.role), body.name)
        audit(session, actor=actor_of(key), action="create_key", target=f"api_key:{row.id}",
              role=body.role, name=body.name, prefix=row.prefix)
        assert row.id is not None
        result = KeyOut(id=row.id, name=row.name, role=row.role, key=secret)
    snapshots(request).invalidate()
    return result
