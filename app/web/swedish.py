"""The pages' words: Swedish labels, and the core's English messages said in Swedish.

The validation in ``pricing`` writes its findings in English for the API and the logs; a price
administrator reads them here. Each known message is matched by pattern and said again in
Swedish with its figures kept; an unknown one is shown as it is (never hidden).
"""

from __future__ import annotations

import re
from collections.abc import Callable

ROLE_LABELS = {"admin": "Prisadministratör", "board": "Nämnd (läsare)", "clinic": "Kliniksystem"}
STATUS_LABELS = {"draft": "Utkast", "active": "Gällande", "retired": "Avslutad"}
VARIANT_LABELS = {"normal": "Normal", "jour": "Jour"}
KIND_LABELS = {"extern": "Extern", "intern": "Intern"}
ACTION_LABELS = {
    "import": "Taxa uppladdad (utkast)",
    "activate": "Taxa aktiverad",
    "retire": "Taxa avslutad",
    "create_key": "API-nyckel skapad",
    "revoke_key": "API-nyckel återkallad",
    "import_volumes": "Volymer uppladdade",
    "derive_jour": "Jourtaxa härledd",
    "import_reference_list": "Referensprislista uppladdad",
    "propose": "Förslag sparat (utkast)",
}
ORIGIN_LABELS = {
    "tlv_file": "TLV:s egen fil",
    "region_decision": "Ur regionens taxebeslut (TLV:s fil saknas)",
}
COLUMN_LABELS = {"general": "allmäntandvård", "specialist": "specialisttandvård"}
MODE_LABELS = {"uniform": "Enhetlig höjning", "follow_reference": "Följ referenspriset"}
PRICE_RULE_LABELS = {
    "uniform": "Enhetlig",
    "follow_reference": "Följer ref.pris",
    "intern": "Intern",
    "unchanged": "Oförändrad",
    "per_krona": "Per krona",
}
CAP_LABELS = {"max_rise": "Största höjning", "reference": "Referenspriset"}
TAXA_ONLY_LABELS = {
    "not_a_tlv_code": "Ingen TLV-åtgärd",
    "not_in_list": "Finns inte i listan",
    "no_price_in_column": "Inget pris i kolumnen ('-')",
}
JOUR_FINDING_LABELS = {
    "price_differs": "Priset skiljer sig från regeln",
    "reference_differs": "Referenspriset skiljer sig",
    "only_in_jour": "Bara i jourtaxan",
    "only_in_normal": "Bara i normaltaxan",
    "text_differs": "Texten skiljer sig",
    "exempt": "Undantagen från påslaget",
}

_AMOUNT = {
    "empty": "saknas",
    "not a number": "är inte ett tal",
    "negative": "är negativt",
    "more than two decimals": "har fler än två decimaler",
    "both decimal comma and point: write e.g. 1100,50": (
        "har både decimalkomma och decimalpunkt: skriv t.ex. 1100,50"
    ),
}

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, say: Callable[[re.Match[str]], str]) -> Rule:
    return re.compile(pattern, re.DOTALL), say


RULES: tuple[Rule, ...] = (
    _rule(
        r'^a "Ny kod" row has no code yet',
        lambda m: 'En rad markerad "Ny kod" har ingen kod än: lämna Åtgärd tom.',
    ),
    _rule(
        r"^unknown category",
        lambda m: "Okänd kategori: skriv A (allmäntandvård) eller S (specialisttandvård).",
    ),
    _rule(
        r"^a code is 1–12 letters and digits",
        lambda m: "En kod är 1–12 bokstäver och siffror (t.ex. 101, 103S, A11).",
    ),
    _rule(r"^write Extern or Intern$", lambda m: "Skriv Extern eller Intern."),
    _rule(r"^an extern row needs its TLV code$", lambda m: "En extern rad behöver sin TLV-kod."),
    _rule(r"^empty åtgärdstext$", lambda m: "Åtgärdstexten är tom."),
    _rule(
        r"^(price|referenspris): (.*)$",
        lambda m: f"{'Priset' if m[1] == 'price' else 'Referenspriset'} {_AMOUNT.get(m[2], m[2])}.",
    ),
    _rule(
        r"^an intern code has no referenspris",
        lambda m: (
            "En intern kod har inget referenspris: lämna det tomt eller markera raden Extern."
        ),
    ),
    _rule(
        r"^an extern row needs its referenspris$",
        lambda m: "En extern rad behöver sitt referenspris.",
    ),
    _rule(r"^unknown unit: (.*)$", lambda m: f"Okänd enhet: välj en av {m[1]}."),
    _rule(r"^source_row is a whole row number$", lambda m: "source_row är ett radnummer."),
    _rule(
        r"^code (\S+) has (.*) on row (\d+): one code, one value$",
        lambda m: f"Koden {m[1]} har {m[2]} på rad {m[3]}: en kod har ett värde.",
    ),
    _rule(
        r"^exact duplicate of row (\d+)",
        lambda m: f"Exakt dubblett av rad {m[1]}: en åtgärd, båda raderna sparas.",
    ),
    _rule(
        r"^code (\S+) also on row (\d+) with another text at the same price",
        lambda m: (
            f"Koden {m[1]} finns också på rad {m[2]} med en annan text och samma pris: "
            "sparas som alternativ text."
        ),
    ),
    _rule(
        r"^the file has no rows of (taxa|volumes)$",
        lambda m: f"Filen har inga rader med {'taxa' if m[1] == 'taxa' else 'volymer'}.",
    ),
    _rule(r"^the file is empty$", lambda m: "Filen är tom."),
    _rule(r"^missing column '([^']*)'", lambda m: f"Kolumnen {m[1]!r} saknas."),
    _rule(r"^empty code: every row", lambda m: "Koden är tom: varje rad behöver sin åtgärdskod."),
    _rule(
        r"^a row of totals",
        lambda m: "En summarad: ta bort den, tjänsten summerar volymerna per kod.",
    ),
    _rule(r"^empty volume", lambda m: "Volymen är tom: skriv 0 om det inte finns någon."),
    _rule(r"^not a number$", lambda m: "Inte ett tal."),
    _rule(
        r"^decimals: a volume is a whole number",
        lambda m: "Decimaler: en volym är ett helt antal debiterade åtgärder.",
    ),
    _rule(r"^negative volume$", lambda m: "Volymen är negativ."),
    _rule(r"^code '([^']*)' read as '([^']*)'$", lambda m: f"Koden {m[1]!r} lästes som {m[2]!r}."),
    _rule(
        r"^code (\S+)(.*) also on row (\d+): the volumes are summed$",
        lambda m: f"Koden {m[1]}{m[2]} finns också på rad {m[3]}: volymerna summeras.",
    ),
    _rule(
        r"^column not used",
        lambda m: (
            "Kolumnen används inte (tjänsten läser Åtgärd, Volym, Klinik och Patientkategori)."
        ),
    ),
    # The file layer (app.files): the whole file is refused.
    _rule(
        r"^'(.*)': upload a \.csv or \.xlsx file",
        lambda m: (
            f"{m[1]!r}: ladda upp en .csv- eller .xlsx-fil (en gammal .xls sparas först som .xlsx)."
        ),
    ),
    _rule(
        r"^'(.*)' is named \.csv but is a zip/XLSX file",
        lambda m: f"{m[1]!r} heter .csv men är en XLSX-fil: byt namn på den.",
    ),
    _rule(r"^'(.*)' is not a text file", lambda m: f"{m[1]!r} är inte en textfil."),
    _rule(
        r"^'(.*)' is neither UTF-8 nor Windows-1252 text",
        lambda m: f"{m[1]!r} är varken UTF-8- eller Windows-1252-text.",
    ),
    _rule(r"^'(.*)' is not a readable CSV file", lambda m: f"{m[1]!r} går inte att läsa som CSV."),
    _rule(
        r"^'(.*)' is named \.xlsx but is not an Excel workbook",
        lambda m: f"{m[1]!r} heter .xlsx men är ingen Excel-arbetsbok.",
    ),
    _rule(
        r"^'(.*)' (is a damaged Excel workbook|could not be read as an Excel workbook|is a "
        r"zip file but not an Excel workbook)",
        lambda m: f"{m[1]!r} går inte att läsa som Excel-arbetsbok.",
    ),
    _rule(
        r"^the file is larger than (\d+) bytes",
        lambda m: f"Filen är större än {int(m[1]) // (1024 * 1024)} MiB.",
    ),
    _rule(
        r"^the request body may have at most (\d+) bytes",
        lambda m: (
            f"Det som skickades är större än {int(m[1]) // (1024 * 1024)} MiB: välj en mindre fil."
        ),
    ),
    _rule(
        r"^the (file|workbook) has more than (\d+) rows",
        lambda m: f"Filen har fler än {m[2]} rader.",
    ),
    _rule(
        r"^the file has more than (\d+) (cells|columns) \(the limit\)",
        lambda m: (
            f"Filen har fler än {m[1]} {'celler' if m[2] == 'cells' else 'kolumner'} (gränsen)."
        ),
    ),
    _rule(
        r"^the file took longer than (\S+) s to read",
        lambda m: f"Filen tog längre tid än {_number(m[1])} s att läsa (gränsen).",
    ),
    _rule(r"unpack", lambda m: "Arbetsboken blir för stor när den packas upp."),
    # Activation (app.taxa.schedules.activate).
    _rule(
        r"^schedule (\d+) is (\w+): only a draft can be activated$",
        lambda m: (
            f"Taxan är {STATUS_LABELS.get(m[2], m[2]).lower()}: bara ett utkast kan aktiveras."
        ),
    ),
    _rule(
        r"^schedule \d+ \((\S+) – (\S+)\) overlaps active schedule (\d+) '(.*)' "
        r"\((\S+) – (\S+)\)",
        lambda m: (
            f"Taxan ({m[1]} – {_open(m[2])}) överlappar den gällande taxan {m[4]!r} "
            f"({m[5]} – {_open(m[6])}): avsluta den eller välj ett annat startdatum."
        ),
    ),
    _rule(
        r"^schedule (\d+) is a jour taxa: the report is made for a normal taxa",
        lambda m: (
            "Det är en jourtaxa: rapporten och 7 %-kontrollen görs på normaltaxan, och "
            "jourtaxan kontrolleras i den."
        ),
    ),
    _rule(r"^no schedule with id (\d+)$", lambda m: f"Det finns ingen taxa med nummer {m[1]}."),
    _rule(
        r"^no volume set with id (\d+)$",
        lambda m: f"Det finns ingen volymuppsättning med nummer {m[1]}.",
    ),
    _rule(
        r"^schedule \d+ is a normal taxa: check a jour one$",
        lambda m: "Jourkontrollen görs på en jourtaxa.",
    ),
    # Keys and owners (app.auth, app.admin).
    _rule(
        r"^this key may write for (.*) only, not '(.*)'$",
        lambda m: f"Din nyckel får bara skriva för {m[1]}, inte för {m[2]!r}.",
    ),
    _rule(
        r"^a key scoped to owners may only manage keys scoped within them",
        lambda m: (
            "En nyckel som är begränsad till ägare får bara skapa och återkalla nycklar "
            "inom samma ägare."
        ),
    ),
    _rule(
        r"^API key \d+ was revoked at (\S{10})", lambda m: f"Nyckeln är redan återkallad ({m[1]})."
    ),
    _rule(
        r"^no API key with id (\d+)$", lambda m: f"Det finns ingen API-nyckel med nummer {m[1]}."
    ),
    _rule(r"^role '(\w+)' may not", lambda m: "Din roll får inte göra detta."),
    # Reference lists (pricing.reference, app.reference).
    _rule(r"^reference price: (.*)$", lambda m: f"Referenspriset {_AMOUNT.get(m[1], m[1])}."),
    _rule(
        r"^dental-technical cost: (.*)$",
        lambda m: f"Den tandtekniska kostnaden {_AMOUNT.get(m[1], m[1])}.",
    ),
    _rule(
        r"^empty Åtgärdsnummer", lambda m: "Åtgärdsnumret är tomt: varje rad behöver sin åtgärd."
    ),
    _rule(r"^empty Åtgärdsnamn$", lambda m: "Åtgärdsnamnet är tomt."),
    _rule(
        r"^åtgärd (\S+) also on row (\d+): one row per åtgärd",
        lambda m: f"Åtgärd {m[1]} finns också på rad {m[2]}: en rad per åtgärd.",
    ),
    _rule(
        r"^neither a general nor a specialist reference price",
        lambda m: (
            "Varken referenspris för allmäntandvård eller för specialisttandvård ('-' i båda)."
        ),
    ),
    _rule(
        r"^not TLV's reference list layout: no column '([^']*)'",
        lambda m: f"Inte TLV:s layout för referensprislistan: kolumnen {m[1]!r} saknas.",
    ),
    _rule(
        r"^not TLV's reference list layout: no heading row.* first (\d+) rows",
        lambda m: (
            "Inte TLV:s layout för referensprislistan: ingen rubrikrad med "
            f"Åtgärdsnummer och Referenspris allmäntandvård / specialisttandvård bland de första "
            f"{m[1]} raderna."
        ),
    ),
    _rule(
        r"^a second '([^']*)' column", lambda m: f"Kolumnen {m[1]!r} finns två gånger: en av varje."
    ),
    _rule(r"^the list has no rows of åtgärder$", lambda m: "Listan har inga rader med åtgärder."),
    _rule(r"^not a whole åtgärd number$", lambda m: "Inte ett helt åtgärdsnummer."),
    _rule(
        r"^not an åtgärd number",
        lambda m: "Inte ett åtgärdsnummer (TLV:s åtgärder är nummer: 101, 103 …).",
    ),
    _rule(r"^negative$", lambda m: "Negativt."),
    _rule(r"^at most (\d+) characters", lambda m: f"Högst {m[1]} tecken."),
    _rule(r"^more than (\S+) kr$", lambda m: f"Mer än {_number(m[1])} kr."),
    _rule(
        r"^valid_to (\S+) is before valid_from (\S+)$",
        lambda m: f"Gäller till ({m[1]}) är före Gäller från ({m[2]}).",
    ),
    _rule(
        r"^valid_to (\S+) is before the list's stated start (\S+)$",
        lambda m: f"Gäller till ({m[1]}) är före listans angivna start ({m[2]}).",
    ),
    _rule(
        r"^the file's headings state no date",
        lambda m: "Filens rubriker anger inget datum (fr o m …): fyll i Gäller från.",
    ),
    _rule(
        r"^the list \((\S+) – (\S+)\) overlaps (.*): one list is in force on a day",
        lambda m: (
            f"Listan ({m[1]} – {_open(m[2])}) överlappar {_lists(m[3])}: en enda lista "
            "gäller en viss dag, och en sparad lista ändras aldrig, så välj andra datum."
        ),
    ),
    _rule(
        r"^another reference list with overlapping dates was stored at the same moment",
        lambda m: (
            "En annan referensprislista med överlappande datum sparades i samma stund: försök igen."
        ),
    ),
    _rule(
        r"^a reference list is national \(TLV's\).*scoped to (.*)$",
        lambda m: (
            "En referensprislista är nationell (TLV:s): den laddas upp med en nyckel för "
            f"alla ägare, inte med en som är begränsad till {m[1]}."
        ),
    ),
    _rule(
        r"^column '(.*)' is not part of a reference list: ignored$",
        lambda m: f"Kolumnen {m[1]!r} hör inte till en referensprislista: den läses inte.",
    ),
    _rule(
        r"^(\d+) row\(s\) above the headings \(row (\d+)\) skipped as a title$",
        lambda m: f"{m[1]} rad(er) ovanför rubrikerna (rad {m[2]}) hoppades över som rubrik.",
    ),
    _rule(
        r"^the headings state different dates: (.*)$",
        lambda m: f"Rubrikerna anger olika datum: {m[1]}.",
    ),
    _rule(
        r"^the headings say from (\S+), the list is given valid_from (\S+)$",
        lambda m: f"Rubrikerna säger från {m[1]}, listan ges Gäller från {m[2]}.",
    ),
    _rule(
        r"^no reference list with id (\d+)$",
        lambda m: f"Det finns ingen referensprislista med nummer {m[1]}.",
    ),
    _rule(
        r"^TLV åtgärd (\S+) is in the list but no code of the taxa has it",
        lambda m: (
            f"TLV-åtgärd {m[1]} finns i listan men ingen kod i taxan har den: den "
            "behöver ett pris (inget gissas)."
        ),
    ),
    _rule(
        r"^(\S+) mapped to TLV åtgärd (\S+), (\w+) price \(variant '([^']*)'\): confirm$",
        lambda m: (
            f"{m[1]} räknas som TLV-åtgärd {m[2]}, pris för "
            f"{COLUMN_LABELS.get(m[3], m[3])} (variant {m[4]!r}): bekräfta."
        ),
    ),
    # Proposals (pricing.proposal, app.proposals).
    _rule(r"^no proposal meets the request: (.*)$", lambda m: say(m[1])),
    _rule(
        r"^no rounding meets the limit of ±(\S+) % with target (\S+) %: the largest change "
        r"within the target, (\S+) %, gives (\S+) % \(below −\S+ %\), the next, (\S+) %, "
        r"gives (\S+) %",
        lambda m: (
            f"Ingen avrundning håller gränsen ±{_number(m[1])} % med målet "
            f"{_number(m[2])} %: den största höjningen inom målet, {_number(m[3])} %, ger "
            f"{_number(m[4])} % (under gränsen), nästa, {_number(m[5])} %, ger {_number(m[6])} % "
            "(över målet). Avrundningssteget är för grovt för volymerna: sänk avrundningen eller "
            "höj gränsen."
        ),
    ),
    _rule(
        r"^no change of the extern prices brings the deviation to (\S+) %: even at −100 % it "
        r"is (\S+) %",
        lambda m: (
            f"Ingen ändring av de externa priserna ger avvikelsen {_number(m[1])} %: även "
            f"vid −100 % är den {_number(m[2])} % (priser som procentsatsen inte rör, t.ex. per "
            "krona, håller uppe intäkten)."
        ),
    ),
    _rule(
        r"^the caps hold the revenue below the limit: at most (\S+) % \(below −(\S+) %\)",
        lambda m: (
            f"Taken håller intäkten under gränsen: högst {_number(m[1])} % (under "
            f"−{_number(m[2])} %) vilken procentsats det än blir. Höj största höjning eller "
            "gränsen."
        ),
    ),
    _rule(
        r"^the deviation stays within the target of (\S+) % for any rise",
        lambda m: (
            f"Avvikelsen håller sig inom målet {_number(m[1])} % vid varje höjning upp "
            "till +1000 %: varje jämfört pris hålls av ett tak, så gränsen kan inte avgöra "
            "procentsatsen. Ange procent eller största höjning."
        ),
    ),
    _rule(
        r"^no extern code with a reference price in the new list has a volume",
        lambda m: (
            "Ingen extern kod med referenspris i den nya listan har någon volym: "
            "avvikelsen går inte att räkna ut, så ingen procentsats kan lösas ut. Ange procent "
            "eller välj andra volymer."
        ),
    ),
    _rule(
        r"^(?:[\w.]+: )?above -100", lambda m: "Ska vara större än −100 (ett pris kan inte bli 0)."
    ),
    _rule(
        r"^(?:[\w.]+: )?not negative \(it caps a rise\)",
        lambda m: "Får inte vara negativ (den begränsar en höjning).",
    ),
    _rule(
        r"^(?:[\w.]+: )?a positive amount in whole öre",
        lambda m: "Ska vara ett positivt belopp i hela ören, t.ex. 5 eller 0,50.",
    ),
    _rule(r"^(?:[\w.]+: )?a finite decimal number", lambda m: "Ska vara ett tal."),
    _rule(
        r"^(?:[\w.]+: )?between −(\S+) and (\S+) \(the limit\)",
        lambda m: f"Ska ligga mellan −{_number(m[1])} och {_number(m[2])} (gränsen).",
    ),
    _rule(r"^(?:[\w.]+: )?a decimal number ≥ 0", lambda m: "Ska vara ett tal ≥ 0."),
    _rule(
        r"^the nearest achievable (deviation|percent) (below|above)$",
        lambda m: (
            f"Närmast möjliga {'avvikelse' if m[1] == 'deviation' else 'procentsats'} "
            f"{'under' if m[2] == 'below' else 'över'}."
        ),
    ),
    _rule(
        r"^the proposal must start after the taxa it is built from \((\S+)\)",
        lambda m: f"Förslaget ska börja gälla efter taxan det bygger på ({m[1]}).",
    ),
    _rule(
        r"^reference list \d+ '(.*)' starts (\S+), before the taxa \d+ \((\S+)\)",
        lambda m: (
            f"Referensprislistan {m[1]!r} börjar gälla {m[2]}, före taxan ({m[3]}): ett "
            "förslag bygger på nästa lista, inte en tidigare."
        ),
    ),
    _rule(
        r"^reference list \d+ '(.*)' ends (\S+), before the proposal starts \((\S+)\)",
        lambda m: (
            f"Referensprislistan {m[1]!r} slutar gälla {m[2]}, innan förslaget börjar "
            f"gälla ({m[3]})."
        ),
    ),
    _rule(
        r"^schedule \d+ is a jour taxa: propose from a normal one",
        lambda m: (
            "Det är en jourtaxa: förslaget görs från normaltaxan, och jourtaxan härleds "
            "med påslagsregeln."
        ),
    ),
    _rule(
        r"^(\d+) åtgärd\(er\) of the new list have no code in the taxa and need a price: (.*)$",
        lambda m: (
            f"{m[1]} åtgärd(er) i den nya listan saknar kod i taxan och behöver ett pris: {m[2]}."
        ),
    ),
    _rule(
        r"^(\d+) extern code\(s\) the new list cannot price: (.*) \(no reference price",
        lambda m: (
            f"{m[1]} extern(a) kod(er) kan inte prissättas med den nya listan: {m[2]} "
            "(inget referenspris i förslaget, utanför avvikelsen)."
        ),
    ),
    _rule(
        r"^the given (\S+) % gives a deviation of (\S+) %, outside ±(\S+) %$",
        lambda m: (
            f"Den angivna procentsatsen {_number(m[1])} % ger avvikelsen {_number(m[2])} "
            f"%, utanför ±{_number(m[3])} %."
        ),
    ),
    _rule(
        r"^no stored reference list is in force the day before (\S+)",
        lambda m: (
            f"Ingen sparad referensprislista gäller dagen före {m[1]}: listans egen "
            "höjning mäts från taxans referenspriskolumn."
        ),
    ),
    _rule(
        r"^the list's own rise cannot be computed: (.*)$",
        lambda m: f"Listans egen höjning går inte att räkna ut: {m[1]}",
    ),
    _rule(
        r"^every price is already at its cap: the percentage is 0",
        lambda m: "Varje pris är redan vid sitt tak: procentsatsen är 0.",
    ),
    _rule(
        r"^the caps bind before the limit: from (\S+) % on every price is at its cap",
        lambda m: (
            f"Taken slår till före gränsen: från {_number(m[1])} % är varje pris vid sitt "
            "tak, och avvikelsen håller sig inom målet."
        ),
    ),
    _rule(
        r"^the owner's surcharge rule data/jour/(\S+) covers (\S+)$",
        lambda m: f"Ägarens påslagsregel data/jour/{m[1]} gäller {m[2]}.",
    ),
    _rule(
        r"^no surcharge rule of '(.*)' covers (\S+): the owner's latest, data/jour/(\S+) "
        r"\((\S+) %, valid (.*)\), is used",
        lambda m: (
            f"Ingen påslagsregel för {m[1]!r} gäller {m[2]}: ägarens senaste, "
            f"data/jour/{m[3]} ({_number(m[4])} %, gäller {m[5]}), används. Regionen beslutar "
            "nästa års påslag med taxan: kontrollera det (jourtaxan kan härledas igen med en "
            "annan regel)."
        ),
    ),
    # The rules a proposal applied (pricing.proposal), for the preview.
    _rule(
        r"^extern prices: × \(1 \+ (\S+) %\), rounded to whole (\S+) kr, halves up$",
        lambda m: (
            f"Externa priser: × (1 + {_number(m[1])} %), avrundade till hela "
            f"{_number(m[2])} kr, hälften uppåt."
        ),
    ),
    _rule(
        r"^extern prices: × \(new reference / old reference\) × \(1 \+ (\S+) %\) .*, "
        r"rounded to whole (\S+) kr, halves up$",
        lambda m: (
            f"Externa priser: × (nytt ref.pris / gammalt ref.pris) × (1 + "
            f"{_number(m[1])} %) (kvoten 1 där en kod saknar något av dem), avrundade till hela "
            f"{_number(m[2])} kr, hälften uppåt."
        ),
    ),
    _rule(
        r"^reference prices: the new list's, per code",
        lambda m: (
            "Referenspriser: den nya listans, per kod (103 → allmäntandvård, 103S → "
            "specialisttandvård; variantbokstäver som 541H och 861L hör till sin åtgärd)."
        ),
    ),
    _rule(
        r"^the deviation: the 7 % analysis",
        lambda m: (
            "Avvikelsen: 7 %-analysen av de föreslagna priserna mot de nya "
            "referenspriserna, utbytesåtgärderna inräknade och visade för sig."
        ),
    ),
    _rule(
        r"^intern codes and flat patient fees: unchanged$",
        lambda m: "Interna koder och fasta patientavgifter: oförändrade.",
    ),
    _rule(
        r"^intern codes and flat patient fees: × \(1 \+ (\S+) %\), rounded to whole (\S+) kr",
        lambda m: (
            f"Interna koder och fasta patientavgifter: × (1 + {_number(m[1])} %), "
            f"avrundade till hela {_number(m[2])} kr, hälften uppåt."
        ),
    ),
    _rule(
        r"^flat patient fees \(intern, one price per visit\): (.*)$",
        lambda m: f"Fasta patientavgifter (interna, ett pris per besök): {_none(m[1])}.",
    ),
    _rule(
        r"^per krona of material \(sold at cost\): never changed: (.*)$",
        lambda m: f"Material per krona (till självkostnad): ändras aldrig: {_none(m[1])}.",
    ),
    _rule(
        r"^per minute: the percentage of their kind, rounded to whole (\S+) kr .*\): (.*)$",
        lambda m: (
            f"Per minut: samma procentsats som sitt slag, avrundad till hela "
            f"{_number(m[1])} kr (ett steg på 5 kr skulle flytta timpriset med upp till 150 kr): "
            f"{_none(m[2])}."
        ),
    ),
    _rule(
        r"^no price rises more than (\S+) %",
        lambda m: (
            f"Inget pris höjs mer än {_number(m[1])} %: taket är den största multipeln "
            "av avrundningssteget som inte går över det, aldrig under dagens pris."
        ),
    ),
    _rule(
        r"^a code priced at or below its reference today stays at or below",
        lambda m: (
            "En kod som i dag ligger vid eller under sitt referenspris stannar vid "
            "eller under det nya (tiotandvård för patienter från 67 år): taket är det nya "
            "referenspriset."
        ),
    ),
    _rule(
        r"^'(.*)' has no jour surcharge rule",
        lambda m: f"{m[1]!r} har ingen påslagsregel för jour: ingen jourtaxa föreslås.",
    ),
)


def _open(end: str) -> str:
    return "tills vidare" if end == "open" else end


def _number(text: str) -> str:
    """A figure of an English message the Swedish way: ``-0.19`` → ``−0,19``."""
    return text.replace(".", ",").replace("-", "−")


def _none(codes: str) -> str:
    return "inga i den här taxan" if codes == "none in this taxa" else codes


def _lists(text: str) -> str:
    """``list 2 'HSLF-FS 2025:68' (2026-01-01 – open)`` in Swedish."""
    return re.sub(r"\blist (\d+)", r"lista \1", text).replace("– open)", "– tills vidare)")


def say(message: str) -> str:
    """The Swedish for one of the core's messages, or the message itself when unknown."""
    for pattern, words in RULES:
        match = pattern.search(message)
        if match:
            return words(match)
    return message
