"""Every field has the bounds the database and date arithmetic have: what a user can send is a
4xx naming the field (ids out of range: 404), or stored and answered right — never a 500.
Each case once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from app.auth import Role, create_key
from app.db import transaction

HEAD = "code;category;group;kind;text;price;reference_price;unit;source_row\n"


def row(
    price: str = "100", group: str = "Undersökning", source_row: str = "2", reference: str = "90"
) -> str:
    return f"101;A;{group};extern;Basundersökning;{price};{reference};per_atgard;{source_row}\n"


def upload(
    client: TestClient, headers: dict[str, str], text: str, filename: str = "taxa.csv", **form: str
) -> Any:
    data = {"name": "Tandvårdstaxa 2027", "valid_from": "2027-01-01", **form}
    return client.post(
        "/v1/imports", headers=headers, data=data, files={"file": (filename, text.encode())}
    )


def only_problem(response: Any) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, response.text
    (problem,) = response.json()["problems"]
    return problem  # type: ignore[no-any-return]


@pytest.mark.parametrize("schedule_id", [4141459538, 2**63, 2**70, 0, -1])
def test_ids_beyond_the_integer_range_are_404(
    client: TestClient, admin: dict[str, str], bundled: list[int], schedule_id: int
) -> None:
    for method, path in [
        ("get", f"/v1/schedules/{schedule_id}"),
        ("post", f"/v1/schedules/{schedule_id}/activate"),
        ("post", f"/v1/schedules/{schedule_id}/retire"),
        ("get", f"/v1/schedules/{schedule_id}/export"),
        ("get", f"/v1/volumes/{schedule_id}"),
        ("post", f"/v1/keys/{schedule_id}/revoke"),
    ]:
        response = client.request(method, path, headers=admin)
        assert response.status_code == 404, (path, response.text)
    body_ids = [{"volumes_id": schedule_id}, {"volumes": {"101": 1}, "previous_id": schedule_id}]
    for body in body_ids:
        response = client.post(f"/v1/schedules/{bundled[0]}/deviation", json=body, headers=admin)
        assert response.status_code == 404, response.text
    response = client.get(
        f"/v1/schedules/{bundled[0]}/report", headers=admin, params={"volumes_id": schedule_id}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:30:00-01:00",
        "1899-12-31T12:00:00+01:00",
        "3000-01-01T12:00:00+01:00",
    ],
)
def test_instants_near_year_1_or_9999_are_422(
    client: TestClient, clinic: dict[str, str], bundled: list[int], at: str
) -> None:
    lookup = client.get("/v1/procedures/101", params={"at": at}, headers=clinic)
    assert only_problem(lookup)["field"] == "at"
    listing = client.get("/v1/procedures", params={"at": at}, headers=clinic)
    assert only_problem(listing)["field"] == "at"
    quote = client.post(
        "/v1/quotes",
        headers=clinic,
        json={"patient": {"birth_date": "1980-05-10"}, "lines": [{"code": "101", "at": at}]},
    )
    assert only_problem(quote)["field"] == "lines[0].at"


@pytest.mark.parametrize(
    ("patient", "line", "field"),
    [
        ({}, {"date": "9999-12-31"}, "lines[0].date"),
        ({}, {"date": "0001-01-01"}, "lines[0].date"),
        (
            {"period": {"start": "9999-01-01", "counted": "0"}},
            {"date": "2025-03-10"},
            "patient.period.start",
        ),
        ({"birth_date": "0001-01-01"}, {"date": "2025-03-10"}, "patient.birth_date"),
        (
            {"stb_half_year_start": "9999-07-01"},
            {"date": "2025-03-10"},
            "patient.stb_half_year_start",
        ),
        (
            {},
            {"date": "2025-03-10", "treatment_started": "9999-01-01"},
            "lines[0].treatment_started",
        ),
    ],
)
def test_quote_dates_beyond_date_arithmetic_are_422(
    client: TestClient,
    clinic: dict[str, str],
    bundled: list[int],
    patient: dict[str, Any],
    line: dict[str, Any],
    field: str,
) -> None:
    response = client.post(
        "/v1/quotes",
        headers=clinic,
        json={
            "patient": {"birth_date": "1980-05-10", **patient},
            "lines": [{"code": "101", **line}],
        },
    )
    assert response.status_code == 422
    assert only_problem(response)["field"] == field


def test_lookup_dates_are_bounded(
    client: TestClient, clinic: dict[str, str], bundled: list[int]
) -> None:
    response = client.get("/v1/procedures/101", params={"on": "9999-12-31"}, headers=clinic)
    assert only_problem(response)["field"] == "on"


def test_a_27_digit_price_is_a_row_problem_even_in_a_dry_run(
    client: TestClient, admin: dict[str, str]
) -> None:
    price = "123456789012345678901234567"
    response = upload(client, admin, HEAD + row(price=price), dry_run="true")
    assert response.status_code == 422
    assert only_problem(response) == {
        "row": 2,
        "column": "price",
        "value": price,
        "message": "not an amount: at most 99999999.99 kr",
    }


def test_a_price_above_int4_ore_is_stored_and_read_back(
    client: TestClient, admin: dict[str, str]
) -> None:
    """30 000 000 kr is 3 000 000 000 öre: over a 32-bit column, within the 64-bit one."""
    response = upload(client, admin, HEAD + row(price="30000000", reference="25000000,50"))
    assert response.status_code == 201, response.text
    stored = client.get(f"/v1/schedules/{response.json()['schedule_id']}", headers=admin).json()
    assert (stored["items"][0]["price"], stored["items"][0]["reference_price"]) == (
        "30000000.00",
        "25000000.50",
    )
    too_much = upload(client, admin, HEAD + row(price="100000000"))
    assert only_problem(too_much)["message"] == "more than 99999999.99 kr: is it a total?"


def test_a_source_row_of_superscript_two_is_a_row_problem(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = upload(client, admin, HEAD + row(source_row="²"), dry_run="true")
    assert only_problem(response) == {
        "row": 2,
        "column": "source_row",
        "value": "²",
        "message": "source_row is a whole row number (digits 0-9)",
    }


def test_a_group_text_over_200_characters_is_a_row_problem(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = upload(client, admin, HEAD + row(group="G" * 201))
    problem = only_problem(response)
    assert (problem["row"], problem["column"]) == (2, "group")
    assert upload(client, admin, HEAD + row(group="G" * 200)).status_code == 201


def test_a_file_name_over_255_characters_is_422_naming_the_file(
    client: TestClient, admin: dict[str, str]
) -> None:
    name = "t" * 252 + ".csv"
    response = upload(client, admin, HEAD + row(), filename=name)
    assert only_problem(response)["field"] == "file"
    response = client.post(
        "/v1/volumes",
        headers=admin,
        data={"name": "V"},
        files={"file": (name, b"code;volume\n101;5\n")},
    )
    assert only_problem(response)["field"] == "file"
    assert upload(client, admin, HEAD + row(), filename="t" * 251 + ".csv").status_code == 201


def test_a_volume_of_4301_digits_is_a_row_problem(
    client: TestClient, admin: dict[str, str]
) -> None:
    content = b"code;volume\n101;" + b"9" * 4301 + b"\n"
    response = client.post(
        "/v1/volumes", headers=admin, data={"name": "V"}, files={"file": ("v.csv", content)}
    )
    problem = only_problem(response)
    assert (problem["row"], problem["column"]) == (2, "volume")


def test_inline_volumes_are_capped_with_413(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    path = f"/v1/schedules/{bundled[0]}/deviation"
    many = {str(n): 1 for n in range(20_001)}
    response = client.post(path, json={"volumes": many}, headers=admin)
    assert response.status_code == 413
    assert "at most 20000 inline volumes" in response.json()["detail"]
    many.pop("0")
    assert client.post(path, json={"volumes": many}, headers=admin).status_code == 200


def test_a_valid_from_in_9999_is_422(client: TestClient, admin: dict[str, str]) -> None:
    response = upload(client, admin, HEAD + row(), valid_from="9999-12-31")
    assert only_problem(response)["field"] == "valid_from"


def test_xlsx_export_of_a_schedule_named_with_sheet_forbidden_characters(
    client: TestClient, admin: dict[str, str]
) -> None:
    created = upload(client, admin, HEAD + row(), name="Taxa 2027/28 [utkast]: ok? *ja*")
    assert created.status_code == 201, created.text
    response = client.get(
        f"/v1/schedules/{created.json()['schedule_id']}/export",
        params={"format": "xlsx"},
        headers=admin,
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Taxa 2027-28 -utkast-- ok- -ja-"]


def test_any_key_name_length_never_breaks_a_write(client: TestClient, engine: Engine) -> None:
    """The audit actor is key:<id>:<name>, cut to its column: a 100-character name (the most a
    key may have) still writes, and the API refuses a longer one with 422."""
    with transaction(engine) as session:
        _, key = create_key(session, Role.ADMIN, "n" * 100)
    headers = {"Authorization": f"Bearer {key}"}
    response = upload(client, headers, HEAD + row())
    assert response.status_code == 201, response.text
    created = client.post("/v1/keys", headers=headers, json={"role": "clinic", "name": "k" * 100})
    assert created.status_code == 201
    too_long = client.post("/v1/keys", headers=headers, json={"role": "clinic", "name": "k" * 101})
    assert only_problem(too_long)["field"] == "name"
    actors = {e["actor"] for e in client.get("/v1/audit", headers=headers).json()}
    assert all(len(actor) <= 100 for actor in actors)


def test_json_nested_past_pythons_stack_is_422_not_500(
    client: TestClient, admin: dict[str, str]
) -> None:
    """A small body of arrays or objects within each other, deeper than Python's recursion limit,
    with or without an escaped NUL for the request guard to look for: refused as malformed."""
    headers = {**admin, "Content-Type": "application/json"}
    deep = 100_000
    for body in (
        b"[" * deep + b"]" * deep,
        b'{"a":' * deep + b"1" + b"}" * deep,
        b"[" * deep + b'"\\u0000"' + b"]" * deep,
        b"[" * 900 + b'"\\u0000"' + b"]" * 900,  # parses, but deeper than a walk can go
    ):
        for path in ("/v1/quotes", "/v1/keys", "/v1/schedules/1/deviation"):
            answer = client.post(path, headers=headers, content=body)
            assert answer.status_code == 422, (path, body[:8], answer.text)
            assert answer.json()["error"] == "invalid_request"


def test_a_nul_character_is_422_wherever_it_is_sent(
    client: TestClient, admin: dict[str, str]
) -> None:
    """PostgreSQL stores no NUL: a JSON string, a query parameter, a form field or a file name
    with one is refused at the edge, naming the field."""
    key = client.post("/v1/keys", headers=admin, json={"role": "clinic", "name": "a\u0000b"})
    assert only_problem(key)["field"] == "name"
    listing = client.get("/v1/schedules", headers=admin, params={"owner": "x\x00"})
    assert only_problem(listing)["field"] == "owner"
    form = upload(client, admin, HEAD + row(), name="Taxa\x00")
    assert only_problem(form)["field"] == "name"
    volumes = client.post(
        "/v1/volumes",
        headers=admin,
        data={"name": "V", "owner": "\x00"},
        files={"file": ("v.csv", b"code;volume\n101;5\n")},
    )
    assert only_problem(volumes)["field"] == "owner"
