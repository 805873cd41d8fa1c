"""The service's one exception tree and its one error shape, mapped to HTTP in one place.

Every error answer is ``{"error": <short code>, "detail": <human text>, "problems": [...]}``.
A problem is ``{field, value, message}`` for a request (``field`` in one notation, whoever found
the fault: ``lines[0].quantity``, ``patient.birth_date``, ``volumes["101"]``; a query, path or
form parameter by its name: ``on``, ``schedule_id``, ``file``) or ``{row, column, value, message}``
for a file. A rejected file also lists its ``warnings`` (row problems). Every value echoed back
is cut to 200 characters and made safe to encode (a lone surrogate is shown escaped).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pricing.errors import NoRuleSet, PricingError, UnknownCode

MAX_ECHO = 200


class FieldProblem(BaseModel):
    """A fault in the request: a body field, a query, path or form parameter."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(
        description="`lines[0].quantity`, `patient.birth_date`, `on`, `file`, "
        "`body` for the body as a whole",
        examples=["lines[0].quantity"],
    )
    value: str | None = Field(
        description="What was sent, as text (cut to 200 characters); "
        "null when missing or not a single value"
    )
    message: str


class RowProblem(BaseModel):
    """A fault in an uploaded file: the row and column as the spreadsheet shows them."""

    model_config = ConfigDict(extra="forbid")

    row: int | None = Field(
        description="Row number as the spreadsheet shows it; null: the whole file"
    )
    column: str | None
    value: str | None
    message: str


class ErrorOut(BaseModel):
    """Every 4xx (and the 503 of a busy database) answers this."""

    model_config = ConfigDict(extra="forbid")

    error: str = Field(
        description="A short code: unauthorized, forbidden, not_found, conflict, "
        "payload_too_large, unsupported_file, invalid, invalid_request, "
        "file_rejected, unknown_code, not_covered, busy",
        examples=["invalid"],
    )
    detail: str
    problems: list[FieldProblem | RowProblem] = Field(
        description="Every problem found; empty when the error has no field or row to name"
    )
    warnings: list[RowProblem] | None = Field(
        None, description="Only for a rejected file: its warnings, for the next try"
    )


def safe_text(value: object, limit: int = MAX_ECHO) -> str:
    """Text that can always be encoded as UTF-8 JSON: cut, and lone surrogates escaped."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def field_problem(field: str, message: str, value: object = None) -> dict[str, Any]:
    return {
        "field": field,
        "value": None if value is None else safe_text(value),
        "message": safe_text(message, 1000),
    }


class AppError(Exception):
    """Base of every error the service answers on purpose.

    ``field`` (and ``value``) name the one request field at fault; ``problems`` lists several
    (field or row problems); ``warnings`` goes with a rejected file.
    """

    status = 400
    code = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        value: object = None,
        problems: Sequence[dict[str, Any]] = (),
        warnings: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = list(problems)
        if field is not None:
            self.problems.insert(0, field_problem(field, detail, value))
        self.warnings = None if warnings is None else list(warnings)

    @property
    def extra(self) -> dict[str, list[dict[str, Any]]]:
        """The problems and warnings, as the CLI and the pages list them."""
        return {"problems": self.problems, "warnings": self.warnings or []}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "error": self.code,
            "detail": safe_text(self.detail, 2000),
            "problems": [_safe_problem(p) for p in self.problems],
        }
        if self.warnings is not None:
            body["warnings"] = [_safe_problem(w) for w in self.warnings]
        return body


def _safe_problem(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: safe_text(v, 1000) if isinstance(v, str) else v for k, v in problem.items()}


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class UnsupportedFile(AppError):
    """A file that is not what its name says, or not a CSV/XLSX at all."""

    status = 415
    code = "unsupported_file"


class InvalidInput(AppError):
    """A well-formed request whose content is wrong (a bad file, an unknown code in a quote)."""

    status = 422
    code = "invalid"


class FileRejected(InvalidInput):
    """An upload with problems; ``problems`` lists every one, nothing was stored."""

    code = "file_rejected"


class Busy(AppError):
    """The database stayed busy with another write longer than a write may wait."""

    status = 503
    code = "busy"


STATUS_OF_PRICING_ERROR: dict[type[PricingError], tuple[int, str]] = {
    UnknownCode: (422, "unknown_code"),
    NoRuleSet: (422, "not_covered"),
}


def _answer(exc: AppError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def _pricing_error(_: Request, exc: Exception) -> JSONResponse:
    status, code = 422, "invalid"
    for cls in type(exc).__mro__:
        if cls in STATUS_OF_PRICING_ERROR:
            status, code = STATUS_OF_PRICING_ERROR[cls]
            break
    field = getattr(exc, "field", None)
    detail = str(exc)
    message = detail.removeprefix(f"{field}: ") if field else detail
    value = getattr(exc, "value", None)  # set where the request is known (app.quotes.quoting)
    problems = [field_problem(field, message, value)] if field else []
    error = AppError(detail, problems=problems)
    error.status, error.code = status, code
    return _answer(error)


_PATH_PART = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def value_at(data: object, field: str) -> object:
    """The value at ``field`` (``lines[0].code``) in JSON-like ``data``, if it is one value."""
    for match in _PATH_PART.finditer(field):
        name, index = match.groups()
        if name is not None and isinstance(data, dict):
            data = data.get(name)
        elif index is not None and isinstance(data, list) and int(index) < len(data):
            data = data[int(index)]
        else:
            return None
    return data if isinstance(data, (str, int, float)) and not isinstance(data, bool) else None


def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    if isinstance(exc, Busy):
        headers = {"Retry-After": "1"}
    return _answer(exc, headers)


_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def field_path(loc: Sequence[str | int]) -> str:
    """Pydantic's ``("body", "lines", 0, "quantity")`` as ``lines[0].quantity``."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.match(part):
            path += f".{part}" if path else part
        elif part == "[key]":
            path += "[key]"
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path or "body"


# Request fields that carry personal data (the kostnadsförslag's patient name and personnummer):
# their value is never echoed in an error answer, wherever in the body they were sent.
NEVER_ECHOED = frozenset({"patient_name", "personnummer"})


def _echo(error: dict[str, Any]) -> object:
    """The offending value, when it is one value: not the whole object a field is missing from,
    nor a personal field's."""
    if error.get("type") == "missing" or NEVER_ECHOED.intersection(
        part for part in error.get("loc", ()) if isinstance(part, str)
    ):
        return None
    value = error.get("input")
    if isinstance(value, (dict, list, tuple, set, bytes)) or value is None:
        return None
    return value


def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        field_problem(field_path(err.get("loc", ())), str(err.get("msg", "")), _echo(err))
        for err in exc.errors()
    ]
    error = AppError("the request is malformed", problems=problems)
    error.status, error.code = 422, "invalid_request"
    return _answer(error)


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # the framework could not parse the body (broken multipart)
        return _answer(_malformed("body", str(exc.detail)))
    error = AppError(str(exc.detail))
    error.status, error.code = exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error")
    return _answer(error, getattr(exc, "headers", None))


_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    401: "unauthorized",
    403: "forbidden",
}


# PostgreSQL's transient failures: a deadlock between two writes, a serialization failure.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def is_busy(exc: BaseException) -> bool:
    """A write that lost to another: SQLite's "database is locked" after the busy timeout, or a
    PostgreSQL deadlock (one of two writes is aborted). Trying again succeeds or conflicts."""
    cause = getattr(exc, "orig", exc)
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    text = str(cause).lower()
    return "database is locked" in text or "database is busy" in text


def _operational_error(_: Request, exc: Exception) -> JSONResponse:
    if not is_busy(exc):
        raise exc
    return _answer(
        Busy("the database is busy with another write: try again in a moment"), {"Retry-After": "1"}
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(PricingError, _pricing_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _operational_error)


class BodyLimit:
    """ASGI middleware: a request body (an upload's multipart above all) of at most
    ``max_bytes``, refused while it streams in: the route's read of the body raises a 413 that
    the exception handlers answer in the one error shape (a page under /ui/), never spooled to
    disk whole. A declared Content-Length over the limit is refused at the first read.

    FastAPI's own ``max_body_size`` did this, but outside the exception handlers: its answer
    was the plain text "Content Too Large". Installed inside :class:`RequestGuard`, whose smaller
    limit on JSON bodies answers first.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = _content_length(scope)
        received = 0

        def too_large() -> StarletteHTTPException:
            # An HTTPException: FastAPI lets it through its body parsing unchanged.
            return StarletteHTTPException(
                413, f"the request body may have at most {limit} bytes (the upload limit)"
            )

        async def bounded() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large()
            return message

        await self.app(scope, bounded, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class RequestGuard:
    """ASGI middleware under ``/v1/``: no NUL character in a query parameter, and JSON bodies of
    at most ``max_bytes`` (413 beyond), UTF-8, with no NUL and no lone surrogate in any string
    (422 naming the field). Python takes "\\u0000" and "\\ud800" as text, but PostgreSQL
    stores no NUL and nothing can encode a lone surrogate as UTF-8.

    It reads a JSON body once and hands the same bytes on. Runs after :class:`app.auth.
    AuthenticateFirst`, so a body is never read for a request without a key.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        query: bytes = scope["query_string"]
        # A NUL can only come as %00 (or raw): the parse is skipped for every other query.
        for name, value in (
            parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            if (b"%00" in query or b"\x00" in query)
            else ()
        ):
            if "\x00" in name or "\x00" in value:
                await _answer(_malformed(safe_text(name.replace("\x00", "\\x00")), NOT_TEXT))(
                    scope, receive, send
                )
                return
        if not is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # a disconnect: let the app see it
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                error: AppError = PayloadTooLarge(
                    f"a JSON body may have at most {self.max_bytes} bytes"
                )
                await _answer(error)(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:  # JSON is UTF-8 (RFC 8259)
            await _answer(_malformed("body", f"not UTF-8 text (byte {exc.start}): JSON is UTF-8"))(
                scope, receive, send
            )
            return
        if _UNSTORABLE_ESCAPE.search(body):
            try:
                found = _unstorable_string(body)
            except RecursionError:  # arrays or objects nested past Python's stack
                await _answer(_malformed("body", TOO_DEEP))(scope, receive, send)
                return
            if found is not None:
                await _answer(_malformed(found, NOT_TEXT))(scope, receive, send)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")
NOT_TEXT = "a NUL character (\\u0000) or a lone UTF-16 surrogate (\\ud800–\\udfff) is not text"
TOO_DEEP = "JSON nested too deeply (arrays or objects within each other) to be read"


def _malformed(field: str, message: str) -> AppError:
    error = AppError("the request is malformed", problems=[field_problem(field, message)])
    error.status, error.code = 422, "invalid_request"
    return error


def is_json(scope: Scope) -> bool:
    """Whether the body is declared JSON (``application/json`` or a ``+json`` type), as FastAPI
    decides to parse it."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return bool(kind == b"application/json" or kind.endswith(b"+json"))
    return False


def _unstorable_string(body: bytes) -> str | None:
    """The field of the first string (or key) holding a NUL or a lone surrogate, if any.
    RecursionError: the JSON is nested past Python's stack (parsing it, or walking it)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None  # not JSON: the route's own parsing answers that

    def walk(value: object, path: list[str | int]) -> list[str | int] | None:
        if isinstance(value, str):
            return path if _unstorable(value) else None
        if isinstance(value, list):
            for index, item in enumerate(value):
                found = walk(item, [*path, index])
                if found is not None:
                    return found
        if isinstance(value, dict):
            for key, item in value.items():
                if _unstorable(key):
                    return [*path, safe_text(key)]
                found = walk(item, [*path, key])
                if found is not None:
                    return found
        return None

    found = walk(data, [])
    return None if found is None else field_path(found)


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def error_response(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


# The errors every operation behind a key can answer.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: error_response("No or unknown API key (checked before the body is read)"),
    403: error_response("The key's role, or its owners, may not do this"),
    422: error_response("A malformed request: every problem with its field"),
}

# What reading an uploaded file can refuse it for (app.files), the same for every upload.
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: error_response(
        "File, rows, columns, cells, unpacked XLSX or reading time over the limit (named)"
    ),
    415: error_response("Not a CSV/XLSX, or not what its name says"),
}

# Writes on SQLite: the database stayed busy with another write longer than a write may wait.
BUSY_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: error_response(
        "The database stayed busy with another write (SQLite): retry after Retry-After seconds"
    ),
}
