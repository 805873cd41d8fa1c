"""The report's charts: matplotlib (object API, no pyplot state) drawn as SVG, in Swedish.

Every chart has a title, labelled axes with their unit, and Swedish numbers (decimal comma,
minus sign). Figures arrive as exact Decimals and become floats here, at the drawing boundary
only. The SVG is deterministic (fixed hash salt, no date), its text drawn as paths so it looks
the same in every browser and in the PDF. Each function returns None when there is nothing to
draw (the template then says why).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from app.report.data import ReportData
from app.report.fmt import MINUS, percent
from app.report.text import ratio_label

WIDTH_IN = 6.7  # the A4 page's content width (210 mm − 2 × 18 mm margins)
BAR = "#2f6d8f"
BAR_ALT = "#c7a252"
LIMIT = "#b8322a"
STYLE: dict[str, Any] = {
    "svg.hashsalt": "taxa-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _f(value: Decimal) -> float:
    return float(value)


def _pct_tick(value: float, _pos: object = None) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return text.replace("-", MINUS) + "\u00a0%"


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def data_uri(svg: str) -> str:
    """The SVG as a data URI for an <img>: each chart is its own document (no id clashes)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _draw(height: float, draw: Any) -> str:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context(cast(Any, STYLE)):
        fig = Figure(figsize=(WIDTH_IN, height))
        ax = fig.subplots()
        draw(ax)
        fig.tight_layout()
        return _svg(fig)


def _barh_labels(ax: Any, bars: Any, values: Sequence[Decimal | None]) -> None:
    for bar, value in zip(bars, values, strict=True):
        if value is None:
            continue
        x = bar.get_width()
        ax.annotate(
            percent(value),
            (x, bar.get_y() + bar.get_height() / 2),
            xytext=(3 if x >= 0 else -3, 0),
            textcoords="offset points",
            ha="left" if x >= 0 else "right",
            va="center",
            fontsize=7.5,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
        )


def deviation_by_group(data: ReportData) -> str | None:
    """Horizontal bars: the deviation per åtgärdsgrupp, with the limit drawn as a line."""
    from matplotlib.ticker import FuncFormatter

    f = data.figures
    groups = [
        (g, fig.deviation_percent)
        for g, fig in f.deviation.by_group.items()
        if fig.deviation_percent is not None
    ]
    if not groups:
        return None
    groups.sort(key=lambda g: g[1] or Decimal(0))
    limit = f.limit_percent
    weighting = "volymvägd" if f.weighted else "ovägd"

    def draw(ax: Any) -> None:
        values = [v for _, v in groups]
        bars = ax.barh(
            [g for g, _ in groups], [_f(v) for v in values if v is not None], color=BAR, height=0.6
        )
        _barh_labels(ax, bars, values)
        ax.axvline(
            _f(limit),
            color=LIMIT,
            linestyle="--",
            linewidth=1,
            zorder=0,
            label=f"Beslutad gräns {percent(limit, 0)}",
        )
        if any(v is not None and v < 0 for v in values):
            ax.axvline(_f(-limit), color=LIMIT, linestyle="--", linewidth=1, zorder=0)
        ax.legend(loc="lower right", fontsize=7.5, frameon=False)
        top = max([_f(limit)] + [_f(v) for v in values if v is not None])
        low = min([0.0] + [_f(v) for v in values if v is not None])
        ax.set_xlim(low * 1.15, top * 1.18)
        ax.xaxis.set_major_formatter(FuncFormatter(_pct_tick))
        ax.set_title(
            f"Avvikelse från referensprislistan per åtgärdsgrupp ({weighting})", loc="left"
        )
        ax.set_xlabel("Avvikelse: intäkt till taxans pris mot intäkt till referenspris (%)")
        ax.set_ylabel("Åtgärdsgrupp")

    return _draw(1.3 + 0.3 * len(groups), draw)


def ratio_distribution(data: ReportData) -> str | None:
    """Vertical bars: the share of the volume (or of the items) per price ÷ reference band."""
    from matplotlib.ticker import FuncFormatter

    f = data.figures
    bins = f.ratio_bins
    if not any(b.weight for b in bins):
        return None
    weighted = f.weighted

    def draw(ax: Any) -> None:
        labels = [ratio_label(b) for b in bins]
        values = [b.share_percent or Decimal(0) for b in bins]
        bars = ax.bar(labels, [_f(v) for v in values], color=BAR, width=0.65)
        for bar, value in zip(bars, values, strict=True):
            ax.annotate(
                percent(value, 1),
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7.5,
            )
        ax.set_ylim(0, max(_f(v) for v in values) * 1.18)
        ax.yaxis.set_major_formatter(FuncFormatter(_pct_tick))
        ax.tick_params(axis="x", labelsize=7.5)
        what = "volymen" if weighted else "åtgärderna (ovägt)"
        ax.set_title(f"Pris ÷ referenspris: fördelning över {what}", loc="left")
        ax.set_xlabel("Taxans pris ÷ referenspriset (kvot)")
        ax.set_ylabel(f"Andel av {'volymen' if weighted else 'åtgärderna'} (%)")

    return _draw(3.0, draw)


def change_by_group(data: ReportData) -> str | None:
    """Grouped horizontal bars per åtgärdsgrupp: the price change and the reference change."""
    from matplotlib.ticker import FuncFormatter

    f = data.figures
    groups = [g for g in f.group_changes if g.price_change_percent is not None]
    if not groups or data.previous is None:
        return None
    weighting = "volymvägt" if f.weighted else "ovägt"

    def draw(ax: Any) -> None:
        positions = list(range(len(groups)))
        prices = [g.price_change_percent for g in groups]
        refs = [g.reference_change_percent for g in groups]
        h = 0.38
        price_bars = ax.barh(
            [p + h / 2 for p in positions],
            [_f(v) if v is not None else 0.0 for v in prices],
            height=h,
            color=BAR,
            label="Taxans pris",
        )
        ref_bars = ax.barh(
            [p - h / 2 for p in positions],
            [_f(v) if v is not None else 0.0 for v in refs],
            height=h,
            color=BAR_ALT,
            label="Referenspris",
        )
        _barh_labels(ax, price_bars, prices)
        _barh_labels(ax, ref_bars, refs)
        ax.set_yticks(positions, [g.group for g in groups])
        ax.invert_yaxis()
        ax.axvline(0, color="#444444", linewidth=0.8)
        values = [_f(v) for v in prices + refs if v is not None]
        span = max([abs(v) for v in values] + [1.0])
        ax.set_xlim(min(0.0, min(values)) - span * 0.2, max(0.0, max(values)) + span * 0.25)
        ax.xaxis.set_major_formatter(FuncFormatter(_pct_tick))
        ax.legend(loc="lower right", fontsize=7.5, frameon=False)
        ax.set_title(
            f"Prisförändring mot föregående taxa per åtgärdsgrupp ({weighting})", loc="left"
        )
        ax.set_xlabel("Förändring mot föregående taxa (%)")
        ax.set_ylabel("Åtgärdsgrupp")

    return _draw(1.4 + 0.42 * len(groups), draw)


def charts(data: ReportData) -> dict[str, str | None]:
    """Every chart of the report by name, as SVG text (None: nothing to draw)."""
    return {
        "deviation_by_group": deviation_by_group(data),
        "ratio_distribution": ratio_distribution(data),
        "change_by_group": change_by_group(data),
    }
