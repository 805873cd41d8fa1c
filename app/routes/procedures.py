"""Price lookups for clinic systems, served from the in-memory snapshot (no query per request)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query

from app.config import DEFAULT_OWNER
from app.deps import caller, snapshot
from app.errors import ERROR_RESPONSES, NotFound
from app.schemas import ErrorOut, ItemOut, ProcedureList, ProcedureOut, ScheduleRef
from app.snapshot import KeyView, ScheduleView, Snapshot
from pricing.taxa import Variant

router = APIRouter(prefix="/v1/procedures", tags=["procedures"])

NOT_FOUND = {404: {"model": ErrorOut, "description": "Unknown code, or no taxa covers the date"}}


def _schedule_in_force(snap: Snapshot, owner: str, variant: Variant, on: date) -> ScheduleView:
    view = snap.find(owner, variant, on)
    if view is None:
        raise NotFound(f"no active {variant.value} taxa of {owner!r} covers {on.isoformat()}")
    return view


def _ref(view: ScheduleView) -> ScheduleRef:
    return ScheduleRef(id=view.id, name=view.name, owner=view.owner, variant=view.variant.value,
                       valid_from=view.valid_from, valid_to=view.valid_to)


@router.get(
    "/{code}",
    response_model=ProcedureOut,
    summary="The price of one åtgärd on a date",
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def get_procedure(
    code: str,
    on: date = Query(description="The treatment date, YYYY-MM-DD", examples=["2025-06-01"]),
    variant: Variant = Query(Variant.NORMAL, description="normal or jour"),
    owner: str = Query(DEFAULT_OWNER, description="The region/organisation whose taxa"),
    snap: Snapshot = Depends(snapshot),
    _key: KeyView = Depends(caller("read")),
) -> ProcedureOut:
    view = _schedule_in_force(snap, owner, variant, on)
    item = view.by_code.get(code) or view.by_code.get(code.upper())
    if item is None:
        raise NotFound(f"code {code!r} is not in {view.name!r} (schedule {view.id})")
    return ProcedureOut(**ItemOut.of(item).model_dump(), schedule=_ref(view),
                        variant=variant.value)


@router.get(
    "",
    response_model=ProcedureList,
    summary="List or search the åtgärder in force on a date",
    responses={**ERROR_RESPONSES, **NOT_FOUND},
)
def list_procedures(
    on: date = Query(description="The date, YYYY-MM-DD", examples=["2025-06-01"]),
    variant: Variant = Query(Variant.NORMAL),
    q: str | None = Query(None, description="Words to find in the code, text or group",
                          max_length=100),
    owner: str = Query(DEFAULT_OWNER),
    snap: Snapshot = Depends(snapshot),
    _key: KeyView = Depends(caller("read")),
) -> ProcedureList:
    view = _schedule_in_force(snap, owner, variant, on)
    items = view.items
    if q:
        words = q.lower().split()
        items = tuple(
            i for i in items
            if all(w in " ".join((i.code or "", *i.texts, i.group)).lower() for w in words)
        )
    return ProcedureList(on=on, variant=variant.value, schedule=_ref(view),
                         items=[ItemOut.of(i) for i in items])
