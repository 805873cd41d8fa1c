"""The jour taxa: derive one from a normal taxa with the surcharge rule, check a published one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import actor_of, require_owner
from app.db import transaction
from app.deps import caller, engine
from app.errors import ERROR_RESPONSES, ErrorOut, error_response
from app.jour.derive import choose_rule, derive_jour_schedule, run_jour_check
from app.jour.schemas import DeriveJourOut, JourCheckOut, JourRuleOut, not_surcharged
from app.jour.windows import jour_config
from app.snapshot import KeyView
from app.taxa.schedules import get_schedule
from app.taxa.schemas import ScheduleOut, ScheduleRef


@asynccontextmanager
async def _load_config(_app: FastAPI) -> AsyncIterator[None]:
    jour_config()  # rules and windows read once at start-up: a broken file stops the start
    yield


router = APIRouter(tags=["jour"], lifespan=_load_config)


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: error_response("No schedule with that id")}


RULE_EXAMPLE = {
    "percent": "50",
    "rounding_step": "5",
    "rounding_mode": "half_up",
    "per_minute_rounding_step": "1",
    "exempt_groups": ["Besöksavgift"],
    "exempt_codes": ["951", "952", "953", "961", "962", "963", "ASYL"],
    "source": "Tjänsteskrivelse RJL 2024/12: generellt påslag på 50 % på den normala taxan",
}


@router.post(
    "/v1/schedules/{schedule_id}/derive-jour",
    response_model=DeriveJourOut,
    status_code=201,
    summary="Derive a draft jour taxa from a normal one with the surcharge rule",
    description=(
        "Applies the owner's bundled jour surcharge rule (data/jour/<owner>-<year>.json, the one "
        "covering the schedule's valid_from), or the rule sent as the JSON body, to every item "
        "of the normal schedule: price × (1 + percent/100) rounded to the rule's step, halves "
        "up; exempt groups and codes and per-krona items keep their price; referenspris is "
        "never surcharged. Stores the result as a draft jour schedule with the same valid_from, "
        "named '<name> - Jour (härledd)', derived_from set; audit-logged. Activate it like any "
        "draft."
    ),
    responses={
        **ERROR_RESPONSES,
        **NOT_FOUND,
        409: {"model": ErrorOut, "description": "The schedule is not a normal taxa"},
        422: {"model": ErrorOut, "description": "A malformed rule, or no rule for the date"},
    },
)
def derive_jour(
    schedule_id: int,
    request: Request,
    rule: Annotated[
        dict[str, Any] | None,
        Body(
            description="A surcharge rule (keys as data/jour/region-jonkoping-2025.json); leave "
            "the body out for the owner's bundled rule",
            openapi_examples={
                "bundled rule": {"summary": "No body: the owner's bundled rule", "value": None},
                "own rule": {"summary": "50 %, whole 5 kr", "value": RULE_EXAMPLE},
            },
        ),
    ] = None,
    key: KeyView = Depends(caller("write")),
) -> Response:
    with transaction(engine(request)) as session:
        base = get_schedule(session, schedule_id)
        require_owner(key, base.owner)
        chosen = choose_rule(jour_config(), base, rule)
        derived = derive_jour_schedule(session, base, chosen, actor_of(key))
        body = DeriveJourOut(
            schedule=ScheduleOut.of(derived.schedule, len(derived.items)),
            derived_from=ScheduleRef.of(derived.base),
            rule=JourRuleOut.of(chosen.rule, chosen.file),
            items=len(derived.items),
            not_surcharged=not_surcharged(derived.not_surcharged),
        )
    return Response(body.model_dump_json(), status_code=201, media_type="application/json")


@router.get(
    "/v1/schedules/{schedule_id}/jour-check",
    response_model=JourCheckOut,
    summary="Check a jour taxa against the surcharge rule applied to a normal taxa",
    description=(
        "Every finding, none hidden: items whose price differs from what the rule gives "
        "(published, expected, difference), items only in one of the two, reference prices "
        "that differ, texts that differ, and the exempted items. The base is `base`, else the "
        "schedule the jour one was derived from, else the owner's active normal taxa in force "
        "on its valid_from. The rule is the owner's bundled one for that date."
    ),
    responses={
        **ERROR_RESPONSES,
        **NOT_FOUND,
        409: {
            "model": ErrorOut,
            "description": "Not a jour schedule, or a base that is not normal",
        },
        422: {"model": ErrorOut, "description": "No rule or no normal taxa for the date"},
    },
)
def jour_check(
    schedule_id: int,
    request: Request,
    base: int | None = Query(None, description="The normal schedule's id", examples=[1]),
    _key: KeyView = Depends(caller("read")),
) -> JourCheckOut:
    with Session(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        check, base_schedule, chosen = run_jour_check(session, jour_config(), schedule, base)
        return JourCheckOut.of(
            check,
            ScheduleRef.of(schedule),
            ScheduleRef.of(base_schedule),
            JourRuleOut.of(chosen.rule, chosen.file),
        )
