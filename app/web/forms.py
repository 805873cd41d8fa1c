"""Reading a form: the CSRF check first (POST), then each field with its error in Swedish.

An error the API's functions raise is placed the same way: each ``{field, value, message}``
problem next to the form field it names, ``{row, column, value, message}`` problems in the
page's problem table (see :meth:`FieldErrors.place`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData, ImmutableMultiDict, UploadFile

from app.deps import MAX_FILENAME, settings
from app.errors import AppError
from app.models import date_in_bounds
from app.web import uploads
from app.web.render import page
from app.web.session import check_csrf
from app.web.swedish import say

Fields = ImmutableMultiDict[str, Any]  # a posted form or a GET form's query

MAX_FIELDS = 30


async def posted_form(request: Request) -> AsyncIterator[FormData]:
    """A dependency for every POST: the form, refused with 403 unless its CSRF token is right.
    Its uploaded file is closed once the answer is sent."""
    form = await request.form(max_files=1, max_fields=MAX_FIELDS)
    try:
        check_csrf(request, form)
        yield form
    finally:
        await form.close()


@dataclass
class FieldErrors:
    """Errors by field name, shown next to the field; ``values`` re-fill the form."""

    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)  # about the whole form, not one field
    status: int = 422  # the answer's status when there are errors (403: the owner check)

    def __bool__(self) -> bool:
        return bool(self.errors) or bool(self.messages)

    def text(
        self, form: Fields, name: str, label: str, *, required: bool = True, max_length: int = 200
    ) -> str:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        self.values[name] = value
        if required and not value:
            self.errors[name] = f"Fyll i {label.lower()}."
        elif len(value) > max_length:
            self.errors[name] = f"{label} får vara högst {max_length} tecken."
        elif "\x00" in value:  # PostgreSQL stores no NUL character
            self.errors[name] = f"{label} innehåller ett NUL-tecken."
        return value

    def choice(self, form: Fields, name: str, label: str, allowed: tuple[str, ...]) -> str:
        raw = form.get(name)
        value = raw if isinstance(raw, str) else ""
        self.values[name] = value
        if value not in allowed:
            self.errors[name] = f"Välj {label.lower()}."
        return value

    def day(self, form: Fields, name: str, label: str, *, required: bool = True) -> date | None:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        self.values[name] = value
        if not value:
            if required:
                self.errors[name] = f"Fyll i {label.lower()} (ÅÅÅÅ-MM-DD)."
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.errors[name] = f"{label} ska vara ett datum som 2026-01-01."
            return None
        if not date_in_bounds(day):
            self.errors[name] = f"{label} ligger utanför de datum tjänsten lagrar."
            return None
        return day

    def number(
        self,
        form: Fields,
        name: str,
        label: str,
        *,
        required: bool = False,
        low: Decimal | None = None,
        high: Decimal | None = None,
    ) -> Decimal | None:
        """A decimal number as a person writes it (``7``, ``7,5``, ``-2.5``); None when empty."""
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        self.values[name] = value
        if not value:
            if required:
                self.errors[name] = f"Fyll i {label.lower()}."
            return None
        try:
            number = Decimal(value.replace(" ", "").replace("\u2212", "-").replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.errors[name] = f"{label} ska vara ett tal, t.ex. 7 eller 2,5."
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = (
                f"mellan {_sv(low)} och {_sv(high)}"
                if low is not None and high is not None
                else f"minst {_sv(low)}"
                if low is not None
                else f"högst {_sv(high)}"
            )
            self.errors[name] = f"{label} ska vara {bounds}."
            return None
        return number

    def integer_choice(self, form: Fields, name: str, label: str, allowed: set[int]) -> int | None:
        """The id of one of the listed things (a taxa, a list, a volume set)."""
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        self.values[name] = value
        if not value.isdigit() or int(value) not in allowed:
            self.errors[name] = f"Välj {label.lower()}."
            return None
        return int(value)

    def place(self, exc: AppError, form_fields: Mapping[str, str]) -> list[dict[str, Any]]:
        """Show an error of the API's functions where it belongs, in Swedish.

        A field problem goes next to the form field ``form_fields`` maps its API field name to
        (the first problem of a field wins), or above the form when the page has no such field;
        the row problems of a file are returned for the page's problem table.
        """
        rows: list[dict[str, Any]] = []
        for problem in exc.problems:
            if "row" in problem:
                rows.append(problem)
                continue
            message = say(str(problem.get("message", "")))
            name = form_fields.get(str(problem.get("field", "")))
            if name is None:
                self.messages.append(message)
            else:
                self.errors.setdefault(name, message)
        if not exc.problems:
            self.messages.append(say(exc.detail))
        self.status = exc.status
        return rows

    def file(self, request: Request, form: Fields, name: str) -> tuple[str, bytes] | None:
        upload = form.get(name)
        if not isinstance(upload, UploadFile) or not upload.filename:
            self.errors[name] = "Välj en fil (.csv eller .xlsx)."
            return None
        if len(upload.filename) > MAX_FILENAME or "\x00" in upload.filename:
            self.errors[name] = (
                f"Filnamnet får vara högst {MAX_FILENAME} tecken och utan "
                "NUL-tecken: byt namn på filen."
            )
            return None
        limit = settings(request).max_upload_bytes
        content = upload.file.read(limit + 1)
        if len(content) > limit:
            self.errors[name] = f"Filen är större än {limit // (1024 * 1024)} MiB."
            return None
        if not content:
            self.errors[name] = "Filen är tom."
            return None
        return upload.filename, content

    def reviewed_file(self, form: Fields, session_token: str) -> uploads.Reviewed | None:
        """`Spara`'s file: the one `Granska` kept for this session, named by the SHA-256 the
        form sends back; None (with the reason at the file field) when it is gone."""
        sha256 = form.get("sha256")
        kept = uploads.take(session_token, sha256) if isinstance(sha256, str) else None
        if kept is None:
            self.errors["file"] = (
                "Den granskade filen finns inte längre: välj den och granska igen."
            )
        return kept


def form_page(
    request: Request, template: str, title: str, fields: FieldErrors, **context: Any
) -> HTMLResponse:
    """A page with a form: each error at its field, the values filled in again. While a field
    or a row of the file (``problems``) is wrong, the answer has the errors' status."""
    failed = bool(fields) or bool(context.get("problems"))
    return page(
        request,
        template,
        title,
        status_code=fields.status if failed else 200,
        errors=fields.errors,
        values=fields.values,
        messages=fields.messages,
        **context,
    )


def _sv(number: Decimal | None) -> str:
    return "" if number is None else format(number, "f").replace(".", ",").replace("-", "−")
