"""The board's report through HTTP: all three formats carry the endpoints' figures, the summary
follows the verdict, exported text cannot run as a formula, and only board and admin may read it.

Generating a PDF takes seconds, so the bundled 2025 report (with the example volumes) is made
once per database and module and kept in ``_CACHE``; each test still starts from empty tables.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from app.config import DATA_DIR
from app.files import Limits
from app.report.data import import_warnings
from app.report.fmt import kr, percent
from app.taxa.imports import parse_taxa_file
from app.volumes.volume_sets import EXAMPLE_VOLUMES
from pricing.money import round_money

NORMAL_CSV = DATA_DIR / "taxa" / "region-jonkoping-2025-normal.csv"
_CACHE: dict[str, dict[str, Any]] = {}


def flat(text: str) -> str:
    """Extracted or rendered text with every kind of space as one plain space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def upload_volumes(
    client: TestClient, admin: dict[str, str], content: bytes, name: str = "Exempel"
) -> int:
    r = client.post(
        "/v1/volumes", headers=admin, files={"file": ("volymer.csv", content)}, data={"name": name}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return flat(" ".join(page.extract_text() for page in reader.pages)), len(reader.pages)


def summary_values(content: bytes) -> dict[str, Any]:
    sheet = load_workbook(io.BytesIO(content))["Sammanfattning"]
    values: dict[str, Any] = {}
    for label, value, _unit in sheet.iter_rows(min_row=2, max_col=3, values_only=True):
        if label is None:
            break
        values[label] = value
    return values


@pytest.fixture()
def bundled_report(
    client: TestClient, admin: dict[str, str], bundled: list[int], database_url: str
) -> Iterator[dict[str, Any]]:
    """The three formats of the bundled 2025 report with the example volumes (as a stored
    volume set), and the deviation and jour-check endpoints' answers on the same data."""
    if database_url not in _CACHE:
        normal, jour = bundled
        volumes_id = upload_volumes(client, admin, EXAMPLE_VOLUMES.read_bytes())
        out: dict[str, Any] = {
            "deviation": client.post(
                f"/v1/schedules/{normal}/deviation", headers=admin, json={"volumes_id": volumes_id}
            ).json(),
            "jour": client.get(f"/v1/schedules/{jour}/jour-check", headers=admin).json(),
        }
        for fmt in ("html", "pdf", "xlsx"):
            r = client.get(
                f"/v1/schedules/{normal}/report",
                params={"format": fmt, "volumes_id": volumes_id},
                headers=admin,
            )
            assert r.status_code == 200, r.text
            out[fmt] = r
        _CACHE[database_url] = out
    yield _CACHE[database_url]


# --- the bundled 2025 taxa with the example volumes -------------------------------------------


def test_formats_are_what_they_say(bundled_report: dict[str, Any]) -> None:
    html, pdf, xlsx = (bundled_report[f] for f in ("html", "pdf", "xlsx"))
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.text.startswith("<!DOCTYPE html>")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert re.fullmatch(
        r'inline; filename="taxerapport-region-jonkoping-2025-01-01-schema-'
        r'\d+\.pdf"',
        pdf.headers["content-disposition"],
    )
    assert xlsx.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert xlsx.headers["content-disposition"].startswith("attachment; ")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == [
        "Sammanfattning",
        "Åtgärder",
        "Per grupp",
        "Per kategori",
        "Prisförändringar",
        "Jourkontroll",
        "Utanför jämförelsen",
        "Importvarningar",
    ]


def test_pdf_text_carries_the_endpoints_figures(bundled_report: dict[str, Any]) -> None:
    dev, jour = bundled_report["deviation"], bundled_report["jour"]
    text, pages = pdf_text(bundled_report["pdf"].content)
    # The endpoints' figures, formatted the Swedish way (whole kronor, two decimals).
    assert dev["deviation_percent"] == "7.45"
    deviation = flat(percent(Decimal(dev["deviation_percent"])))
    assert f"en avvikelse på {deviation}" in text
    assert (
        flat(
            f"intäkten {kr(Decimal(dev['total']['revenue']))} mot referensprislistans "
            f"{kr(Decimal(dev['total']['reference_revenue']))} över 353 jämförda "
            "åtgärder"
        )
        in text
    )
    assert flat(f"intäkten behöver sänkas med {kr(-Decimal(dev['headroom']))}") in text
    assert "528 338 150 kr" in text and "2 220 792 kr" in text
    without = flat(percent(Decimal(dev["without_utbyte"]["deviation_percent"])))
    assert (
        f"Utan utbytesåtgärderna (921–941, vars referenspris gäller den ersatta "
        f"behandlingen) är avvikelsen {without}, inom gränsen" in text
    )
    p = dev["price_position"]
    assert (
        f"Av de {p['above'] + p['at'] + p['below']} externa åtgärderna med referenspris är "
        f"{p['above']} prissatta över referenspriset, {p['at']} lika med och {p['below']} "
        "under."
    ) in text
    assert (p["above"], p["at"], p["below"]) == (245, 110, 0)
    counts = jour["counts"]
    assert (
        f"gav {sum(counts.values())} fynd: {counts['price_differs']} avvikande priser "
        "(926, 926S)" in text
    )
    assert sum(counts.values()) == 66
    # Every page is numbered "Sida X av Y".
    for n in range(1, pages + 1):
        assert f"Sida {n} av {pages}" in text


def test_xlsx_cells_carry_the_endpoints_figures(bundled_report: dict[str, Any]) -> None:
    dev, jour = bundled_report["deviation"], bundled_report["jour"]
    workbook = load_workbook(io.BytesIO(bundled_report["xlsx"].content))
    values = summary_values(bundled_report["xlsx"].content)
    exact = Decimal(dev["total"]["exact"]["deviation_percent"])
    assert values["Avvikelse"] == float((exact / 100).quantize(Decimal("1e-12")))
    assert values["Intäkt till taxans pris"] == float(Decimal(dev["total"]["revenue"]))
    assert values["Intäkt till referenspris"] == float(Decimal(dev["total"]["reference_revenue"]))
    assert values["Utrymme till gränsen"] == float(Decimal(dev["headroom"]))
    assert values["Inom gränsen"] is False
    assert values["Jämförda åtgärder"] == dev["total"]["items"] == 353
    assert values["Externa över referenspris"] == dev["price_position"]["above"]
    assert values["Externa lika med referenspris"] == dev["price_position"]["at"]
    assert values["Jourkontroll: fynd"] == sum(jour["counts"].values())
    assert values["Jourkontroll: avvikande pris"] == jour["counts"]["price_differs"]
    assert values["Åtgärder"] == 410 and values["Åtgärder utan kod (Ny kod)"] == 8
    assert workbook["Sammanfattning"]["B14"].number_format == "0.00%"
    # A controller recomputes the total from the item rows: Σ volume × price, exact.
    rows = list(workbook["Åtgärder"].iter_rows(values_only=True))
    head = rows[0]
    revenue, reference, status = (
        head.index(h)
        for h in ("Intäkt till pris (kr)", "Intäkt till referenspris (kr)", "I jämförelsen")
    )
    compared = [r for r in rows[1:] if r[status] == "I jämförelsen"]
    assert len(compared) == 353
    assert sum(Decimal(str(r[revenue])) for r in compared) == Decimal(dev["total"]["revenue"])
    assert sum(Decimal(str(r[reference])) for r in compared) == Decimal(
        dev["total"]["reference_revenue"]
    )
    assert len(rows) - 1 == 410
    # Every jour finding is there.
    assert workbook["Jourkontroll"].max_row - 1 == sum(jour["counts"].values())


def test_html_summary_says_over_the_limit_with_the_figures(bundled_report: dict[str, Any]) -> None:
    html = flat(bundled_report["html"].text)
    assert (
        "Det är över den beslutade gränsen på 7 %: intäkten behöver sänkas med 2 220 792 kr "
        "för att nå gränsen (en enhetlig sänkning av alla jämförda priser med 0,42 %)." in html
    )
    assert "EXEMPELVOLYMER" in html
    assert (
        "Taxan har 410 åtgärder: 355 externa (TLV-kod med referenspris), 47 interna och 8 "
        "utan kod (”Ny kod”)." in html
    )
    assert (
        "Ingen föregående taxa finns (ingen aktiv normaltaxa för region-jonkoping gällde "
        "31 december 2024)" in html
    )
    # The 67+ rule does not apply to 2025; what it would mean in 2026 is shown.
    assert (
        "Tiotandvården för patienter 67 år och äldre gäller från 1 januari 2026 och berör "
        "inte denna taxa. Inför 2026: med dessa priser skulle 84 av de 267 "
        "behandlingsåtgärder som omfattas (31,5 %) ha ett pris som inte överstiger "
        "referenspriset, och de står för 11,0 % av deras volym" in html
    )
    assert (
        "Importen av taxan gav 17 varningar: 9 exakta dubblettrader och 8 rader med en "
        "annan text till samma kod och pris." in html
    )
    verdicts = re.findall(r'class="status status-(\w+)">([^<]+)<', bundled_report["html"].text)
    assert verdicts == [
        ("cannot_assess", "Kan inte bedömas"),
        ("not_met", "Ej uppfylld"),
        ("cannot_assess", "Kan inte bedömas"),
        ("not_met", "Ej uppfylld"),
    ]
    assert (
        "2 jourpriser avviker från regeln: 926 (publicerat 11 130 kr, regeln ger 19 225 kr); "
        "926S (publicerat 13 420 kr, regeln ger 23 380 kr)." in html
    )


def test_import_warnings_are_the_imports_own(
    client: TestClient, bundled: list[int], engine: Engine
) -> None:
    """The report shows the warnings the import gave, stored with the schedule, row for row."""
    from sqlmodel import Session

    from app.taxa.schedules import get_schedule

    limits = Limits(20_000, 50 * 1024 * 1024)
    imported = parse_taxa_file(NORMAL_CSV.read_bytes(), NORMAL_CSV.name, limits).warnings
    with Session(engine) as session:
        stored = import_warnings(get_schedule(session, bundled[0]))
    assert stored == imported
    assert len(stored) == 17


# --- the summary follows the verdict ----------------------------------------------------------


def _report_with_file(
    client: TestClient,
    headers: dict[str, str],
    schedule: int,
    rows: list[tuple[str, int]],
    fmt: str = "html",
) -> Any:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Åtgärd", "Volym"])
    writer.writerows(rows)
    return client.post(
        f"/v1/schedules/{schedule}/report",
        headers=headers,
        files={"file": ("volymer.csv", buffer.getvalue().encode())},
        data={"format": fmt},
    )


def test_within_the_limit(client: TestClient, admin: dict[str, str], bundled: list[int]) -> None:
    # 101: 10 × 1 100 against 10 × 1 015; 541: 10 × 4 350 at its reference price.
    # Revenue 54 500 against 53 650: 850 / 53 650 = 1,584… %; headroom 53 650 × 1,07 − 54 500
    # = 2 905,50 → 2 906 kr (halves up); uniform rise 57 405,50 / 54 500 − 1 = 5,331… %.
    r = _report_with_file(client, admin, bundled[0], [("101", 10), ("541", 10)])
    assert r.status_code == 200, r.text
    html = flat(r.text)
    assert (
        "Volymvägt ger taxan intäkten 54 500 kr mot referensprislistans 53 650 kr över 2 "
        "jämförda åtgärder: en avvikelse på 1,58 %. Det är inom den beslutade gränsen på "
        "7 %, med 2 906 kr kvar upp till gränsen (alla jämförda priser skulle kunna höjas "
        "enhetligt med 5,33 %)." in html
    )
    assert (
        "Volymerna kommer från filen volymer.csv: 2 koder, sammanlagt 20 debiterade "
        "enheter." in html
    )
    assert "EXEMPELVOLYMER" not in html
    assert 'class="status status-met">Uppfylld<' in r.text
    assert "Avvikelsen är 1,58 % (volymvägd), inom gränsen 7 %: 2 906 kr kvar till gränsen." in html


def test_over_the_limit_with_an_uploaded_file(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    # 101 alone: 11 000 against 10 150 = 8,374… %; 10 150 × 1,07 = 10 860,50, so 139,50 kr
    # over (→ 140 kr); uniform change 10 860,50 / 11 000 − 1 = −1,268… %.
    r = _report_with_file(client, admin, bundled[0], [("101", 10)])
    html = flat(r.text)
    assert (
        "en avvikelse på 8,37 %. Det är över den beslutade gränsen på 7 %: intäkten "
        "behöver sänkas med 140 kr för att nå gränsen (en enhetlig sänkning av alla "
        "jämförda priser med 1,27 %)." in html
    )
    assert 'class="status status-not_met">Ej uppfylld<' in r.text


def test_without_volumes_everything_is_unweighted_and_7_percent_cannot_be_assessed(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    r = client.get(f"/v1/schedules/{bundled[0]}/report", headers=admin)
    assert r.status_code == 200, r.text
    html = flat(r.text)
    assert "UTAN VOLYMER: alla siffror är ovägda (varje åtgärd räknas en gång)." in html
    assert "Inga volymer har angetts: alla siffror nedan är ovägda" in html
    # Σ price against Σ reference over the 355 extern items, each once (the checksums of
    # data/README.md count duplicated rows; these count each item once).
    assert re.search(
        r"Ovägt, med varje extern åtgärd räknad en gång, ligger priserna sammanlagt "
        r"[\d,]+ % över referenspriserna",
        html,
    )
    statuses = re.findall(r'class="status status-(\w+)"', r.text)
    assert statuses[1] == "cannot_assess"
    assert "Inga volymer: den totala intäkten (åtgärd × volym × pris) kan inte beräknas." in html
    assert "Pris ÷ referenspris: fördelning" not in html  # the chart is an image; its alt:
    assert "andel av åtgärderna per intervall" in html


def test_unweighted_xlsx_has_no_volumes(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    r = client.get(f"/v1/schedules/{bundled[0]}/report", params={"format": "xlsx"}, headers=admin)
    values = summary_values(r.content)
    assert values["Volymvägda siffror"] is False
    assert values["Inom gränsen"] is None
    rows = list(load_workbook(io.BytesIO(r.content))["Åtgärder"].iter_rows(values_only=True))
    assert {row[rows[0].index("Volym")] for row in rows[1:]} == {None}


# --- a later taxa against the previous one ----------------------------------------------------


def _modified_copy(changes: dict[str, tuple[str, str]]) -> bytes:
    """The bundled normal CSV with (price, reference price) changed for some codes."""
    lines = list(csv.reader(io.StringIO(NORMAL_CSV.read_text(encoding="utf-8"))))
    for line in lines[1:]:
        if line[0] in changes:
            line[5], line[6] = changes[line[0]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(lines)
    return out.getvalue().encode("utf-8")


def _import(
    client: TestClient, admin: dict[str, str], content: bytes, valid_from: str, name: str
) -> int:
    r = client.post(
        "/v1/imports",
        headers=admin,
        files={"file": ("taxa.csv", content)},
        data={"name": name, "valid_from": valid_from},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["schedule_id"])


def test_a_2026_draft_against_2025(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    # 101: 1 100 → 1 155 (+5 %), reference 1 015 → 1 045; 541: 4 350 → 4 300 (reference
    # 4 350); 341: 720 → 640, down to its reference price.
    draft = _import(
        client,
        admin,
        _modified_copy(
            {
                "101": ("1155.00", "1045.00"),
                "541": ("4300.00", "4350.00"),
                "341": ("640.00", "640.00"),
            }
        ),
        "2026-01-01",
        "Tandvårdstaxa 2026 (förslag)",
    )
    volumes = [("101", 10), ("541", 10), ("121", 100), ("341", 10), ("701", 10)]
    r = _report_with_file(client, admin, draft, volumes)
    assert r.status_code == 200, r.text
    html = flat(r.text)
    # Basket: all five (reference price in both, volume > 0).
    # Prices before 11 000 + 43 500 + 8 000 + 7 200 + 7 850 = 77 550; now 11 550 + 43 000 +
    # 8 000 + 6 400 + 7 850 = 76 800: −750 / 77 550 = −0,967… % → −0,97 %.
    # References before 10 150 + 43 500 + 7 000 + 6 400 + 7 200 = 74 250; now 10 450 + … =
    # 74 550: +300 / 74 250 = +0,404… % → +0,40 %.
    assert (
        "Jämfört med föregående taxa, Tandvårdstaxa 2025 (giltig från 1 januari 2025), har "
        "priserna ändrats med −0,97 % volymvägt över de 5 åtgärder som har referenspris i "
        "båda taxorna; referensprislistan har under samma period ändrats med +0,40 %. Över "
        "alla 5 åtgärder i båda taxorna är förändringen −0,97 %. 3 priser har ändrats, 0 "
        "koder är nya och 0 koder har tagits bort." in html
    )
    assert (
        "Villkoret: referensprislistan har ändrats med +0,40 % (volymvägt, 5 åtgärder) "
        "sedan Tandvårdstaxa 2025." in html
    )
    # The biggest changes by |%|: 341 −11,1 %, 101 +5,0 %, 541 −1,1 %.
    section = r.text[r.text.index("De största prisförändringarna") :]
    section = section[: section.index("</table>")]
    rows = re.findall(
        r"<tr><td>(\d+)</td><td>[^<]*</td><td class=\"num\">([^<]*)</td><td "
        r"class=\"num\">([^<]*)</td><td class=\"num\">[^<]*</td><td "
        r"class=\"num\">([^<]*)</td>",
        section,
    )
    assert [(c, flat(old), flat(new), flat(p)) for c, old, new, p in rows] == [
        ("341", "720 kr", "640 kr", "−11,1 %"),
        ("101", "1 100 kr", "1 155 kr", "+5,0 %"),
        ("541", "4 350 kr", "4 300 kr", "−1,1 %"),
    ]
    # 2026: the 67+ rule applies. In scope with a volume: 541, 341 (at or below reference) and
    # 701 (above): 20 of 30. Items: the 84 at reference in 2025, plus 341 now.
    assert (
        "För patienter 67 år och äldre (tiotandvård, från 1 januari 2026) lämnas "
        "ersättningen bara där priset inte överstiger referenspriset: 85 av de 267 "
        "behandlingsåtgärder som omfattas (31,8 %) uppfyller det, och de står för 66,7 % av "
        "deras volym. (61 av åtgärderna omfattas bara på tandposition 1–5.)" in html
    )
    # No jour rule covers 2026: the jour principle cannot be assessed.
    assert (
        "Jourkontrollen kunde inte göras: ingen påslagsregel för jourtaxan hos "
        "region-jonkoping gäller 2026-01-01" in html
    )
    assert re.findall(r'class="status status-(\w+)"', r.text)[3] == "cannot_assess"
    assert "Villkoret om att referensprislistan" not in html


def test_a_mid_year_draft_gets_a_derived_jour_taxa(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    draft = _import(
        client,
        admin,
        _modified_copy({"101": ("1155.00", "1015.00")}),
        "2025-07-01",
        "Tandvårdstaxa 2025 (från juli)",
    )
    r = client.get(f"/v1/schedules/{draft}/report", headers=admin)
    html = flat(r.text)
    assert (
        "Ingen jourtaxa som börjar 1 juli 2025 finns. Regeln (+50 % på normaltaxan, "
        "avrundat till hela 5 kr (halva uppåt), minutpriser till hela 1 kr) tillämpad på "
        "denna taxa ger 9 undantag och inga avvikelser." in html
    )
    assert re.findall(r'class="status status-(\w+)"', r.text)[3] == "met"
    assert "Jämfört med föregående taxa, Tandvårdstaxa 2025 (giltig från 1 januari 2025)" in html
    assert "1 pris har ändrats" in html


# --- exported text cannot run ------------------------------------------------------------------


HOSTILE = (
    "code,category,group,kind,text,price,reference_price,unit\n"
    '101,A,"@SUM(1)",extern,"=HYPERLINK(""http://example.invalid"")",1100.00,1015.00,per_atgard\n'
    '9010,A,"+Estetik",intern,"-2+3 <script>alert(1)</script>",57.00,,per_minute\n'
)


def test_text_that_looks_like_a_formula_is_neutralised_in_the_xlsx(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    schedule = _import(client, admin, HOSTILE.encode(), "2027-01-01", "=cmd|' /C calc'!A0")
    r = client.get(f"/v1/schedules/{schedule}/report", params={"format": "xlsx"}, headers=admin)
    assert r.status_code == 200, r.text
    workbook = load_workbook(io.BytesIO(r.content))
    texts = [
        c for ws in workbook for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert texts
    for cell in texts:
        assert cell.data_type == "s"
        assert not cell.value.startswith(("=", "+", "-", "@")), (cell.coordinate, cell.value)
    items = list(workbook["Åtgärder"].iter_rows(values_only=True))
    assert items[1][2:5] == ("'@SUM(1)", "extern", '\'=HYPERLINK("http://example.invalid")')
    assert items[2][2] == "'+Estetik" and items[2][4] == "'-2+3 <script>alert(1)</script>"
    html = client.get(f"/v1/schedules/{schedule}/report", headers=admin).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- who may, and what is refused --------------------------------------------------------------


def test_board_may_clinic_may_not(
    client: TestClient, board: dict[str, str], clinic: dict[str, str], bundled: list[int]
) -> None:
    url = f"/v1/schedules/{bundled[0]}/report"
    assert client.get(url, headers=board).status_code == 200
    r = client.get(url, headers=clinic)
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert client.get(url).status_code == 401


def test_refusals(client: TestClient, admin: dict[str, str], bundled: list[int]) -> None:
    normal, jour = bundled
    r = client.get(f"/v1/schedules/{jour}/report", headers=admin)
    assert r.status_code == 409 and r.json()["error"] == "conflict"
    r = client.get(
        f"/v1/schedules/{normal}/report",
        headers=admin,
        params={"volumes_id": 1, "example_volumes": "true"},
    )
    assert r.status_code == 422
    assert client.get("/v1/schedules/999999/report", headers=admin).status_code == 404
    r = client.get(f"/v1/schedules/{normal}/report", headers=admin, params={"format": "doc"})
    assert r.status_code == 422
    r = _report_with_file(client, admin, normal, [("101", -1)])
    assert r.status_code == 422 and r.json()["error"] == "file_rejected"
    assert r.json()["problems"][0]["row"] == 2


def test_example_volumes_flag(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    r = client.get(
        f"/v1/schedules/{bundled[0]}/report", headers=admin, params={"example_volumes": "true"}
    )
    html = flat(r.text)
    assert "EXEMPELVOLYMER" in html and "en avvikelse på 7,45 %" in html


def test_cli_writes_the_three_files(
    bundled: list[int],
    settings: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import app.cli as cli

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    code = cli.main(
        [
            "report",
            "--schedule",
            str(bundled[0]),
            "--format",
            "html,xlsx",
            "--example-volumes",
            "--out-dir",
            str(tmp_path),
        ]
    )
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        f"taxerapport-region-jonkoping-2025-01-01-schema-{bundled[0]}.html",
        f"taxerapport-region-jonkoping-2025-01-01-schema-{bundled[0]}.xlsx",
    ]
    assert "INVENTED" in capsys.readouterr().out
    html = flat((tmp_path / names[0]).read_text(encoding="utf-8"))
    assert "en avvikelse på 7,45 %" in html


def test_round_money_is_the_kronor_rounding() -> None:
    # The report shows whole kronor rounded halves up: −139,50 → −140, 2 905,50 → 2 906.
    assert kr(Decimal("-139.50")) == "\u2212140\u00a0kr"
    assert kr(Decimal("2905.50")) == "2\u00a0906\u00a0kr"
    assert round_money(Decimal("2905.50"), Decimal(1)) == Decimal("2906.00")
