"""The pages: logging in and out, the schedules, uploading a taxa and activating a draft.

Every figure comes from the function the JSON API uses: the API's route functions called as
plain functions with the logged-in key, or the plain functions they call (``import_taxa``,
``activate``). Each page first checks the permission the matching API route requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.auth import actor_of, authenticate, require_owner
from app.config import DEFAULT_OWNER
from app.db import transaction
from app.deps import engine, settings, snapshot
from app.errors import (
    Conflict,
    FileRejected,
    Forbidden,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedFile,
)
from app.files import Limits
from app.jour.routes import jour_check
from app.reference.routes import list_lists
from app.snapshot import KeyView
from app.taxa.imports import ImportOutcome, finding_json, import_taxa
from app.taxa.routes import activate_schedule, export_schedule, list_schedules, read_schedule
from app.taxa.schedules import activate, get_schedule
from app.taxa.schemas import DiffOut, ItemOut, ScheduleRef
from app.web import uploads
from app.web.forms import FieldErrors, Fields, form_page, posted_form
from app.web.render import answer, page, redirect
from app.web.session import (
    WebUser,
    clear_cookie,
    current_user,
    new_session,
    read_session,
    use_session,
    web_user,
)
from app.web.swedish import say
from pricing.taxa import Variant

router = APIRouter(prefix="/ui", include_in_schema=False)

SCHEDULE_SORTS = (
    "id",
    "owner",
    "name",
    "variant",
    "valid_from",
    "valid_to",
    "status",
    "source_filename",
    "item_count",
)
ITEM_SORTS = ("code", "group", "text", "price", "reference_price")


def limits_of(request: Request) -> Limits:
    """The upload limits the API's routes read a file by (:func:`app.deps.read_upload`)."""
    return Limits.of(settings(request))


def sorted_by(rows: list[Any], sort: str, direction: str, allowed: tuple[str, ...]) -> list[Any]:
    """Rows sorted by one attribute, blanks last either way; unknown columns keep the order."""
    if sort not in allowed:
        return rows
    present = [r for r in rows if getattr(r, sort) is not None]
    blank = [r for r in rows if getattr(r, sort) is None]

    def key(row: Any) -> Any:
        value = getattr(row, sort)
        return value.lower() if isinstance(value, str) else value

    return sorted(present, key=key, reverse=direction == "desc") + blank


def problems_of(exc: FileRejected) -> list[dict[str, Any]]:
    return list(exc.extra.get("problems", []))


def default_owner(key: KeyView) -> str:
    """The owner an upload form starts with: the key's own when it is scoped to owners."""
    return DEFAULT_OWNER if not key.owners else sorted(key.owners)[0]


def owner_of(fields: FieldErrors, form: Fields, key: KeyView) -> str:
    """The form's ``Ägare`` (empty: the API's default owner), checked as the API checks it
    (:func:`app.auth.require_owner`): a key scoped to other owners gets a 403 with the reason
    next to the field."""
    owner = fields.text(form, "owner", "Ägare", required=False, max_length=100) or DEFAULT_OWNER
    fields.values["owner"] = owner
    if "owner" not in fields.errors:
        try:
            require_owner(key, owner)
        except Forbidden as exc:
            fields.errors["owner"] = say(exc.detail)
            fields.status = 403
    return owner


# --- logging in -------------------------------------------------------------------------------


@router.get("")
@router.get("/")
def home(request: Request) -> Response:
    return redirect(request, "/ui/taxor" if current_user(request) else "/ui/logga-in")


@router.get("/logga-in")
def login_page(request: Request) -> Response:
    if current_user(request) is not None:
        return redirect(request, "/ui/taxor")
    if read_session(request) is None:
        use_session(request, new_session())
    return page(request, "login.html.j2", "Logga in", errors={})


@router.post("/logga-in")
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=5)
    session = read_session(request)
    sent = form.get("csrf")
    if session is None or sent != session.csrf:
        use_session(request, new_session())
        return page(
            request,
            "login.html.j2",
            "Logga in",
            status_code=403,
            errors={"key": "Sidan hade blivit för gammal. Fyll i nyckeln och logga in igen."},
        )
    key = form.get("key")
    key = key.strip() if isinstance(key, str) else ""
    if not key:
        return page(
            request,
            "login.html.j2",
            "Logga in",
            status_code=422,
            errors={"key": "Fyll i din API-nyckel."},
        )
    try:
        authenticate(snapshot(request), f"Bearer {key}")
    except Unauthorized:
        return page(
            request,
            "login.html.j2",
            "Logga in",
            status_code=401,
            errors={"key": "Okänd eller återkallad API-nyckel."},
        )
    use_session(request, new_session(key))  # a new CSRF token: the one before login is spent
    return redirect(request, "/ui/taxor")


@router.post("/logga-ut")
def logout(request: Request, _form: FormData = Depends(posted_form)) -> Response:
    response = redirect(request, "/ui/logga-in")
    clear_cookie(response)
    return response


# --- schedules --------------------------------------------------------------------------------


@router.get("/taxor")
def schedules_page(
    request: Request,
    sort: str = "",
    dir: str = "desc",
    user: WebUser = Depends(web_user("read")),
) -> Response:
    rows = list_schedules(request, owner=None, variant=None, status=None, _key=user.key)
    rows = sorted_by(rows, sort, dir, SCHEDULE_SORTS)
    return page(request, "schedules.html.j2", "Taxor", schedules=rows, sort=sort, dir=dir)


@router.get("/taxor/{schedule_id:int}")
def schedule_page(
    request: Request,
    schedule_id: int,
    q: str = Query("", max_length=100),
    sort: str = "",
    dir: str = "asc",
    user: WebUser = Depends(web_user("read")),
) -> Response:
    detail = read_schedule(schedule_id, request, _key=user.key)
    items: list[ItemOut] = detail.items
    if q.strip():
        # The same matching as GET /v1/procedures?q=: every word in the code, texts or group.
        words = q.lower().split()
        items = [
            i
            for i in items
            if all(
                w in " ".join((i.code or "", i.text, *i.alternative_texts, i.group)).lower()
                for w in words
            )
        ]
    items = sorted_by(items, sort, dir, ITEM_SORTS)
    flash = None
    saved = request.query_params.get("sparad")
    if saved == "forslag":
        flash = "Förslaget är sparat som utkast. Aktivera det när det ska börja gälla."
    elif saved:
        flash = "Utkastet är sparat. Aktivera det när det ska börja gälla."
    elif request.query_params.get("aktiverad"):
        flash = "Taxan är aktiverad."
    jour = request.query_params.get("jour", "")
    jour_draft = None
    if saved and jour.isdigit():  # a proposal stores its jour taxa beside the normal one
        with Session(engine(request)) as session:
            jour_draft = ScheduleRef.of(get_schedule(session, int(jour)))
    lists = list_lists(request, _key=user.key)
    return page(
        request,
        "schedule.html.j2",
        detail.name,
        schedule=detail,
        items=items,
        q=q,
        sort=sort,
        dir=dir,
        flash=flash,
        jour_draft=jour_draft,
        lists=lists,
    )


@router.get("/taxor/{schedule_id:int}/export.{fmt}")
def export_page(
    request: Request,
    schedule_id: int,
    fmt: str,
    user: WebUser = Depends(web_user("read")),
) -> Response:
    if fmt not in ("csv", "xlsx"):
        return page(
            request,
            "error.html.j2",
            "Finns inte",
            status_code=404,
            message="Exporten finns som CSV och XLSX.",
        )
    return answer(request, export_schedule(schedule_id, request, format=fmt, _key=user.key))


@router.get("/taxor/{schedule_id:int}/jourkontroll")
def jour_check_page(
    request: Request,
    schedule_id: int,
    user: WebUser = Depends(web_user("read")),
) -> Response:
    check = jour_check(schedule_id, request, base=None, _key=user.key)
    return page(request, "jour_check.html.j2", f"Jourkontroll: {check.schedule.name}", check=check)


# --- uploading a taxa -------------------------------------------------------------------------


def _upload_form(
    request: Request, user: WebUser, fields: FieldErrors | None = None, **context: Any
) -> Response:
    if fields is None:
        fields = FieldErrors(values={"variant": "normal", "owner": default_owner(user.key)})
    return form_page(request, "upload.html.j2", "Ladda upp taxa", fields, **context)


@router.get("/taxor/ladda-upp")
def upload_page(request: Request, user: WebUser = Depends(web_user("write"))) -> Response:
    return _upload_form(request, user)


@dataclass(frozen=True)
class _TaxaForm:
    """The upload form's fields, each checked: what ``import_taxa`` needs beside the file."""

    owner: str
    name: str
    variant: Variant
    valid_from: date


def _read_upload_fields(form: FormData, key: KeyView) -> tuple[FieldErrors, _TaxaForm | None]:
    """Every field's error; the fields themselves only when all of them are right."""
    fields = FieldErrors()
    owner = owner_of(fields, form, key)
    name = fields.text(form, "name", "Namn")
    variant = fields.choice(form, "variant", "Variant", tuple(v.value for v in Variant))
    valid_from = fields.day(form, "valid_from", "Gäller från")
    if fields or valid_from is None:
        return fields, None
    return fields, _TaxaForm(owner, name, Variant(variant), valid_from)


def _import(
    session: Session,
    request: Request,
    user: WebUser,
    taxa: _TaxaForm,
    filename: str,
    content: bytes,
    *,
    dry_run: bool,
) -> ImportOutcome:
    """``import_taxa`` as POST /v1/imports calls it: `Granska` is its dry run, `Spara` stores,
    so the review and the save read and check the file alike."""
    return import_taxa(
        session,
        content=content,
        filename=filename,
        owner=taxa.owner,
        name=taxa.name,
        variant=taxa.variant,
        valid_from=taxa.valid_from,
        dry_run=dry_run,
        actor=actor_of(user.key),
        limits=limits_of(request),
    )


@router.post("/taxor/granska")
def review_taxa(
    request: Request,
    user: WebUser = Depends(web_user("write")),
    form: FormData = Depends(posted_form),
) -> Response:
    fields, taxa = _read_upload_fields(form, user.key)
    uploaded = fields.file(request, form, "file")
    if fields or uploaded is None or taxa is None:
        return _upload_form(request, user, fields)
    filename, content = uploaded
    try:
        with Session(engine(request)) as session:
            outcome = _import(session, request, user, taxa, filename, content, dry_run=True)
            against = None
            if outcome.against_id is not None:
                against = ScheduleRef.of(get_schedule(session, outcome.against_id))
    except FileRejected as exc:
        return _upload_form(
            request,
            user,
            fields,
            filename=filename,
            problems=problems_of(exc),
            warnings=list(exc.extra.get("warnings", [])),
        )
    except (UnsupportedFile, PayloadTooLarge) as exc:
        fields.errors["file"] = say(exc.detail)
        return _upload_form(request, user, fields)
    sha256 = uploads.keep(user.session.csrf, filename, content)
    return _upload_form(
        request,
        user,
        fields,
        filename=filename,
        sha256=sha256,
        rows=outcome.validation.row_count,
        item_count=len(outcome.validation.items),
        diff=DiffOut.of(outcome.diff, against),
        warnings=[finding_json(w) for w in outcome.validation.warnings],
    )


@router.post("/taxor/spara")
def save_taxa(
    request: Request,
    user: WebUser = Depends(web_user("write")),
    form: FormData = Depends(posted_form),
) -> Response:
    fields, taxa = _read_upload_fields(form, user.key)
    kept = fields.reviewed_file(form, user.session.csrf)
    if fields or kept is None or taxa is None:
        return _upload_form(request, user, fields)
    filename, content, sha256 = kept
    try:
        with transaction(engine(request)) as session:
            outcome = _import(session, request, user, taxa, filename, content, dry_run=False)
    except FileRejected as exc:  # the same bytes were accepted at review; rules may have moved
        return _upload_form(request, user, fields, filename=filename, problems=problems_of(exc))
    uploads.forget(user.session.csrf, sha256)
    return redirect(request, f"/ui/taxor/{outcome.schedule_id}?sparad=1")


# --- activating a draft -----------------------------------------------------------------------


@router.get("/taxor/{schedule_id:int}/aktivera")
def confirm_activation(
    request: Request,
    schedule_id: int,
    user: WebUser = Depends(web_user("write")),
) -> Response:
    """Which taxa the activation ends and on which day: ``activate`` itself, rolled back."""
    with Session(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        target = ScheduleRef.of(schedule)
        status = schedule.status
        ended: ScheduleRef | None = None
        error = None
        status_code = 200
        try:
            require_owner(user.key, schedule.owner)  # as POST /v1/schedules/{id}/activate
            found = activate(session, schedule, actor_of(user.key))
            ended = None if found is None else ScheduleRef.of(found)
        except (Conflict, Forbidden) as exc:
            error, status_code = say(exc.detail), exc.status
        finally:
            session.rollback()
    last_day = target.valid_from - timedelta(days=1)
    return page(
        request,
        "activate.html.j2",
        f"Aktivera {target.name}",
        schedule=target,
        status=status,
        ended=ended,
        last_day=last_day,
        error=error,
        status_code=status_code,
    )


@router.post("/taxor/{schedule_id:int}/aktivera")
def activate_page(
    request: Request,
    schedule_id: int,
    user: WebUser = Depends(web_user("write")),
    _form: FormData = Depends(posted_form),
) -> Response:
    try:
        activate_schedule(schedule_id, request, key=user.key)
    except (Conflict, Forbidden):
        return confirm_activation(request, schedule_id, user)
    return redirect(request, f"/ui/taxor/{schedule_id}?aktiverad=1")
