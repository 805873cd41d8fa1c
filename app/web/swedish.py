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
    "import": "Taxa uppladdad (utkast)", "activate": "Taxa aktiverad", "retire": "Taxa avslutad",
    "create_key": "API-nyckel skapad", "revoke_key": "API-nyckel återkallad",
    "import_volumes": "Volymer uppladdade", "derive_jour": "Jourtaxa härledd",
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
    "both decimal comma and point: write e.g. 1100,50":
        "har både decimalkomma och decimalpunkt: skriv t.ex. 1100,50",
}

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, say: Callable[[re.Match[str]], str]) -> Rule:
    return re.compile(pattern, re.DOTALL), say


RULES: tuple[Rule, ...] = (
    _rule(r'^a "Ny kod" row has no code yet', lambda m: 'En rad markerad "Ny kod" har ingen kod '
          "än: lämna Åtgärd tom."),
    _rule(r"^unknown category", lambda m: "Okänd kategori: skriv A (allmäntandvård) eller S "
          "(specialisttandvård)."),
    _rule(r"^a code is 1–12 letters and digits", lambda m: "En kod är 1–12 bokstäver och siffror "
          "(t.ex. 101, 103S, A11)."),
    _rule(r"^write Extern or Intern$", lambda m: "Skriv Extern eller Intern."),
    _rule(r"^an extern row needs its TLV code$", lambda m: "En extern rad behöver sin TLV-kod."),
    _rule(r"^empty åtgärdstext$", lambda m: "Åtgärdstexten är tom."),
    _rule(r"^(price|referenspris): (.*)$",
          lambda m: f"{'Priset' if m[1] == 'price' else 'Referenspriset'} "
          f"{_AMOUNT.get(m[2], m[2])}."),
    _rule(r"^an intern code has no referenspris", lambda m: "En intern kod har inget "
          "referenspris: lämna det tomt eller markera raden Extern."),
    _rule(r"^an extern row needs its referenspris$",
          lambda m: "En extern rad behöver sitt referenspris."),
    _rule(r"^unknown unit: (.*)$", lambda m: f"Okänd enhet: välj en av {m[1]}."),
    _rule(r"^source_row is a whole row number$", lambda m: "source_row är ett radnummer."),
    _rule(r"^code (\S+) has (.*) on row (\d+): one code, one value$",
          lambda m: f"Koden {m[1]} har {m[2]} på rad {m[3]}: en kod har ett värde."),
    _rule(r"^exact duplicate of row (\d+)", lambda m: f"Exakt dubblett av rad {m[1]}: en "
          "åtgärd, båda raderna sparas."),
    _rule(r"^code (\S+) also on row (\d+) with another text at the same price",
          lambda m: f"Koden {m[1]} finns också på rad {m[2]} med en annan text och samma pris: "
          "sparas som alternativ text."),
    _rule(r"^the file has no rows of (taxa|volumes)$",
          lambda m: f"Filen har inga rader med {'taxa' if m[1] == 'taxa' else 'volymer'}."),
    _rule(r"^the file is empty$", lambda m: "Filen är tom."),
    _rule(r"^missing column '([^']*)'", lambda m: f"Kolumnen {m[1]!r} saknas."),
    _rule(r"^empty code: every row", lambda m: "Koden är tom: varje rad behöver sin åtgärdskod."),
    _rule(r"^a row of totals", lambda m: "En summarad: ta bort den, tjänsten summerar "
          "volymerna per kod."),
    _rule(r"^empty volume", lambda m: "Volymen är tom: skriv 0 om det inte finns någon."),
    _rule(r"^not a number$", lambda m: "Inte ett tal."),
    _rule(r"^decimals: a volume is a whole number", lambda m: "Decimaler: en volym är ett helt "
          "antal debiterade åtgärder."),
    _rule(r"^negative volume$", lambda m: "Volymen är negativ."),
    _rule(r"^code '([^']*)' read as '([^']*)'$", lambda m: f"Koden {m[1]!r} lästes som {m[2]!r}."),
    _rule(r"^code (\S+)(.*) also on row (\d+): the volumes are summed$",
          lambda m: f"Koden {m[1]}{m[2]} finns också på rad {m[3]}: volymerna summeras."),
    _rule(r"^column not used", lambda m: "Kolumnen används inte (tjänsten läser Åtgärd, Volym, "
          "Klinik och Patientkategori)."),
    # The file layer (app.files): the whole file is refused.
    _rule(r"^'(.*)': upload a \.csv or \.xlsx file",
          lambda m: f"{m[1]!r}: ladda upp en .csv- eller .xlsx-fil (en gammal .xls sparas "
          "först som .xlsx)."),
    _rule(r"^'(.*)' is named \.csv but is a zip/XLSX file",
          lambda m: f"{m[1]!r} heter .csv men är en XLSX-fil: byt namn på den."),
    _rule(r"^'(.*)' is not a text file", lambda m: f"{m[1]!r} är inte en textfil."),
    _rule(r"^'(.*)' is not a readable CSV file", lambda m: f"{m[1]!r} går inte att läsa som CSV."),
    _rule(r"^'(.*)' is named \.xlsx but is not an Excel workbook",
          lambda m: f"{m[1]!r} heter .xlsx men är ingen Excel-arbetsbok."),
    _rule(r"^'(.*)' (is a damaged Excel workbook|could not be read as an Excel workbook|is a "
          r"zip file but not an Excel workbook)",
          lambda m: f"{m[1]!r} går inte att läsa som Excel-arbetsbok."),
    _rule(r"^the file is larger than (\d+) bytes",
          lambda m: f"Filen är större än {int(m[1]) // (1024 * 1024)} MiB."),
    _rule(r"^the (file|workbook) has more than (\d+) rows",
          lambda m: f"Filen har fler än {m[2]} rader."),
    _rule(r"unpack", lambda m: "Arbetsboken blir för stor när den packas upp."),
    # Activation (app.taxa.schedules.activate).
    _rule(r"^schedule (\d+) is (\w+): only a draft can be activated$",
          lambda m: f"Taxan är {STATUS_LABELS.get(m[2], m[2]).lower()}: bara ett utkast kan "
          "aktiveras."),
    _rule(r"^schedule \d+ \((\S+) – (\S+)\) overlaps active schedule (\d+) '(.*)' "
          r"\((\S+) – (\S+)\)",
          lambda m: f"Taxan ({m[1]} – {_open(m[2])}) överlappar den gällande taxan {m[4]!r} "
          f"({m[5]} – {_open(m[6])}): avsluta den eller välj ett annat startdatum."),
    _rule(r"^schedule (\d+) is a jour taxa: the report is made for a normal taxa",
          lambda m: "Det är en jourtaxa: rapporten och 7 %-kontrollen görs på normaltaxan, och "
          "jourtaxan kontrolleras i den."),
    _rule(r"^no schedule with id (\d+)$", lambda m: f"Det finns ingen taxa med nummer {m[1]}."),
    _rule(r"^no volume set with id (\d+)$",
          lambda m: f"Det finns ingen volymuppsättning med nummer {m[1]}."),
    _rule(r"^schedule \d+ is a normal taxa: check a jour one$",
          lambda m: "Jourkontrollen görs på en jourtaxa."),
)


def _open(end: str) -> str:
    return "tills vidare" if end == "open" else end


def say(message: str) -> str:
    """The Swedish for one of the core's messages, or the message itself when unknown."""
    for pattern, words in RULES:
        match = pattern.search(message)
        if match:
            return words(match)
    return message
