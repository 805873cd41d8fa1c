"""Schedule versions: list, read, export, import (upload), activate, retire.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth import actor_of
from app.config import DEFAULT_OWNER
from app.db import audit, transaction
from app.deps import caller, engine, settings, snapshots
from app.errors import ERROR_RESPONSES, ErrorOut, PayloadTooLarge, Problem
from app.files import Limits
from app.models import Schedule, ScheduleItem
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


NOT_FOUND = {404: {"model": ErrorOut, "description": "No schedule with that id"}}


@router.get("/v1/schedules", response_model=list[ScheduleOut], responses=ERROR_RESPONSES,
            summary="Every schedule version, newest first")
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
        schedules = session.exec(query.order_by(col(Schedule.valid_from).desc(),
                                                col(Schedule.id).desc())).all()
        counts = dict(
            session.exec(  # type: ignore[call-overload]
                select(ScheduleItem.schedule_id, func.count()).group_by(
                    col(ScheduleItem.schedule_id)
                )
            ).all()
        )
        return [ScheduleOut.of(s, counts.get(s.id, 0)) for s in schedules]


@router.get("/v1/schedules/{schedule_id}", response_model=ScheduleDetail,
            responses={**ERROR_RESPONSES, **NOT_FOUND}, summary="One schedule with its items")
def read_schedule(
    schedule_id: int, request: Request, _key: KeyView = Depends(caller("read"))
) -> ScheduleDetail:
    with Session(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        items = items_of(session, schedule_id)
        return ScheduleDetail(**ScheduleOut.of(schedule, len(items)).model_dump(),
                              items=[ItemOut.of(i) for i in items])


@router.get(
    "/v1/schedules/{schedule_id}/export",
    responses={
        **ERROR_RESPONSES, **NOT_FOUND,
        200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument."
                                        "spreadsheetml.sheet": {}},
              "description": "The schedule in the service's own format (data/FORMAT.md)"},
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
    stem = f"taxa-{schedule.owner}-{schedule.variant}-{schedule.valid_from}-{schedule.id}"
    if format == "xlsx":
        return Response(
            export_xlsx(items, schedule.name),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
        )
    return Response(export_csv(items), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'})


@router.post(
    "/v1/imports",
    response_model=ImportOut,
    status_code=201,
    summary="Upload a taxa (CSV or XLSX): validate every row, show the diff, store a draft",
    responses={
        **ERROR_RESPONSES,
        200: {"model": ImportOut, "description": "dry_run: validation and diff, nothing stored"},
        413: {"model": ErrorOut, "description": "File, rows or unpacked XLSX over the limit"},
        415: {"model": ErrorOut, "description": "Not a CSV/XLSX, or not what its name says"},
        422: {"model": ErrorOut, "description": "Every problem in the file; nothing stored"},
    },
)
def upload_taxa(
    request: Request,
    file: Annotated[UploadFile, File(description="The taxa as .csv or .xlsx")],
    name: Annotated[str, Form(min_length=1, max_length=200, examples=["Tandvårdstaxa 2026"])],
    valid_from: Annotated[date, Form(examples=["2026-01-01"])],
    variant: Annotated[Variant, Form()] = Variant.NORMAL,
    dry_run: Annotated[bool, Form()] = False,
    owner: Annotated[str, Form(min_length=1, max_length=100)] = DEFAULT_OWNER,
    key: KeyView = Depends(caller("write")),
) -> Response:
    config = settings(request)
    content = file.file.read(config.max_upload_bytes + 1)
    if len(content) > config.max_upload_bytes:
        raise PayloadTooLarge(f"the file is larger than {config.max_upload_bytes} bytes")
    limits = Limits(config.max_rows, config.max_xlsx_uncompressed_bytes)
    with transaction(engine(request)) as session:
        outcome = import_taxa(
            session, content=content, filename=file.filename or "", owner=owner, name=name,
            variant=variant, valid_from=valid_from, dry_run=dry_run, actor=actor_of(key),
            limits=limits,
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
        warnings=[Problem(**finding_json(w)) for w in outcome.validation.warnings],  # type: ignore[arg-type]
        diff=DiffOut.of(outcome.diff, against),
    )
    return Response(body.model_dump_json(), status_code=200 if dry_run else 201,
                    media_type="application/json")


@router.post("/v1/schedules/{schedule_id}/activate", response_model=ActivationOut,
             responses={**ERROR_RESPONSES, **NOT_FOUND,
                        409: {"model": ErrorOut, "description": "Not a draft, or overlaps"}},
             summary="Make a draft the taxa in force from its valid_from")
def activate_schedule(
    schedule_id: int, request: Request, key: KeyView = Depends(caller("write"))
) -> ActivationOut:
    with transaction(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        ended = activate(session, schedule, actor_of(key))
        audit(session, actor=actor_of(key), action="activate", target=f"schedule:{schedule_id}",
              sha256=schedule.source_sha256,
              ended=None if ended is None else {"schedule": ended.id, "valid_to": ended.valid_to})
        result = ActivationOut(schedule=ScheduleOut.of(schedule),
                               ended=None if ended is None else ScheduleOut.of(ended))
    snapshots(request).invalidate()
    return result


@router.post("/v1/schedules/{schedule_id}/retire", response_model=ScheduleOut,
             responses={**ERROR_RESPONSES, **NOT_FOUND,
                        409: {"model": ErrorOut, "description": "Not active"}},
             summary="Take an active schedule out of force (it stays readable)")
def retire_schedule(
    schedule_id: int, request: Request, key: KeyView = Depends(caller("write"))
) -> ScheduleOut:
    with transaction(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        retire(session, schedule)
        audit(session, actor=actor_of(key), action="retire", target=f"schedule:{schedule_id}")
        result = ScheduleOut.of(schedule)
    snapshots(request).invalidate()
    return result
