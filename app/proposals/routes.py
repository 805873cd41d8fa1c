"""Next year's taxa proposed within the 7 % rule.

Who may: a dry run (a preview, nothing stored) needs ``report`` (admin and board); storing the
drafts needs ``write`` for the schedule's owner (admin).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import actor_of, require, require_owner
from app.db import transaction
from app.deps import caller, engine, settings
from app.errors import ERROR_RESPONSES, error_response
from app.files import Limits
from app.proposals.proposing import run_proposal
from app.proposals.schemas import ProposalIn, ProposalOut
from app.snapshot import KeyView
from app.taxa.schedules import get_schedule
from app.volumes.volume_sets import resolve_volumes

router = APIRouter(tags=["proposals"])

DESCRIPTION = (
    "From a normal taxa, next year's TLV list, a volume set and a policy: every code's new "
    "price, rounded as the region rounds (5 kr, halves up) and within the 7 % rule **after** "
    "rounding. `policy.mode`: `uniform` (one percentage on every extern price) or "
    "`follow_reference` (each price moves with its reference, then one percentage on top); "
    "`percent` absent: the largest percentage within `target_percent` (default the limit) is "
    "solved. Caps: `max_rise_percent`, `keep_at_or_below_reference` (a code at or below its "
    "reference stays at or below the new one: tiotandvård for patients aged 67+). Intern codes "
    "and flat fees: `intern_percent`, or unchanged; per-minute and per-krona prices by their "
    "own rule (`rules`). The answer: every item, the deviation after rounding (total, without "
    "utbytesåtgärder, per category and group), the headroom, codes crossing their reference, "
    "åtgärder new in the list that need a price, the list's own rise, the policy as given. "
    "Not `dry_run`: the proposed taxa is stored as a normal DRAFT, with its jour DRAFT by the "
    "owner's surcharge rule, through the same checks and diff as an upload; activate them with "
    "`POST /v1/schedules/{id}/activate`, report on the normal one with "
    "`GET /v1/schedules/{id}/report`."
)


@router.post(
    "/v1/schedules/{schedule_id}/proposals",
    response_model=ProposalOut,
    status_code=201,
    summary="Propose next year's taxa within the 7 % rule (a draft, or a dry run)",
    description=DESCRIPTION,
    responses={
        **ERROR_RESPONSES,
        200: {"model": ProposalOut, "description": "dry_run: the proposal, nothing stored"},
        403: error_response("The key may not (dry run: report; stored: write for the owner)"),
        404: error_response("No schedule, reference list or volume set with that id"),
        409: error_response("The schedule is a jour taxa"),
        422: error_response(
            "An unknown field (also in policy); a list starting before the "
            "taxa; a limit no rounding can meet (why, and the nearest "
            "achievable figures); every problem of the proposed taxa"
        ),
    },
)
def create_proposal(
    schedule_id: int,
    body: ProposalIn,
    request: Request,
    key: Annotated[KeyView, Depends(caller("report"))],
) -> Response:
    config = settings(request)
    # A dry run only reads: it takes no write lock (SQLite) and commits nothing.
    opened = Session(engine(request)) if body.dry_run else transaction(engine(request))
    with opened as session:
        if not body.dry_run:
            require(key, "write")
            require_owner(key, get_schedule(session, schedule_id).owner)
        volumes, source = resolve_volumes(session, body.volumes_id, body.volumes)
        run = run_proposal(
            session,
            schedule_id=schedule_id,
            reference_list_id=body.reference_list_id,
            volumes=volumes,
            volumes_source=source,
            valid_from=body.valid_from,
            limit_percent=body.limit_percent,
            policy=body.policy,
            dry_run=body.dry_run,
            actor=actor_of(key),
            limits=Limits.of(config),
        )
        out = ProposalOut.of(run, body.dry_run)
    return Response(
        out.model_dump_json(),
        status_code=200 if body.dry_run else 201,
        media_type="application/json",
    )
