"""Schedule versions: list, read, export, import (upload), activate, retire."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth import actor_of, require_owner
from app.config import DEFAULT_OWNER
from app.db import transaction
from app.deps import UploadedFile, caller, engine, snapshots
from app.errors import BUSY_RESPONSES, ERROR_RESPONSES, FILE_RESPONSES, RowProblem, error_response
from app.models import STORABLE_TEXT, BoundedDate, Schedule, ScheduleItem
from app.snapshot import KeyView
from app.taxa.export import export_csv, export_xlsx
from app.taxa.imports import finding_json, import_taxa
from app.taxa.schedules import activate, get_schedule, items_of, retire
from app.taxa.schemas import (
    ActivationOut,
    DiffOut,
    ImportOut,
    ItemOut,
    ScheduleDetail,
    ScheduleOut,
    ScheduleRef,
)
from pricing.taxa import Variant

router = APIRouter(tags=["schedules"])

ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]")  # a header carries latin-1 only; an owner may not


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: error_response("No schedule with that id")}
OWNER_NAME = Form(min_length=1, max_length=100, pattern=STORABLE_TEXT)


@router.get(
    "/v1/schedules",
    response_model=list[ScheduleOut],
    responses=ERROR_RESPONSES,
    summary="Every schedule version, newest first",
)
def list_schedules(
    request: Request,
    owner: str | None = None,
    variant: Variant | None = None,
    status: str | None = Query(None, pattern="^(draft|active|retired)$"),
    _key: KeyView = Depends(caller("read")),
) -> list[ScheduleOut]:
    with Session(engine(request)) as session:
        query = select(Schedule)
        if owner:
            query = query.where(Schedule.owner == owner)
        if variant:
            query = query.where(Schedule.variant == variant.value)
        if status:
            query = query.where(Schedule.status == status)
        schedules = session.exec(
            query.order_by(col(Schedule.valid_from).desc(), col(Schedule.id).desc())
        ).all()
        counts = dict(
            session.exec(
                select(ScheduleItem.schedule_id, func.count()).group_by(
                    col(ScheduleItem.schedule_id)
                )
            ).all()
        )
        return [ScheduleOut.of(s, counts.get(s.id or 0, 0)) for s in schedules]


@router.get(
    "/v1/schedules/{schedule_id}",
    response_model=ScheduleDetail,
    responses={**ERROR_RESPONSES, **NOT_FOUND},
    summary="One schedule with its items",
)
def read_schedule(
    schedule_id: int, request: Request, _key: KeyView = Depends(caller("read"))
) -> ScheduleDetail:
    with Session(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        items = items_of(session, schedule_id)
        return ScheduleDetail(
            **ScheduleOut.of(schedule, len(items)).model_dump(),
            items=[ItemOut.of(i) for i in items],
        )


@router.get(
    "/v1/schedules/{schedule_id}/export",
    responses={
        **ERROR_RESPONSES,
        **NOT_FOUND,
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
            "description": "The schedule in the service's own format (data/FORMAT.md)",
        },
    },
    summary="Download a schedule as CSV or XLSX; importing it gives the same schedule back",
)
def export_schedule(
    schedule_id: int,
    request: Request,
    format: str = Query("csv", pattern="^(csv|xlsx)$"),
    _key: KeyView = Depends(caller("read")),
) -> Response:
    with Session(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        items = items_of(session, schedule_id)
    stem = ASCII_NAME.sub(
        "_", f"taxa-{schedule.owner}-{schedule.variant}-{schedule.valid_from}-{schedule.id}"
    )
    if format == "xlsx":
        return Response(
            export_xlsx(items, schedule.name),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
        )
    return Response(
        export_csv(items),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
    )


@router.post(
    "/v1/imports",
    response_model=ImportOut,
    status_code=201,
    summary="Upload a taxa (CSV or XLSX): validate every row, show the diff, store a draft",
    responses={
        **ERROR_RESPONSES,
        200: {"model": ImportOut, "description": "dry_run: validation and diff, nothing stored"},
        403: error_response("The key's role may not write, or not for this owner"),
        **FILE_RESPONSES,
        422: error_response("Every problem in the file (nothing stored), or a malformed form"),
        **BUSY_RESPONSES,
    },
)
def upload_taxa(
    request: Request,
    key: Annotated[KeyView, Depends(caller("write"))],
    upload: UploadedFile,
    name: Annotated[
        str,
        Form(min_length=1, max_length=200, pattern=STORABLE_TEXT, examples=["Tandvårdstaxa 2026"]),
    ],
    valid_from: Annotated[BoundedDate, Form(examples=["2026-01-01"])],
    variant: Annotated[Variant, Form()] = Variant.NORMAL,
    dry_run: Annotated[bool, Form()] = False,
    owner: Annotated[str, OWNER_NAME] = DEFAULT_OWNER,
) -> Response:
    require_owner(key, owner)
    with transaction(engine(request)) as session:
        outcome = import_taxa(
            session,
            content=upload.content,
            filename=upload.filename,
            owner=owner,
            name=name,
            variant=variant,
            valid_from=valid_from,
            dry_run=dry_run,
            actor=actor_of(key),
            limits=upload.limits,
        )
        against = None
        if outcome.against_id is not None:
            against = ScheduleRef.of(get_schedule(session, outcome.against_id))
    body = ImportOut(
        dry_run=dry_run,
        schedule_id=outcome.schedule_id,
        status=None if dry_run else "draft",
        sha256=outcome.sha256,
        rows=outcome.validation.row_count,
        items=len(outcome.validation.items),
        warnings=[RowProblem.model_validate(finding_json(w)) for w in outcome.validation.warnings],
        diff=DiffOut.of(outcome.diff, against),
    )
    return Response(
        body.model_dump_json(), status_code=200 if dry_run else 201, media_type="application/json"
    )


@router.post(
    "/v1/schedules/{schedule_id}/activate",
    response_model=ActivationOut,
    responses={
        **ERROR_RESPONSES,
        **NOT_FOUND,
        **BUSY_RESPONSES,
        409: error_response(
            "Not a draft (already active: activated once), or "
            "overlaps an active schedule, also one activated "
            "at the same moment"
        ),
    },
    summary="Make a draft the taxa in force from its valid_from",
)
def activate_schedule(
    schedule_id: int, request: Request, key: KeyView = Depends(caller("write"))
) -> ActivationOut:
    with transaction(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        require_owner(key, schedule.owner)
        ended = activate(session, schedule, actor_of(key))
        result = ActivationOut(
            schedule=ScheduleOut.of(schedule),
            ended=None if ended is None else ScheduleOut.of(ended),
        )
    snapshots(request).invalidate()
    return result


@router.post(
    "/v1/schedules/{schedule_id}/retire",
    response_model=ScheduleOut,
    responses={**ERROR_RESPONSES, **NOT_FOUND, **BUSY_RESPONSES, 409: error_response("Not active")},
    summary="Take an active schedule out of force (it stays readable)",
)
def retire_schedule(
    schedule_id: int, request: Request, key: KeyView = Depends(caller("write"))
) -> ScheduleOut:
    with transaction(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        require_owner(key, schedule.owner)
        retire(session, schedule, actor_of(key))
        result = ScheduleOut.of(schedule)
    snapshots(request).invalidate()
    return result
