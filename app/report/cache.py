"""Rendered reports kept per process: a report is a function of stored versions that never
change, so the second request for the same one is answered from memory (issue 12).

What a report shows depends on the schedule (its items and import warnings never change after
the import; its status does, so the status is part of the key), the previous schedule and the
jour taxa chosen (ids and statuses in the key: an activation or a new jour draft makes another
key), the volumes (a stored set by id, a file or the bundled example by SHA-256), the limit and
the format; the rules and jour windows are read once per process. The figures are composed from
the database on every request (tens of milliseconds: the errors stay the route's own); only the
rendering, charts and WeasyPrint's layout, which take about a second for a PDF, is kept. A kept
document says when it was made ("Skapad …"): the first time, by construction the same figures.
"""

from __future__ import annotations

import gc
import re
import threading
from collections import OrderedDict
from collections.abc import Hashable
from decimal import Decimal
from functools import cache
from typing import Any

from app.report.data import ReportData
from app.report.formats import Rendered, ReportFormat, render

KEPT = 16  # rendered reports (a PDF is ~70 KiB, the HTML ~80 KiB)

# Set once a report is being rendered: the warm-up then leaves out what that report does anyway.
RENDERING = threading.Event()


def report_key(data: ReportData, fmt: ReportFormat) -> Hashable:
    """Everything a rendered report depends on but the moment it was made."""
    jour = data.jour
    return (
        data.schedule,
        data.previous,
        data.previous_named,
        jour.schedule,
        jour.derived,
        jour.rule_file,
        jour.unavailable,
        data.volumes,
        str(data.figures.limit_percent),
        fmt,
    )


class RenderedReports:
    """A bounded, least-recently-used store of rendered reports; one render per key at a time
    (a second request for a report being made waits for it rather than making it again)."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._rendered: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._making: dict[Hashable, threading.Lock] = {}

    def render(self, data: ReportData, fmt: ReportFormat) -> Rendered:
        key = report_key(data, fmt)
        with self._lock:
            found = self._rendered.get(key)
            if found is not None:
                self._rendered.move_to_end(key)
                return found
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                found = self._rendered.get(key)
            if found is None:
                RENDERING.set()
                found = render(data, fmt)
                with self._lock:
                    self._rendered[key] = found
                    while len(self._rendered) > self._kept:
                        self._rendered.popitem(last=False)
            with self._lock:
                self._making.pop(key, None)
            return found

    def clear(self) -> None:
        with self._lock:
            self._rendered.clear()


# A page in the report's own CSS with each kind of element it lays out (headings, notes, a table
# with a header, figures right-aligned, a sum row and a verdict, a chart, a list): the first
# report then finds WeasyPrint's fonts (regular and bold, each size), the code paths of tables
# and SVG images, and matplotlib's fonts for a chart warm.
WARM_BODY = """<h1>Taxa 2025: underlag till nämnden</h1>
<p class="meta">Skapad den 1 januari 2025.</p><p class="example">EXEMPELVOLYMER</p>
<h2>Avvikelse från referensprislistan</h2><p>Åtgärd <b>1 100 kr</b>.</p>
<p class="note">Avvikelse = (intäkt till pris ÷ intäkt till referenspris − 1) × 100.</p>
<figure><img src="{chart}" alt="Stapeldiagram"></figure>
<h3>Per åtgärdsgrupp</h3>
<table><colgroup><col style="width:40%"><col style="width:30%"><col style="width:30%"></colgroup>
<thead><tr><th>Åtgärdsgrupp</th><th class="num">Intäkt till pris</th><th>Inom</th></tr></thead>
<tbody><tr><td>Undersökning</td><td class="num">1\u00a0234\u00a0567 kr</td>
<td class="status status-met">Uppfylld</td></tr>
<tr class="sum"><td>Summa</td><td class="num">\u22122,5\u00a0%</td>
<td class="status status-not_met">Ej uppfylld</td></tr></tbody></table>
<ul><li>Föregående taxa: ingen.</li></ul>"""


def _warm_chart() -> str:
    """A small chart drawn as the report's are (its style, a bold title, labels, a legend)."""
    from app.report import charts

    def draw(ax: Any) -> None:
        bars = ax.barh(["Undersökning", "Röntgen"], [3.5, 1.25], color=charts.BAR, height=0.6)
        charts._barh_labels(ax, bars, [Decimal("3.5"), Decimal("1.25")])
        ax.axvline(7, color=charts.LIMIT, linestyle="--", linewidth=1, label="Beslutad gräns")
        ax.legend(loc="lower right", fontsize=7.5, frameon=False)
        ax.set_title("Avvikelse per åtgärdsgrupp", loc="left")
        ax.set_xlabel("Avvikelse (%)")

    return charts.data_uri(charts._draw(1.6, draw))


def warm_page() -> str:
    """The warm-up page: :data:`WARM_BODY` in the report template's own ``<style>``."""
    from app.report.html import TEMPLATE, TEMPLATES

    source = (TEMPLATES / TEMPLATE).read_text("utf-8")
    style = re.search(r"<style>.*?</style>", source, re.DOTALL)
    css = re.sub(r"\{\{.*?\}\}", "Taxa", style.group(0)) if style else ""
    body = WARM_BODY.format(chart=_warm_chart())
    head = f'<head><meta charset="utf-8">{css}</head>'
    return f'<!DOCTYPE html><html lang="sv">{head}<body>{body}</body></html>'


@cache
def warm_report_machinery() -> None:
    """Import WeasyPrint and matplotlib, compile the report template and make a page of PDF
    in the report's CSS with a chart, once per process: the imports, font loading and first
    layout (~3 s on a 2-core machine) are then not the first report's (`taxa serve` runs this
    in a background thread at start-up). If a report is asked for before the page is made, the
    page is left out: that report would only share the processor with it.

    When the server has frozen its start-up heap (``TAXA_FREEZE_HEAP``, app/main.py), what
    this loaded is frozen too: WeasyPrint's, matplotlib's and fontTools' modules are ~80 000
    objects that every full collection during a report would otherwise walk again (~60-100 ms
    of garbage collection less per PDF, measured). Objects of requests in flight at that moment
    are frozen with them: a one-off, as with the start-up heap."""
    from matplotlib.backends import backend_svg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401

    from app.report.html import TEMPLATE, environment
    from app.report.pdf import html_class, layout, write_pdf

    html_class()  # WeasyPrint imported, its narrowed stylesheet parsed
    environment().get_template(TEMPLATE)
    if not RENDERING.is_set():
        write_pdf(layout(warm_page()), "warm")
    if gc.get_freeze_count():
        gc.collect()
        gc.freeze()
