"""The price administrator's upload through HTTP: good files, bad files, hostile files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from uploads import workbook_bytes

from app.config import DATA_DIR

REGION_HEADINGS = [
    "ATV-kod eller STV-kod",
    "Åtgärdsgrupp",
    "Extern / intern kod",
    "Åtgärd",
    "Åtgärdstext",
    "FTV pris 2026",
    "Referenspris 2026",
]
GOOD_ROWS = [
    [
        "A",
        "Us,riskbedömn och hälsofr åtg",
        "Extern",
        "101",
        "Basundersökning, utförd av tandläkare",
        "1 150",
        "1 050",
    ],
    [
        "S",
        "Us,riskbedömn och hälsofr åtg",
        "Extern",
        "103S",
        "Kompletterande undersökning",
        "700,50",
        "600",
    ],
    ["A", "Övrigt", "Intern", "9010", "Kosmetisk behandling. 3405 kr/tim. Deb per min.", "57", ""],
    ["Ny kod", "", "", "", "Retainer, lagning och justering", "1\u00a0515", ""],
]


def region_csv(
    rows: list[list[str]],
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    headings: list[str] | None = None,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headings or REGION_HEADINGS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx(rows: list[list[object]], headings: list[str] | None = None, title_rows: int = 0) -> bytes:
    titles = [["Tandvårdstaxa 2026"]] * title_rows
    return workbook_bytes([*titles, headings or REGION_HEADINGS, *rows])


def upload(
    client: TestClient,
    headers: dict[str, str],
    content: bytes,
    filename: str = "taxa.csv",
    **form: str,
) -> object:
    data = {"name": "Tandvårdstaxa 2026", "valid_from": "2026-01-01", "variant": "normal"}
    data.update(form)
    return client.post(
        "/v1/imports", headers=headers, files={"file": (filename, content)}, data=data
    )


def schedule_count(client: TestClient, headers: dict[str, str]) -> int:
    response = client.get("/v1/schedules", headers=headers)
    assert response.status_code == 200
    return len(response.json())


# --- the bundled 2025 taxa ------------------------------------------------------------------


def _data_file(variant: str) -> list[dict[str, str]]:
    path = DATA_DIR / "taxa" / f"region-jonkoping-2025-{variant}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("variant", ["normal", "jour"])
def test_bundled_taxa_loads_every_row_with_exact_sums(
    client: TestClient, admin: dict[str, str], bundled: list[int], variant: str
) -> None:
    rows = _data_file(variant)
    schedule_id = bundled[0] if variant == "normal" else bundled[1]
    detail = client.get(f"/v1/schedules/{schedule_id}", headers=admin).json()
    items = detail["items"]
    # Every source row is kept: the items' row numbers are exactly the file's rows.
    stored_rows = sorted(r for item in items for r in item["source_rows"])
    assert stored_rows == sorted(int(r["source_row"]) for r in rows)
    # One item per distinct code (codeless "Ny kod" rows are one item each).
    assert len(items) == len({r["code"] or r["text"] for r in rows})
    # Sums over rows, exact to the öre, as strings from the JSON.
    price_sum = sum(Decimal(item["price"]) * len(item["source_rows"]) for item in items)
    assert price_sum == sum(Decimal(r["price"]) for r in rows)
    assert detail["valid_from"] == "2025-01-01" and detail["status"] == "active"


@pytest.mark.parametrize(
    ("code", "variant", "price", "reference", "unit"),
    [
        # Read by hand from ../shared/seeds/tandvardstaxa-2025-region-jonkoping.txt
        ("101", "normal", "1100.00", "1015.00", "per_atgard"),
        ("103S", "normal", "680.00", "580.00", "per_atgard"),
        ("121", "normal", "80.00", "70.00", "per_atgard"),
        ("251", "normal", "1745.00", "885.00", "per_atgard"),
        ("941S", "normal", "9375.00", "9375.00", "per_atgard"),
        ("9010", "normal", "57.00", None, "per_minute"),
        ("9009", "normal", "1.00", None, "per_krona"),
        ("B909", "normal", "12145.00", None, "per_atgard"),
        ("101", "jour", "1650.00", "1015.00", "per_atgard"),
        ("103S", "jour", "1020.00", "580.00", "per_atgard"),
        ("B909", "jour", "18220.00", None, "per_atgard"),
    ],
)
def test_bundled_prices_match_the_seed(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    code: str,
    variant: str,
    price: str,
    reference: str | None,
    unit: str,
) -> None:
    response = client.get(
        f"/v1/procedures/{code}", params={"on": "2025-03-01", "variant": variant}, headers=clinic
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["price"], body["reference_price"], body["unit"]) == (price, reference, unit)


# --- good uploads -----------------------------------------------------------------------------


def test_region_spreadsheet_csv_with_swedish_habits_is_stored_as_draft(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = upload(client, admin, region_csv(GOOD_ROWS, delimiter=";", encoding="cp1252"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft" and body["items"] == 4 and body["rows"] == 4
    detail = client.get(f"/v1/schedules/{body['schedule_id']}", headers=admin).json()
    by_text = {i["text"]: i for i in detail["items"]}
    assert by_text["Basundersökning, utförd av tandläkare"]["price"] == "1150.00"
    assert by_text["Kompletterande undersökning"]["price"] == "700.50"
    retainer = by_text["Retainer, lagning och justering"]
    assert (retainer["code"], retainer["kind"], retainer["price"]) == (None, "intern", "1515.00")
    assert by_text["Kosmetisk behandling. 3405 kr/tim. Deb per min."]["unit"] == "per_minute"
    # A draft is not in force: lookups still answer from nothing for 2026.
    assert (
        client.get("/v1/procedures/101", params={"on": "2026-02-01"}, headers=admin).status_code
        == 404
    )


def test_xlsx_with_title_row_and_excel_numbers(client: TestClient, admin: dict[str, str]) -> None:
    rows: list[list[object]] = [
        ["A", "Us", "Extern", "101", "Basundersökning", 1150, 1050.5],
        ["A", "Us", "Extern", 121, "Röntgen", 80.0, 70],
    ]
    response = upload(client, admin, xlsx(rows, title_rows=1), filename="taxa.xlsx")
    assert response.status_code == 201, response.text
    detail = client.get(f"/v1/schedules/{response.json()['schedule_id']}", headers=admin).json()
    assert [
        (i["code"], i["price"], i["reference_price"], i["source_rows"]) for i in detail["items"]
    ] == [
        ("101", "1150.00", "1050.50", [3]),
        ("121", "80.00", "70.00", [4]),
    ]


def test_duplicates_and_alternative_texts_are_warnings(
    client: TestClient, admin: dict[str, str]
) -> None:
    rows = [
        ["A", "Kirurgi", "Extern", "401", "Tanduttagning, en tand", "1 395", "1 250"],
        ["A", "Kirurgi", "Extern", "401", "Avlägsnande av hängande led", "1 395", "1 250"],
        ["A", "Kirurgi", "Extern", "401", "Tanduttagning, en tand", "1 395", "1 250"],
    ]
    response = upload(client, admin, region_csv(rows), dry_run="true")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == 1 and body["rows"] == 3
    assert [(w["row"], w["message"][:20]) for w in body["warnings"]] == [
        (3, "code 401 also on row"),
        (4, "exact duplicate of r"),
    ]


# --- bad files: every problem at once, nothing stored -----------------------------------------


def test_every_problem_is_reported_at_once_and_nothing_is_stored(
    client: TestClient, admin: dict[str, str]
) -> None:
    rows = [
        ["A", "Us", "Extern", "101", "Basundersökning", "", "1 015"],  # 2: empty price
        ["A", "Us", "Extern", "103", "Akut undersökning", "fem", "440"],  # 3: not a number
        ["A", "Us", "Extern", "107", "Omfattande", "-5", "1 260"],  # 4: negative
        ["A", "Us", "Extern", "108", "Utredning", "2 105,555", "2 060"],  # 5: three decimals
        ["X", "Us", "Extern", "111", "Basundersökning thyg", "865", "790"],  # 6: category
        ["A", "Us", "Extern", "112", "Parodontal", "1 120", ""],  # 7: extern without reference
        ["A", "Us", "Extern", "121", "Röntgen", "80", "70"],  # 8: fine
        ["A", "Us", "Extern", "121", "Röntgen, annan text", "85", "70"],  # 9: conflicting price
        ["A", "Us", "Intern", "A11", "Tandskydd", "2 275", "100"],  # 10: intern with reference
        ["A", "Us", "Okänd", "A13", "Intyg", "1 025", ""],  # 11: unknown kind
    ]
    response = upload(client, admin, region_csv(rows))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "file_rejected"
    found = [(p["row"], p["column"], p["value"]) for p in body["problems"]]
    assert found == [
        (2, "FTV pris 2026", ""),
        (3, "FTV pris 2026", "fem"),
        (4, "FTV pris 2026", "-5"),
        (5, "FTV pris 2026", "2 105,555"),
        (6, "ATV-kod eller STV-kod", "X"),
        (7, "Referenspris 2026", ""),
        (9, "FTV pris 2026", "85.00"),
        (10, "Referenspris 2026", "100"),
        (11, "Extern / intern kod", "Okänd"),
    ]
    messages = [p["message"] for p in body["problems"]]
    assert "price: empty" in messages[0] and "negative" in messages[2]
    assert "more than two decimals" in messages[3] and "code 121 has 80.00 on row 8" in messages[6]
    assert schedule_count(client, admin) == 0
    audit = client.get("/v1/audit", headers=admin).json()
    assert audit == []  # a rejected file leaves no trace but the 422


def test_missing_columns_are_named(client: TestClient, admin: dict[str, str]) -> None:
    headings = ["Åtgärd", "Åtgärdstext", "FTV pris 2026"]
    response = upload(client, admin, region_csv([["101", "Bas", "1 100"]], headings=headings))
    assert response.status_code == 422
    missing = {p["column"] for p in response.json()["problems"]}
    assert missing == {"ATV-kod eller STV-kod", "Extern / intern kod", "Referenspris"}


@pytest.mark.parametrize(
    ("content", "filename", "status"),
    [
        (b"", "taxa.csv", 422),  # empty file
        ("\ufeff".encode() + b"\r\n\r\n", "taxa.csv", 422),  # only a BOM and blank lines
        (bytes(range(256)) * 20, "taxa.csv", 415),  # binary garbage
        (b"PK\x03\x04" + b"\x00" * 100, "taxa.csv", 415),  # a zip named .csv
        (b"ATV-kod;Pris\n", "taxa.xlsx", 415),  # text named .xlsx
        (b"PK\x03\x04 not really a zip", "taxa.xlsx", 415),  # damaged workbook
        (b"%PDF-1.4 ...", "taxa.pdf", 415),  # not a spreadsheet at all
    ],
)
def test_files_that_are_not_taxa_get_a_clear_4xx(
    client: TestClient, admin: dict[str, str], content: bytes, filename: str, status: int
) -> None:
    response = upload(client, admin, content, filename=filename)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert schedule_count(client, admin) == 0


def test_a_zip_that_is_not_a_workbook_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hej")
    response = upload(client, admin, buffer.getvalue(), filename="taxa.xlsx")
    assert response.status_code == 415


def test_zip_bomb_is_refused_before_unpacking(client: TestClient, admin: dict[str, str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024  # small on the wire
    response = upload(client, admin, buffer.getvalue(), filename="taxa.xlsx")
    assert response.status_code == 413
    assert "unpacks to" in response.json()["detail"]


def test_upload_over_the_size_limit_is_413(client: TestClient, admin: dict[str, str]) -> None:
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    response = upload(client, admin, b"a;b\n" * (limit // 4 + 20_000))
    assert response.status_code == 413


def test_an_upload_far_over_the_limit_is_413_in_the_one_error_shape(
    client: TestClient, admin: dict[str, str]
) -> None:
    """Past the request-body limit (the file limit and the multipart framing) the body is
    refused while it streams in, declared or not, and answered as every error is (it was
    Starlette's plain-text "Content Too Large")."""
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    response = upload(client, admin, b"a;b\n" * (limit // 2))  # about twice the limit
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == "payload_too_large" and body["problems"] == []
    assert "the request body may have at most" in body["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="t.csv"\r\n\r\n'
        for _ in range(3 * limit // (1024 * 1024)):
            yield b"a" * (1024 * 1024)

    streamed = client.post(
        "/v1/imports",
        headers={**admin, "Content-Type": "multipart/form-data; boundary=x"},
        content=chunks(),
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"] == "payload_too_large"


def test_too_many_rows_is_413(client: TestClient, admin: dict[str, str]) -> None:
    limit = client.app.state.settings.max_rows  # type: ignore[attr-defined]
    rows = [["A", "G", "Intern", f"X{i}", "t", "1", ""] for i in range(limit + 50)]
    response = upload(client, admin, region_csv(rows))
    assert response.status_code == 413


# --- dry run and diff, activation ------------------------------------------------------------


def test_dry_run_diffs_against_the_taxa_in_force_and_stores_nothing(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    rows = [
        ["A", "Us,riskbedömn och hälsofr", "Extern", "101", "Basundersökning", "1 155", "1 050"],
        ["A", "Us,riskbedömn och hälsofr", "Extern", "999", "Ny åtgärd", "100", "90"],
    ]
    response = upload(client, admin, region_csv(rows), dry_run="true", valid_from="2026-01-01")
    assert response.status_code == 200, response.text
    diff = response.json()["diff"]
    assert diff["against"]["id"] == bundled[0]
    assert [
        (c["code"], c["old_price"], c["new_price"], c["change_percent"]) for c in diff["changed"]
    ] == [("101", "1100.00", "1155.00", "5.00")]
    assert [a["code"] for a in diff["added"]] == ["999"]
    assert (
        len(diff["removed"])
        == len(client.get(f"/v1/schedules/{bundled[0]}", headers=admin).json()["items"]) - 1
    )
    assert schedule_count(client, admin) == 2


def test_activation_ends_the_previous_version_and_past_dates_still_answer(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str], bundled: list[int]
) -> None:
    rows = [["A", "Us", "Extern", "101", "Basundersökning", "1 155", "1 050"]]
    created = upload(client, admin, region_csv(rows), valid_from="2026-01-01").json()
    response = client.post(f"/v1/schedules/{created['schedule_id']}/activate", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["ended"]["valid_to"] == "2025-12-31"

    def price(on: str) -> str:
        r = client.get("/v1/procedures/101", params={"on": on}, headers=clinic)
        assert r.status_code == 200, r.text
        return str(r.json()["price"])

    assert price("2025-12-31") == "1100.00"
    assert price("2026-01-01") == "1155.00"
    # The jour taxa was not touched.
    jour = client.get(
        "/v1/procedures/101", params={"on": "2026-01-01", "variant": "jour"}, headers=clinic
    )
    assert jour.json()["price"] == "1650.00"
    actions = [a["action"] for a in client.get("/v1/audit", headers=admin).json()]
    assert actions[:2] == ["activate", "import"]


def test_an_overlap_other_than_the_follow_up_is_refused(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    rows = [["A", "Us", "Extern", "101", "Basundersökning", "1 155", "1 050"]]
    same_day = upload(client, admin, region_csv(rows), valid_from="2025-01-01").json()
    response = client.post(f"/v1/schedules/{same_day['schedule_id']}/activate", headers=admin)
    assert response.status_code == 409
    assert "overlaps active schedule" in response.json()["detail"]
    again = client.post(f"/v1/schedules/{bundled[0]}/activate", headers=admin)
    assert again.status_code == 409


# --- export then import ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_schedule(
    client: TestClient, admin: dict[str, str], bundled: list[int], fmt: str
) -> None:
    exported = client.get(
        f"/v1/schedules/{bundled[0]}/export", params={"format": fmt}, headers=admin
    )
    assert exported.status_code == 200
    response = upload(
        client, admin, exported.content, filename=f"export.{fmt}", valid_from="2026-01-01"
    )
    assert response.status_code == 201, response.text
    original = client.get(f"/v1/schedules/{bundled[0]}", headers=admin).json()["items"]
    again = client.get(f"/v1/schedules/{response.json()['schedule_id']}", headers=admin).json()[
        "items"
    ]
    assert again == original


def test_xlsx_export_has_numbers_and_neutralised_text(
    client: TestClient, admin: dict[str, str]
) -> None:
    rows = [["A", "Us", "Intern", "A1", '=HYPERLINK("x")', "10", ""]]
    created = upload(client, admin, region_csv(rows)).json()
    exported = client.get(
        f"/v1/schedules/{created['schedule_id']}/export", params={"format": "xlsx"}, headers=admin
    )
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    assert sheet["E2"].value == '\'=HYPERLINK("x")'
    assert sheet["F2"].value == 10
    reimported = upload(client, admin, exported.content, filename="e.xlsx").json()
    item = client.get(f"/v1/schedules/{reimported['schedule_id']}", headers=admin).json()
    assert item["items"][0]["text"] == '=HYPERLINK("x")'


def test_a_title_row_with_commas_does_not_fool_the_separator(
    client: TestClient, admin: dict[str, str]
) -> None:
    content = "Tandvårdstaxa 2026, förslag, version 2\r\n".encode() + region_csv(
        GOOD_ROWS[:1], delimiter=";", encoding="utf-8"
    )
    response = upload(client, admin, content, dry_run="true")
    assert response.status_code == 200, response.text
    assert response.json()["items"] == 1
