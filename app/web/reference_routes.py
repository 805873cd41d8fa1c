"""The pages on TLV's reference lists: list, detail, upload with review, a taxa against a list.

The upload calls the API's own route function (``POST /v1/reference-lists``), first as a dry
run (`Granska`), then to store (`Spara`): the same reading, checks, dates and the same refusal
of a key scoped to owners (a list is national). The check of a taxa against a list is
``GET /v1/schedules/{id}/reference-check``'s function.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.deps import Upload
from app.errors import AppError, FileRejected, PayloadTooLarge, UnsupportedFile
from app.reference.lists import ORIGINS, TLV_FILE
from app.reference.routes import import_list, list_lists, read_list, reference_check
from app.reference.schemas import ReferenceImportOut, ReferenceListOut
from app.taxa.routes import list_schedules
from app.web import uploads
from app.web.forms import FieldErrors, form_page, posted_form
from app.web.render import page, redirect
from app.web.routes import limits_of, sorted_by
from app.web.session import WebUser, web_user
from app.web.swedish import say

router = APIRouter(prefix="/ui", include_in_schema=False)

LIST_SORTS = ("id", "name", "valid_from", "valid_to", "codes", "imported_at")
ENTRY_SORTS = ("code", "name", "general", "specialist")
DIFFERENCE_SORTS = ("code", "taxa_reference", "list_reference", "change", "change_percent")
# The API's field names → this form's fields.
FORM_FIELDS = {
    "file": "file",
    "name": "name",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
    "origin": "origin",
}


def _lists_page(
    request: Request,
    user: WebUser,
    fields: FieldErrors | None = None,
    sort: str = "",
    dir: str = "desc",
    **context: Any,
) -> Response:
    if fields is None:
        fields = FieldErrors(values={"origin": TLV_FILE})
    lists = sorted_by(list_lists(request, _key=user.key), sort, dir, LIST_SORTS)
    return form_page(
        request,
        "reference_lists.html.j2",
        "Referensprislistor",
        fields,
        lists=lists,
        origins=tuple(ORIGINS),
        sort=sort,
        dir=dir,
        **context,
    )


@router.get("/referensprislistor")
def lists_page(
    request: Request, sort: str = "", dir: str = "desc", user: WebUser = Depends(web_user("read"))
) -> Response:
    return _lists_page(request, user, sort=sort, dir=dir)


def _read_fields(form: FormData) -> tuple[FieldErrors, dict[str, Any]]:
    fields = FieldErrors()
    values = {
        "name": fields.text(form, "name", "Namn"),
        "valid_from": fields.day(form, "valid_from", "Gäller från", required=False),
        "valid_to": fields.day(form, "valid_to", "Gäller till", required=False),
        "origin": fields.choice(form, "origin", "Ursprung", tuple(ORIGINS)),
    }
    return fields, values


def _import(
    request: Request,
    user: WebUser,
    fields: FieldErrors,
    values: dict[str, Any],
    filename: str,
    content: bytes,
    dry_run: bool,
) -> ReferenceImportOut | Response:
    """POST /v1/reference-lists's own function; an error is shown on the upload page."""
    try:
        answer = import_list(
            request,
            key=user.key,
            upload=Upload(content, filename, limits_of(request)),
            dry_run=dry_run,
            **values,
        )
    except FileRejected as exc:
        problems = fields.place(exc, FORM_FIELDS)
        return _lists_page(
            request, user, fields, filename=filename, problems=problems, warnings=exc.warnings or []
        )
    except (UnsupportedFile, PayloadTooLarge) as exc:
        fields.errors["file"] = say(exc.detail)
        fields.status = exc.status
        return _lists_page(request, user, fields)
    except AppError as exc:  # a date, an overlap with a stored list, a key scoped to owners
        fields.place(exc, FORM_FIELDS)
        return _lists_page(request, user, fields, filename=filename)
    return ReferenceImportOut.model_validate_json(bytes(answer.body))


@router.post("/referensprislistor/granska")
def review_list(
    request: Request,
    user: WebUser = Depends(web_user("write")),
    form: FormData = Depends(posted_form),
) -> Response:
    """`Granska`: the API's dry run: every problem of the file, or what the list holds."""
    fields, values = _read_fields(form)
    uploaded = fields.file(request, form, "file")
    if fields or uploaded is None:
        return _lists_page(request, user, fields)
    filename, content = uploaded
    reviewed = _import(request, user, fields, values, filename, content, dry_run=True)
    if isinstance(reviewed, Response):
        return reviewed
    sha256 = uploads.keep(user.session.csrf, filename, content)
    return _lists_page(request, user, fields, filename=filename, sha256=sha256, reviewed=reviewed)


@router.post("/referensprislistor/spara")
def save_list(
    request: Request,
    user: WebUser = Depends(web_user("write")),
    form: FormData = Depends(posted_form),
) -> Response:
    fields, values = _read_fields(form)
    kept = fields.reviewed_file(form, user.session.csrf)
    if fields or kept is None:
        return _lists_page(request, user, fields)
    filename, content, sha256 = kept
    stored = _import(request, user, fields, values, filename, content, dry_run=False)
    if isinstance(stored, Response):
        return stored
    uploads.forget(user.session.csrf, sha256)
    return redirect(request, f"/ui/referensprislistor/{stored.reference_list.id}?sparad=1")


@router.get("/referensprislistor/{list_id:int}")
def list_page(
    request: Request,
    list_id: int,
    q: str = Query("", max_length=100),
    sort: str = "",
    dir: str = "asc",
    user: WebUser = Depends(web_user("read")),
) -> Response:
    detail = read_list(list_id, request, _key=user.key)
    entries = detail.entries
    if q.strip():
        words = q.lower().split()
        entries = [e for e in entries if all(w in f"{e.code} {e.name}".lower() for w in words)]
    entries = sorted_by(entries, sort, dir, ENTRY_SORTS)
    schedules = list_schedules(request, owner=None, variant=None, status=None, _key=user.key)
    flash = "Referensprislistan är sparad." if request.query_params.get("sparad") else None
    return page(
        request,
        "reference_list.html.j2",
        detail.name,
        reference=detail,
        entries=entries,
        q=q,
        sort=sort,
        dir=dir,
        schedules=schedules,
        flash=flash,
    )


@router.get("/referenskontroll")
def check_page(
    request: Request,
    taxa: str = "",
    lista: str = "",
    sort: str = "",
    dir: str = "asc",
    user: WebUser = Depends(web_user("read")),
) -> Response:
    """A taxa's referenspris column against a list (GET /v1/schedules/{id}/reference-check)."""
    schedules = list_schedules(request, owner=None, variant=None, status=None, _key=user.key)
    lists: list[ReferenceListOut] = list_lists(request, _key=user.key)
    fields = FieldErrors()
    context: dict[str, Any] = {
        "schedules": schedules,
        "lists": lists,
        "check": None,
        "sort": sort,
        "dir": dir,
    }
    if not taxa or not lista:  # a link from a taxa or a list names one: the form asks the other
        fields.values.update(taxa=taxa, lista=lista)
        return form_page(request, "reference_check.html.j2", "Referenskontroll", fields, **context)
    query = request.query_params
    schedule_id = fields.integer_choice(query, "taxa", "Taxa", {s.id for s in schedules})
    list_id = fields.integer_choice(
        query, "lista", "Referensprislista", {r.id for r in lists if r.id is not None}
    )
    check = None
    if schedule_id is not None and list_id is not None:
        try:
            check = reference_check(schedule_id, request, reference_list_id=list_id, _key=user.key)
        except AppError as exc:
            fields.place(exc, {"schedule_id": "taxa", "reference_list_id": "lista"})
    if check is not None:
        context.update(
            check=check, differences=sorted_by(list(check.differences), sort, dir, DIFFERENCE_SORTS)
        )
    return form_page(request, "reference_check.html.j2", "Referenskontroll", fields, **context)
