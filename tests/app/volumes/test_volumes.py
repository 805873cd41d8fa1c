"""Volume files through HTTP and the CLI: good files, Swedish habits, every error at once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from uploads import workbook_bytes

import app.cli as cli


def volume_csv(
    rows: list[list[str]],
    headings: list[str] | None = None,
    title: str | None = None,
    encoding: str = "utf-8-sig",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if title:
        writer.writerow([title, "", "", ""])
    writer.writerow(headings or ["Klinik", "Patientkategori", "Åtgärd", "Volym"])
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def volume_xlsx(rows: list[list[object]], headings: list[str]) -> bytes:
    return workbook_bytes([["Debiterade åtgärder 2024"], [], headings, *rows])


def upload(
    client: TestClient,
    headers: dict[str, str],
    content: bytes,
    filename: str = "volymer.csv",
    name: str = "Volymer 2024",
) -> object:
    return client.post(
        "/v1/volumes", headers=headers, files={"file": (filename, content)}, data={"name": name}
    )


def test_csv_with_swedish_habits_is_summed_per_code_and_stored(
    client: TestClient, admin: dict[str, str]
) -> None:
    rows = [
        ["Huskvarna", "Vuxen", "101", "1 234"],  # 3: thousands separated by a space
        ["Huskvarna", "Vuxen", "121", "2\u00a0000"],  # 4: non-breaking space
        ["Huskvarna", "Vuxen 67+", "101", "66"],  # 5
        ["Tranås", "Vuxen", "101", "700"],  # 6
        ["Tranås", "Vuxen", "103s", "12"],  # 7: lower-case S suffix
        ["", "", "", ""],  # 8: blank line
        ["Tranås", "Vuxen", "9999", "0"],  # 9: a code no taxa has: kept
        ["Tranås", "Vuxen", "121", "5"],  # 10: 121 at another clinic than row 4: no warning
        ["Tranås", "Vuxen", "121", "1"],  # 11: same code, clinic, category as row 10: summed
    ]
    content = volume_csv(rows, title="Statistik T4 2024", encoding="cp1252")
    response = upload(client, admin, content)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rows"], body["codes"], body["total_volume"]) == (
        8,
        4,
        1234 + 2000 + 66 + 700 + 12 + 0 + 5 + 1,
    )
    assert body["clinics"] == ["Huskvarna", "Tranås"]
    assert body["patient_categories"] == ["Vuxen", "Vuxen 67+"]
    assert body["source_filename"] == "volymer.csv" and len(body["sha256"]) == 64
    assert [(w["row"], w["column"], w["value"], w["message"]) for w in body["warnings"]] == [
        (7, "Åtgärd", "103s", "code '103s' read as '103S'"),
        (11, None, None, "code 121 (Tranås, Vuxen) also on row 10: the volumes are summed"),
    ]
    detail = client.get(f"/v1/volumes/{body['id']}", headers=admin).json()
    assert detail["volumes"] == [
        {"code": "101", "volume": 2000},
        {"code": "121", "volume": 2006},
        {"code": "103S", "volume": 12},
        {"code": "9999", "volume": 0},
    ]
    listed = client.get("/v1/volumes", headers=admin).json()
    assert [(v["id"], v["name"], v["codes"], v["total_volume"]) for v in listed] == [
        (body["id"], "Volymer 2024", 4, 4018)
    ]
    audit = client.get("/v1/audit", headers=admin).json()[0]
    assert (audit["action"], audit["target"], audit["sha256"]) == (
        "import_volumes",
        f"volume_set:{body['id']}",
        body["sha256"],
    )


def test_xlsx_with_title_rows_other_headings_and_excel_numbers(
    client: TestClient, admin: dict[str, str]
) -> None:
    rows: list[list[object]] = [
        [101, 5223, "ignored"],
        ["121", 18044.0, None],
        ["701", "2 110", None],
    ]
    content = volume_xlsx(rows, ["Kod", "Antal 2024", "Kommentar"])
    response = upload(client, admin, content, filename="volymer.xlsx")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rows"], body["codes"], body["total_volume"]) == (3, 3, 5223 + 18044 + 2110)
    assert [(w["row"], w["column"], w["message"][:15]) for w in body["warnings"]] == [
        (3, "Kommentar", "column not used")
    ]
    volumes = client.get(f"/v1/volumes/{body['id']}", headers=admin).json()["volumes"]
    assert volumes == [
        {"code": "101", "volume": 5223},
        {"code": "121", "volume": 18044},
        {"code": "701", "volume": 2110},
    ]


def test_english_headings(client: TestClient, admin: dict[str, str]) -> None:
    content = volume_csv([["101", "5"]], headings=["code", "volume"])
    response = upload(client, admin, content)
    assert response.status_code == 201, response.text
    assert response.json()["total_volume"] == 5


def test_every_problem_is_reported_at_once_and_nothing_is_stored(
    client: TestClient, admin: dict[str, str]
) -> None:
    rows = [
        ["Huskvarna", "Vuxen", "", "12"],  # 2: empty code
        ["Huskvarna", "Vuxen", "101", "tolv"],  # 3: not a number
        ["Huskvarna", "Vuxen", "103", "-5"],  # 4: negative
        ["Huskvarna", "Vuxen", "107", "12,5"],  # 5: decimals (comma)
        ["Huskvarna", "Vuxen", "108", "1.5"],  # 6: decimals (point)
        ["Huskvarna", "Vuxen", "111", ""],  # 7: empty volume
        ["Huskvarna", "Vuxen", "1 1 1", "3"],  # 8: not a code
        ["Huskvarna", "Vuxen", "Summa", "99"],  # 9: a row of totals
        ["Huskvarna", "Vuxen", "121", "1 000 000 001"],  # 10: implausibly large
        ["Huskvarna", "Vuxen", "201", "4"],  # 11: fine
        ["Huskvarna", "Vuxen", "", "x"],  # 12: two problems in one row
    ]
    response = upload(client, admin, volume_csv(rows))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "file_rejected"
    assert [(p["row"], p["column"], p["value"], p["message"]) for p in body["problems"]] == [
        (2, "Åtgärd", None, "empty code: every row needs its åtgärd code"),
        (3, "Volym", "tolv", "not a number"),
        (4, "Volym", "-5", "negative volume"),
        (
            5,
            "Volym",
            "12,5",
            "decimals: a volume is a whole number of billed units (write 1234 or 1 234)",
        ),
        (
            6,
            "Volym",
            "1.5",
            "decimals: a volume is a whole number of billed units (write 1234 or 1 234)",
        ),
        (7, "Volym", "", "empty volume: write 0 for none"),
        (8, "Åtgärd", "1 1 1", "a code is 1–12 letters and digits (e.g. 101, 103S, A11)"),
        (9, "Åtgärd", "Summa", "a row of totals: remove it, the service sums the volumes per code"),
        (
            10,
            "Volym",
            "1 000 000 001",
            "more than 1 000 000 000 in one row: is it an amount or a total?",
        ),
        (12, "Åtgärd", None, "empty code: every row needs its åtgärd code"),
        (12, "Volym", "x", "not a number"),
    ]
    assert client.get("/v1/volumes", headers=admin).json() == []
    assert client.get("/v1/audit", headers=admin).json() == []


def test_missing_columns_are_named(client: TestClient, admin: dict[str, str]) -> None:
    response = upload(
        client, admin, volume_csv([["Huskvarna", "101"]], headings=["Klinik", "Åtgärd"])
    )
    assert response.status_code == 422
    assert [(p["row"], p["column"], p["message"]) for p in response.json()["problems"]] == [
        (1, "Volym", "missing column 'Volym' (or 'volume')")
    ]


@pytest.mark.parametrize(
    ("content", "filename", "status"),
    [
        (b"", "v.csv", 422),
        ("Klinik;Åtgärd;Volym\r\n".encode(), "v.csv", 422),  # headings only: no rows
        (bytes(range(256)) * 20, "v.csv", 415),
        (b"Klinik;Volym\n", "v.xlsx", 415),
        (b"%PDF-1.4", "v.pdf", 415),
    ],
)
def test_files_that_are_not_volumes_get_a_clear_4xx(
    client: TestClient, admin: dict[str, str], content: bytes, filename: str, status: int
) -> None:
    response = upload(client, admin, content, filename=filename)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert client.get("/v1/volumes", headers=admin).json() == []


def test_roles_and_unknown_ids(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str]
) -> None:
    board = client.post("/v1/keys", json={"role": "board", "name": "nämnden"}, headers=admin)
    board_headers = {"Authorization": f"Bearer {board.json()['key']}"}
    content = volume_csv([["A", "Vuxen", "101", "5"]])
    assert upload(client, clinic, content).status_code == 403
    assert upload(client, board_headers, content).status_code == 403
    assert client.get("/v1/volumes", headers=clinic).status_code == 403
    created = upload(client, admin, content).json()
    assert client.get(f"/v1/volumes/{created['id']}", headers=board_headers).status_code == 200
    assert client.get(f"/v1/volumes/{created['id']}", headers=clinic).status_code == 403
    missing = client.get("/v1/volumes/999", headers=admin)
    assert missing.status_code == 404 and missing.json()["detail"] == "no volume set with id 999"
    assert client.get("/v1/volumes").status_code == 401


def test_cli_volumes_import_and_list(
    client: TestClient,
    admin: dict[str, str],
    cli_database: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = tmp_path / "volymer.csv"
    good.write_bytes(volume_csv([["A", "Vuxen", "101", "1 200"], ["B", "Vuxen", "101", "3"]]))
    assert cli.main(["volumes", "import", str(good), "--name", "T4 2024"]) == 0
    out = capsys.readouterr().out
    stored = client.get("/v1/volumes", headers=admin).json()
    assert [(v["name"], v["total_volume"], v["imported_by"]) for v in stored] == [
        ("T4 2024", 1203, "cli")
    ]
    assert out == (
        f"stored volume set {stored[0]['id']} 'T4 2024': 2 rows, 1 codes, total "
        "volume 1203, 2 clinics\n"
    )
    assert cli.main(["volumes", "list"]) == 0
    assert capsys.readouterr().out == (
        f"{stored[0]['id']}\tregion-jonkoping\t1 codes\t1203\tvolymer.csv\tT4 2024\n"
    )

    bad = tmp_path / "fel.csv"
    bad.write_bytes(volume_csv([["A", "Vuxen", "101", "-1"], ["A", "Vuxen", "", "2"]]))
    assert cli.main(["volumes", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "2 problem(s) in 'fel.csv'; nothing was stored" in err
    assert "row 2, column 'Volym', value '-1': negative volume" in err
    assert "row 3, column 'Åtgärd', value None: empty code" in err
    assert len(client.get("/v1/volumes", headers=admin).json()) == 1
