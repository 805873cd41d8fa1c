"""The board's validation report of a taxa: HTML, PDF (A4) or XLSX, from one set of figures.

Who may: ``report`` (roles board and admin). The volumes are a stored volume set
(``volumes_id``), the bundled example file (``example_volumes=true``, invented figures, marked
as such in the report), a file sent with ``POST`` (read, not stored), or none: then every figure
is unweighted and the 7 % verdict is "kan inte bedömas".
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import UploadedFile, caller, engine, settings
from app.errors import ERROR_RESPONSES, InvalidInput, error_response
from app.files import Limits
from app.report.cache import RenderedReports
from app.report.data import (
    NO_VOLUMES,
    ReportData,
    build_report_data,
    example_volumes,
    volumes_from_file,
    volumes_from_set,
)
from app.report.formats import ReportFormat
from app.snapshot import KeyView
from pricing.deviation import DEFAULT_LIMIT_PERCENT

router = APIRouter(tags=["board report"])


STOCKHOLM = ZoneInfo("Europe/Stockholm")


DESCRIPTION = (
    "The board's (nämndens) basis for deciding a taxa, in Swedish: a Sammanfattning with the "
    "figures and a verdict on each pricing principle of the tjänsteskrivelse (uppfylld / ej "
    "uppfylld / kan inte bedömas), the deviation from the referenspris list per category and "
    "åtgärdsgrupp with the 15 items that drive it, the change against the previous taxa and the "
    "reference list's own change, the 67+ rule (tiotandvård), every finding of the jour check, "
    "the items left out of the comparison with their revenue, and the import's warnings. "
    "`format=html` (a browser), `pdf` (A4, page numbers, for the board's papers) or `xlsx` "
    "(every item and every figure as a number, for a controller). The figures are the deviation "
    "and jour-check endpoints' own. The previous taxa defaults to the active schedule of the same "
    "owner and variant in force the day before this one's valid_from."
)


RESPONSES: dict[int | str, dict[str, object]] = {
    **ERROR_RESPONSES,
    200: {
        "description": "The report",
        "content": {
            "text/html": {},
            "application/pdf": {},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
        },
    },
    404: error_response("No schedule, previous schedule or volume set with that id"),
    409: error_response(
        "The schedule is a jour taxa (report on its normal taxa: the jour taxa "
        "is checked inside it)"
    ),
    422: error_response(
        "Two sources of volumes, or a volume file with problems (every one listed)"
    ),
}


def _now() -> datetime:
    return datetime.now(STOCKHOLM)


def _answer(request: Request, data: ReportData, fmt: ReportFormat) -> Response:
    reports: RenderedReports = request.app.state.reports  # rendered once per report (cache.py)
    out = reports.render(data, fmt)
    disposition = "inline" if out.inline else "attachment"
    return Response(
        out.content,
        media_type=out.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{out.filename}"'},
    )


@router.get(
    "/v1/schedules/{schedule_id}/report",
    response_class=Response,
    responses=RESPONSES,
    summary="The board's validation report of a taxa (HTML, PDF or XLSX)",
    description=DESCRIPTION,
)
def report(
    schedule_id: int,
    request: Request,
    format: ReportFormat = Query(ReportFormat.HTML, description="html, pdf or xlsx"),
    volumes_id: int | None = Query(None, description="A stored volume set (POST /v1/volumes)"),
    example_volumes_: bool = Query(
        False, alias="example_volumes", description="Use the bundled EXAMPLE volumes (invented)"
    ),
    previous_id: int | None = Query(None, description="The schedule to compare with"),
    limit_percent: Decimal = Query(
        DEFAULT_LIMIT_PERCENT,
        ge=0,
        le=100,
        description="The allowed deviation; the principle says 7",
    ),
    _key: KeyView = Depends(caller("report")),
) -> Response:
    if volumes_id is not None and example_volumes_:
        raise InvalidInput("give volumes_id or example_volumes, not both")
    config = settings(request)
    limits = Limits.of(config)
    with Session(engine(request)) as session:
        if volumes_id is not None:
            volumes, source = volumes_from_set(session, volumes_id)
        elif example_volumes_:
            volumes, source = example_volumes(limits)
        else:
            volumes, source = None, NO_VOLUMES
        data = build_report_data(
            session,
            schedule_id,
            volumes,
            source,
            previous_id=previous_id,
            limit_percent=limit_percent,
            generated_at=_now(),
        )
    return _answer(request, data, format)


@router.post(
    "/v1/schedules/{schedule_id}/report",
    response_class=Response,
    responses={
        **RESPONSES,
        413: error_response(
            "File, rows, columns, cells, unpacked XLSX or reading time over the limit"
        ),
        415: error_response("Not a CSV/XLSX, or not what its name says"),
    },
    summary="The board's report with a volume file sent along (not stored)",
    description=DESCRIPTION + " The volume file (CSV or XLSX, as for POST /v1/volumes) "
    "is validated like an upload and used for this report only.",
)
def report_with_file(
    schedule_id: int,
    request: Request,
    _key: Annotated[KeyView, Depends(caller("report"))],
    upload: UploadedFile,
    format: Annotated[ReportFormat, Form(description="html, pdf or xlsx")] = ReportFormat.HTML,
    previous_id: Annotated[int | None, Form()] = None,
    limit_percent: Annotated[Decimal, Form(ge=0, le=100)] = DEFAULT_LIMIT_PERCENT,
) -> Response:
    volumes, source = volumes_from_file(
        upload.content, upload.filename or "volymer.csv", upload.limits
    )
    with Session(engine(request)) as session:
        data = build_report_data(
            session,
            schedule_id,
            volumes,
            source,
            previous_id=previous_id,
            limit_percent=limit_percent,
            generated_at=_now(),
        )
    return _answer(request, data, format)
