"""The kostnadsförslag: ``POST /v1/quotes?format=pdf|html`` and ``taxa quote --format``.

The same request as the JSON quote, answered as the patient's document in Swedish. Checked here:
the PDF's text carries exactly the figures of the JSON answer to the same request (line by line,
in order), its pages lie inside A4 (the board report's layout checks, tests/support/pdf_layout),
and the patient's name and personnummer are printed but never stored, logged or echoed.

Prices: the bundled 2025 taxa (no end date, so it prices the 2026 lines too; see
tests/app/quotes/test_quotes.py); the 2026 rule set applies to 2026 lines.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import re
import socket
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pdf_layout import layout_problems, page_problems, pngs
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.engine import Engine

import app.cli.quotes as cli_quotes
import app.quotes.routes as quote_routes
from app.cli import main
from app.config import Settings
from app.main import create_app
from app.quotes.estimate import add_months, render_document
from app.quotes.rules import load_estimate_terms
from app.quotes.schemas import QuoteIn, QuoteOut
from app.report.fmt import NBSP, number

Json = dict[str, Any]
PERSONNUMMER = "19560402-9876"
NAME = "Astrid Testsson-Exempel"
TODAY = dt.date(2026, 1, 15)

# Ten åtgärder for a patient aged 70 in 2026 with STB and 600 kr ATB, in a period opened in
# 2025 (its upper threshold is uncertain: L): särskild and allmän tandvårdsersättning, allmän for
# each reason (scope, price above reference with and without material, tooth position), an intern
# code without ersättning, and a jour line given as an instant.
TEN_LINES: Json = {
    "patient_name": NAME,
    "personnummer": PERSONNUMMER,
    "patient": {
        "birth_date": "1956-04-02",
        "stb_eligible": True,
        "atb_available": "600.00",
        "period": {"start": "2025-11-03", "counted": "2080.00"},
    },
    "lines": [
        {"code": "101", "date": "2026-02-10"},
        {"code": "121", "quantity": 2, "date": "2026-02-10"},
        {"code": "342", "date": "2026-02-10"},
        {"code": "701", "date": "2026-02-10", "tooth_position": 2},
        {"code": "801", "date": "2026-02-10", "tooth_position": 16},
        {"code": "704", "date": "2026-03-02", "tooth_position": 24, "material_kr": "150.00"},
        {"code": "401", "date": "2026-03-02", "tooth_position": 38},
        {"code": "402", "date": "2026-03-02", "tooth_position": 48},
        {"code": "A11", "date": "2026-03-02"},
        {"code": "301", "at": "2026-03-02T19:30:00+01:00"},
    ],
}

REGIONAL: Json = {
    "personnummer": PERSONNUMMER,
    "patient": {
        "birth_date": "1950-05-10",
        "regional_support": "sjukdomsbehandling",
        "frikort_spent": "1300.00",
    },
    "lines": [
        {"code": "101", "date": "2026-02-10"},
        {"code": "701", "date": "2026-02-10", "tooth_position": 2},
        {"code": "401", "date": "2026-03-02"},
    ],
}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quote_routes, "stockholm_today", lambda: TODAY)
    monkeypatch.setattr(cli_quotes, "today", lambda: TODAY)


def post(client: TestClient, headers: dict[str, str], body: Json, format: str = "json") -> Any:
    response = client.post("/v1/quotes", params={"format": format}, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")


def flat(text_: str) -> str:
    return " ".join(text_.split())


def sv(amount: str | None) -> str:
    """A JSON amount ("1100.00") as the document prints it ("1 100,00")."""
    assert amount is not None
    return number(Decimal(amount), 2).replace(NBSP, " ")


AMOUNT = re.compile(r"(?<![\d,])−?\d{1,3}(?: \d{3})*,\d{2}(?!\d)")


def amounts(text_: str) -> list[str]:
    return AMOUNT.findall(text_)


def expected_row(line: Json, show_region: bool) -> list[str]:
    """The amounts of a line's row, in the order the document prints them."""
    row = [sv(line[k]) for k in ("material_kr", "technical_kr") if Decimal(line[k])]
    row.append(sv(line["price"]))
    if line["reference_price"] is not None:
        row.append(sv(line["reference_price"]))
    row += [sv(line[k]) for k in ("atb", "stb") if Decimal(line[k])]
    row.append(sv(line["state"]))
    if show_region:
        row.append(sv(line["region"]))
    row.append(sv(line["patient"]))
    return row


ERSATTNING = {
    "allman": "Allmän tandvårdsersättning",
    "sarskild": "Särskild tandvårdsersättning",
    None: "Ingen ersättning",
}


def check_figures(document: str, quote: Json) -> None:
    """Every line's amounts, in its row, in order; the totals; the ersättning of each line."""
    show_region = any(Decimal(line["region"]) for line in quote["lines"])
    table = document[document.index("Åtgärd Pris") : document.index("\nSumma ")]
    starts = [table.index(f"\n{line['code']} ") for line in quote["lines"]]
    assert starts == sorted(starts)  # the rows in the answer's order
    for line, start, end in zip(quote["lines"], starts, [*starts[1:], len(table)], strict=True):
        row = table[start:end]
        row = row.split("\n20")[0]  # stop at the next day's heading ("2026-03-02 (…)")
        assert amounts(row) == expected_row(line, show_region), (line["code"], row)
        assert ERSATTNING[line["ersattning"]] in flat(row), line["code"]
        assert line["text"].split(",")[0] in flat(row)
    for day in dict.fromkeys(line["date"] for line in quote["lines"]):
        assert f"\n{day} (" in table
    totals = quote["totals"]
    summa = document[document.index("\nSumma ") : document.index("\nPriset omfattar")]
    expected = [sv(totals["price"])] + [sv(totals[k]) for k in ("atb", "stb") if Decimal(totals[k])]
    expected += [sv(totals["state"])] + ([sv(totals["region"])] if show_region else [])
    assert amounts(summa) == [*expected, sv(totals["patient"])]
    summary = flat(document)
    assert f"Pris totalt {sv(totals['price'])} kr" in summary
    assert f"Staten betalar (tandvårdsersättning) {sv(totals['state'])} kr" in summary
    assert f"Du betalar: {sv(totals['patient'])} kr" in summary


def test_the_pdf_carries_the_figures_of_the_json_answer(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    quote = post(client, clinic, TEN_LINES).json()
    response = post(client, clinic, TEN_LINES, "pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == (
        'inline; filename="kostnadsforslag-region-jonkoping-2026-01-15.pdf"'
    )
    document = pdf_text(response.content)
    assert {line["ersattning"] for line in quote["lines"]} == {"allman", "sarskild", None}
    check_figures(document, quote)
    words = flat(document)
    # Who, when, how long, for whom.
    assert "Kostnadsförslag Folktandvården Region Jönköpings län" in words
    assert "Datum 15 januari 2026" in words
    assert "Giltigt till och med 15 april 2026 (3 månader)" in words
    assert f"Patient {NAME}" in words and f"Personnummer {PERSONNUMMER}" in words
    # Why a line gives no ersättning, or allmän rather than särskild.
    for why in (
        "inte särskild: åtgärden omfattas inte",
        "inte särskild: priset är högre än referenspriset",
        "inte särskild: fast protetik bakom tand 5",
        "Ingen ersättning ingår inte i tandvårdsstödet",
        "varav material 150,00 kr",
        "(jourtid)",
    ):
        assert why in words, why
    # What it rests on: the state as entered, the rule sets, the thresholds, the L values.
    assert (
        "ersättningsperiod från 2025-11-03 med 2 080,00 kr räknat i högkostnadsskyddet; "
        "allmänt tandvårdsbidrag att använda 600,00 kr; rätt till särskilt "
        "tandvårdsbidrag, 0,00 kr redan använt detta halvår"
    ) in words
    assert "regelverk 2026 (gäller 2026-01-01 – 2026-12-31)" in words
    for t in quote["period_thresholds"]:
        assert (
            f"Högkostnadsskyddet för ersättningsperioden från {t['period_start']} "
            f"(regelverk {t['rule_set']}): karens {sv(t['lower'])} kr, övre gräns "
            f"{sv(t['upper'])} kr"
        ) in words
    uncertain = [n for n in quote["notes"] if n.startswith("uncertain value (L)")]
    # The period opened in 2025: its upper threshold is unsettled (L), and so is the scope of
    # the 67+ rule for prosthetics (801 on tooth 16).
    assert [n.split(" = ")[0].rsplit(": ", 1)[1] for n in uncertain] == [
        "high_cost_protection.upper_threshold",
        "tiotandvard.scope.position_limited",
    ]
    assert (
        "övre gränsen i högkostnadsskyddet 15000 regelverk 2026 Unsettled (domain.md §3): a "
        "period started before 2026-01-01"
    ) in words
    assert (
        "vilken fast protetik som ger särskild tandvårdsersättning bara till och med "
        "tandposition 5 800–805 (tandstödd krona, pelare, bro, emaljretinerad konstruktion) "
        "regelverk 2026"
    ) in words
    credit = quote["atb_next_credit"]
    assert credit["date"] == "2026-07-01"
    assert f"Den 1 juli 2026 får du {sv(credit['amount'])} kr i nytt allmänt tandvårdsbidrag" in (
        words
    )
    assert "Försäkringskassan beslutar om tandvårdsersättningen." in words


def test_the_html_is_the_same_document(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    quote = post(client, clinic, TEN_LINES).json()
    response = post(client, clinic, TEN_LINES, "html")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    assert '<html lang="sv">' in html
    body = re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1]).replace("&shy;", "")
    words = flat(body.replace(NBSP, " "))
    for line in quote["lines"]:
        assert f"{line['code']}" in words
        for key in ("price", "state", "patient"):
            assert sv(line[key]) in words
    assert f"Du betalar: {sv(quote['totals']['patient'])} kr" in words
    assert "Försäkringskassan beslutar om tandvårdsersättningen." in words


def test_regional_support_shows_the_region_and_the_patient_parts(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    quote = post(client, clinic, REGIONAL).json()
    document = pdf_text(post(client, clinic, REGIONAL, "pdf").content)
    check_figures(document, quote)  # with the "Regionen betalar" column
    words = flat(document)
    assert "Regionalt tandvårdsstöd: tandvård som ett led i en sjukdomsbehandling" in words
    assert "Ingen ersättning regionalt tandvårdsstöd" in words
    assert f"Regionen betalar {sv(quote['totals']['region'])} kr" in words
    visits = document[document.index("Räknat mot") :]
    for visit in quote["regional_visits"]:
        assert (
            f"{visit['date']} {sv(visit['fee'])} {sv(visit['patient'])} "
            f"{sv(visit['region'])} {sv(visit['frikort_spent_after'])}" in visits
        )
    assert "1 300,00 kr redan räknat mot frikortet" in words


# --- the layout: A4, nothing cut (the board report's checks) ----------------------------------


def _document(client: TestClient, clinic: dict[str, str], body: Json) -> Any:
    """The laid-out pages of the body's kostnadsförslag, as the route renders them."""
    quote = QuoteOut.model_validate(post(client, clinic, body).json())
    terms = load_estimate_terms()["region-jonkoping"]
    return render_document(quote, QuoteIn.model_validate(body), terms, TODAY)


@pytest.mark.parametrize("body", [TEN_LINES, REGIONAL], ids=["ten-lines", "regional"])
def test_every_box_is_inside_the_page_and_every_line_inside_its_cell(
    client: TestClient, clinic: dict[str, str], bundled: list[int], body: Json
) -> None:
    document = _document(client, clinic, body)
    problems, checked_text, checked_tables = layout_problems(document)
    assert problems == []
    assert checked_text > 60 and checked_tables >= 3


@pytest.mark.parametrize("body", [TEN_LINES, REGIONAL], ids=["ten-lines", "regional"])
def test_pages_are_a4_numbered_with_white_margins(
    client: TestClient, clinic: dict[str, str], bundled: list[int], body: Json
) -> None:
    content = post(client, clinic, body, "pdf").content
    reader = PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    assert 1 <= pages <= 3
    for n, page in enumerate(reader.pages, start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            595,
            842,
        )  # A4 in points
        assert f"Sida {n} av {pages}" in page.extract_text().replace(NBSP, " ")
    for n, image in enumerate(pngs(content), start=1):
        assert page_problems(image) == [], f"page {n}"


def test_a_long_quote_breaks_over_pages_without_cutting_a_row(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    body = {**TEN_LINES, "lines": TEN_LINES["lines"] * 6}
    document = _document(client, clinic, body)
    assert len(document.pages) >= 2
    problems, _, _ = layout_problems(document)
    assert problems == []


def test_validity_is_counted_in_months() -> None:
    assert add_months(dt.date(2026, 1, 15), 3) == dt.date(2026, 4, 15)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 12, 31), 12) == dt.date(2027, 12, 31)


# --- the patient's name and personnummer: printed, never kept ---------------------------------


def _everything_stored(engine: Engine) -> str:
    """Every row of every table, as text."""
    from app.models import metadata

    with engine.connect() as conn:
        return "\n".join(
            repr(row) for table in metadata.sorted_tables for row in conn.execute(table.select())
        )


def test_name_and_personnummer_are_never_stored_logged_or_echoed(
    client: TestClient,
    clinic: dict[str, str],
    admin: dict[str, str],
    bundled: list[int],
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for format in ("json", "html", "pdf"):
        post(client, clinic, TEN_LINES, format)
    answers = [post(client, clinic, TEN_LINES).text]
    # Errors: a bad personnummer, a bad name, another field wrong, personal data in the wrong
    # place (an unknown field), an engine error — none repeats the value.
    for body in (
        {**TEN_LINES, "personnummer": PERSONNUMMER + "-" + "9" * 10},
        {**TEN_LINES, "patient_name": NAME * 20},
        {**TEN_LINES, "personnummer": int(PERSONNUMMER[:8])},
        {**TEN_LINES, "lines": [{"code": "999", "date": "2026-02-10"}]},
        {
            **TEN_LINES,
            "patient": {**TEN_LINES["patient"], "personnummer": PERSONNUMMER, "patient_name": NAME},
        },
        {**TEN_LINES, "patient": {**TEN_LINES["patient"], "atb_available": "-1"}},
    ):
        for format in ("json", "pdf"):
            response = client.post(
                "/v1/quotes", params={"format": format}, json=body, headers=clinic
            )
            assert response.status_code == 422, response.text
            answers.append(response.text)
    too_long = json.loads(answers[1])
    assert too_long["problems"][0]["field"] == "personnummer"
    assert too_long["problems"][0]["value"] is None
    misplaced = json.loads(answers[9])
    assert [(p["field"], p["value"]) for p in misplaced["problems"]] == [
        ("patient.personnummer", None),
        ("patient.patient_name", None),
    ]
    audit = client.get("/v1/audit", headers=admin)
    assert audit.status_code == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    stored = _everything_stored(engine)
    for secret in (PERSONNUMMER, PERSONNUMMER[:8], NAME, "Testsson"):
        for answer in answers:
            assert secret not in answer
        assert secret not in audit.text
        assert secret not in logged
        assert secret not in stored
    assert len(stored) > 1000  # the bundled taxa is there: the search looked at something


def test_the_server_access_log_has_the_path_only(
    settings: Settings, engine: Engine, clinic: dict[str, str], bundled: list[int]
) -> None:
    """The real server (uvicorn, its access log formatter) on a socket of this machine."""
    import httpx
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG
    from uvicorn.logging import AccessFormatter

    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(
        AccessFormatter(LOGGING_CONFIG["formatters"]["access"]["fmt"], use_colors=False)
    )
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="info"))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()  # connections wait in the backlog until the server accepts them
    port = listening.getsockname()[1]

    async def run() -> list[int]:
        serving = asyncio.create_task(server.serve(sockets=[listening]))
        statuses = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for format, body in (
                ("pdf", TEN_LINES),
                ("pdf", {**TEN_LINES, "personnummer": PERSONNUMMER * 3}),
            ):
                response = await http.post(
                    "/v1/quotes", params={"format": format}, json=body, headers=clinic
                )
                statuses.append(response.status_code)
        server.should_exit = True
        await serving
        return statuses

    try:
        assert asyncio.run(run()) == [200, 422]
    finally:
        access.removeHandler(handler)
        listening.close()
        app.state.engine.dispose()
    requests = [line for line in lines if "POST" in line]
    assert [re.sub(r"^.* - ", "", line) for line in requests] == [
        '"POST /v1/quotes?format=pdf HTTP/1.1" 200 OK',
        '"POST /v1/quotes?format=pdf HTTP/1.1" 422 Unprocessable Entity',
    ]
    for line in lines:
        assert PERSONNUMMER not in line and PERSONNUMMER[:8] not in line and NAME not in line


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_writes_the_kostnadsforslag(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    request_file: Callable[[Any], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request = request_file(TEN_LINES)
    quote = post(client, clinic, TEN_LINES).json()
    pdf = tmp_path / "kostnadsforslag.pdf"
    assert main(["quote", str(request), "--format", "pdf", "-o", str(pdf)]) == 0
    check_figures(pdf_text(pdf.read_bytes()), quote)
    html = tmp_path / "kostnadsforslag.html"
    assert main(["quote", str(request), "--format", "html", "-o", str(html)]) == 0
    assert html.read_text(encoding="utf-8") == post(client, clinic, TEN_LINES, "html").text
    assert capsys.readouterr().out == ""
    assert main(["quote", str(request), "--format", "pdf"]) == 2
    assert "error: --format pdf needs -o FILE" in capsys.readouterr().err


def test_cli_does_not_echo_a_bad_personnummer(
    bundled: list[int],
    request_file: Callable[[Any], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request = request_file({**TEN_LINES, "personnummer": PERSONNUMMER * 3})
    assert main(["quote", str(request), "--format", "pdf", "-o", str(tmp_path / "x.pdf")]) == 1
    captured = capsys.readouterr()
    assert "error: personnummer: String should have at most 20 characters" in captured.err
    assert PERSONNUMMER not in captured.err + captured.out
    assert not (tmp_path / "x.pdf").exists()


def test_no_table_holds_quotes(engine: Engine) -> None:
    """Quotes are computed, never kept: no table is about them."""
    with engine.connect() as conn:
        names = {
            row[0]
            for row in conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    if engine.dialect.name == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            )
        }
    assert names and not any("quote" in name or "patient" in name for name in names)
