"""Price lookups for clinic systems, served from the in-memory snapshot (no query per request).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query

from app.config import DEFAULT_OWNER
from app.deps import caller, snapshot
from app.errors import ERROR_RESPONSES, InvalidInput, NotFound, error_response
from app.jour.windows import jour_config, parse_instant, variant_at
from app.models import DATE_MAX, DATE_MIN, BoundedDate, date_in_bounds
from app.snapshot import KeyView, ScheduleView, Snapshot
from app.taxa.schemas import ItemOut, JourtidOut, ProcedureList, ProcedureOut, ScheduleRef
from pricing.taxa import Variant

router = APIRouter(prefix="/v1/procedures", tags=["procedures"])


NOT_FOUND = {404: error_response("Unknown code, or no taxa covers the date")}


def _schedule_in_force(snap: Snapshot, owner: str, variant: Variant, on: date) -> ScheduleView:
    view = snap.find(owner, variant, on)
    if view is None:
        raise NotFound(f"no active {variant.value} taxa of {owner!r} covers {on.isoformat()}")
    return view


AT = Query(
    None,
    description="Instead of on and variant: the time of treatment with its offset (ISO 8601; "
    "'+' as %2B in a URL). The owner's jour windows and the Swedish holidays choose the variant "
    "(Europe/Stockholm local time, daylight saving included); the answer says why.",
    examples=["2025-12-24T19:30:00+01:00"],
    json_schema_extra={"format": "date-time"},
)


INVALID = {422: error_response("Malformed query; at without offset; at together with on or "
                               "variant; a date outside 1900-01-01 – 2999-12-31")}


def _when(
    snap: Snapshot, owner: str, on: date | None, variant: Variant | None, at: str | None
) -> tuple[ScheduleView, Variant, date, JourtidOut | None]:
    """The schedule, variant and date of a lookup by on (+ variant) or by at."""
    if at is None:
        if on is None:
            raise InvalidInput("give on (a date) or at (a time with its offset)", field="on")
        chosen = variant or Variant.NORMAL
        return _schedule_in_force(snap, owner, chosen, on), chosen, on, None
    if on is not None or variant is not None:
        raise InvalidInput("give either at, or on (and variant): at chooses the date and variant",
                           field="at", value=at)
    instant = parse_instant(at)
    if not date_in_bounds(instant.date()):
        raise InvalidInput(f"at: an instant from {DATE_MIN} to {DATE_MAX}", field="at", value=at)
    found = variant_at(jour_config(), owner, instant)
    day = found.decision.local_date
    jourtid = JourtidOut(at=instant, local_time=found.decision.local, jour=found.decision.jour,
                         reason=found.reason, windows=found.windows_file)
    return _schedule_in_force(snap, owner, found.variant, day), found.variant, day, jourtid


def _ref(view: ScheduleView) -> ScheduleRef:
    return ScheduleRef(id=view.id, name=view.name, owner=view.owner, variant=view.variant.value,
                       valid_from=view.valid_from, valid_to=view.valid_to)


@router.get(
    "/{code}",
    response_model=ProcedureOut,
    summary="The price of one åtgärd on a date",
    responses={**ERROR_RESPONSES, **NOT_FOUND, **INVALID},
)
def get_procedure(
    code: str,
    on: BoundedDate | None = Query(None, description="The treatment date, YYYY-MM-DD",
                                   examples=["2025-06-01"]),
    variant: Variant | None = Query(None, description="normal (default) or jour; with on"),
    at: str | None = AT,
    owner: str = Query(DEFAULT_OWNER, description="The region/organisation whose taxa"),
    snap: Snapshot = Depends(snapshot),
    _key: KeyView = Depends(caller("read")),
) -> ProcedureOut:
    view, chosen, _, jourtid = _when(snap, owner, on, variant, at)
    item = view.by_code.get(code) or view.by_code.get(code.upper())
    if item is None:
        raise NotFound(f"code {code!r} is not in {view.name!r} (schedule {view.id})")
    return ProcedureOut(**ItemOut.of(item).model_dump(), schedule=_ref(view),
                        variant=chosen.value, jourtid=jourtid)


@router.get(
    "",
    response_model=ProcedureList,
    summary="List or search the åtgärder in force on a date",
    responses={**ERROR_RESPONSES, **NOT_FOUND, **INVALID},
)
def list_procedures(
    on: BoundedDate | None = Query(None, description="The date, YYYY-MM-DD",
                                   examples=["2025-06-01"]),
    variant: Variant | None = Query(None, description="normal (default) or jour; with on"),
    at: str | None = AT,
    q: str | None = Query(None, description="Words to find in the code, text or group",
                          max_length=100),
    owner: str = Query(DEFAULT_OWNER),
    snap: Snapshot = Depends(snapshot),
    _key: KeyView = Depends(caller("read")),
) -> ProcedureList:
    view, chosen, day, jourtid = _when(snap, owner, on, variant, at)
    items = view.items
    if q:
        words = q.lower().split()
        items = tuple(
            i for i in items
            if all(w in " ".join((i.code or "", *i.texts, i.group)).lower() for w in words)
        )
    return ProcedureList(on=day, variant=chosen.value, schedule=_ref(view),
                         items=[ItemOut.of(i) for i in items], jourtid=jourtid)
