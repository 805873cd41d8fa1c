"""Patient cost quotes for clinic systems: ``POST /v1/quotes``, served from memory; with
``?format=pdf`` or ``?format=html`` the same quote as the kostnadsförslag for the patient.

The subsidy rule sets, the regional rules, the kostnadsförslag's terms and the jour windows are
read once at start-up (this router's lifespan; a broken file stops the start), prices come from
the in-memory snapshot: no query per request. Nothing of a quote is stored or logged (the
patient's name and personnummer are only printed on the document).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import DEFAULT_OWNER
from app.deps import caller, current_snapshot
from app.errors import ERROR_RESPONSES, ErrorOut, is_json
from app.jour.windows import jour_config
from app.quotes.estimate import MEDIA_TYPES, DocumentFormat, filename, render
from app.quotes.quoting import run_quote, run_quote_json
from app.quotes.rules import (
    default_terms,
    load_estimate_terms,
    load_regional_rules,
    load_rule_sets,
)
from app.quotes.schemas import REQUEST_EXAMPLE, QuoteIn, QuoteOut
from app.snapshot import KeyView, Snapshot

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def stockholm_today() -> dt.date:
    """Today in Sweden: a quote's date (a period start after it is refused; the next ATB
    credit and the kostnadsförslag's validity count from it)."""
    return dt.datetime.now(STOCKHOLM).date()


@asynccontextmanager
async def _load_data(_app: FastAPI) -> AsyncIterator[None]:
    load_rule_sets()
    load_regional_rules()
    load_estimate_terms()
    jour_config()
    yield


router = APIRouter(prefix="/v1/quotes", tags=["quotes"], lifespan=_load_data)


EXAMPLES: dict[str, Any] = {
    "2025": {
        "summary": "101 + 2×121 + 701 in an open period (2025 rules)",
        "value": REQUEST_EXAMPLE,
    },
    "67+": {
        "summary": "A patient aged 70 in 2026: the 67+ rule (tiotandvård) and its limits",
        "value": {
            "patient": {"birth_date": "1956-04-02", "atb_available": "600.00", "period": None},
            "lines": [
                {"code": "101", "date": "2026-02-10"},
                {"code": "342", "date": "2026-02-10"},
                {"code": "701", "date": "2026-02-10", "tooth_position": 2},
            ],
        },
    },
    "regional": {
        "summary": "Regional dental support: the region's visit fee per visit, the frikort",
        "value": {
            "patient": {
                "birth_date": "1950-05-10",
                "regional_support": "nodvandig",
                "frikort_spent": "1300.00",
            },
            "lines": [
                {"code": "101", "date": "2025-03-10"},
                {"code": "701", "date": "2025-03-10", "tooth_position": 2},
                {"code": "401", "date": "2025-04-02"},
            ],
        },
    },
    "kostnadsförslag": {
        "summary": "With ?format=pdf: the patient's kostnadsförslag (name and personnummer "
        "printed only)",
        "value": {
            "patient_name": "Anna Andersson",
            "personnummer": "19560402-1234",
            "patient": {
                "birth_date": "1956-04-02",
                "atb_available": "600.00",
                "period": {"start": "2026-01-20", "counted": "1500.00"},
            },
            "lines": [
                {"code": "101", "date": "2026-03-10"},
                {"code": "704", "date": "2026-03-10", "tooth_position": 24},
                {
                    "code": "801",
                    "date": "2026-03-10",
                    "tooth_position": 14,
                    "material_kr": "350.00",
                    "technical_kr": "1200.00",
                },
            ],
        },
    },
    "jour": {
        "summary": "Lines given as instants: julafton evening is jourtid",
        "value": {
            "patient": {
                "birth_date": "1980-05-10",
                "period": {"start": "2025-01-10", "counted": "3000.00"},
            },
            "lines": [
                {"code": "301", "at": "2025-12-24T19:30:00+01:00"},
                {"code": "301", "at": "2025-12-22T10:00:00+01:00"},
            ],
        },
    },
}


RESPONSE_EXAMPLE: dict[str, Any] = {
    "owner": "region-jonkoping",
    "lines": [
        {
            "index": 0,
            "code": "101",
            "text": "Basundersökning, utförd av tandläkare",
            "quantity": 1,
            "date": "2025-03-10",
            "variant": "normal",
            "at": None,
            "tooth_position": None,
            "schedule_id": 1,
            "rule": "hkskydd",
            "rule_set": "2025",
            "ersattning": "allman",
            "ersattning_reason": None,
            "price": "1100.00",
            "material_kr": "0.00",
            "technical_kr": "0.00",
            "reference_price": "1015.00",
            "reference_code": "101",
            "basis": "715.00",
            "counted": "715.00",
            "atb": "300.00",
            "stb": "0.00",
            "state": "107.50",
            "state_by_rule": {"hkskydd_50": "107.50"},
            "region": "0.00",
            "patient": "692.50",
            "period_start": "2025-01-15",
            "period_counted_after": "3215.00",
            "notes": [
                "price 1 100.00 above reference 1 015.00: the patient pays the difference 85.00"
            ],
        },
        {
            "index": 1,
            "code": "121",
            "text": "Röntgenundersökning, en bild, eller flera bilder av en tandposition",
            "quantity": 2,
            "date": "2025-03-10",
            "variant": "normal",
            "at": None,
            "tooth_position": None,
            "schedule_id": 1,
            "rule": "hkskydd",
            "rule_set": "2025",
            "ersattning": "allman",
            "ersattning_reason": None,
            "price": "160.00",
            "material_kr": "0.00",
            "technical_kr": "0.00",
            "reference_price": "140.00",
            "reference_code": "121",
            "basis": "140.00",
            "counted": "140.00",
            "atb": "0.00",
            "stb": "0.00",
            "state": "70.00",
            "state_by_rule": {"hkskydd_50": "70.00"},
            "region": "0.00",
            "patient": "90.00",
            "period_start": "2025-01-15",
            "period_counted_after": "3355.00",
            "notes": ["price 160.00 above reference 140.00: the patient pays the difference 20.00"],
        },
        {
            "index": 2,
            "code": "701",
            "text": "Fyllning av en yta på framtand eller hörntand",
            "quantity": 1,
            "date": "2025-03-10",
            "variant": "normal",
            "at": None,
            "tooth_position": 2,
            "schedule_id": 1,
            "rule": "hkskydd",
            "rule_set": "2025",
            "ersattning": "allman",
            "ersattning_reason": None,
            "price": "785.00",
            "material_kr": "0.00",
            "technical_kr": "0.00",
            "reference_price": "720.00",
            "reference_code": "701",
            "basis": "720.00",
            "counted": "720.00",
            "atb": "0.00",
            "stb": "0.00",
            "state": "360.00",
            "state_by_rule": {"hkskydd_50": "360.00"},
            "region": "0.00",
            "patient": "425.00",
            "period_start": "2025-01-15",
            "period_counted_after": "4075.00",
            "notes": ["price 785.00 above reference 720.00: the patient pays the difference 65.00"],
        },
    ],
    "totals": {
        "price": "2045.00",
        "state": "537.50",
        "atb": "300.00",
        "stb": "0.00",
        "region": "0.00",
        "patient": "1207.50",
    },
    "patient_after": {
        "birth_date": "1980-05-10",
        "stb_eligible": False,
        "atb_available": "0.00",
        "period": {"start": "2025-01-15", "counted": "4075.00"},
        "stb_used_this_half_year": "0.00",
        "stb_half_year_start": "2025-01-01",
        "regional_support": None,
        "frikort_spent": "0.00",
    },
    "atb_next_credit": {
        "date": "2025-07-01",
        "amount": "300.00",
        "age": 45,
        "rule_set": "2025",
        "transitional": False,
    },
    "regional_visits": [],
    "period_thresholds": [
        {
            "rule_set": "2025",
            "period_start": "2025-01-15",
            "lower": "3000.00",
            "upper": "15000.00",
            "how": "fixed amounts of the rule set",
        }
    ],
    "rule_sets": [
        {
            "id": "2025",
            "valid_from": "2025-01-01",
            "valid_to": "2025-12-31",
            "description": "Statligt tandvårdsstöd from 2025-01-01: free care through "
            "the year the patient turns 19, state support (and ATB) from the year they "
            "turn 20.",
        }
    ],
    "notes": [],
}


QUOTE = caller("quote")

INVALID: dict[int | str, dict[str, Any]] = {
    422: {
        "model": ErrorOut,
        "description": "Bad input, every problem with its field in `problems[].field` (e.g. "
        "`lines[0].code`, `lines[0].date`, `patient.period.start`, `patient.birth_date`), "
        "whether the request is malformed (negative or float amounts, an unknown "
        "`regional_support`, quantity < 1, an `at` "
        "without UTC offset, both `at` and `date`, a date outside 1900-01-01 – 2999-12-31) or "
        "its content is (an unknown code, a date no taxa or rule set covers, a period starting "
        "after a line or after today, a birth date after a line, "
        "material on a code billed per minute, per krona or per visit, the region's visit-fee "
        "code for a patient in the regional support). The value of `patient_name` or "
        "`personnummer` is never echoed",
    }
}


DOCUMENTS = {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "text/html": {"schema": {"type": "string"}},
}


@router.post(
    "",
    response_model=QuoteOut,
    summary="What the patient, the state, ATB/STB and the region pay for a treatment; the "
    "kostnadsförslag",
    description=(
        "Estimates the bill a clinic gives the patient under the state dental support "
        "(högkostnadsskydd, ATB, STB, free care by age, from 2026 the 67+ rule: särskild "
        "tandvårdsersättning) or the regional dental support (`patient.regional_support`: the "
        "region's visit fee per visit), with the patient's state from Försäkringskassan as "
        "input. Each line is priced from the taxa in force on its date (jour lines from the "
        "jour taxa; material and dental-technical costs are part of its price); the "
        "referenspris is never surcharged. Each line says which ersättning it can give "
        "(`ersattning`: allman, sarskild, or null with `ersattning_reason`). `patient_after` is "
        "the patient's state after the quote, in the request's shape: send it with the next "
        "part of a treatment and the figures are those of one quote.\n\n"
        "`?format=pdf` (A4) or `?format=html` answers the same quote as the kostnadsförslag "
        "for the patient, in Swedish: the issuer and how long it is valid "
        "(data/quotes/<owner>.json, default 3 months), each åtgärd with its figures and "
        "ersättning, the totals, what the estimate rests on, and that Försäkringskassan "
        "decides. `patient_name` and `personnummer` are printed on it only: never stored, "
        "logged or echoed in an error. Needs permission `quote` (roles clinic, admin)."
    ),
    responses={
        200: {"content": {"application/json": {"example": RESPONSE_EXAMPLE}, **DOCUMENTS}},
        **ERROR_RESPONSES,
        **INVALID,
    },
)
async def post_quote(
    body: Annotated[QuoteIn, Body(openapi_examples=EXAMPLES)],
    format: Annotated[
        DocumentFormat, Query(description="json (the quote), html or pdf (the kostnadsförslag)")
    ] = DocumentFormat.JSON,
    *,
    request: Request,
    _key: KeyView = Depends(QUOTE),
) -> QuoteOut | Response:
    # async: a quote is a fraction of a millisecond of arithmetic on data in memory, cheaper
    # than the thread-pool hop; only a document (WeasyPrint, tens of ms) goes to a thread.
    snap = await current_snapshot(request)  # the one the key was checked against
    if format is DocumentFormat.JSON:
        return _json_answer(body, snap)
    today = stockholm_today()
    quote = run_quote(
        body,
        snap,
        load_rule_sets(),
        jour_config(),
        today=today,
        default_owner=DEFAULT_OWNER,
        regional_rules=load_regional_rules(),
    )
    terms = load_estimate_terms().get(quote.owner) or default_terms(quote.owner)
    return Response(
        await run_in_threadpool(render, quote, body, terms, today, format),
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'inline; filename="{filename(quote.owner, today, format)}"',
            # The document may carry the patient's name and personnummer: no cache keeps it.
            "Cache-Control": "no-store",
        },
    )


def _json_answer(body: QuoteIn, snap: Snapshot) -> Response:
    """The JSON straight from the plain answer (no models built, nothing validated twice):
    byte for byte QuoteOut's. The documented shape is post_quote's response_model."""
    return Response(
        run_quote_json(
            body,
            snap,
            load_rule_sets(),
            jour_config(),
            today=stockholm_today(),
            default_owner=DEFAULT_OWNER,
            regional_rules=load_regional_rules(),
        ),
        media_type="application/json",
    )


class DirectQuote:
    """``POST /v1/quotes`` of the usual kind, a JSON quote answered as JSON, served without
    FastAPI's per-route machinery (app.main). Everything else goes on to the documented route
    :func:`post_quote` with the same body: a document (``?format=``), another media type, and
    a body that does not validate, so a refused quote's 422 is FastAPI's own, word for word.

    The body is what FastAPI would validate: the JSON parsed, then :class:`QuoteIn` from it.
    """

    def __init__(self, documented: ASGIApp) -> None:
        self.documented = documented

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["query_string"] or not is_json(scope):
            await self.documented(scope, receive, send)  # the body not read here
            return
        body = await _read_body(receive)  # bounded: app.errors.RequestGuard read it already
        replayed = False

        async def replay() -> Message:  # the body once, then what the server sends (a disconnect)
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            sent = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack: FastAPI
            # refuses it (422) before the key's role is checked
            await self.documented(scope, replay, send)
            return
        request = Request(scope, replay)
        await QUOTE(request)  # the key's role, as the route's dependency checks it
        try:
            parsed = QuoteIn.model_validate(sent)
        except ValidationError:
            await self.documented(scope, replay, send)
            return
        answer = _json_answer(parsed, await current_snapshot(request))
        await answer(scope, replay, send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


DIRECT_ROUTES = [
    Route(
        router.prefix,
        DirectQuote(next(r for r in router.routes if isinstance(r, APIRoute)).handle),
        methods=["POST"],
        include_in_schema=False,
    )
]
