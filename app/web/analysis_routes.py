"""The pages on volumes, the 7 % rule and the board's report.

The 7 %-kontroll shows the report's own figures and chart (``build_report_data``, the charts
module); the Rapport page shows the report the API renders, in a frame, with its PDF and XLSX.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from threading import Lock
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.auth import actor_of
from app.db import transaction
from app.deps import engine, snapshot
from app.errors import AppError, FileRejected, PayloadTooLarge, UnsupportedFile
from app.files import Limits
from app.reference.routes import list_lists
from app.report import charts
from app.report import fmt as report_fmt
from app.report import text as report_text
from app.report.data import (
    NO_VOLUMES,
    ReportData,
    VolumeSource,
    build_report_data,
    example_volumes,
    volumes_from_set,
)
from app.report.formats import ReportFormat
from app.report.routes import report
from app.taxa.imports import finding_json
from app.taxa.routes import list_schedules
from app.taxa.schemas import ScheduleOut
from app.volumes.routes import deviation, list_volumes, read_volumes
from app.volumes.schemas import DeviationIn, DeviationOut, VolumeSetOut
from app.volumes.volume_sets import import_volumes, parse_volume_file
from app.web import uploads
from app.web.forms import FieldErrors, form_page, posted_form
from app.web.render import answer, page, redirect
from app.web.routes import default_owner, limits_of, owner_of, problems_of, sorted_by
from app.web.session import WebUser, web_user
from app.web.swedish import say
from pricing.deviation import DEFAULT_LIMIT_PERCENT
from pricing.taxa import Variant

router = APIRouter(prefix="/ui", include_in_schema=False)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
VOLUME_SORTS = ("id", "name", "imported_at", "codes", "total_volume", "rows")
CODE_SORTS = ("code", "volume")
EXAMPLE = "exempel"
NONE = "ingen"


# --- volumes ----------------------------------------------------------------------------------


def _volumes_page(
    request: Request,
    user: WebUser,
    fields: FieldErrors | None = None,
    sort: str = "",
    dir: str = "desc",
    **context: Any,
) -> Response:
    if fields is None:
        fields = FieldErrors(values={"owner": default_owner(user.key)})
    sets = sorted_by(list_volumes(request, _key=user.key), sort, dir, VOLUME_SORTS)
    return form_page(
        request, "volumes.html.j2", "Volymer", fields, sets=sets, sort=sort, dir=dir, **context
    )


@router.get("/volymer")
def volumes_page(
    request: Request, sort: str = "", dir: str = "desc", user: WebUser = Depends(web_user("report"))
) -> Response:
    return _volumes_page(request, user, sort=sort, dir=dir)


@router.post("/volymer/granska")
def review_volumes(
    request: Request,
    user: WebUser = Depends(web_user("write")),
    form: FormData = Depends(posted_form),
) -> Response:
    """The review: the same parsing and validation as POST /v1/volumes, nothing stored."""
    fields = FieldErrors()
    owner_of(fields, form, user.key)
    fields.text(form, "name", "Namn")
    uploaded = fields.file(request, form, "file")
    if fields or uploaded is None:
        return _volumes_page(request, user, fields)
    filename, content = uploaded
    try:
        validation = parse_volume_file(content, filename, limits_of(request))
    except (UnsupportedFile, PayloadTooLarge) as exc:
        fields.errors["file"] = say(exc.detail)
        return _volumes_page(request, user, fields)
    warnings = [finding_json(w) for w in validation.warnings]
    if not validation.ok:
        return _volumes_page(
            request,
            user,
            fields,
            filename=filename,
            warnings=warnings,
            problems=[finding_json(f) for f in validation.errors],
        )
    sha256 = uploads.keep(user.session.csrf, filename, content)
    return _volumes_page(
        request,
        user,
        fields,
        filename=filename,
        sha256=sha256,
        warnings=warnings,
        reviewed=validation,
    )


@router.post("/volymer/spara")
def save_volumes(
    request: Request,
    user: WebUser = Depends(web_user("write")),
    form: FormData = Depends(posted_form),
) -> Response:
    fields = FieldErrors()
    owner = owner_of(fields, form, user.key)
    name = fields.text(form, "name", "Namn")
    kept = fields.reviewed_file(form, user.session.csrf)
    if fields or kept is None:
        return _volumes_page(request, user, fields)
    filename, content, sha256 = kept
    try:
        with transaction(engine(request)) as session:
            stored, _ = import_volumes(
                session,
                content=content,
                filename=filename,
                owner=owner,
                name=name,
                actor=actor_of(user.key),
                limits=limits_of(request),
            )
    except FileRejected as exc:
        return _volumes_page(request, user, fields, filename=filename, problems=problems_of(exc))
    uploads.forget(user.session.csrf, sha256)
    return redirect(request, f"/ui/volymer/{stored.id}?sparad=1")


@router.get("/volymer/{volume_set_id:int}")
def volume_set_page(
    request: Request,
    volume_set_id: int,
    sort: str = "",
    dir: str = "asc",
    user: WebUser = Depends(web_user("report")),
) -> Response:
    detail = read_volumes(volume_set_id, request, _key=user.key)
    rows = sorted_by(list(detail.volumes), sort, dir, CODE_SORTS)
    flash = "Volymerna är sparade." if request.query_params.get("sparad") else None
    return page(
        request,
        "volume_set.html.j2",
        detail.name,
        volume_set=detail,
        rows=rows,
        sort=sort,
        dir=dir,
        flash=flash,
    )


# --- choosing a taxa and volumes (7 %-kontroll, Rapport) -----------------------------------------


def _choices(request: Request, user: WebUser) -> tuple[list[ScheduleOut], list[VolumeSetOut]]:
    schedules = [
        s
        for s in list_schedules(
            request, owner=None, variant=Variant.NORMAL, status=None, _key=user.key
        )
    ]
    return schedules, list_volumes(request, _key=user.key)


def _volume_query(volumes: str) -> tuple[int | None, bool]:
    """The form's volume choice: a stored set's id, the bundled example, or none."""
    if volumes == EXAMPLE:
        return None, True
    if volumes.isdigit():
        return int(volumes), False
    return None, False


def _limit(raw: str, errors: dict[str, str]) -> Decimal:
    try:
        value = Decimal(raw.replace(",", ".").strip() or str(DEFAULT_LIMIT_PERCENT))
    except InvalidOperation:
        errors["limit"] = "Gränsen ska vara ett tal, t.ex. 7."
        return DEFAULT_LIMIT_PERCENT
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        errors["limit"] = "Gränsen ska vara mellan 0 och 100 procent."
        return DEFAULT_LIMIT_PERCENT
    return value


@lru_cache(maxsize=2)
def cached_example_volumes(limits: Limits) -> tuple[dict[str, int], VolumeSource]:
    """The bundled example volumes: a file that never changes, so read once per process.
    Callers do not change the dict."""
    return example_volumes(limits)


# The 7 %-kontroll's figures and chart by (schedule, volumes, limit, snapshot version). Stored
# schedules and volume sets never change, and the previous taxa moves only with an activation or
# retirement, which moves the snapshot version: a cached answer is the one a new run would give.
# Drawing the chart costs more than the figures (matplotlib, ~150–300 ms); a few entries suffice.
_CONTROL_CACHE: OrderedDict[tuple[object, ...], tuple[ReportData, str | None]] = OrderedDict()
_CONTROL_CACHE_SIZE = 16
_CONTROL_LOCK = Lock()


def _control_figures(
    request: Request, schedule_id: int, volymer: str, limit: Decimal
) -> tuple[ReportData, str | None]:
    key = (id(request.app), schedule_id, volymer, str(limit), snapshot(request).version)
    with _CONTROL_LOCK:
        if key in _CONTROL_CACHE:
            _CONTROL_CACHE.move_to_end(key)
            return _CONTROL_CACHE[key]
    volumes_id, use_example = _volume_query(volymer)
    with Session(engine(request)) as session:
        if volumes_id is not None:
            volumes, source = volumes_from_set(session, volumes_id)
        elif use_example:
            volumes, source = cached_example_volumes(limits_of(request))
        else:
            volumes, source = None, NO_VOLUMES
        data = build_report_data(
            session,
            schedule_id,
            volumes,
            source,
            previous_id=None,
            limit_percent=limit,
            generated_at=datetime.now(STOCKHOLM),
        )
    chart = charts.deviation_by_group(data)
    found = (data, None if chart is None else charts.data_uri(chart))
    with _CONTROL_LOCK:
        _CONTROL_CACHE[key] = found
        while len(_CONTROL_CACHE) > _CONTROL_CACHE_SIZE:
            _CONTROL_CACHE.popitem(last=False)
    return found


def _against_list(
    request: Request, user: WebUser, schedule_id: int, volymer: str, limit: Decimal, list_id: int
) -> DeviationOut:
    """The deviation on another reference list's prices, with the list's own rise: the API's
    POST /v1/schedules/{id}/deviation with ``reference_list_id``."""
    volumes_id, use_example = _volume_query(volymer)
    volumes = cached_example_volumes(limits_of(request))[0] if use_example else None
    body = DeviationIn(
        volumes_id=volumes_id,
        volumes=volumes,
        limit_percent=limit,
        previous_id=None,
        reference_list_id=list_id,
        top=0,
    )
    return deviation(schedule_id, body, request, _key=user.key)


@router.get("/kontroll")
def control_page(
    request: Request,
    taxa: str = "",
    volymer: str = EXAMPLE,
    grans: str = "7",
    lista: str = "",
    user: WebUser = Depends(web_user("report")),
) -> Response:
    schedules, sets = _choices(request, user)
    lists = list_lists(request, _key=user.key)
    errors: dict[str, str] = {}
    limit = _limit(grans, errors)
    context: dict[str, Any] = {
        "schedules": schedules,
        "sets": sets,
        "lists": lists,
        "taxa": taxa,
        "volymer": volymer,
        "grans": grans,
        "lista": lista,
        "data": None,
        "chart": None,
        "against": None,
    }
    if not taxa:
        return page(request, "control.html.j2", "7 %-kontroll", errors=errors, **context)
    if not taxa.isdigit():
        errors["taxa"] = "Välj en taxa."
    if lista and not any(str(r.id) == lista for r in lists):
        errors["lista"] = "Välj en sparad referensprislista."
    elif lista and _volume_query(volymer) == (None, False):
        errors["volymer"] = "Jämförelsen med en referensprislista vägs med volymer: välj volymer."
    if errors:
        return page(
            request, "control.html.j2", "7 %-kontroll", status_code=422, errors=errors, **context
        )
    try:
        if lista:
            context.update(
                against=_against_list(request, user, int(taxa), volymer, limit, int(lista)),
                t=report_text,
            )
        else:
            data, chart = _control_figures(request, int(taxa), volymer, limit)
            context.update(data=data, f=data.figures, t=report_text, fmt=report_fmt, chart=chart)
    except AppError as exc:
        errors["taxa"] = say(exc.detail)
        return page(
            request,
            "control.html.j2",
            "7 %-kontroll",
            status_code=exc.status,
            errors=errors,
            **context,
        )
    return page(request, "control.html.j2", "7 %-kontroll", errors=errors, **context)


@router.get("/rapport")
def report_page(
    request: Request,
    taxa: str = "",
    volymer: str = EXAMPLE,
    user: WebUser = Depends(web_user("report")),
) -> Response:
    schedules, sets = _choices(request, user)
    errors: dict[str, str] = {}
    if taxa and not taxa.isdigit():
        errors["taxa"] = "Välj en taxa."
    chosen = next((s for s in schedules if str(s.id) == taxa), None)
    if taxa and chosen is None and not errors:
        errors["taxa"] = "Välj en normaltaxa: jourtaxan kontrolleras i normaltaxans rapport."
    return page(
        request,
        "report.html.j2",
        "Rapport",
        status_code=422 if errors else 200,
        schedules=schedules,
        sets=sets,
        taxa=taxa,
        volymer=volymer,
        chosen=chosen,
        errors=errors,
    )


@router.get("/rapport/{schedule_id:int}/rapport.{fmt}")
def report_file(
    request: Request,
    schedule_id: int,
    fmt: str,
    volymer: str = EXAMPLE,
    user: WebUser = Depends(web_user("report")),
) -> Response:
    """The report as the API renders it (GET /v1/schedules/{id}/report)."""
    try:
        chosen = ReportFormat(fmt)
    except ValueError:
        return page(
            request,
            "error.html.j2",
            "Finns inte",
            status_code=404,
            message="Rapporten finns som HTML, PDF och XLSX.",
        )
    volumes_id, use_example = _volume_query(volymer)
    response = report(
        schedule_id,
        request,
        format=chosen,
        volumes_id=volumes_id,
        example_volumes_=use_example,
        previous_id=None,
        limit_percent=DEFAULT_LIMIT_PERCENT,
        _key=user.key,
    )
    if chosen is ReportFormat.HTML:
        # The report is its own document (print CSS inline, charts as data: URIs) shown in a
        # frame of the Rapport page: it may use its inline styles, and run nothing at all.
        response.headers["content-security-policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
        )
    return answer(request, response)
