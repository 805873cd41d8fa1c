"""The report as HTML: one Jinja2 template for the browser and, through WeasyPrint, the PDF.

The template (``templates/report.html.j2``) carries the print CSS: A4, "Sida X av Y" in the page
footer, table headers repeated on every page, rows never split. Charts are embedded as SVG data
URIs, so the HTML is one self-contained file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from app.report import charts as chart_module
from app.report import fmt, text
from app.report.data import ReportData

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "report.html.j2"
SERVICE = "Folktandvården taxa service"


@cache
def environment(templates: Path = TEMPLATES) -> Any:
    """The Jinja2 environment of a template folder, with the Swedish figure filters (the
    report's, and the kostnadsförslag's in ``app/quotes/templates``)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        kr=fmt.kr,
        pct=fmt.percent,
        num=fmt.number,
        ratio=fmt.ratio,
        date=fmt.long_date,
        stamp=fmt.stamp,
    )
    return env


def title(data: ReportData) -> str:
    return f"{data.schedule.name}: underlag till nämnden"


def context(data: ReportData, svgs: dict[str, str | None] | None = None) -> dict[str, Any]:
    """What the template sees: the data, its words, and the charts as data URIs."""
    drawn = chart_module.charts(data) if svgs is None else svgs
    return {
        "data": data,
        "f": data.figures,
        "title": title(data),
        "service": SERVICE,
        "summary": text.summary(data),
        "verdicts": text.verdicts(data),
        "charts": {k: None if v is None else chart_module.data_uri(v) for k, v in drawn.items()},
        "t": text,
        "fmt": fmt,
    }


def render_html(data: ReportData, svgs: dict[str, str | None] | None = None) -> str:
    return str(environment().get_template(TEMPLATE).render(**context(data, svgs)))
