"""Checks of a laid-out A4 document, shared by the board report's and the kostnadsförslag's
layout tests (``pythonpath`` in pyproject.toml puts this folder on the path).

* :func:`layout_problems`: WeasyPrint's own layout boxes: every box inside the page's content
  area, every line of text inside its table cell, no table wider than the page, no replaced box
  (a chart) taller than a page;
* :func:`page_problems`: a page rendered to PNG (:func:`pngs`, pypdfium2): nothing but white in
  the margins (18 mm left and right, 16 mm top) except the footer, and ink on the page.

Both documents use the same page: A4, margins 16 mm 18 mm 18 mm 18 mm, a footer in the bottom
margin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

EPS = 0.5  # CSS px: rounding in the layout
SCALE = 2.0  # 144 dpi
PX_PER_MM = 72 / 25.4 * SCALE


def walk(box: Any, cell: Any = None) -> Iterator[tuple[Any, Any]]:
    """Every box below ``box`` with the table cell it sits in (None outside tables)."""
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", []):
        inner = child if isinstance(child, boxes.TableCellBox) else cell
        yield child, inner
        yield from walk(child, inner)


def _content_area(page_box: Any) -> tuple[float, float, float, float]:
    left, top = page_box.content_box_x(), page_box.content_box_y()
    return left, top, left + page_box.width, top + page_box.height


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
        for box, cell in walk(root):
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


def pngs(pdf: bytes, scale: float = SCALE) -> list[Any]:
    """The PDF's pages as greyscale PIL images."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=scale).to_pil().convert("L") for i in range(len(document))]
    finally:
        document.close()


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
