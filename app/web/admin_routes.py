"""The audit log and the API keys, for administrators."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from app.admin.routes import make_key, read_audit
from app.admin.schemas import AuditOut, KeyIn
from app.deps import engine
from app.models import ApiKey
from app.web.forms import FieldErrors, posted_form
from app.web.render import page
from app.web.routes import sorted_by
from app.web.session import WebUser, web_user
from app.web.swedish import ROLE_LABELS

router = APIRouter(prefix="/ui", include_in_schema=False)

AUDIT_SORTS = ("id", "at", "actor", "action", "target")
KEY_SORTS = ("id", "name", "role", "created_at", "revoked_at")


@router.get("/granskningslogg")
def audit_page(request: Request, sort: str = "", dir: str = "desc",
               limit: int = Query(200, ge=1, le=1000),
               user: WebUser = Depends(web_user("audit"))) -> Response:
    events: list[AuditOut] = read_audit(request, limit=limit, _key=user.key)
    events = sorted_by(events, sort, dir, AUDIT_SORTS)
    return page(request, "audit.html.j2", "Granskningslogg", events=events, sort=sort, dir=dir,
                limit=limit)


def _keys(request: Request) -> list[ApiKey]:
    with Session(engine(request)) as session:
        return list(session.exec(select(ApiKey).order_by(col(ApiKey.id).desc())).all())


def _keys_page(request: Request, fields: FieldErrors | None = None, sort: str = "",
               dir: str = "desc", status_code: int = 200, **context: object) -> Response:
    if fields is None:
        fields = FieldErrors(values={"role": "clinic"})
    keys = sorted_by(_keys(request), sort, dir, KEY_SORTS)
    return page(request, "keys.html.j2", "API-nycklar", status_code=status_code, keys=keys,
                roles=ROLE_LABELS, errors=fields.errors, values=fields.values, sort=sort,
                dir=dir, **context)


@router.get("/nycklar")
def keys_page(request: Request, sort: str = "", dir: str = "desc",
              _user: WebUser = Depends(web_user("write"))) -> Response:
    return _keys_page(request, sort=sort, dir=dir)


@router.post("/nycklar")
def create_key_page(request: Request, user: WebUser = Depends(web_user("write")),
                    form: FormData = Depends(posted_form)) -> Response:
    fields = FieldErrors()
    name = fields.text(form, "name", "Namn", max_length=100)
    role = fields.choice(form, "role", "Roll", tuple(ROLE_LABELS))
    if fields:
        return _keys_page(request, fields, status_code=422)
    created = make_key(KeyIn(role=role, name=name), request, key=user.key)
    # Shown once, on this answer only (no redirect: the key is in no URL and no later page).
    return _keys_page(request, created=created, status_code=201)
