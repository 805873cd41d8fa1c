"""The report as an A4 PDF: WeasyPrint lays out the same HTML as the browser gets.

:func:`layout` and :func:`write_pdf` take any of the service's HTML documents (the report, the
kostnadsförslag of ``app/quotes/estimate.py``): the page size and margins are in its CSS.
"""

from __future__ import annotations

from typing import Any

from app.report.data import ReportData
from app.report.html import SERVICE, render_html, title


def layout(html: str) -> Any:
    """The laid-out pages of ``html`` (a ``weasyprint.Document``): the tests inspect its boxes."""
    from weasyprint import HTML

    return HTML(string=html).render()


def write_pdf(document: Any, pdf_title: str) -> bytes:
    """The PDF of laid-out pages, with its title, author and language (Swedish) set."""
    document.metadata.title = pdf_title
    document.metadata.authors = [SERVICE]
    document.metadata.lang = "sv"
    return bytes(document.write_pdf())


def render_document(data: ReportData, svgs: dict[str, str | None] | None = None) -> Any:
    """The report's laid-out pages."""
    return layout(render_html(data, svgs))


def render_pdf(data: ReportData, svgs: dict[str, str | None] | None = None) -> bytes:
    return write_pdf(render_document(data, svgs), title(data))
