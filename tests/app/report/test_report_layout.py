"""The report's PDF as the board sees it: A4 pages, nothing cut, charts with titles and units.

Three independent looks at one rendering of the bundled 2025 report (example volumes, made once
per module):

* WeasyPrint's own layout boxes: every box inside the page's content area, every line of text
  inside its table cell, no table wider than the page, no chart split over two pages;
* the pages rendered to PNG (pypdfium2): nothing but white in the page margins, except the
  footer with the page number, and something printed on every page;
* the charts' SVG: a title, axis labels with their unit, Swedish text.

``REPORT_PNG_DIR=/some/dir`` keeps the PNG pages for a person to look at.
"""

from __future__ import annotations

import io
import os
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from pdf_layout import PX_PER_MM, SCALE, layout_problems, page_problems, pngs, walk
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.files import Limits
from app.report.charts import charts
from app.report.data import ReportData, build_report_data, example_volumes
from app.report.pdf import render_document

_CACHE: dict[str, Any] = {}


def _build(engine: Engine, schedule_id: int) -> dict[str, Any]:
    if "data" not in _CACHE:
        volumes, source = example_volumes(Limits(20_000, 50 * 1024 * 1024))
        with Session(engine) as session:
            data = build_report_data(
                session,
                schedule_id,
                volumes,
                source,
                previous_id=None,
                limit_percent=Decimal(7),
                generated_at=datetime(2026, 11, 23, 10, 0),
            )
        svgs = charts(data)
        document = render_document(data, svgs)
        _CACHE.update(data=data, svgs=svgs, document=document, pdf=document.write_pdf())
    return _CACHE


@pytest.fixture()
def rendered(engine: Engine, bundled: list[int]) -> dict[str, Any]:
    return _build(engine, bundled[0])


def test_pages_are_a4_and_numbered(rendered: dict[str, Any]) -> None:
    reader = PdfReader(io.BytesIO(rendered["pdf"]))
    pages = len(reader.pages)
    assert 6 <= pages <= 14
    for n, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        assert f"Sida {n} av {pages}" in page.extract_text().replace("\u00a0", " ")
    first = reader.pages[0].extract_text()
    assert "Sammanfattning" in first and "Principerna i tjänsteskrivelsen" in first
    assert "Ej uppfylld" in first  # the verdicts are on the first page


def test_every_box_is_inside_the_page_and_every_line_inside_its_cell(
    rendered: dict[str, Any],
) -> None:
    problems, checked_text, checked_tables = layout_problems(rendered["document"])
    assert problems == []
    assert checked_text > 500 and checked_tables >= 8


def test_the_layout_check_finds_what_is_cut() -> None:
    from weasyprint import HTML

    html = (
        "<style>@page { size: A4; margin: 18mm } table { table-layout: fixed; width: 100% }"
        " td.n { white-space: nowrap }</style>"
        "<table><tr><td style='width:10%' class='n'>Kan inte bedömas, ingen radbrytning</td>"
        "<td>ok</td></tr></table>"
        "<table style='width:250mm'><tr><td>för bred tabell</td></tr></table>"
    )
    problems, _, _ = layout_problems(HTML(string=html).render())
    assert any("sticks out of its cell" in p and "Kan inte" in p for p in problems), problems
    assert any("wider than the page" in p for p in problems), problems


def test_charts_are_not_split_over_pages(rendered: dict[str, Any]) -> None:
    from weasyprint.formatting_structure import boxes

    images = []
    for number, page in enumerate(rendered["document"].pages, start=1):
        for box, _ in walk(page._page_box.children[0]):
            if isinstance(box, boxes.ReplacedBox):
                images.append(number)
    # Two charts (no previous taxa: no change chart), each drawn once: never split.
    assert len(images) == 2


def test_rendered_pages_have_white_margins_and_ink_inside(rendered: dict[str, Any]) -> None:
    keep = os.environ.get("REPORT_PNG_DIR")
    images = pngs(rendered["pdf"], SCALE)
    for number, image in enumerate(images, start=1):
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            image.save(Path(keep) / f"report-page-{number:02d}.png")
        assert page_problems(image) == [], f"page {number}"


def test_the_page_check_finds_ink_in_the_margin() -> None:
    from PIL import Image, ImageDraw

    size = (round(210 * PX_PER_MM), round(297 * PX_PER_MM))
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    draw.rectangle((100, 100, 1000, 200), fill=0)  # text in the body
    footer_y = size[1] - int(12 * PX_PER_MM)
    draw.rectangle((100, footer_y, 300, footer_y + 10), fill=0)  # the footer
    assert page_problems(page) == []
    draw.rectangle((size[0] - 20, 500, size[0] - 10, 520), fill=0)  # a cut table edge
    assert page_problems(page) == ["ink in the right margin"]
    assert page_problems(Image.new("L", size, 255)) == ["blank", "no footer"]


def _svg_texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    return [
        " ".join("".join(node.itertext()).split())
        for node in root.iter()
        if node.tag.endswith("}text")
    ]


def test_charts_have_titles_axes_and_units(rendered: dict[str, Any]) -> None:
    svgs = rendered["svgs"]
    assert svgs["change_by_group"] is None  # no previous taxa for the bundled 2025
    by_group = _svg_texts(svgs["deviation_by_group"])
    assert "Avvikelse från referensprislistan per åtgärdsgrupp (volymvägd)" in by_group
    assert "Avvikelse: intäkt till taxans pris mot intäkt till referenspris (%)" in by_group
    assert "Åtgärdsgrupp" in by_group
    assert "Beslutad gräns 7 %" in [t.replace("\u00a0", " ") for t in by_group]
    assert "Protetiska åtgärder" in by_group and "11,14 %" in [
        t.replace("\u00a0", " ") for t in by_group
    ]
    ticks = [t.replace("\u00a0", " ") for t in by_group if re.fullmatch(r"[\d,]+\s%", t)]
    assert "7,5 %" in ticks  # Swedish decimal comma on the axis
    ratio = _svg_texts(svgs["ratio_distribution"])
    assert "Pris ÷ referenspris: fördelning över volymen" in ratio
    assert "Taxans pris ÷ referenspriset (kvot)" in ratio
    assert "Andel av volymen (%)" in ratio
    assert "1,05–1,10" in ratio


def test_the_change_chart_is_drawn_with_a_previous_taxa(rendered: dict[str, Any]) -> None:
    from dataclasses import replace

    from app.report.charts import change_by_group
    from app.report.data import ScheduleInfo
    from pricing.report import compose_report

    data: ReportData = rendered["data"]
    figures = compose_report(
        data.items,
        dict(data.figures.weights),
        limit_percent=Decimal(7),
        previous=[replace(i, price=i.price - 10) if i.code == "101" else i for i in data.items],
        jour=data.figures.jour,
    )
    previous = ScheduleInfo(
        id=0,
        name="Föregående",
        owner="x",
        variant="normal",
        valid_from=data.schedule.valid_from,
        valid_to=None,
        status="retired",
        source_filename=None,
        source_sha256=None,
    )
    svg = change_by_group(replace(data, figures=figures, previous=previous))
    assert svg is not None
    texts = [t.replace("\u00a0", " ") for t in _svg_texts(svg)]
    assert "Prisförändring mot föregående taxa per åtgärdsgrupp (volymvägt)" in texts
    assert "Förändring mot föregående taxa (%)" in texts
    assert "Taxans pris" in texts and "Referenspris" in texts
    assert "Us,riskbedömn och hälsofr åtg" in texts
