"""The hot paths answer byte for byte what they answered before they were made fast (issue 12).

``tests/golden/fast_paths.json`` holds the answers of the code as it was before the price lookup
and the quote got their fast paths: a sample of codes (``on=``, ``variant=``, ``at=``), the
errors around them, and quotes of every kind the engine distinguishes (ages, periods, ATB,
STB, specialist, jour instants, material, per-minute, regional support) and their errors. Each
request is sent again and its status, content type and body compared, bytes and all.

Regenerate (only when an answer is meant to change, and say why in the commit):
``UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/app/test_fast_paths.py -k sqlite``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

import app.quotes.routes as quote_routes
from app.config import Settings
from app.db import transaction
from app.files import Limits
from app.reference.bundled import load_bundled_reference_lists
from app.taxa.bundled import load_bundled

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "fast_paths.json"
TODAY = "2026-03-15"  # the quotes' "today" (Europe/Stockholm)

Json = dict[str, Any]

# Every 9th code of the 2025 normal taxa, and these: upper-case fallback, codes with several
# rows (alternative texts), per-minute, per-krona, intern, specialist, the visit fees.
SAMPLED_EVERY = 9
EXTRA_CODES = ["101", "a11", "A11", "103S", "301", "9010", "951", "501", "801", "121"]
INSTANTS = [
    "2025-12-24T19:30:00+01:00",  # julafton evening: jour
    "2025-12-22T10:00:00+01:00",  # a weekday morning: normal
    "2025-06-07T11:00:00+02:00",  # a Saturday (summer time)
    "2025-03-30T02:30:00+01:00",  # the night clocks go forward
    "2025-06-01T22:15:00Z",  # UTC
]


def lookups(codes: list[str], jour_codes: list[str]) -> list[Json]:
    cases: list[Json] = [{"method": "GET", "path": "/health", "key": False}]
    for code in codes:
        cases.append({"method": "GET", "path": f"/v1/procedures/{code}?on=2025-06-01"})
    for code in jour_codes:
        cases.append({"method": "GET", "path": f"/v1/procedures/{code}?on=2025-06-01&variant=jour"})
    for instant in INSTANTS:
        at = instant.replace("+", "%2B")
        for code in ("101", "301", "121"):
            cases.append({"method": "GET", "path": f"/v1/procedures/{code}?at={at}"})
    cases += [
        {"method": "GET", "path": "/v1/procedures/101?on=2026-03-01"},  # TLV's 2026 list
        {"method": "GET", "path": "/v1/procedures/101?on=2025-06-01&variant=normal"},
        {"method": "GET", "path": "/v1/procedures/101?on=2025-06-01&owner=region-jonkoping"},
        {"method": "GET", "path": "/v1/procedures/101?on=2025-06-01&unknown=1"},
        {"method": "GET", "path": "/v1/procedures/%C3%A5?on=2025-06-01"},
        # the errors around a lookup
        {"method": "GET", "path": "/v1/procedures/101?on=2025-06-01", "key": False},
        {"method": "GET", "path": "/v1/procedures/101?on=2025-06-01", "key": "taxa_wrong"},
        {"method": "GET", "path": "/v1/procedures/NOPE?on=2025-06-01"},
        {"method": "GET", "path": "/v1/procedures/101"},
        {"method": "GET", "path": "/v1/procedures/101?on=2024-06-01"},
        {"method": "GET", "path": "/v1/procedures/101?on=2025-13-01"},
        {"method": "GET", "path": "/v1/procedures/101?on=1800-01-01"},
        {"method": "GET", "path": "/v1/procedures/101?on=2025-06-01&variant=night"},
        {"method": "GET", "path": "/v1/procedures/101?on=2025-06-01&owner=nobody"},
        {"method": "GET", "path": "/v1/procedures/101?at=2025-12-24T19:30:00"},
        {"method": "GET", "path": "/v1/procedures/101?at=yesterday"},
        {"method": "GET", "path": "/v1/procedures/101?at=2025-12-24T19:30:00Z&on=2025-12-24"},
        {"method": "GET", "path": "/v1/procedures/101?on=2025-06-01&on=2025-07-01"},
        {"method": "GET", "path": "/v1/procedures/101?on=%00"},
        {"method": "GET", "path": "/v1/procedures?on=2025-06-01&q=rotfyllning"},
        {"method": "GET", "path": "/v1/procedures?at=2025-12-24T19:30:00%2B01:00&q=akut"},
    ]
    return cases


def _patient(birth: str, **extra: Any) -> Json:
    return {"birth_date": birth, **extra}


BENCH_LINES: list[Json] = [
    {"code": "101", "quantity": 1, "date": "2025-11-20"},
    {"code": "121", "quantity": 2, "date": "2025-11-20"},
    {"code": "206", "quantity": 1, "date": "2025-11-20"},
    {"code": "301", "quantity": 1, "at": "2025-12-24T19:30:00+01:00"},
    {"code": "501", "quantity": 1, "date": "2026-02-10", "variant": "normal"},
    {"code": "342", "quantity": 1, "date": "2026-02-10"},
    {"code": "701", "quantity": 1, "date": "2026-02-10", "tooth_position": 2},
    {"code": "801", "quantity": 1, "date": "2026-03-02", "tooth_position": 6},
    {"code": "103S", "quantity": 1, "date": "2026-03-02", "specialist_referral": True},
    {"code": "A11", "quantity": 1, "date": "2026-03-02"},
]


def quote_bodies() -> list[Json]:
    period = {"start": "2025-11-03", "counted": "2080.00"}
    bodies: list[Json] = [
        # bench/quote.lua
        {
            "owner": "region-jonkoping",
            "patient": _patient(
                "1955-04-02", stb_eligible=True, atb_available="600.00", period=period
            ),
            "lines": BENCH_LINES,
        },
        *(example["value"] for example in quote_routes.EXAMPLES.values()),
    ]
    # Every age band, with and without a period, ATB and STB, on 2025 and 2026 dates.
    for birth in (
        "2012-08-01",
        "2006-03-15",
        "2005-12-31",
        "1990-01-01",
        "1959-06-30",
        "1956-04-02",
        "1940-01-01",
    ):
        for patient in (
            {},
            {"atb_available": "300.00", "period": period},
            {
                "stb_eligible": True,
                "stb_used_this_half_year": "500.00",
                "stb_half_year_start": "2025-07-01",
                "period": {"start": "2025-09-01", "counted": "14500.00"},
            },
        ):
            bodies.append({"patient": _patient(birth, **patient), "lines": BENCH_LINES})
    bodies += [
        {
            "patient": _patient("1980-01-01"),
            "lines": [
                {"code": "9010", "quantity": 35, "date": "2025-12-01"},
                {
                    "code": "801",
                    "date": "2025-12-01",
                    "tooth_position": 14,
                    "material_kr": "350.00",
                    "technical_kr": "1200.00",
                },
                {"code": "101", "date": "2025-12-01", "quantity": 3, "use_atb": False},
            ],
        },
        {
            "patient": _patient(
                "1945-02-02", regional_support="sjukdomsbehandling", frikort_spent="1250.00"
            ),
            "lines": [
                {"code": "101", "date": "2025-03-10"},
                {"code": "701", "date": "2025-03-10"},
                {"code": "401", "date": "2025-04-02"},
                {"code": "301", "date": "2025-12-20"},
            ],
        },
        {
            "patient": _patient("1930-02-02", regional_support="nodvandig"),
            "lines": [{"code": "101", "date": "2025-05-10"}],
        },
        # errors a quote answers
        {"patient": _patient("1980-01-01"), "lines": [{"code": "NOPE", "date": "2025-06-01"}]},
        {
            "patient": _patient("1980-01-01", atb_available=300.5),
            "lines": [{"code": "101", "date": "2025-06-01"}],
        },
        {
            "patient": _patient("1980-01-01", period={"start": "2026-06-01", "counted": "0"}),
            "lines": [{"code": "101", "date": "2025-06-01"}],
        },
        {"patient": _patient("1980-01-01"), "lines": [{"code": "101", "date": "2024-06-01"}]},
        {
            "patient": _patient("1980-01-01"),
            "lines": [{"code": "101", "date": "2025-06-01", "at": "2025-06-01T10:00:00+02:00"}],
        },
        {
            "owner": "nobody",
            "patient": _patient("1980-01-01"),
            "lines": [{"code": "101", "date": "2025-06-01"}],
        },
        {"patient": _patient("1980-01-01"), "lines": []},
    ]
    return [{"method": "POST", "path": "/v1/quotes", "body": body} for body in bodies]


@pytest.fixture()
def golden_data(engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """The bundled data as the golden answers saw it, and the day they were quoted on."""
    _load(engine, settings)
    today = dt.date.fromisoformat(TODAY)
    monkeypatch.setattr(quote_routes, "stockholm_today", lambda: today)
    return today


def _load(engine: Engine, settings: Settings) -> None:
    if engine.dialect.name == "postgresql":
        # The golden answers carry schedule ids 1 and 2: ids count from 1 again on the emptied
        # tables, as on a fresh database.
        with engine.begin() as conn:
            for (name,) in conn.execute(
                text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = 'public'"
                )
            ).all():
                conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART WITH 1'))
    with transaction(engine) as session:
        load_bundled(session, Limits.of(settings))
        load_bundled_reference_lists(session, Limits.of(settings))


def answers(client: TestClient, headers: dict[str, str]) -> list[Json]:
    listed = client.get("/v1/procedures?on=2025-06-01", headers=headers).json()["items"]
    codes = [i["code"] for i in listed if i["code"]][::SAMPLED_EVERY] + EXTRA_CODES
    jour = client.get("/v1/procedures?on=2025-06-01&variant=jour", headers=headers).json()
    jour_codes = [i["code"] for i in jour["items"] if i["code"]][:: SAMPLED_EVERY * 2]
    out = []
    for case in lookups(codes, jour_codes) + quote_bodies():
        key = case.get("key", True)
        sent = (
            headers if key is True else {} if key is False else {"Authorization": f"Bearer {key}"}
        )
        body = None
        if "body" in case:
            sent = {**sent, "Content-Type": "application/json"}
            body = json.dumps(case["body"], ensure_ascii=False).encode()
        response = client.request(case["method"], case["path"], headers=sent, content=body)
        out.append(
            {
                **case,
                "status": response.status_code,
                "content_type": response.headers.get("content-type"),
                "answer": response.content.decode("utf-8"),
            }
        )
    return out


def test_hot_paths_answer_byte_for_byte_as_before(
    client: TestClient, engine: Engine, golden_data: dt.date, clinic: dict[str, str]
) -> None:
    got = answers(client, clinic)
    if os.environ.get("UPDATE_GOLDEN") and engine.dialect.name == "sqlite":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    expected = json.loads(GOLDEN.read_text())
    assert len(got) == len(expected)
    for answer, before in zip(got, expected, strict=True):
        assert (answer["method"], answer["path"]) == (before["method"], before["path"])
        what = f"{answer['method']} {answer['path']} {json.dumps(answer.get('body'))[:200]}"
        assert answer["status"] == before["status"], what
        assert answer["content_type"] == before["content_type"], what
        assert answer["answer"].encode() == before["answer"].encode(), what


def test_the_quote_json_fast_path_is_the_models_json(
    client: TestClient, golden_data: dt.date
) -> None:
    """``run_quote_json`` serializes the plain answer; ``run_quote`` validates it into QuoteOut.
    Both must give the same bytes for every quote: a field added to the model but not to the
    plain answer fails here."""
    from app.jour.windows import jour_config
    from app.quotes.quoting import run_quote, run_quote_json
    from app.quotes.rules import load_regional_rules, load_rule_sets
    from app.quotes.schemas import QuoteIn

    snap = client.app.state.snapshots.get()  # type: ignore[attr-defined]
    today = golden_data
    answered = 0
    for case in quote_bodies():
        try:
            body = QuoteIn.model_validate(case["body"])
            args = (
                body,
                snap,
                load_rule_sets(),
                jour_config(),
                today,
                "region-jonkoping",
                load_regional_rules(),
            )
            model = run_quote(*args).model_dump_json().encode()
        except Exception:  # the bad bodies of the sample: their errors are checked above
            continue
        assert run_quote_json(*args) == model, case["body"]
        answered += 1
    assert answered >= 25


def test_the_direct_quote_answers_as_the_documented_route(
    client: TestClient, golden_data: dt.date, clinic: dict[str, str]
) -> None:
    """``POST /v1/quotes`` of the usual kind is served by app.quotes.routes.DirectQuote, any
    other by the documented FastAPI route (``?format=json`` is the same quote asked explicitly:
    it goes there). The two answer every quote of the sample, and every refused one, the same."""
    headers = {**clinic, "Content-Type": "application/json"}
    bodies = [json.dumps(case["body"]).encode() for case in quote_bodies()]
    bodies += [b"", b"{", b"null", b"[]", b'{"patient": 1}', '{"lines": "å"}'.encode()]
    # nested deeper than Python's recursion limit: json.loads raises RecursionError
    bodies += [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000]
    statuses = set()
    for body in bodies:
        direct = client.post("/v1/quotes", headers=headers, content=body)
        documented = client.post("/v1/quotes?format=json", headers=headers, content=body)
        assert direct.status_code == documented.status_code, body
        assert direct.headers["content-type"] == documented.headers["content-type"], body
        assert direct.content == documented.content, body
        statuses.add(direct.status_code)
    assert statuses == {200, 422}
    # Another media type goes to the documented route unread: FastAPI's answer, as before.
    sample = bodies[0]
    for media_type in ("text/plain", "application/x-www-form-urlencoded"):
        sent = {**clinic, "Content-Type": media_type}
        direct = client.post("/v1/quotes", headers=sent, content=sample)
        documented = client.post("/v1/quotes?format=json", headers=sent, content=sample)
        assert direct.status_code == documented.status_code == 422, media_type
        assert direct.content == documented.content, media_type


def test_the_direct_quote_checks_the_role_as_the_documented_route(
    client: TestClient, board: dict[str, str]
) -> None:
    """A key whose role may not quote is refused (403) on both paths; a body that is not JSON
    is refused (422) first, as FastAPI reads the body before the route's dependencies."""
    headers = {**board, "Content-Type": "application/json"}
    for body, status in ((b"{", 422), (b"{}", 403), (json.dumps(quote_bodies()[0]["body"]), 403)):
        direct = client.post("/v1/quotes", headers=headers, content=body)
        documented = client.post("/v1/quotes?format=json", headers=headers, content=body)
        assert direct.status_code == documented.status_code == status, body
        assert direct.content == documented.content, body
