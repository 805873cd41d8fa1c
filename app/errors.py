"""The service's one exception tree, mapped to HTTP status codes in one place.

Every error answer has the shape ``{"error": <short code>, "detail": <human text>, ...}``; a
rejected file adds ``"problems": [{row, column, value, message}, ...]``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from pricing.errors import NoRuleSet, PricingError, UnknownCode


class AppError(Exception):
    """Base of every error the service answers on purpose."""

    status = 400
    code = "bad_request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail, **self.extra}


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


STATUS_OF_PRICING_ERROR: dict[type[PricingError], tuple[int, str]] = {
    UnknownCode: (422, "unknown_code"),
    NoRuleSet: (422, "not_covered"),
}


def _pricing_error(_: Request, exc: Exception) -> JSONResponse:
    status, code = 422, "invalid"
    for cls in type(exc).__mro__:
        if cls in STATUS_OF_PRICING_ERROR:
            status, code = STATUS_OF_PRICING_ERROR[cls]  # type: ignore[index]
            break
    body: dict[str, Any] = {"error": code, "detail": str(exc)}
    field = getattr(exc, "field", None)
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status)


def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ())),
            "message": err.get("msg", ""),
            "value": None if err.get("input") is None else str(err.get("input"))[:200],
        }
        for err in exc.errors()
    ]
    return JSONResponse(
        {"error": "invalid_request", "detail": "the request is malformed", "problems": problems},
        status_code=422,
    )


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        {"error": "http_error", "detail": exc.detail}, status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(PricingError, _pricing_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or unknown API key"},
    403: {"description": "The key's role may not do this"},
}





class Problem(BaseModel):
    row: int | None = Field(description="Row number as the spreadsheet shows it")
    column: str | None
    value: str | None
    message: str


class ErrorOut(BaseModel):
    error: str
    detail: str
    problems: list[Problem] | None = None
