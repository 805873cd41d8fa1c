"""The audit log and the API keys, for administrators.

The keys are listed, created and revoked by the API's own route functions (``list_keys``,
``make_key``, ``revoke``), so a key scoped to owners sees and manages only keys within its
owners here as over the API.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.admin.routes import list_keys, make_key, read_audit, revoke
from app.admin.schemas import AuditOut, KeyIn, KeyInfo
from app.auth import get_key, require, require_owners
from app.deps import engine
from app.errors import AppError, Forbidden
from app.web.forms import FieldErrors, posted_form
from app.web.render import page, redirect
from app.web.routes import sorted_by
from app.web.session import WebUser, web_user
from app.web.swedish import ROLE_LABELS, say

router = APIRouter(prefix="/ui", include_in_schema=False)

AUDIT_SORTS = ("id", "at", "actor", "action", "target")
KEY_SORTS = ("id", "name", "role", "prefix", "created_at", "last_used_at", "revoked_at")
MAX_OWNERS = 100
OWNER_SPLIT = re.compile(r"[,;\s]+")


@router.get("/granskningslogg")
def audit_page(
    request: Request,
    sort: str = "",
    dir: str = "desc",
    limit: int = Query(200, ge=1, le=1000),
    user: WebUser = Depends(web_user("audit")),
) -> Response:
    events: list[AuditOut] = read_audit(request, limit=limit, _key=user.key)
    events = sorted_by(events, sort, dir, AUDIT_SORTS)
    return page(
        request, "audit.html.j2", "Granskningslogg", events=events, sort=sort, dir=dir, limit=limit
    )


def _keys(request: Request, user: WebUser) -> list[KeyInfo]:
    require(user.key, "audit")  # GET /v1/keys's permission
    return list(reversed(list_keys(request, key=user.key)))  # newest first


def _keys_page(
    request: Request,
    user: WebUser,
    fields: FieldErrors | None = None,
    sort: str = "",
    dir: str = "desc",
    status_code: int = 200,
    **context: object,
) -> Response:
    if fields is None:
        owners = "" if user.key.owners is None else ", ".join(sorted(user.key.owners))
        fields = FieldErrors(values={"role": "clinic", "owners": owners})
    keys = sorted_by(_keys(request, user), sort, dir, KEY_SORTS)
    flash = None
    revoked = request.query_params.get("aterkallad", "")
    if revoked.isdigit():
        name = next((k.name for k in keys if k.id == int(revoked)), revoked)
        flash = f"Nyckeln {name} är återkallad: den fungerar inte längre."
    return page(
        request,
        "keys.html.j2",
        "API-nycklar",
        status_code=status_code,
        keys=keys,
        roles=ROLE_LABELS,
        errors=fields.errors,
        values=fields.values,
        messages=fields.messages,
        sort=sort,
        dir=dir,
        flash=flash,
        **context,
    )


@router.get("/nycklar")
def keys_page(
    request: Request, sort: str = "", dir: str = "desc", user: WebUser = Depends(web_user("write"))
) -> Response:
    return _keys_page(request, user, sort=sort, dir=dir)


def _owners(fields: FieldErrors, form: FormData) -> list[str] | None:
    """The field ``Ägare``: owners separated by commas or spaces; empty: every owner."""
    raw = form.get("owners")
    text = raw.strip() if isinstance(raw, str) else ""
    fields.values["owners"] = text
    owners = sorted({o for o in OWNER_SPLIT.split(text) if o})
    if not owners:
        return None
    if len(owners) > MAX_OWNERS or any(len(o) > 100 or "\x00" in o for o in owners):
        fields.errors["owners"] = (
            f"Högst {MAX_OWNERS} ägare, var och en högst 100 tecken, åtskilda med kommatecken."
        )
    return owners


@router.post("/nycklar")
def create_key_page(
    request: Request,
    user: WebUser = Depends(web_user("write")),
    form: FormData = Depends(posted_form),
) -> Response:
    fields = FieldErrors()
    name = fields.text(form, "name", "Namn", max_length=100)
    role = fields.choice(form, "role", "Roll", tuple(ROLE_LABELS))
    owners = _owners(fields, form)
    if fields:
        return _keys_page(request, user, fields, status_code=422)
    try:
        body = KeyIn(role=role, name=name, owners=owners)
        created = make_key(body, request, key=user.key)
    except ValidationError:
        fields.messages.append("Nyckeln kunde inte skapas: kontrollera fälten.")
        return _keys_page(request, user, fields, status_code=422)
    except Forbidden as exc:  # a key scoped to owners hands out no more than its scope
        fields.errors["owners"] = say(exc.detail)
        return _keys_page(request, user, fields, status_code=exc.status)
    except AppError as exc:
        fields.place(exc, {"owners": "owners", "name": "name", "role": "role"})
        return _keys_page(request, user, fields, status_code=exc.status)
    # Shown once, on this answer only (no redirect: the key is in no URL and no later page).
    return _keys_page(request, user, created=created, status_code=201)


@router.get("/nycklar/{key_id:int}/aterkalla")
def confirm_revoke(
    request: Request, key_id: int, user: WebUser = Depends(web_user("write"))
) -> Response:
    with Session(engine(request)) as session:
        row = get_key(session, key_id)
        require_owners(user.key, row.owners)  # as the API's revoke: only keys within its owners
        target = KeyInfo.of(row)
    return page(
        request,
        "revoke_key.html.j2",
        f"Återkalla {target.name}",
        target=target,
        own=target.id == user.key.id,
        error=None,
    )


@router.post("/nycklar/{key_id:int}/aterkalla")
def revoke_page(
    request: Request,
    key_id: int,
    user: WebUser = Depends(web_user("write")),
    _form: FormData = Depends(posted_form),
) -> Response:
    try:
        revoke(key_id, request, key=user.key)
    except AppError as exc:
        if exc.status in (403, 404):
            raise  # the error page: no key's name for a key outside this one's owners
        with Session(engine(request)) as session:
            target = KeyInfo.of(get_key(session, key_id))
        return page(
            request,
            "revoke_key.html.j2",
            f"Återkalla {target.name}",
            status_code=exc.status,
            target=target,
            own=target.id == user.key.id,
            error=say(exc.detail),
        )
    # Revoking one's own key ends this session too: the next page asks for a key.
    return redirect(request, f"/ui/nycklar?aterkallad={key_id}")
