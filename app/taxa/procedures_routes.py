"""Price lookups for clinic systems, served from the in-memory snapshot (no query per request)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json
from starlette.routing import Route

from app.config import DEFAULT_OWNER
from app.deps import caller, current_snapshot, snapshot
from app.errors import ERROR_RESPONSES, InvalidInput, NotFound, error_response
from app.jour.windows import jour_config, parse_instant, variant_at
from app.models import DATE_MAX, DATE_MIN, BoundedDate, date_in_bounds
from app.snapshot import KeyView, ScheduleView, Snapshot
from app.taxa.schemas import ItemOut, JourtidOut, ProcedureList, ProcedureOut, ScheduleRef
from pricing.taxa import Item, Variant

router = APIRouter(prefix="/v1/procedures", tags=["procedures"])
T = TypeVar("T")


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: error_response("Unknown code, or no taxa covers the date")
}


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


INVALID: dict[int | str, dict[str, Any]] = {
    422: error_response(
        "Malformed query; at without offset; at together with on or variant; "
        "a date outside 1900-01-01 – 2999-12-31"
    )
}


def _when(
    snap: Snapshot, owner: str, on: date | None, variant: Variant | None, at: str | None
) -> tuple[ScheduleView, Variant, date, dict[str, Any] | None]:
    """The schedule, variant and date of a lookup by on (+ variant) or by at, and for at the
    fields of its JourtidOut."""
    if at is None:
        if on is None:
            raise InvalidInput("give on (a date) or at (a time with its offset)", field="on")
        chosen = variant or Variant.NORMAL
        return _schedule_in_force(snap, owner, chosen, on), chosen, on, None
    if on is not None or variant is not None:
        raise InvalidInput(
            "give either at, or on (and variant): at chooses the date and variant",
            field="at",
            value=at,
        )
    instant = parse_instant(at)
    if not date_in_bounds(instant.date()):
        raise InvalidInput(f"at: an instant from {DATE_MIN} to {DATE_MAX}", field="at", value=at)
    found = variant_at(jour_config(), owner, instant)
    day = found.decision.local_date
    jourtid = {
        "at": instant,
        "local_time": found.decision.local,
        "jour": found.decision.jour,
        "reason": found.reason,
        "windows": found.windows_file,
    }
    return _schedule_in_force(snap, owner, found.variant, day), found.variant, day, jourtid


def _ref(view: ScheduleView) -> ScheduleRef:
    return ScheduleRef(
        id=view.id,
        name=view.name,
        owner=view.owner,
        variant=view.variant.value,
        valid_from=view.valid_from,
        valid_to=view.valid_to,
    )


# The lookup's query, read by the route itself (FastAPI's per-parameter machinery cost as much as
# the rest of a lookup, issue 12) with the same types, so the same values and the same 422s; the
# OpenAPI documents it as FastAPI would (LOOKUP_PARAMETERS).
ON_DESCRIPTION = "The treatment date, YYYY-MM-DD"
VARIANT_DESCRIPTION = "normal (default) or jour; with on"
OWNER_DESCRIPTION = "The region/organisation whose taxa"
_ON: TypeAdapter[date | None] = TypeAdapter(BoundedDate | None)
_VARIANT: TypeAdapter[Variant | None] = TypeAdapter(Variant | None)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits, as fromisoformat
_VARIANTS = {v.value: v for v in Variant}


def _query_parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {**schema, "description": description, "title": name.title()},
    }


LOOKUP_PARAMETERS = [
    {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "title": "Code"}},
    _query_parameter(
        "on",
        {
            "anyOf": [{"type": "string", "format": "date"}, {"type": "null"}],
            "examples": ["2025-06-01"],
        },
        ON_DESCRIPTION,
    ),
    _query_parameter(
        "variant",
        {"anyOf": [{"$ref": "#/components/schemas/Variant"}, {"type": "null"}]},
        VARIANT_DESCRIPTION,
    ),
    _query_parameter(
        "at",
        {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "examples": AT.examples,
            "format": "date-time",
        },
        AT.description or "",
    ),
    _query_parameter("owner", {"type": "string", "default": DEFAULT_OWNER}, OWNER_DESCRIPTION),
]


def _lookup_query(request: Request) -> tuple[date | None, Variant | None, str | None, str]:
    """on, variant, at and owner of a lookup, validated as FastAPI would (the last of repeated
    values; every problem at once): the usual forms without pydantic, the rest with it."""
    query = _query(request)
    errors: list[dict[str, Any]] = []
    raw_on, raw_variant = query.get("on"), query.get("variant")
    on = variant = None
    if raw_on is not None:
        on = _plain_day(raw_on) or _validated(_ON, raw_on, "on", errors)
    if raw_variant is not None:
        variant = _VARIANTS.get(raw_variant) or _validated(_VARIANT, raw_variant, "variant", errors)
    if errors:
        raise RequestValidationError(errors)
    return on, variant, query.get("at"), query.get("owner", DEFAULT_OWNER)


def _query(request: Request) -> Mapping[str, str]:
    """The query's parameters, the last of repeated ones, as Starlette's QueryParams reads them
    (parse_qsl of the query as Latin-1, blanks kept) without building its multi-dict; split by
    hand when nothing in it is encoded (then parse_qsl would split it the same way)."""
    raw: bytes = request.scope["query_string"]
    if b"%" in raw or b"+" in raw:
        return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
    found: dict[str, str] = {}
    for pair in raw.decode("latin-1").split("&"):
        if pair:
            name, _, value = pair.partition("=")
            found[name] = value
    return found


def _plain_day(text: str) -> date | None:
    """YYYY-MM-DD of a real day within the bounds, else None (pydantic then says why)."""
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if date_in_bounds(day) else None


def _validated(
    adapter: TypeAdapter[T], value: str, name: str, errors: list[dict[str, Any]]
) -> T | None:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        errors.extend(
            {**e, "loc": ("query", name, *e["loc"])} for e in exc.errors(include_url=False)
        )
        return None


@router.get(
    "/{code}",
    response_model=ProcedureOut,
    summary="The price of one åtgärd on a date",
    responses={**ERROR_RESPONSES, **NOT_FOUND, **INVALID},
    # The key is checked in the body (READ), not as a dependency: documented as one.
    openapi_extra={"parameters": LOOKUP_PARAMETERS, "security": [{"HTTPBearer": []}]},
)
async def get_procedure(request: Request) -> Response:
    # async: a dictionary read needs no thread-pool hop. The answer is the item's JSON made once
    # per snapshot (no model built per request); only an at= lookup adds its own jourtid. The
    # code is read from the path as it is (any text is a code to look up).
    await READ(request)
    code: str = request.path_params["code"]
    on, variant, at, owner = _lookup_query(request)
    snap = await current_snapshot(request)
    view, _, _, jourtid = _when(snap, owner, on, variant, at)
    item = view.by_code.get(code) or view.by_code.get(code.upper())
    if item is None:
        raise NotFound(f"code {code!r} is not in {view.name!r} (schedule {view.id})")
    answer = view.answers.get(item.key) or _remember_answer(view, item)
    if jourtid is not None:
        # JourtidOut's JSON, serialized by pydantic-core from its fields (the same bytes).
        answer = answer[: -len(NO_JOURTID)] + b',"jourtid":' + to_json(jourtid) + b"}"
    return Response(answer, media_type="application/json")


READ = caller("read")
# The lookup served directly (app.main): get_procedure reads everything from the request itself.
DIRECT_ROUTES = [
    Route(f"{router.prefix}/{{code}}", get_procedure, methods=["GET"], include_in_schema=False)
]
NO_JOURTID = b',"jourtid":null}'


def _remember_answer(view: ScheduleView, item: Item) -> bytes:
    """The lookup answer of ``item`` in ``view`` (no jourtid), kept with the view: the snapshot
    is immutable, so the JSON is too."""
    answer = (
        ProcedureOut(
            **ItemOut.of(item).model_dump(),
            schedule=_ref(view),
            variant=view.variant.value,
            jourtid=None,
        )
        .model_dump_json()
        .encode()
    )
    assert answer.endswith(NO_JOURTID)
    view.answers[item.key] = answer
    return answer


@router.get(
    "",
    response_model=ProcedureList,
    summary="List or search the åtgärder in force on a date",
    responses={**ERROR_RESPONSES, **NOT_FOUND, **INVALID},
)
def list_procedures(
    on: BoundedDate | None = Query(
        None, description="The date, YYYY-MM-DD", examples=["2025-06-01"]
    ),
    variant: Variant | None = Query(None, description="normal (default) or jour; with on"),
    at: str | None = AT,
    q: str | None = Query(
        None, description="Words to find in the code, text or group", max_length=100
    ),
    owner: str = Query(DEFAULT_OWNER),
    snap: Snapshot = Depends(snapshot),
    _key: KeyView = Depends(caller("read")),
) -> ProcedureList:
    view, chosen, day, jourtid = _when(snap, owner, on, variant, at)
    items = view.items
    if q:
        words = q.lower().split()
        items = tuple(
            i
            for i in items
            if all(w in " ".join((i.code or "", *i.texts, i.group)).lower() for w in words)
        )
    return ProcedureList(
        on=day,
        variant=chosen.value,
        schedule=_ref(view),
        items=[ItemOut.of(i) for i in items],
        jourtid=None if jourtid is None else JourtidOut(**jourtid),
    )
