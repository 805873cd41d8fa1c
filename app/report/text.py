"""The report's words: the Swedish summary sentences, verdicts and labels, made from ReportData.

Every renderer (HTML/PDF and XLSX) takes its sentences from here, so the formats say the same
thing. Figures are formatted by :mod:`app.report.fmt`; nothing is computed here beyond choosing
the words that fit the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from app.report.data import ReportData
from app.report.fmt import DASH, NBSP, count, kr, long_date, number, percent
from pricing.deviation import LeftOutReason
from pricing.jour import JourFinding, JourFindingKind, exemption
from pricing.report import Principle, RatioBin, Reason, Status, Verdict
from pricing.taxa import Item, Unit
from pricing.taxa_validation import Finding

STATUS_LABEL = {
    Status.MET: "Uppfylld",
    Status.NOT_MET: "Ej uppfylld",
    Status.CANNOT_ASSESS: "Kan inte bedömas",
}
SCHEDULE_STATUS = {"active": "aktiv", "draft": "utkast", "retired": "avslutad"}
UNIT_LABEL = {
    Unit.PER_ATGARD: "per åtgärd",
    Unit.PER_MINUTE: "per minut",
    Unit.PER_KRONA: "per krona",
    Unit.PER_BRACKET: "per bracket",
    Unit.PER_TOOTH: "per tand",
    Unit.PER_VISIT: "per besök",
}
LEFT_OUT_LABEL = {
    LeftOutReason.INTERN.value: "Intern kod: inget referenspris",
    LeftOutReason.NO_REFERENCE.value: "Extern kod utan referenspris",
    LeftOutReason.NO_VOLUME.value: "Ingen volym",
    "compared": "I jämförelsen",
}
JOUR_KIND_LABEL = {
    JourFindingKind.PRICE_DIFFERS: "Avvikande pris",
    JourFindingKind.REFERENCE_DIFFERS: "Avvikande referenspris",
    JourFindingKind.TEXT_DIFFERS: "Avvikande text",
    JourFindingKind.ONLY_IN_NORMAL: "Bara i normaltaxan",
    JourFindingKind.ONLY_IN_PUBLISHED: "Bara i jourtaxan",
    JourFindingKind.EXEMPT: "Undantag enligt regeln",
}
REFS = "avvikande referenspriser"
CATEGORY_LABEL = {"A": "A – allmäntandvård", "S": "S – specialisttandvård", None: "Utan kategori"}


def principle_text(principle: Principle, data: ReportData) -> str:
    """The principle as the tjänsteskrivelse words it (with this report's limit and rule)."""
    limit = percent(data.figures.limit_percent, 0)
    rule = data.jour.rule
    surcharge = percent(rule.percent, 0) if rule is not None else f"50{NBSP}%"
    return {
        Principle.FOLLOWS_REFERENCE: (
            "Taxan ska i största möjliga utsträckning följa referensprislistan."
        ),
        Principle.DEVIATION_LIMIT: (
            f"Den totala intäkten (åtgärd × volym × pris) får avvika max {limit} från "
            "referensprislistans totala intäkt, under förutsättning att referensprislistan inte "
            "höjs mer än normalt."
        ),
        Principle.FRISKTANDVARD: "Frisktandvården ska vara självfinansierad.",
        Principle.JOUR_SURCHARGE: (
            f"Tandvårdstaxa jourtid har ett generellt påslag på {surcharge} på den normala taxan."
        ),
    }[principle]


@dataclass(frozen=True)
class VerdictText:
    number: int
    principle: str
    status: Status
    label: str
    reason: str


def _deviation_phrase(data: ReportData) -> str:
    f = data.figures
    d = f.deviation
    weighting = "volymvägd" if f.weighted else "ovägd"
    return f"{percent(d.deviation_percent)} ({weighting})"


def _condition(data: ReportData) -> str:
    y = data.figures.year_on_year
    if y is None or data.previous is None:
        return (
            "Villkoret om att referensprislistan inte höjs mer än normalt kan inte bedömas: "
            "ingen föregående taxa att jämföra med."
        )
    weighting = "volymvägt" if data.figures.weighted else "ovägt"
    return (
        f"Villkoret: referensprislistan har ändrats med "
        f"{percent(y.reference_change_percent, signed=True)} ({weighting}, "
        f"{count(y.reference_codes, 'åtgärd', 'åtgärder')}) sedan {data.previous.name}. "
        "Principen anger inte vad en normal höjning är, så villkoret redovisas men bedöms "
        "inte."
    )


def _price_findings(data: ReportData) -> list[JourFinding]:
    jour = data.figures.jour
    return [] if jour is None else list(jour.of_kind(JourFindingKind.PRICE_DIFFERS))


def _verdict_reason(v: Verdict, data: ReportData) -> str:
    f = data.figures
    d = f.deviation
    p = d.price_position
    limit = percent(f.limit_percent, 0)
    if v.reason is Reason.NO_MEASURE:
        return (
            "Principen anger inget mått. Om avvikelsen är så liten som möjligt beror på "
            "Folktandvårdens fulla kostnad per åtgärd (konkurrensneutralitet), som tjänsten inte "
            f"har. Underlag: av {number(p.above + p.at + p.below)} externa åtgärder med "
            f"referenspris ligger {number(p.above)} över referenspriset, {number(p.at)} på det "
            f"och {number(p.below)} under; avvikelsen är {_deviation_phrase(data)}."
        )
    if v.reason is Reason.WITHIN:
        return (
            f"Avvikelsen är {_deviation_phrase(data)}, inom gränsen {limit}: "
            f"{kr(d.headroom)} kvar till gränsen. " + _condition(data)
        )
    if v.reason is Reason.OVER:
        return (
            f"Avvikelsen är {_deviation_phrase(data)}, över gränsen {limit}: intäkten "
            f"ligger {kr(-d.headroom)} över gränsen. " + _condition(data)
        )
    if v.reason is Reason.NO_VOLUMES:
        return (
            "Inga volymer: den totala intäkten (åtgärd × volym × pris) kan inte beräknas. "
            f"Ovägt, med varje åtgärd räknad en gång, är avvikelsen "
            f"{percent(d.deviation_percent)}; det är inte det mått principen anger."
        )
    if v.reason is Reason.NOTHING_COMPARED:
        return (
            "Ingen extern åtgärd med referenspris har en volym i volymerna: avvikelsen kan "
            "inte beräknas."
        )
    if v.reason is Reason.NO_DATA:
        return (
            "Tjänsten har inga uppgifter om frisktandvården (abonnemang, deras intäkter och "
            "kostnader), så principen kan inte prövas här."
        )
    if v.reason is Reason.CONSISTENT:
        exempt = f.jour_counts.get(JourFindingKind.EXEMPT, 0)
        return (
            f"Jourkontrollen fann inget jourpris som avviker från regeln; "
            f"{count(exempt, 'åtgärd är undantagen', 'åtgärder är undantagna')} enligt "
            "regeln."
        )
    if v.reason is Reason.DERIVED:
        return (
            f"Ingen jourtaxa som börjar {long_date(data.schedule.valid_from)} finns. En "
            "jourtaxa härledd ur denna taxa med regeln följer principen per konstruktion."
        )
    if v.reason is Reason.PRICE_FINDINGS:
        listed = "; ".join(
            f"{x.key} (publicerat {kr(x.published)}, regeln ger {kr(x.expected)})"
            for x in _price_findings(data)
        )
        return (
            f"{count(len(_price_findings(data)), 'jourpris avviker', 'jourpriser avviker')}"
            f" från regeln: {listed}."
        )
    assert v.reason is Reason.NO_JOUR_CHECK
    return f"Jourkontrollen kunde inte göras: {data.jour.unavailable}."


def verdicts(data: ReportData) -> list[VerdictText]:
    return [
        VerdictText(
            number=n,
            principle=principle_text(v.principle, data),
            status=v.status,
            label=STATUS_LABEL[v.status],
            reason=_verdict_reason(v, data),
        )
        for n, v in enumerate(data.figures.verdicts, start=1)
    ]


# --- the summary ------------------------------------------------------------------------------


def _schedule_sentence(data: ReportData) -> str:
    s = data.schedule
    until = f" till och med {long_date(s.valid_to)}" if s.valid_to else ""
    return (
        f"Rapporten gäller {s.name} ({s.owner}, normaltaxa), giltig från "
        f"{long_date(s.valid_from)}{until}; status {SCHEDULE_STATUS.get(s.status, s.status)}"
        f", schema {s.id}."
    )


def _items_sentence(data: ReportData) -> str:
    c = data.figures.counts
    return (
        f"Taxan har {count(c.total, 'åtgärd', 'åtgärder')}: {number(c.extern)} externa "
        f"(TLV-kod med referenspris), {number(c.intern)} interna och "
        f"{number(c.without_code)} utan kod (”Ny kod”)."
    )


def volumes_sentence(data: ReportData) -> str:
    v = data.volumes
    if v.kind == "none":
        return (
            "Inga volymer har angetts: alla siffror nedan är ovägda (varje åtgärd räknas en "
            "gång), och principen om högst "
            f"{percent(data.figures.limit_percent, 0)} avvikelse kan inte bedömas."
        )
    where = (
        f"volymuppsättningen ”{v.name}” (nr {v.id}, fil {v.filename})"
        if v.kind == "set"
        else f"filen {v.filename}"
    )
    text = (
        f"Volymerna kommer från {where}: {count(v.codes, 'kod', 'koder')}, sammanlagt "
        f"{number(v.total)} debiterade enheter."
    )
    if v.example:
        text += (
            " OBS: det är tjänstens EXEMPELVOLYMER, påhittade och inte verklig statistik; "
            "siffrorna visar hur rapporten fungerar, inte hur taxan utfaller."
        )
    return text


def deviation_sentence(data: ReportData) -> str:
    f = data.figures
    d = f.deviation
    t = d.total
    limit = percent(f.limit_percent, 0)
    if not f.weighted:
        return (
            f"Ovägt, med varje extern åtgärd räknad en gång, ligger priserna sammanlagt "
            f"{percent(d.deviation_percent)} över referenspriserna ({kr(t.revenue)} mot "
            f"{kr(t.reference_revenue)} för {count(t.items, 'åtgärd', 'åtgärder')}). Det är "
            f"inte den intäkt principen avser: om taxan håller sig inom {limit} kan inte "
            "bedömas utan volymer."
        )
    if d.within is None:
        return (
            "Ingen extern åtgärd med referenspris har en volym: avvikelsen från "
            "referensprislistan kan inte beräknas."
        )
    text = (
        f"Volymvägt ger taxan intäkten {kr(t.revenue)} mot referensprislistans "
        f"{kr(t.reference_revenue)} över "
        f"{count(t.items, 'jämförd åtgärd', 'jämförda åtgärder')}: en avvikelse på "
        f"{percent(d.deviation_percent)}. "
    )
    uniform = d.uniform_change_percent
    if d.within:
        text += (
            f"Det är inom den beslutade gränsen på {limit}, med {kr(d.headroom)} kvar upp "
            f"till gränsen (alla jämförda priser skulle kunna höjas enhetligt med "
            f"{percent(uniform)})."
        )
    else:
        text += (
            f"Det är över den beslutade gränsen på {limit}: intäkten behöver sänkas med "
            f"{kr(-d.headroom)} för att nå gränsen (en enhetlig sänkning av alla jämförda "
            f"priser med {percent(-uniform if uniform is not None else None)})."
        )
    w = d.without_utbyte
    if d.utbyte.items:
        state = "inom" if w.within else "över"
        text += (
            f" Utan utbytesåtgärderna (921–941, vars referenspris gäller den ersatta "
            f"behandlingen) är avvikelsen {percent(w.deviation_percent)}, {state} gränsen."
        )
    return text


def year_sentence(data: ReportData) -> str:
    f = data.figures
    y = f.year_on_year
    if y is None or data.previous is None:
        day_before = data.schedule.valid_from - timedelta(days=1)
        return (
            f"Ingen föregående taxa finns (ingen aktiv normaltaxa för {data.schedule.owner} "
            f"gällde {long_date(day_before)}): prisförändringen mot föregående år och "
            "referensprislistans förändring kan inte bedömas."
        )
    weighting = "volymvägt" if f.weighted else "ovägt"
    return (
        f"Jämfört med föregående taxa, {data.previous.name} (giltig från "
        f"{long_date(data.previous.valid_from)}), har priserna ändrats med "
        f"{percent(y.price_change_percent, signed=True)} {weighting} över de "
        f"{count(y.reference_codes, 'åtgärd', 'åtgärder')} som har referenspris i båda "
        f"taxorna; referensprislistan har under samma period ändrats med "
        f"{percent(y.reference_change_percent, signed=True)}. Över alla "
        f"{count(y.all_codes, 'åtgärd', 'åtgärder')} i båda taxorna är förändringen "
        f"{percent(y.price_change_all_percent, signed=True)}. "
        f"{count(f.price_changes_total, 'pris har', 'priser har')} ändrats, "
        f"{count(len(y.new_codes), 'kod är ny', 'koder är nya')} och "
        f"{count(len(y.dropped_codes), 'kod har', 'koder har')} tagits bort."
    )


def rule_phrase(data: ReportData) -> str:
    rule = data.jour.rule
    if rule is None:
        return DASH
    return (
        f"+{percent(rule.percent, 0)} på normaltaxan, avrundat till hela "
        f"{number(rule.step)} kr (halva uppåt), minutpriser till hela "
        f"{number(rule.per_minute_step)} kr"
    )


def jour_sentence(data: ReportData) -> str:
    f, j = data.figures, data.jour
    if f.jour is None:
        return f"Jourkontrollen kunde inte göras: {j.unavailable}."
    c = f.jour_counts
    if j.derived:
        return (
            f"Ingen jourtaxa som börjar {long_date(data.schedule.valid_from)} finns. "
            f"Regeln ({rule_phrase(data)}) tillämpad på denna taxa ger "
            f"{count(c.get(JourFindingKind.EXEMPT, 0), 'undantag', 'undantag')} och inga "
            "avvikelser."
        )
    assert j.schedule is not None
    prices = _price_findings(data)
    listed = f" ({', '.join(x.key for x in prices)})" if prices else ""
    total = len(f.jour.findings)
    return (
        f"Jourkontrollen av {j.schedule.name} mot regeln ({rule_phrase(data)}) gav "
        f"{count(total, 'fynd', 'fynd')}: "
        f"{count(c.get(JourFindingKind.PRICE_DIFFERS, 0), 'avvikande pris', 'avvikande priser')}"
        f"{listed}, "
        f"{count(c.get(JourFindingKind.REFERENCE_DIFFERS, 0), 'avvikande referenspris', REFS)}, "
        f"{count(c.get(JourFindingKind.ONLY_IN_NORMAL, 0), 'åtgärd', 'åtgärder')} bara i "
        f"normaltaxan, {number(c.get(JourFindingKind.ONLY_IN_PUBLISHED, 0))} bara i jourtaxan, "
        f"{count(c.get(JourFindingKind.TEXT_DIFFERS, 0), 'avvikande text', 'avvikande texter')} "
        f"och {count(c.get(JourFindingKind.EXEMPT, 0), 'undantag', 'undantag')} enligt regeln "
        f"({count(f.jour.matched, 'åtgärd', 'åtgärder')} finns i båda taxorna)."
    )


def position_sentence(data: ReportData) -> str:
    p = data.figures.deviation.price_position
    return (
        f"Av de {number(p.above + p.at + p.below)} externa åtgärderna med referenspris är "
        f"{number(p.above)} prissatta över referenspriset, {number(p.at)} lika med och "
        f"{number(p.below)} under."
    )


def tio_sentence(data: ReportData) -> str | None:
    t = data.figures.tio
    if t is None:
        return None
    scope = (
        f"{number(t.items_qualifying)} av de {number(t.items_in_scope)} "
        f"behandlingsåtgärder som omfattas ({percent(t.share_items_percent, 1)})"
    )
    volume = ""
    if t.share_volume_percent is not None:
        volume = f", och de står för {percent(t.share_volume_percent, 1)} av deras volym"
    limited = ""
    if t.position_limited:
        limited = (
            f" ({number(t.position_limited)} av åtgärderna omfattas bara på tandposition "
            f"1–{t.max_tooth_position}.)"
        )
    if t.applies:
        return (
            f"För patienter 67 år och äldre (tiotandvård, från {long_date(t.rule_valid_from)})"
            f" lämnas ersättningen bara där priset inte överstiger referenspriset: {scope} "
            f"uppfyller det{volume}.{limited}"
        )
    return (
        f"Tiotandvården för patienter 67 år och äldre gäller från "
        f"{long_date(t.rule_valid_from)} och berör inte denna taxa. Inför "
        f"{t.rule_valid_from.year}: med dessa priser skulle {scope} ha ett pris som inte "
        f"överstiger referenspriset{volume}; för övriga får patienten det vanliga "
        f"högkostnadsskyddet.{limited}"
    )


_ROW = re.compile(r"row (\d+)")


def warning_kind(w: Finding) -> str:
    """``duplicate`` (an exact duplicate row) or ``alternative`` (another text, same price)."""
    return "duplicate" if w.column is None else "alternative"


def warning_text(w: Finding) -> str:
    match = _ROW.search(w.message)
    other = match.group(1) if match else "?"
    if warning_kind(w) == "duplicate":
        return f"Exakt dubblett av rad {other}: en åtgärd, båda raderna sparade."
    return (
        f"Samma kod som rad {other} med en annan text och samma pris: sparad som alternativ text."
    )


def warning_code(w: Finding, data: ReportData) -> str:
    for item in data.items:
        if w.row in item.source_rows:
            return item.key
    return DASH


def warnings_sentence(data: ReportData) -> str:
    warnings = data.import_warnings
    if not warnings:
        return "Importen av taxan gav inga varningar."
    duplicates = sum(1 for w in warnings if warning_kind(w) == "duplicate")
    return (
        f"Importen av taxan gav {count(len(warnings), 'varning', 'varningar')}: "
        f"{count(duplicates, 'exakt dubblettrad', 'exakta dubblettrader')} och "
        f"{count(len(warnings) - duplicates, 'rad', 'rader')} med en annan text till samma "
        "kod och pris. Alla rader finns kvar i taxan."
    )


def summary(data: ReportData) -> list[str]:
    """The Sammanfattning: plain sentences with the figures, in the issue's order."""
    sentences = [
        _schedule_sentence(data),
        _items_sentence(data),
        volumes_sentence(data),
        deviation_sentence(data),
        year_sentence(data),
        jour_sentence(data),
        position_sentence(data),
        tio_sentence(data),
        warnings_sentence(data),
    ]
    return [s for s in sentences if s]


# --- table helpers ----------------------------------------------------------------------------


JOUR_ORDER = (
    JourFindingKind.PRICE_DIFFERS,
    JourFindingKind.REFERENCE_DIFFERS,
    JourFindingKind.ONLY_IN_NORMAL,
    JourFindingKind.ONLY_IN_PUBLISHED,
    JourFindingKind.TEXT_DIFFERS,
    JourFindingKind.EXEMPT,
)


def jour_findings(data: ReportData) -> list[JourFinding]:
    """Every finding of the jour check, what decides the verdict first (then the check's order)."""
    jour = data.figures.jour
    if jour is None:
        return []
    return sorted(jour.findings, key=lambda x: JOUR_ORDER.index(x.kind))


GROUPED_KINDS = {
    JourFindingKind.ONLY_IN_NORMAL: "Finns i normaltaxan men inte i jourtaxan",
    JourFindingKind.ONLY_IN_PUBLISHED: "Finns i jourtaxan men inte i normaltaxan",
    JourFindingKind.EXEMPT: "Inget påslag enligt regelns undantag",
}


@dataclass(frozen=True)
class JourRow:
    label: str
    code: str
    description: str


def jour_rows(data: ReportData) -> list[JourRow]:
    """The jour findings for the printed report: one row per finding that needs its own words
    (prices, reference prices, texts), one row per kind listing every code for the kinds that
    need none (only in one taxa, exempt). The XLSX has one row per finding."""
    rows: list[JourRow] = []
    grouped: dict[JourFindingKind, list[str]] = {}
    for finding in jour_findings(data):
        if finding.kind in GROUPED_KINDS:
            grouped.setdefault(finding.kind, []).append(finding.key)
        else:
            rows.append(
                JourRow(JOUR_KIND_LABEL[finding.kind], finding.key, jour_description(finding, data))
            )
    for kind, keys in grouped.items():
        rows.append(
            JourRow(
                JOUR_KIND_LABEL[kind],
                count(len(keys), "kod", "koder"),
                f"{GROUPED_KINDS[kind]}: {', '.join(keys)}.",
            )
        )
    return rows


def jour_description(finding: JourFinding, data: ReportData) -> str:
    normal = data.by_key.get(finding.key)
    jour = data.jour.published.get(finding.key)
    kind = finding.kind
    if kind is JourFindingKind.PRICE_DIFFERS:
        base = f" (normalpris {kr(normal.price)})" if normal else ""
        return (
            f"Publicerat jourpris {kr(finding.published)}, regeln ger {kr(finding.expected)}{base}."
        )
    if kind is JourFindingKind.REFERENCE_DIFFERS:
        return (
            f"Referenspris {kr(finding.published)} i jourtaxan, {kr(finding.expected)} i "
            "normaltaxan; referenspriset räknas aldrig upp."
        )
    if kind is JourFindingKind.TEXT_DIFFERS:
        jour_text = " / ".join(jour.texts) if jour else DASH
        normal_text = " / ".join(normal.texts) if normal else DASH
        return f"Jourtaxan: ”{jour_text}”. Normaltaxan: ”{normal_text}”."
    if kind is JourFindingKind.ONLY_IN_NORMAL:
        price = kr(normal.price) if normal else DASH
        return (
            f"Finns i normaltaxan ({price}) men inte i jourtaxan; regeln ger "
            f"{kr(finding.expected)}."
        )
    if kind is JourFindingKind.ONLY_IN_PUBLISHED:
        return f"Finns i jourtaxan ({kr(finding.published)}) men inte i normaltaxan."
    assert kind is JourFindingKind.EXEMPT
    reason = exemption(normal, data.jour.rule) if normal and data.jour.rule else None
    if reason is None:
        why = "undantagen enligt regeln"
    elif reason.startswith("exempt code"):
        why = "koden är undantagen i regeln (fast patientavgift)"
    elif reason.startswith("exempt group"):
        why = f"gruppen {normal.group if normal else ''} är undantagen i regeln"
    else:
        why = "pris per krona material (säljs till självkostnad), räknas aldrig upp"
    return f"Inget påslag: {why}; priset {kr(finding.expected)} behålls."


def item_text(key: str, data: ReportData) -> str:
    item = data.by_key.get(key)
    return item.text if item else ""


def item_unit(item: Item) -> str:
    return UNIT_LABEL.get(item.unit, item.unit.value)


def ratio_label(b: RatioBin) -> str:
    if b.low is None:
        return f"under {number(b.high, 2)}"
    if b.high is None:
        return f"över {number(b.low, 2)}"
    if b.low == b.high:
        return f"{number(b.low, 2)} (lika)"
    return f"{number(b.low, 2)}–{number(b.high, 2)}"
