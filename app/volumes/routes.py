"""Volumes (billed åtgärder per code) and the 7 % deviation analysis of a schedule.

Who may: importing volumes needs ``write`` (admin); reading volume sets and running the
deviation analysis need ``report`` (admin and board). Clinic keys have neither: volumes are the
region's business statistics, not something a clinic system needs to price a visit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.auth import actor_of, require_owner
from app.config import DEFAULT_OWNER
from app.db import transaction
from app.deps import UploadedFile, caller, engine
from app.errors import BUSY_RESPONSES, ERROR_RESPONSES, FILE_RESPONSES, RowProblem, error_response
from app.models import STORABLE_TEXT, VolumeSet
from app.reference.lists import load_list
from app.snapshot import KeyView
from app.taxa.imports import finding_json
from app.taxa.schedules import get_schedule
from app.volumes.analysis import deviation_answer
from app.volumes.schemas import (
    MAX_INLINE_VOLUMES,
    CodeVolume,
    DeviationIn,
    DeviationOut,
    VolumeImportOut,
    VolumeSetDetail,
    VolumeSetOut,
)
from app.volumes.volume_sets import (
    get_volume_set,
    import_volumes,
    resolve_volumes,
    totals_by_set,
    volumes_of,
)

router = APIRouter(tags=["volumes and deviation"])


VOLUME_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: error_response("No volume set with that id")
}


@router.post(
    "/v1/volumes",
    response_model=VolumeImportOut,
    status_code=201,
    summary="Upload volumes per code (CSV or XLSX): validate every row, store a volume set",
    description=(
        "Columns: the code (`Åtgärd`, `Kod` or `code`) and the volume (`Volym`, `Antal` or "
        "`volume`); optionally `Klinik` and `Patientkategori`. A year after a heading is "
        "ignored (`Volym 2024`), title rows above the headings are skipped. Volumes are whole "
        "numbers ≥ 0 (thousands may be separated by a space: `1 234`) and are summed per "
        "code. Every problem in the file is reported at once (row, column, value, message) "
        "and then nothing is stored. Codes the taxa does not have are kept: the deviation "
        "analysis reports them."
    ),
    responses={
        **ERROR_RESPONSES,
        403: error_response("The key's role may not write, or not for this owner"),
        **FILE_RESPONSES,
        422: error_response("Every problem in the file (nothing stored), or a malformed form"),
        **BUSY_RESPONSES,
    },
)
def upload_volumes(
    request: Request,
    key: Annotated[KeyView, Depends(caller("write"))],
    upload: UploadedFile,
    name: Annotated[
        str,
        Form(
            min_length=1,
            max_length=200,
            pattern=STORABLE_TEXT,
            examples=["Debiterade åtgärder 2024 (T4)"],
        ),
    ],
    owner: Annotated[
        str, Form(min_length=1, max_length=100, pattern=STORABLE_TEXT)
    ] = DEFAULT_OWNER,
) -> Response:
    require_owner(key, owner)
    with transaction(engine(request)) as session:
        stored, validation = import_volumes(
            session,
            content=upload.content,
            filename=upload.filename,
            owner=owner,
            name=name,
            actor=actor_of(key),
            limits=upload.limits,
        )
        body = VolumeImportOut(
            **VolumeSetOut.of(stored, len(validation.totals), validation.total_volume).model_dump(),
            warnings=[RowProblem.model_validate(finding_json(w)) for w in validation.warnings],
        )
    return Response(body.model_dump_json(), status_code=201, media_type="application/json")


@router.get(
    "/v1/volumes",
    response_model=list[VolumeSetOut],
    responses=ERROR_RESPONSES,
    summary="Every stored volume set, newest first",
)
def list_volumes(request: Request, _key: KeyView = Depends(caller("report"))) -> list[VolumeSetOut]:
    with Session(engine(request)) as session:
        sets = session.exec(select(VolumeSet).order_by(col(VolumeSet.id).desc())).all()
        totals = totals_by_set(session)
        return [VolumeSetOut.of(v, *totals.get(v.id or 0, (0, 0))) for v in sets]


@router.get(
    "/v1/volumes/{volume_set_id}",
    response_model=VolumeSetDetail,
    responses={**ERROR_RESPONSES, **VOLUME_NOT_FOUND},
    summary="One volume set with its volume per code",
)
def read_volumes(
    volume_set_id: int, request: Request, _key: KeyView = Depends(caller("report"))
) -> VolumeSetDetail:
    with Session(engine(request)) as session:
        stored = get_volume_set(session, volume_set_id)
        volumes = volumes_of(session, volume_set_id)
        return VolumeSetDetail(
            **VolumeSetOut.of(stored, len(volumes), sum(volumes.values())).model_dump(),
            volumes=[CodeVolume(code=c, volume=v) for c, v in volumes.items()],
        )


@router.post(
    "/v1/schedules/{schedule_id}/deviation",
    response_model=DeviationOut,
    summary="The 7 % rule: how far the taxa's revenue deviates from the referenspris list's",
    description=(
        "Principle 2 of the 2025 pricing principles: Σ volume × FTV price against Σ volume × "
        "referenspris over the extern items with a referenspris and a volume may deviate at "
        "most `limit_percent` (7). Answers the total (deviation, within, headroom in kronor, "
        "the uniform price change that lands on the limit), the same per category, per "
        "åtgärdsgrupp and without the utbytesåtgärder, every item's contribution (largest "
        "first), how many items are priced above, at and below the referenspris, everything "
        "left out with its revenue, volumes for codes the schedule does not have, and the "
        "volume-weighted change of referenspris and FTV price since the previous schedule. "
        "Percentages are shown with two decimals; `exact` gives them unrounded."
    ),
    responses={
        **ERROR_RESPONSES,
        404: error_response("No schedule or volume set with that id"),
        413: error_response(
            f"More than {MAX_INLINE_VOLUMES} inline volumes, or a JSON body over the limit"
        ),
        422: error_response(
            "Neither or both of volumes_id and volumes; a negative or fractional volume"
        ),
    },
)
def deviation(
    schedule_id: int,
    body: DeviationIn,
    request: Request,
    _key: KeyView = Depends(caller("report")),
) -> DeviationOut:
    with Session(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        volumes, source = resolve_volumes(session, body.volumes_id, body.volumes)
        view = None
        if body.reference_list_id is not None:
            _, view = load_list(session, body.reference_list_id)
        return deviation_answer(
            session, schedule, volumes, source, body.limit_percent, body.previous_id, view, body.top
        )
