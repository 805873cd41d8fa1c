"""TLV's reference lists: import (admin), list, read, look a code up; a taxa against a list.

Who may: reading needs ``read`` (every role); importing needs ``write`` and a key for every
owner: a reference list is national (TLV's), not one owner's, so a key scoped to owners may not
change what every owner's quotes use.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.auth import actor_of
from app.db import transaction
from app.deps import UploadedFile, caller, engine, snapshots
from app.errors import ERROR_RESPONSES, FILE_RESPONSES, Forbidden, error_response
from app.models import BoundedDate, ReferenceListRow
from app.reference.lists import (
    TLV_FILE,
    check_items,
    code_counts,
    import_reference_list,
    load_list,
    look_up_code,
)
from app.reference.schemas import (
    ReferenceCheckOut,
    ReferenceCodeOut,
    ReferenceEntryOut,
    ReferenceImportOut,
    ReferenceListDetail,
    ReferenceListOut,
)
from app.snapshot import KeyView
from app.taxa.schedules import get_schedule, items_of
from app.taxa.schemas import ScheduleRef

router = APIRouter(tags=["reference lists"])

NO_NUL = r"^[^\x00]*$"  # PostgreSQL stores no NUL character in text

LIST_NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: error_response("No reference list with that id")
}


@router.post(
    "/v1/reference-lists",
    response_model=ReferenceImportOut,
    status_code=201,
    summary="Import TLV's reference list as TLV publishes it (XLSX or CSV)",
    description=(
        "TLV's file as downloaded: headings with a date (`Referenspris allmäntandvård fr o m 1 "
        "jan 2026`), prices as text or numbers, `-` for no price, title rows above the "
        "headings, trailing empty columns. Every problem is reported at once (row, column, "
        "value, message) and then nothing is stored. `valid_from` defaults to the date the "
        "headings state. A list is never edited: importing one closes only the open end of the "
        "list before it (its `valid_to` becomes the day before, as in `ended`); any other "
        "overlap of dates is refused (409). `dry_run` reads and checks, stores nothing."
    ),
    responses={
        **ERROR_RESPONSES,
        200: {
            "model": ReferenceImportOut,
            "description": "dry_run: read and checked, nothing stored",
        },
        403: error_response("The key may not write, or is scoped to owners (lists are national)"),
        409: error_response("The dates overlap a stored list's (named)"),
        **FILE_RESPONSES,
        422: error_response(
            "Not TLV's layout, or every problem in the file (nothing stored); "
            "valid_to before valid_from; no date given or stated"
        ),
    },
)
def import_list(
    request: Request,
    key: Annotated[KeyView, Depends(caller("write"))],
    upload: UploadedFile,
    name: Annotated[
        str,
        Form(
            min_length=1,
            max_length=200,
            examples=["HSLF-FS 2025:68"],
            pattern=NO_NUL,
            description="TLV's föreskrift",
        ),
    ],
    valid_from: Annotated[
        BoundedDate | None,
        Form(description="First day in force; default: the date the headings state"),
    ] = None,
    valid_to: Annotated[
        BoundedDate | None, Form(description="Last day in force; default: open-ended")
    ] = None,
    dry_run: Annotated[bool, Form()] = False,
    origin: Annotated[
        str,
        Form(
            pattern="^(tlv_file|region_decision)$",
            description="tlv_file (TLV's own file, the default) or region_decision (the prices a "
            "region's taxa decision prints, when TLV's file is not at hand)",
        ),
    ] = TLV_FILE,
) -> Response:
    if key.owners is not None:
        raise Forbidden(
            "a reference list is national (TLV's): import it with a key for every "
            "owner, not one scoped to " + ", ".join(sorted(key.owners))
        )
    with transaction(engine(request)) as session:
        outcome = import_reference_list(
            session,
            content=upload.content,
            filename=upload.filename,
            name=name,
            valid_from=valid_from,
            valid_to=valid_to,
            dry_run=dry_run,
            actor=actor_of(key),
            limits=upload.limits,
            origin=origin,
        )
        body = ReferenceImportOut.of(outcome, dry_run)
    if not dry_run:
        snapshots(request).invalidate()
    return Response(
        body.model_dump_json(), status_code=200 if dry_run else 201, media_type="application/json"
    )


@router.get(
    "/v1/reference-lists",
    response_model=list[ReferenceListOut],
    responses=ERROR_RESPONSES,
    summary="Every stored reference list, newest first",
)
def list_lists(request: Request, _key: KeyView = Depends(caller("read"))) -> list[ReferenceListOut]:
    with Session(engine(request)) as session:
        rows = session.exec(
            select(ReferenceListRow).order_by(col(ReferenceListRow.valid_from).desc())
        ).all()
        counts = code_counts(session)
        return [ReferenceListOut.of_stored(r, counts.get(r.id or 0, 0)) for r in rows]


@router.get(
    "/v1/reference-lists/{list_id}",
    response_model=ReferenceListDetail,
    responses={**ERROR_RESPONSES, **LIST_NOT_FOUND},
    summary="One reference list with every åtgärd",
)
def read_list(
    list_id: int, request: Request, _key: KeyView = Depends(caller("read"))
) -> ReferenceListDetail:
    with Session(engine(request)) as session:
        row, view = load_list(session, list_id, field="list_id")
    return ReferenceListDetail(
        **ReferenceListOut.of_stored(row, len(view.ref)).model_dump(),
        entries=[ReferenceEntryOut.of(e) for e in view.ref.entries.values()],
    )


@router.get(
    "/v1/reference-lists/{list_id}/codes/{code}",
    response_model=ReferenceCodeOut,
    responses={
        **ERROR_RESPONSES,
        404: error_response(
            "No list with that id, or the code is not a TLV åtgärd or not in the list"
        ),
    },
    summary="A code's reference price in a list: TLV's (101) or the region's (103S, 541H)",
    description="The region's codes map onto TLV's: the digits are the åtgärd, an `S` right "
    "after them the specialist column (`103S` → 103's specialist price), other letters are "
    "the region's variants of the same åtgärd (`541H` → 541's general price), named in "
    "`variant` and `notes` for the administrator to confirm.",
)
def read_code(
    list_id: int,
    request: Request,
    code: Annotated[str, Path(min_length=1, max_length=12, examples=["103S"])],
    _key: KeyView = Depends(caller("read")),
) -> ReferenceCodeOut:
    with Session(engine(request)) as session:
        _, view = load_list(session, list_id, field="list_id")
    return ReferenceCodeOut.of(view, look_up_code(view, code))


@router.get(
    "/v1/schedules/{schedule_id}/reference-check",
    response_model=ReferenceCheckOut,
    responses={
        **ERROR_RESPONSES,
        404: error_response("No schedule or reference list with that id"),
    },
    summary="A taxa's referenspris column against a reference list",
    description="Every extern code whose referenspris differs from the list's (old → new, "
    "% change), the list's åtgärder no code of the taxa has (each needs a price: 2026's "
    "`340`), the extern codes the list cannot price, and the codes mapped through the "
    "region's variant letters (`541H`, `861SL`) for the administrator to confirm.",
)
def reference_check(
    schedule_id: int,
    request: Request,
    reference_list_id: Annotated[int, Query(description="The list to check against")],
    _key: KeyView = Depends(caller("read")),
) -> ReferenceCheckOut:
    with Session(engine(request)) as session:
        schedule = get_schedule(session, schedule_id)
        _, view = load_list(session, reference_list_id)
        check = check_items(items_of(session, schedule_id), view)
        return ReferenceCheckOut.of(check, ScheduleRef.of(schedule), view)
