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
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.files import Limits
from app.report.charts import charts
from app.report.data import ReportData, build_report_data, example_volumes
from app.report.pdf import render_document

EPS = 0.5  # CSS px: rounding in the layout
MM = 96 / 25.4  # CSS px per millimetre
_CACHE: dict[str, Any] = {}


def _build(engine: Engine, schedule_id: int) -> dict[str, Any]:
    if "data" not in _CACHE:
        volumes, source = example_volumes(Limits(20_000, 50 * 1024 * 1024))
        with Session(engine) as session:
            data = build_report_data(session, schedule_id, volumes, source, previous_id=None,
                                     limit_percent=Decimal(7),
                                     generated_at=datetime(2026, 11, 23, 10, 0))
        svgs = charts(data)
        document = render_document(data, svgs)
        _CACHE.update(data=data, svgs=svgs, document=document, pdf=document.write_pdf())
    return _CACHE


@pytest.fixture()
def rendered(engine: Engine, bundled: list[int]) -> dict[str, Any]:
    return _build(engine, bundled[0])


def _walk(box: Any, cell: Any = None) -> Iterator[tuple[Any, Any]]:
    """Every box below ``box`` with the table cell it sits in (None outside tables)."""
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", []):
        inner = child if isinstance(child, boxes.TableCellBox) else cell
        yield child, inner
        yield from _walk(child, inner)


def _content_area(page_box: Any) -> tuple[float, float, float, float]:
    left, top = page_box.content_box_x(), page_box.content_box_y()
    return left, top, left + page_box.width, top + page_box.height


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


def layout_problems(document: Any) -> tuple[list[str], int, int]:
    """Boxes outside the page's content area, lines of text outside their table cell, tables
    wider than the page, replaced boxes taller than a page; and how many lines and tables
    were checked."""
    from weasyprint.formatting_structure import boxes

    problems: list[str] = []
    checked_text = checked_tables = 0
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left, top, right, bottom = _content_area(page_box)
        root = page_box.children[0]  # the html element; the others are the margin boxes
        assert not isinstance(root, boxes.MarginBox)
        for box, cell in _walk(root):
            if not hasattr(box, "position_x") or box.width is None:
                continue
            x, y = box.position_x, box.position_y
            w, h = box.margin_width(), box.margin_height()
            where = f"page {number}: {type(box).__name__} {getattr(box, 'text', '')[:40]!r}"
            if not (left - EPS <= x and x + w <= right + EPS):
                problems.append(f"{where} outside the page horizontally")
            if not (top - EPS <= y and y + h <= bottom + EPS):
                problems.append(f"{where} outside the page vertically")
            if isinstance(box, boxes.TableBox):
                checked_tables += 1
                if box.border_width() > page_box.width + EPS:
                    problems.append(f"{where} wider than the page")
            if isinstance(box, boxes.TextBox) and cell is not None:
                checked_text += 1
                cell_left = cell.border_box_x()
                cell_right = cell_left + cell.border_width()
                if not (cell_left - EPS <= x and x + box.width <= cell_right + EPS):
                    problems.append(f"{where} sticks out of its cell")
            if isinstance(box, boxes.ReplacedBox) and h > bottom - top:
                problems.append(f"{where} taller than a page")
    return problems, checked_text, checked_tables


def test_every_box_is_inside_the_page_and_every_line_inside_its_cell(
    rendered: dict[str, Any]
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
        for box, _ in _walk(page._page_box.children[0]):
            if isinstance(box, boxes.ReplacedBox):
                images.append(number)
    # Two charts (no previous taxa: no change chart), each drawn once: never split.
    assert len(images) == 2


def _pngs(pdf: bytes, scale: float) -> list[Any]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=scale).to_pil().convert("L")
                for i in range(len(document))]
    finally:
        document.close()


SCALE = 2.0  # 144 dpi
PX_PER_MM = 72 / 25.4 * SCALE


def page_problems(image: Any) -> list[str]:
    """Ink in the page margins (18 mm left and right, 16 mm top, below the footer), a blank
    page, a page without its footer. 1 mm is left for anti-aliasing at the content's edge."""
    width, height = image.size
    mm = PX_PER_MM
    problems = []
    strips = {
        "left": (0, 0, int(17 * mm), height),
        "right": (width - int(17 * mm), 0, width, height),
        "top": (0, 0, width, int(15 * mm)),
        "below the footer": (0, height - int(6 * mm), width, height),
    }
    for name, area in strips.items():
        if image.crop(area).getextrema()[0] < 250:
            problems.append(f"ink in the {name} margin")
    body = image.crop((int(18 * mm), int(16 * mm), width - int(18 * mm), height - int(18 * mm)))
    if body.getextrema()[0] >= 100:
        problems.append("blank")
    footer = image.crop((0, height - int(18 * mm), width, height - int(6 * mm)))
    if footer.getextrema()[0] >= 160:
        problems.append("no footer")
    return problems


def test_rendered_pages_have_white_margins_and_ink_inside(rendered: dict[str, Any]) -> None:
    keep = os.environ.get("REPORT_PNG_DIR")
    images = _pngs(rendered["pdf"], SCALE)
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
    return [" ".join("".join(node.itertext()).split()) for node in root.iter()
            if node.tag.endswith("}text")]


def test_charts_have_titles_axes_and_units(rendered: dict[str, Any]) -> None:
    svgs = rendered["svgs"]
    assert svgs["change_by_group"] is None  # no previous taxa for the bundled 2025
    by_group = _svg_texts(svgs["deviation_by_group"])
    assert "Avvikelse från referensprislistan per åtgärdsgrupp (volymvägd)" in by_group
    assert "Avvikelse: intäkt till taxans pris mot intäkt till referenspris (%)" in by_group
    assert "Åtgärdsgrupp" in by_group
    assert "Beslutad gräns 7 %" in [t.replace("\u00a0", " ") for t in by_group]
    assert "Protetiska åtgärder" in by_group and "11,14 %" in [
        t.replace("\u00a0", " ") for t in by_group]
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
        data.items, dict(data.figures.weights), limit_percent=Decimal(7),
        previous=[replace(i, price=i.price - 10) if i.code == "101" else i for i in data.items],
        jour=data.figures.jour)
    previous = ScheduleInfo(id=0, name="Föregående", owner="x", variant="normal",
                            valid_from=data.schedule.valid_from, valid_to=None,
                            status="retired", source_filename=None, source_sha256=None)
    svg = change_by_group(replace(data, figures=figures, previous=previous))
    assert svg is not None
    texts = [t.replace("\u00a0", " ") for t in _svg_texts(svg)]
    assert "Prisförändring mot föregående taxa per åtgärdsgrupp (volymvägt)" in texts
    assert "Förändring mot föregående taxa (%)" in texts
    assert "Taxans pris" in texts and "Referenspris" in texts
    assert "Us,riskbedömn och hälsofr åtg" in texts
