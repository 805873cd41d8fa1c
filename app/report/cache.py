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

import io
import threading
from collections import OrderedDict
from collections.abc import Hashable
from functools import cache

from app.report.data import ReportData
from app.report.formats import Rendered, ReportFormat, render

KEPT = 16  # rendered reports (a PDF is ~70 KiB, the HTML ~80 KiB)


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


@cache
def warm_report_machinery() -> None:
    """Import WeasyPrint and matplotlib and make a line of PDF and a small chart, once per
    process: the imports and font loading (~3 s on a 2-core machine) are then not the first
    report's (`taxa serve` runs this in a background thread at start-up)."""
    from matplotlib.figure import Figure

    from app.report import charts  # noqa: F401  (its matplotlib settings)
    from app.report.pdf import layout, write_pdf

    write_pdf(
        layout(
            '<html lang="sv"><body style="font-family: DejaVu Sans">Åtgärd '
            "<b>1 100,00 kr</b></body></html>"
        ),
        "warm",
    )
    figure = Figure(figsize=(2, 1))
    figure.add_subplot().bar([1, 2], [3, 4])
    figure.savefig(io.BytesIO(), format="svg")
