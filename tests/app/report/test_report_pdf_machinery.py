"""What makes the report's PDF quicker must not change it (app/report/pdf.py, cache.py): the
narrowed user-agent stylesheet lays out the same pages as WeasyPrint's own, and the warm-up page
is laid out in the report template's own CSS."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from weasyprint import HTML
from weasyprint.html import UA

import app.report.cache as report_cache
import app.report.pdf as report_pdf
from app.report.cache import warm_page, warm_report_machinery
from app.report.html import TEMPLATE, TEMPLATES
from app.report.pdf import layout, user_agent_css, write_pdf

# Lists (markers), a table with a header, bold text, a quotation: the user-agent rules that
# still apply to the service's documents.
PAGE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 16mm 18mm; @bottom-right { content: "Sida " counter(page); } }
table { border-collapse: collapse; } th, td { border-bottom: 0.4pt solid #888; }
</style></head><body><h1>Kostnadsförslag</h1><p>Åtgärd <b>1 100 kr</b> <q>citat</q>.</p>
<ul><li>Första</li><li>Andra</li></ul><ol><li>Ett</li><li>Två</li></ol>
<table><thead><tr><th>Kod</th><th>Pris</th></tr></thead>
<tbody><tr><td>101</td><td>1 100 kr</td></tr></tbody></table></body></html>"""


def test_the_user_agent_stylesheet_is_narrowed() -> None:
    """If a WeasyPrint upgrade writes these rules otherwise the narrowing silently stops (the
    report is then ~0.15 s slower, not wrong): this says so."""
    narrowed = user_agent_css(UA)
    assert re.search(r"^::marker", UA, re.MULTILINE)
    assert not re.search(r"^::", narrowed, re.MULTILINE)
    assert "li::marker {" in narrowed
    assert "::footnote-call" in UA and "::footnote-call" not in narrowed


def test_the_narrowed_stylesheet_lays_out_the_same_pages() -> None:
    ours = write_pdf(layout(PAGE), "test")
    weasyprints = write_pdf(HTML(string=PAGE).render(), "test")
    assert ours == weasyprints


def test_the_warm_up_page_is_in_the_report_css() -> None:
    page = warm_page()
    template = (TEMPLATES / TEMPLATE).read_text("utf-8")
    style = re.search(r"<style>.*?</style>", template, re.DOTALL)
    assert style is not None
    assert "{{" not in page and "@page" in page and "border-collapse: collapse" in page
    assert 'src="data:image/svg+xml;base64,' in page
    warm_report_machinery()
    pages = layout(page).pages
    assert len(pages) == 1


def test_the_warm_up_leaves_its_page_out_once_a_report_is_being_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laid_out: list[str] = []
    real_layout = report_pdf.layout

    def counting(html: str) -> Any:
        laid_out.append(html)
        return real_layout(html)

    monkeypatch.setattr(report_pdf, "layout", counting)
    monkeypatch.setattr(report_cache, "RENDERING", threading.Event())
    warm_report_machinery.__wrapped__()
    assert len(laid_out) == 1
    report_cache.RENDERING.set()
    warm_report_machinery.__wrapped__()
    assert len(laid_out) == 1
