"""The report's three formats from one ReportData: what each is called and how it is made."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.report.data import ReportData


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Rendered:
    content: bytes
    media_type: str
    filename: str
    inline: bool  # shown in the browser (HTML, PDF) rather than downloaded (XLSX)


MEDIA_TYPES = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(data: ReportData, fmt: ReportFormat) -> str:
    """``taxerapport-region-jonkoping-2025-01-01-schema-1.pdf`` (ASCII only)."""
    s = data.schedule
    owner = re.sub(r"[^A-Za-z0-9-]+", "-", s.owner).strip("-") or "taxa"
    return f"taxerapport-{owner}-{s.valid_from.isoformat()}-schema-{s.id}.{fmt.value}"


def render(data: ReportData, fmt: ReportFormat) -> Rendered:
    if fmt is ReportFormat.HTML:
        from app.report.html import render_html

        content = render_html(data).encode("utf-8")
    elif fmt is ReportFormat.PDF:
        from app.report.pdf import render_pdf

        content = render_pdf(data)
    else:
        from app.report.xlsx import render_xlsx

        content = render_xlsx(data)
    return Rendered(content, MEDIA_TYPES[fmt], filename(data, fmt), fmt is not ReportFormat.XLSX)
