"""The kostnadsförslag: a quote answered as a document for the patient, in Swedish.

``POST /v1/quotes?format=html|pdf`` and ``taxa quote FILE --format html|pdf`` quote the request
with :func:`app.quotes.quoting.run_quote` and print THAT answer (:class:`QuoteOut`), so the
document carries the JSON answer's figures, never figures of its own. It reuses the board
report's machinery: the Jinja2 environment and Swedish number formats of :mod:`app.report.html`
and :mod:`app.report.fmt` ("1 100,00 kr"), and WeasyPrint through :mod:`app.report.pdf` (A4).

It says who issues it and when, how long it is valid (:class:`app.quotes.rules.EstimateTerms`),
each åtgärd with its price, reference price, which ersättning it can give (förordning 2008:193
9–10 §§), the ATB/STB used, what the state, the region and the patient pay; the totals; what it
rests on (the patient's state as the clinic entered it, the rule sets, the thresholds and every
uncertain value used); and that Försäkringskassan decides the ersättning.

The patient's name and personnummer (``patient_name``, ``personnummer``) are only printed here:
this module neither stores nor logs them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.quotes.rules import EstimateTerms
from app.quotes.schemas import LineOut, QuoteIn, QuoteOut
from app.report import fmt
from app.report.html import SERVICE, environment
from pricing.regional import RegionalSupport
from pricing.subsidy import Ersattning, ErsattningReason

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "kostnadsforslag.html.j2"
TITLE = "Kostnadsförslag"


class DocumentFormat(StrEnum):
    """The answers of ``POST /v1/quotes``: the JSON quote, or the kostnadsförslag."""

    JSON = "json"
    HTML = "html"
    PDF = "pdf"


MEDIA_TYPES = {
    DocumentFormat.HTML: "text/html; charset=utf-8",
    DocumentFormat.PDF: "application/pdf",
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (30 November + 3 → 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Why a line gives no ersättning, or allmän rather than särskild (the 67+ rule's age).
NO_ERSATTNING = {
    ErsattningReason.INTERN_CODE: "ingår inte i tandvårdsstödet",
    ErsattningReason.NO_REFERENCE_PRICE: "inget referenspris",
    ErsattningReason.FREE_CARE: "avgiftsfri tandvård, regionen betalar",
    ErsattningReason.REGIONAL_SUPPORT: "regionalt tandvårdsstöd",
}
NOT_SARSKILD = {  # short: the note below the table says the rule
    ErsattningReason.PRICE_ABOVE_REFERENCE: "priset är högre än referenspriset",
    ErsattningReason.OUTSIDE_SARSKILD_SCOPE: "åtgärden omfattas inte",
    ErsattningReason.TOOTH_POSITION: "fast protetik bakom tand 5",
}
ERSATTNING = {
    Ersattning.ALLMAN: "Allmän tandvårdsersättning",
    Ersattning.SARSKILD: "Särskild tandvårdsersättning",
}
REGIONAL_SUPPORT = {
    RegionalSupport.NODVANDIG: "nödvändig tandvård",
    RegionalSupport.SJUKDOMSBEHANDLING: "tandvård som ett led i en sjukdomsbehandling",
}


def ersattning_text(line: LineOut) -> tuple[str, str | None]:
    """The ersättning in Swedish, and why (not särskild, or none at all)."""
    if line.ersattning is None:
        reason = line.ersattning_reason
        return "Ingen ersättning", NO_ERSATTNING.get(reason) if reason else None
    why = NOT_SARSKILD.get(line.ersattning_reason) if line.ersattning_reason else None
    return ERSATTNING[line.ersattning], None if why is None else f"inte särskild: {why}"


# An uncertain value the engine used (pricing.subsidy._uncertain_note's wording).
_UNCERTAIN = re.compile(
    r"^uncertain value \(L\) used from (?P<label>[^:]+): (?P<name>\S+) = "
    r"(?P<value>.*?) \(source: (?P<source>.*)\)$",
    re.DOTALL,
)
_REFERENCE_LIST = re.compile(r"^reference price from (?P<name>.+?), in force (?P<span>.+)$")

# What an uncertain value is, in the patient's words (the name as data says it otherwise).
VALUE_NAMES = {
    "high_cost_protection.lower_threshold": "karensen i högkostnadsskyddet",
    "high_cost_protection.upper_threshold": "övre gränsen i högkostnadsskyddet",
    "tiotandvard.min_age": "åldersgränsen för särskild tandvårdsersättning",
    "tiotandvard.scope.included": "vilka åtgärder som ger särskild tandvårdsersättning",
    "tiotandvard.scope.excluded": "vilka åtgärder som inte ger särskild tandvårdsersättning",
    "tiotandvard.scope.position_limited": "vilken fast protetik som ger särskild "
    "tandvårdsersättning bara till och med tandposition 5",
    "tiotandvard.patient_share_percent": "din andel vid särskild tandvårdsersättning",
    "stb.codes": "vilka åtgärder särskilt tandvårdsbidrag får betala",
    "stb.amount_per_half_year": "särskilt tandvårdsbidrag per halvår",
    "atb.bands": "allmänt tandvårdsbidrag efter ålder",
    "atb.transition": "övergångsregeln för allmänt tandvårdsbidrag",
    "free_care.through_age": "åldersgränsen för avgiftsfri tandvård",
    "free_care.transition": "övergångsregeln för avgiftsfri tandvård",
    "visit_fee": "regionens besöksavgift",
    "fee_codes": "koderna för besöksavgiften",
    "frikort_ceiling": "högkostnadstaket för frikort",
    "free_from_age": "åldern från vilken besöken är avgiftsfria",
}


@dataclass(frozen=True)
class Uncertain:
    where: str  # "regelverk 2026", "regionens regler 2026-01-01–"
    name: str
    what: str  # the name in Swedish, or the name itself
    value: str
    source: str


def uncertain_values(notes: list[str]) -> list[Uncertain]:
    found = []
    for note in notes:
        match = _UNCERTAIN.match(note)
        if match is None:
            continue
        label, name = match["label"], match["name"]
        where = (
            label.replace("rule set ", "regelverk ", 1)
            if label.startswith("rule set ")
            else label.replace("regional rules ", "regionens regler ", 1)
        )
        found.append(
            Uncertain(where, name, VALUE_NAMES.get(name, name), match["value"], match["source"])
        )
    return found


def reference_lists(quote: QuoteOut) -> list[str]:
    """The reference lists that priced the lines, as their notes name them."""
    names: dict[str, None] = {}
    for line in quote.lines:
        for note in line.notes:
            match = _REFERENCE_LIST.match(note)
            if match:
                span = match["span"].replace("further notice", "tills vidare")
                names[f"{match['name']}, gällande {span}"] = None
    return list(names)


def context(quote: QuoteOut, body: QuoteIn, terms: EstimateTerms, today: date) -> dict[str, Any]:
    """What the template sees."""
    lines = []
    for line in quote.lines:
        name, why = ersattning_text(line)
        lines.append({"line": line, "ersattning": name, "why": why})
    patient = body.patient
    regional = patient.regional_support
    any_region = any(line.region for line in quote.lines)
    return {
        "title": TITLE,
        "service": SERVICE,
        "quote": quote,
        "lines": lines,
        "totals": quote.totals,
        "terms": terms,
        "today": today,
        "valid_until": add_months(today, terms.valid_months),
        "patient_name": body.patient_name,
        "personnummer": body.personnummer,
        "patient": patient,
        "regional": None if regional is None else REGIONAL_SUPPORT[regional],
        "show_region": any_region or bool(quote.regional_visits),
        "show_extras": any(line.material_kr or line.technical_kr for line in quote.lines),
        "uncertain": uncertain_values(quote.notes),
        "reference_lists": reference_lists(quote),
        "fmt": fmt,
        "ZERO": Decimal(0),
    }


def render_html(quote: QuoteOut, body: QuoteIn, terms: EstimateTerms, today: date) -> str:
    template = environment(TEMPLATES).get_template(TEMPLATE)
    return str(template.render(**context(quote, body, terms, today)))


def render_document(quote: QuoteOut, body: QuoteIn, terms: EstimateTerms, today: date) -> Any:
    """The laid-out A4 pages (a ``weasyprint.Document``): the tests inspect its boxes."""
    from app.report.pdf import layout

    return layout(render_html(quote, body, terms, today))


def render_pdf(quote: QuoteOut, body: QuoteIn, terms: EstimateTerms, today: date) -> bytes:
    from app.report.pdf import write_pdf

    return write_pdf(render_document(quote, body, terms, today), f"{TITLE} {terms.name}")


def filename(owner: str, today: date, document: DocumentFormat) -> str:
    """``kostnadsforslag-region-jonkoping-2026-12-01.pdf`` (ASCII, no patient data)."""
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", owner).strip("-") or "taxa"
    return f"kostnadsforslag-{safe}-{today.isoformat()}.{document.value}"


def render(
    quote: QuoteOut, body: QuoteIn, terms: EstimateTerms, today: date, document: DocumentFormat
) -> bytes:
    if document is DocumentFormat.PDF:
        return render_pdf(quote, body, terms, today)
    if document is DocumentFormat.HTML:
        return render_html(quote, body, terms, today).encode("utf-8")
    raise ValueError(f"not a document format: {document}")
