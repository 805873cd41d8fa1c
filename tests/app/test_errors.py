"""One error shape: real error answers of every kind hold against the OpenAPI's ErrorOut, every
operation documents its errors with it, and values echoed back are always safe to encode."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from app.errors import field_path

LINE = {"code": "101", "date": "2025-03-10"}
PATIENT = {"birth_date": "1980-05-10"}
HEAD = "code;category;group;kind;text;price;reference_price;unit\n"


def error_validator(client: TestClient) -> Any:
    spec = client.get("/openapi.json").json()
    schema = {"$ref": "#/components/schemas/ErrorOut", "components": spec["components"]}
    return jsonschema_rs.Draft202012Validator(schema)


def real_errors(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str], schedule: int
) -> list[tuple[int, dict[str, Any]]]:
    """One answer of each kind of error the service gives: status and body."""
    answers = [
        client.get("/v1/schedules"),  # 401
        client.post("/v1/imports", headers=clinic),  # 403
        client.get("/v1/schedules/999999", headers=admin),  # 404 (AppError)
        client.get("/v1/nothing-here", headers=admin),  # 404 (routing)
        client.post(f"/v1/schedules/{schedule}/activate", headers=admin),  # 409
        client.post(
            "/v1/imports",
            headers=admin,
            data={"name": "T", "valid_from": "2026-01-01"},
            files={"file": ("t.pdf", b"%PDF")},
        ),  # 415
        client.post(
            "/v1/imports",
            headers=admin,
            data={"name": "T", "valid_from": "2026-01-01"},
            files={"file": ("t.csv", (HEAD + "101;A;G;extern;t;-1;x;per_atgard\n").encode())},
        ),  # 422, row problems with warnings
        client.post(
            "/v1/quotes",
            headers=clinic,
            json={"patient": PATIENT, "lines": [{**LINE, "quantity": 0}]},
        ),  # Pydantic
        client.post(
            "/v1/quotes",
            headers=clinic,
            json={"patient": PATIENT, "lines": [{**LINE, "code": "999"}]},
        ),  # engine
        client.get("/v1/procedures/101", headers=clinic, params={"at": "2025-01-01T10:00"}),
        client.post(
            f"/v1/schedules/{schedule}/deviation",
            headers=admin,
            json={"volumes": {str(n): 1 for n in range(20_001)}},
        ),  # 413
    ]
    return [(r.status_code, r.json()) for r in answers]


def test_every_kind_of_error_matches_the_documented_schema(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str], bundled: list[int]
) -> None:
    validator = error_validator(client)
    answers = real_errors(client, admin, clinic, bundled[0])
    assert [status for status, _ in answers] == [
        401,
        403,
        404,
        404,
        409,
        415,
        422,
        422,
        422,
        422,
        413,
    ]
    for status, body in answers:
        errors = [e.message for e in validator.iter_errors(body)]
        assert errors == [], (status, body)
        assert set(body) <= {"error", "detail", "problems", "warnings"}
    # Row problems for a file, field problems for a request, in one notation.
    assert answers[6][1]["problems"][0].keys() == {"row", "column", "value", "message"}
    assert answers[7][1]["problems"] == [
        {
            "field": "lines[0].quantity",
            "value": "0",
            "message": "Input should be greater than or equal to 1",
        }
    ]
    assert answers[8][1]["problems"] == [
        {
            "field": "lines[0].code",
            "value": "999",
            "message": "'999' is not in the normal taxa in force on 2025-03-10",
        }
    ]
    assert answers[9][1]["problems"][0]["field"] == "at"


def test_the_schema_refuses_a_wrong_shape(client: TestClient) -> None:
    """The check above can fail: the old shapes do not pass."""
    validator = error_validator(client)
    assert not validator.is_valid({"error": "invalid", "detail": "x", "field": "lines[0].code"})
    assert not validator.is_valid(
        {
            "error": "x",
            "detail": "x",
            "problems": [{"field": "body.lines.0", "row": 3, "value": None, "message": "m"}],
        }
    )
    assert validator.is_valid({"error": "x", "detail": "x", "problems": []})


def test_every_operation_documents_its_errors_with_error_out(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            codes = {c for c in operation["responses"] if c.startswith(("4", "5"))}
            assert {"401", "403", "422"} <= codes, f"{method} {path}"
            for code in codes:
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (
                    f"{method} {path} {code}"
                )


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("body", "lines", 0, "quantity"), "lines[0].quantity"),
        (("body", "patient", "birth_date"), "patient.birth_date"),
        (("body", "volumes", "101"), 'volumes["101"]'),
        (("query", "on"), "on"),
        (("path", "schedule_id"), "schedule_id"),
        (("body",), "body"),
    ],
)
def test_one_field_notation(loc: tuple[str | int, ...], field: str) -> None:
    assert field_path(loc) == field


def test_a_lone_surrogate_is_a_422_that_does_not_echo_it_raw(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str], bundled: list[int]
) -> None:
    body = (
        b'{"patient": {"birth_date": "1980-05-10"}, "lines": [{"code": "\\ud800", "date": '
        b'"2025-03-10"}]}'
    )
    response = client.post(
        "/v1/quotes", content=body, headers={**clinic, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "lines[0].code"
    assert "\ud800" not in response.text
    key = client.post(
        "/v1/keys",
        content=b'{"role": "clinic", "name": "x\\udfff"}',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert key.status_code == 422 and key.json()["problems"][0]["field"] == "name"
    # A pair of surrogates is one character (an emoji): a name like any other.
    emoji = client.post(
        "/v1/keys",
        content=b'{"role": "clinic", "name": "\\ud83d\\ude00"}',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert emoji.status_code == 201 and emoji.json()["name"] == "\U0001f600"


def test_a_json_body_without_a_key_is_never_read(client: TestClient) -> None:
    """401 before the body: a 5 MiB body sent without a key is not parsed (it is not even
    valid JSON, and the answer is still 401, not 422)."""
    huge = b"[" + b"1," * (5 * 1024 * 1024 // 2) + b"x"
    for path in ("/v1/quotes", "/v1/keys"):
        response = client.post(path, content=huge, headers={"Content-Type": "application/json"})
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"


def test_a_json_body_over_the_limit_is_413(client: TestClient, clinic: dict[str, str]) -> None:
    response = client.post(
        "/v1/quotes",
        content=b" " * (1024 * 1024 + 1),
        headers={**clinic, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "1048576 bytes" in response.json()["detail"]


def test_the_body_is_not_even_received_without_a_key(client: TestClient) -> None:
    """At the ASGI level: the app answers 401 without once asking for the body."""
    from concurrent.futures import ThreadPoolExecutor

    import anyio

    asked: list[str] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        asked.append("body")
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/quotes",
        "raw_path": b"/v1/quotes",
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "http_version": "1.1",
        "server": ("test", 80),
        "client": ("test", 1),
        "app": client.app,
        "headers": [
            (b"content-type", b"application/json"),
            (b"authorization", b"Bearer taxa_not-a-key"),
        ],
    }
    # A thread of its own: its own event loop, whatever runs in this one (Playwright's sync API
    # keeps a loop running in the main thread once the browser tests have started).
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, client.app, scope, receive, send).result()  # type: ignore[arg-type]
    assert sent[0]["status"] == 401
    assert asked == []
