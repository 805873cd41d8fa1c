"""The report as XLSX, for a controller who recomputes: every figure a number, never text.

Sheets: Sammanfattning (the key figures as numbers with their unit, the summary sentences and
the verdicts), Åtgärder (every item: price, reference price, difference in kronor and %,
volume, revenue at both prices, contribution, why it is left out), Per grupp, Per kategori,
Prisförändringar, Jourkontroll, Utanför jämförelsen and Importvarningar.

Amounts are exact (Decimal, two decimals: Σ Intäkt in Åtgärder is the total revenue to the öre).
Percentages are stored as fractions with a percent format (0.0745 shows as 7,45 %), exact to 12
decimals, so ``=SUM(…)/SUM(…)-1`` gives the same figure. Every text cell goes through
:func:`app.taxa.export.neutralise`: text starting with ``=``, ``+``, ``-`` or ``@`` is prefixed with
``'`` so no spreadsheet program runs it as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from app.report import text
from app.report.data import ReportData
from app.taxa.export import neutralise
from pricing.deviation import Figures
from pricing.jour import JourFindingKind
from pricing.money import ORE, round_money

KR = '#,##0.00" kr"'
INT = "#,##0"
PCT = "0.00%"
FRACTION = Decimal("1e-12")


def fraction(percent: Decimal | None) -> Decimal | None:
    """A percentage (7.45…) as the fraction Excel formats as a percentage (0.0745…)."""
    return None if percent is None else (percent / 100).quantize(FRACTION)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | Decimal | date):
        return value
    return neutralise(str(value))


class _Sheet:
    """Rows appended with a number format per column; text neutralised."""

    def __init__(
        self,
        workbook: Any,
        title: str,
        headings: Sequence[str],
        formats: Sequence[str | None],
        widths: Sequence[int],
    ) -> None:
        from openpyxl.styles import Font

        self.ws = workbook.create_sheet(title)
        self.formats = formats
        self.ws.append([_cell(h) for h in headings])
        for cell in self.ws[1]:
            cell.font = Font(bold=True)
        self.ws.freeze_panes = "A2"
        from openpyxl.utils import get_column_letter

        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def rows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.ws.append([_cell(v) for v in row])
            for cell, number_format in zip(self.ws[self.ws.max_row], self.formats, strict=False):
                if number_format and cell.value is not None:
                    cell.number_format = number_format


def _key_figures(data: ReportData) -> list[tuple[str, Any, str | None, str]]:
    """(label, value, number format, unit/explanation) for the summary sheet."""
    f = data.figures
    d = f.deviation
    t = d.total
    c = f.counts
    p = d.price_position
    weighted = "volymvägd" if f.weighted else "ovägd (varje kod en gång)"
    rows: list[tuple[str, Any, str | None, str]] = [
        ("Schema (id)", data.schedule.id, None, data.schedule.name),
        ("Giltig från", data.schedule.valid_from, "yyyy-mm-dd", ""),
        ("Volymvägda siffror", f.weighted, None, "FALSKT: inga volymer, siffrorna är ovägda"),
        ("Exempelvolymer (påhittade)", data.volumes.example, None, ""),
        ("Åtgärder", c.total, INT, "antal"),
        ("Åtgärder, externa", c.extern, INT, "antal"),
        ("Åtgärder, interna", c.intern, INT, "antal"),
        ("Åtgärder utan kod (Ny kod)", c.without_code, INT, "antal"),
        ("Jämförda åtgärder", t.items, INT, "externa med referenspris och volym"),
        ("Volym, jämförda åtgärder", t.volume, INT, "debiterade enheter"),
        ("Intäkt till taxans pris", t.revenue, KR, f"Σ volym × pris ({weighted})"),
        (
            "Intäkt till referenspris",
            t.reference_revenue,
            KR,
            f"Σ volym × referenspris ({weighted})",
        ),
        ("Avvikelse", fraction(d.deviation_percent), PCT, "intäkt ÷ referensintäkt − 1"),
        ("Gräns", fraction(f.limit_percent), PCT, "tjänsteskrivelsen"),
        ("Inom gränsen", d.within if f.weighted else None, None, "tomt: kan inte bedömas"),
        (
            "Utrymme till gränsen",
            round_money(d.headroom, ORE) if f.weighted else None,
            KR,
            "referensintäkt × (1 + gräns) − intäkt; negativt: över; tomt utan volymer",
        ),
        ("Enhetlig prisändring till gränsen", fraction(d.uniform_change_percent), PCT, ""),
        ("Avvikelse utan utbytesåtgärder", fraction(d.without_utbyte.deviation_percent), PCT, ""),
        ("Avvikelse, bara utbytesåtgärder", fraction(d.utbyte.deviation_percent), PCT, ""),
        ("Externa över referenspris", p.above, INT, "antal"),
        ("Externa lika med referenspris", p.at, INT, "antal"),
        ("Externa under referenspris", p.below, INT, "antal"),
        (
            "Intäkt utanför jämförelsen",
            d.left_out_revenue,
            KR,
            "interna och externa utan referenspris",
        ),
    ]
    y = f.year_on_year
    if y is not None:
        rows += [
            (
                "Prisförändring mot föregående taxa",
                fraction(y.price_change_percent),
                PCT,
                f"{y.reference_codes} koder med referenspris i båda",
            ),
            (
                "Referenslistans förändring",
                fraction(y.reference_change_percent),
                PCT,
                "samma koder",
            ),
            (
                "Prisförändring, alla koder i båda",
                fraction(y.price_change_all_percent),
                PCT,
                f"{y.all_codes} koder",
            ),
        ]
    if f.jour is not None:
        rows.append(("Jourkontroll: fynd", len(f.jour.findings), INT, "antal"))
        for kind in JourFindingKind:
            rows.append(
                (
                    f"Jourkontroll: {text.JOUR_KIND_LABEL[kind].lower()}",
                    f.jour_counts.get(kind, 0),
                    INT,
                    "antal",
                )
            )
    if f.tio is not None:
        rows += [
            (
                "Tiotandvård 67+: åtgärder som omfattas",
                f.tio.items_in_scope,
                INT,
                f"regeluppsättning {f.tio.rule_set_id}"
                + ("" if f.tio.applies else f" (inför {f.tio.rule_valid_from.year})"),
            ),
            ("Tiotandvård 67+: varav pris ≤ referenspris", f.tio.items_qualifying, INT, ""),
            ("Tiotandvård 67+: andel av åtgärderna", fraction(f.tio.share_items_percent), PCT, ""),
            ("Tiotandvård 67+: andel av volymen", fraction(f.tio.share_volume_percent), PCT, ""),
        ]
    rows.append(("Importvarningar", len(data.import_warnings), INT, "antal"))
    return rows


def _figures_row(label: str, x: Figures, weighted: bool) -> list[Any]:
    """One row of figures; without volumes there is no limit to be within (left empty)."""
    return [
        label,
        x.items,
        x.volume,
        x.revenue,
        x.reference_revenue,
        fraction(x.deviation_percent),
        x.within if weighted else None,
        round_money(x.headroom, ORE) if weighted else None,
    ]


FIGURES_HEADINGS = [
    "",
    "Åtgärder",
    "Volym",
    "Intäkt till pris (kr)",
    "Intäkt till referenspris (kr)",
    "Avvikelse",
    "Inom gränsen",
    "Utrymme (kr)",
]
FIGURES_FORMATS = [None, INT, INT, KR, KR, PCT, None, KR]
FIGURES_WIDTHS = [34, 10, 12, 20, 24, 11, 12, 16]


def render_xlsx(data: ReportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    f = data.figures
    d = f.deviation
    wb = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)

    summary = _Sheet(
        wb,
        "Sammanfattning",
        ["Nyckeltal", "Värde", "Enhet / förklaring"],
        [None, None, None],
        [42, 22, 70],
    )
    for label, value, number_format, unit in _key_figures(data):
        summary.ws.append([_cell(label), _cell(value), _cell(unit)])
        if number_format and value is not None:
            summary.ws.cell(summary.ws.max_row, 2).number_format = number_format
    summary.ws.append([])
    summary.ws.append([_cell("Sammanfattning")])
    summary.ws.cell(summary.ws.max_row, 1).font = Font(bold=True)
    for sentence in text.summary(data):
        summary.ws.append([_cell(sentence)])
    summary.ws.append([])
    summary.ws.append([_cell(h) for h in ("Princip", "Bedömning", "Skäl och underlag")])
    for cell in summary.ws[summary.ws.max_row]:
        cell.font = Font(bold=True)
    for v in text.verdicts(data):
        summary.ws.append([_cell(v.principle), _cell(v.label), _cell(v.reason)])
        for cell in summary.ws[summary.ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    items = _Sheet(
        wb,
        "Åtgärder",
        [
            "Kod",
            "Kategori",
            "Åtgärdsgrupp",
            "Extern/intern",
            "Åtgärdstext",
            "Enhet",
            "Pris (kr)",
            "Referenspris (kr)",
            "Skillnad (kr)",
            "Skillnad (%)",
            "Volym",
            "Intäkt till pris (kr)",
            "Intäkt till referenspris (kr)",
            "Bidrag till avvikelsen (kr)",
            "I jämförelsen",
            "Utbytesåtgärd",
            "Tiotandvård 67+",
            "Föregående pris (kr)",
            "Prisförändring (%)",
            "Källrader",
        ],
        [
            None,
            None,
            None,
            None,
            None,
            None,
            KR,
            KR,
            KR,
            PCT,
            INT,
            KR,
            KR,
            KR,
            None,
            None,
            None,
            KR,
            PCT,
            None,
        ],
        [8, 9, 28, 12, 60, 12, 12, 16, 13, 12, 10, 18, 24, 22, 28, 13, 16, 18, 16, 14],
    )
    items.rows(
        [
            r.item.code or "",
            r.item.category.value if r.item.category else "",
            r.item.group,
            r.item.kind.value,
            " / ".join(dict.fromkeys(r.item.texts)),
            text.item_unit(r.item),
            r.item.price,
            r.item.reference_price,
            r.difference,
            fraction(r.difference_percent),
            r.volume,
            r.revenue,
            r.reference_revenue,
            r.contribution,
            text.LEFT_OUT_LABEL[r.status],
            r.utbyte,
            None
            if r.tio_in_scope is None
            else (
                "omfattas" + (" (tandposition 1–5)" if r.tio_position_limited else "")
                if r.tio_in_scope
                else "omfattas inte"
            ),
            r.previous_price,
            fraction(r.price_change_percent),
            ", ".join(str(n) for n in r.item.source_rows),
        ]
        for r in f.items
    )
    items.ws.auto_filter.ref = items.ws.dimensions

    groups = _Sheet(
        wb, "Per grupp", ["Åtgärdsgrupp", *FIGURES_HEADINGS[1:]], FIGURES_FORMATS, FIGURES_WIDTHS
    )
    groups.rows(_figures_row(g, x, f.weighted) for g, x in d.by_group.items())
    groups.rows(
        [
            _figures_row("Alla jämförda åtgärder", d.total, f.weighted),
            _figures_row("Utan utbytesåtgärder", d.without_utbyte, f.weighted),
            _figures_row("Bara utbytesåtgärder", d.utbyte, f.weighted),
        ]
    )
    categories = _Sheet(
        wb, "Per kategori", ["Kategori", *FIGURES_HEADINGS[1:]], FIGURES_FORMATS, FIGURES_WIDTHS
    )
    categories.rows(
        _figures_row(text.CATEGORY_LABEL[c.value if c else None], x, f.weighted)
        for c, x in d.by_category.items()
    )

    changes = _Sheet(
        wb,
        "Prisförändringar",
        [
            "Kod",
            "Åtgärdstext",
            "Föregående pris (kr)",
            "Nytt pris (kr)",
            "Ändring (kr)",
            "Ändring (%)",
            "Föregående referenspris (kr)",
            "Nytt referenspris (kr)",
            "Volym",
            "Effekt (kr)",
        ],
        [None, None, KR, KR, KR, PCT, KR, KR, INT, KR],
        [8, 60, 18, 14, 13, 12, 24, 20, 10, 16],
    )
    if data.previous is None:
        changes.ws.append([_cell("Ingen föregående taxa: kan inte bedömas")])
    changes.rows(
        [
            r.change.key,
            r.change.text,
            r.change.old_price,
            r.change.new_price,
            r.change.new_price - r.change.old_price,
            fraction(r.change.change_percent),
            r.change.old_reference_price,
            r.change.new_reference_price,
            r.volume,
            r.effect,
        ]
        for r in f.price_changes
    )
    if f.group_changes:
        changes.ws.append([])
        changes.ws.append(
            [
                _cell(h)
                for h in ("Åtgärdsgrupp", "Prisförändring", "Koder", "Referensförändring", "Koder")
            ]
        )
        for g in f.group_changes:
            changes.ws.append(
                [
                    _cell(g.group),
                    fraction(g.price_change_percent),
                    g.codes,
                    fraction(g.reference_change_percent),
                    g.reference_codes,
                ]
            )
            for column in (2, 4):
                changes.ws.cell(changes.ws.max_row, column).number_format = PCT

    jour = _Sheet(
        wb,
        "Jourkontroll",
        ["Fynd", "Kod", "Publicerat (kr)", "Förväntat (kr)", "Skillnad (kr)", "Beskrivning"],
        [None, None, KR, KR, KR, None],
        [22, 8, 16, 16, 14, 100],
    )
    if f.jour is None:
        jour.ws.append([_cell(f"Jourkontrollen kunde inte göras: {data.jour.unavailable}")])
    else:
        jour.rows(
            [
                text.JOUR_KIND_LABEL[x.kind],
                x.key,
                x.published,
                x.expected,
                x.difference,
                text.jour_description(x, data),
            ]
            for x in text.jour_findings(data)
        )

    left = _Sheet(
        wb,
        "Utanför jämförelsen",
        ["Kod", "Åtgärdstext", "Skäl", "Volym", "Intäkt (kr)"],
        [None, None, None, INT, KR],
        [10, 60, 30, 10, 16],
    )
    left.rows(
        [
            o.code or "Ny kod",
            text.item_text(o.key, data),
            text.LEFT_OUT_LABEL[o.reason.value],
            o.volume,
            o.revenue,
        ]
        for o in (*d.intern, *d.no_reference, *d.no_volume)
    )
    left.rows(
        [
            [u.code, "", "Volym för en kod som taxan inte har", u.volume, None]
            for u in d.unknown_volumes
        ]
    )

    warnings = _Sheet(
        wb,
        "Importvarningar",
        ["Rad", "Kod", "Varning", "Text"],
        [None, None, None, None],
        [8, 8, 70, 60],
    )
    warnings.rows(
        [w.row, text.warning_code(w, data), text.warning_text(w), w.value or ""]
        for w in data.import_warnings
    )

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
