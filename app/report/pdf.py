"""The report as an A4 PDF: WeasyPrint lays out the same HTML as the browser gets.

:func:`layout` and :func:`write_pdf` take any of the service's HTML documents (the report, the
kostnadsförslag of ``app/quotes/estimate.py``): the page size and margins are in its CSS.

WeasyPrint's default (user-agent) stylesheet has rules for pseudo-elements that match *every*
element: ``::marker`` and the calls and markers of footnotes and notes (``::footnote-call``,
``::note-marker``, …). WeasyPrint computes a style for each of them on each element, six per
element: in the report's ~1 000 elements that was a third of the CSS step and more in the
layout (~0.15 s of ~1.3 s, profiled). The service's documents lay out with a copy of that
stylesheet in which ``::marker`` applies to list items (the only elements that draw a marker
here: no CSS of ours sets ``display: list-item``) and the footnote and note rules are left out
(no CSS of ours floats anything to a footnote or note). The pages are the same.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from app.report.data import ReportData
from app.report.html import SERVICE, render_html, title

# Rules of WeasyPrint's html5_ua.css on a universal pseudo-element, one rule a line.
_FOOTNOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}\n]*\}\n", re.MULTILINE)
_MARKER_RULE = re.compile(r"^::marker \{", re.MULTILINE)


def user_agent_css(ua: str) -> str:
    """WeasyPrint's user-agent stylesheet ``ua`` with the universal pseudo-element rules
    narrowed (see the module docstring); unchanged if it has none in the expected form."""
    return _MARKER_RULE.sub("li::marker {", _FOOTNOTE_RULES.sub("", ua))


@cache
def html_class() -> Any:
    """``weasyprint.HTML`` laying out with the narrowed user-agent stylesheet."""
    from weasyprint import CSS, HTML
    from weasyprint.html import UA, UA_COUNTER_STYLE, UA_STYLESHEET

    narrowed = CSS(string=user_agent_css(UA), counter_style=UA_COUNTER_STYLE)

    class ServiceHTML(HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, *args: Any, **kwargs: Any) -> list[Any]:
            sheets = super()._ua_stylesheets(*args, **kwargs)
            return [narrowed if sheet is UA_STYLESHEET else sheet for sheet in sheets]

    return ServiceHTML


def layout(html: str) -> Any:
    """The laid-out pages of ``html`` (a ``weasyprint.Document``): the tests inspect its boxes."""
    return html_class()(string=html).render()


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
