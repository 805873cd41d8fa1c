"""The report as an A4 PDF: WeasyPrint lays out the same HTML as the browser gets."""

from __future__ import annotations

from typing import Any

from app.report.data import ReportData
from app.report.html import render_html, title


def render_document(data: ReportData, svgs: dict[str, str | None] | None = None) -> Any:
    """The laid-out pages (a ``weasyprint.Document``): the tests inspect its boxes."""
    from weasyprint import HTML

    return HTML(string=render_html(data, svgs)).render()


def render_pdf(data: ReportData, svgs: dict[str, str | None] | None = None) -> bytes:
    document = render_document(data, svgs)
    document.metadata.title = title(data)
    document.metadata.authors = ["Folktandvården taxa service"]
    document.metadata.lang = "sv"
    return bytes(document.write_pdf())
