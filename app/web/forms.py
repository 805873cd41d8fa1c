"""Reading a posted form: the CSRF check first, then each field with its error in Swedish."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from app.deps import settings
from app.web.session import check_csrf

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

    def __bool__(self) -> bool:
        return bool(self.errors)

    def text(self, form: FormData, name: str, label: str, *, required: bool = True,
             max_length: int = 200) -> str:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        self.values[name] = value
        if required and not value:
            self.errors[name] = f"Fyll i {label.lower()}."
        elif len(value) > max_length:
            self.errors[name] = f"{label} får vara högst {max_length} tecken."
        return value

    def choice(self, form: FormData, name: str, label: str, allowed: tuple[str, ...]) -> str:
        raw = form.get(name)
        value = raw if isinstance(raw, str) else ""
        self.values[name] = value
        if value not in allowed:
            self.errors[name] = f"Välj {label.lower()}."
        return value

    def day(self, form: FormData, name: str, label: str) -> date | None:
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        self.values[name] = value
        if not value:
            self.errors[name] = f"Fyll i {label.lower()} (ÅÅÅÅ-MM-DD)."
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors[name] = f"{label} ska vara ett datum som 2026-01-01."
            return None

    def file(self, request: Request, form: FormData, name: str) -> tuple[str, bytes] | None:
        upload = form.get(name)
        if not isinstance(upload, UploadFile) or not upload.filename:
            self.errors[name] = "Välj en fil (.csv eller .xlsx)."
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

