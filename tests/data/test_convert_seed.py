"""Tests of data/convert_seed.py: the seed's two fee tables → data/taxa/*.csv.

The expected figures below were read or counted from the seed text by hand / with grep, not
taken from the script's output (see the comment at each one).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "data" / "convert_seed.py"
TAXA_DIR = REPO_ROOT / "data" / "taxa"


def _load_script():  # type: ignore[no-untyped-def]
    name = "convert_seed_under_test"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


cs = _load_script()
SEED = cs.DEFAULT_SEED

needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"seed not found at {SEED}")


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def tables():  # type: ignore[no-untyped-def]
    return cs.parse_seed(SEED.read_text(encoding="utf-8"))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------------------------------
# Row counts, counted independently of the parser

# Independent count: a row of the source starts on a line that is "A" or "S" alone, or
# "A"/"S" followed by the group and "Extern"/"Intern" on the same line, or "Ny kod", each with
# at most one leading space. Counted with
#   sed -n '126,2907p' SEED | grep -cE '^ ?[AS] ?$|^ ?[AS] .*(Extern|Intern)|^ ?Ny kod'  → 427
#   sed -n '2908,5580p' SEED | grep -cE '...same...'                                    → 399
# and split by kind with grep -c 'Extern' (minus 1 for the column title "Extern / "),
# grep -c 'Intern' and grep -c '^ ?Ny kod':
#   normal: 373-1 = 372 extern, 47 intern, 8 Ny kod (372+47+8 = 427)
#   jour:   373-1 = 372 extern, 19 intern, 8 Ny kod (372+19+8 = 399)
EXPECTED_COUNTS = {
    "normal": {"rows": 427, "extern": 372, "intern": 47, "ny_kod": 8},
    "jour": {"rows": 399, "extern": 372, "intern": 19, "ny_kod": 8},
}
_GREP_ROW_START = re.compile(r"^ ?[AS] ?$|^ ?[AS] .*(Extern|Intern)|^ ?Ny kod")


@needs_seed
def test_independent_grep_count_matches_the_figures(seed_lines: list[str]) -> None:
    normal_at = seed_lines.index(" Tandvårdstaxa 2025")
    jour_at = seed_lines.index(" Tandvårdstaxa 2025 - Jourklinik")
    assert normal_at + 1 == 126 and jour_at + 1 == 2908
    for name, part in (("normal", seed_lines[normal_at:jour_at]), ("jour", seed_lines[jour_at:])):
        starts = [line for line in part if _GREP_ROW_START.search(line)]
        assert len(starts) == EXPECTED_COUNTS[name]["rows"]
        assert sum("Intern" in line for line in part) == EXPECTED_COUNTS[name]["intern"]
        assert sum(line.lstrip().startswith("Ny kod") for line in part) == 8


@needs_seed
@pytest.mark.parametrize("name", ["normal", "jour"])
def test_row_counts(tables, name: str) -> None:  # type: ignore[no-untyped-def]
    table = tables[0] if name == "normal" else tables[1]
    stats = cs.table_stats(table)
    for key, expected in EXPECTED_COUNTS[name].items():
        assert stats[key] == expected, key


@needs_seed
@pytest.mark.parametrize("file_name", [cs.NORMAL_FILE, cs.JOUR_FILE])
def test_generated_file_row_counts(file_name: str) -> None:
    name = "normal" if "normal" in file_name else "jour"
    rows = _read_csv(TAXA_DIR / file_name)
    assert len(rows) == EXPECTED_COUNTS[name]["rows"]
    assert sum(r["kind"] == "extern" for r in rows) == EXPECTED_COUNTS[name]["extern"]
    assert sum(r["code"] == "" for r in rows) == EXPECTED_COUNTS[name]["ny_kod"]


# ------------------------------------------------------------------------------------------
# Prices read by hand from the seed text
# (source_row, code, category, kind, price, reference price, unit); code None = "Ny kod".

NORMAL_SAMPLE = [
    (148, "101", "A", "extern", "1100.00", "1015.00", "per_atgard"),  # "1 100 1 015"
    (156, "103", "A", "extern", "515.00", "440.00", "per_atgard"),  # "515 440", no separator
    (162, "103S", "S", "extern", "680.00", "580.00", "per_atgard"),
    (734, "343", "A", "extern", "1900.00", "1875.00", "per_atgard"),  # prices on their own line
    (794, "401", "A", "extern", "1370.00", "1265.00", "per_atgard"),  # 401, first of two rows
    (806, "401", "A", "extern", "1370.00", "1265.00", "per_atgard"),  # 401, "Grafisk åtgärd"
    (1176, "433", "A", "extern", "1195.00", "1085.00", "per_atgard"),  # "1195 1 085"
    (1354, "520", "A", "extern", "1245.00", "1075.00", "per_atgard"),
    (2436, "884", "A", "extern", "8680.00", "7620.00", "per_atgard"),  # code on next line
    (2225, "861SL", "S", "extern", "49935.00", "37880.00", "per_atgard"),
    (2782, None, "", "intern", "3025.00", "", "per_atgard"),  # Ny kod, "Framställa ny retainer"
    (2802, None, "", "intern", "550.00", "", "per_bracket"),  # Ny kod, "Vita brackets"
    (2832, "951", "A", "intern", "250.00", "", "per_visit"),
    (2843, "9008", "A", "intern", "35.00", "", "per_minute"),  # 2125 kr/tim
    (2849, "9010", "A", "intern", "57.00", "", "per_minute"),  # 3405 kr/tim
    (2865, "9009", "A", "intern", "1.00", "", "per_krona"),  # "1st = 1skr"
    (2873, "O002", "A", "intern", "17575.00", "", "per_atgard"),  # text starts "O02"
    (2905, "O018", "A", "intern", "60790.00", "", "per_atgard"),  # last row of the table
]
JOUR_SAMPLE = [
    (2933, "101", "A", "extern", "1650.00", "1015.00", "per_atgard"),
    (2949, "103S", "S", "extern", "1020.00", "580.00", "per_atgard"),
    (3511, "343", "A", "extern", "2850.00", "1875.00", "per_atgard"),
    (3621, "404", "A", "extern", "5610.00", "3705.00", "per_atgard"),  # 404, 3 rows
    (3652, "404", "A", "extern", "5610.00", "3705.00", "per_atgard"),
    (4284, "711", "A", "extern", "675.00", "420.00", "per_atgard"),  # "711 - ny kod"
    (5012, "863SL", "S", "extern", "79020.00", "41450.00", "per_atgard"),
    (5393, "926", "A", "extern", "11130.00", "1805.00", "per_atgard"),
    (5526, None, "", "intern", "2275.00", "", "per_atgard"),  # Ny kod, "Retainer, lagning ..."
    (5542, "A16", "A", "intern", "775.00", "", "per_tooth"),
    (5580, "963", "S", "intern", "250.00", "", "per_atgard"),  # last row of the table
]


def _by_source_row(file_name: str) -> dict[int, dict[str, str]]:
    return {int(r["source_row"]): r for r in _read_csv(TAXA_DIR / file_name)}


@pytest.mark.parametrize(
    ("file_name", "sample"),
    [(cs.NORMAL_FILE, NORMAL_SAMPLE), (cs.JOUR_FILE, JOUR_SAMPLE)],
    ids=["normal", "jour"],
)
def test_hand_read_prices(file_name: str, sample: list[tuple]) -> None:  # type: ignore[type-arg]
    rows = _by_source_row(file_name)
    for source_row, code, category, kind, price, reference, unit in sample:
        row = rows[source_row]
        assert row["code"] == (code or ""), source_row
        assert row["category"] == category, source_row
        assert row["kind"] == kind, source_row
        assert row["price"] == price, source_row
        assert row["reference_price"] == reference, source_row
        assert row["unit"] == unit, source_row


def test_last_rows_are_last() -> None:
    assert _read_csv(TAXA_DIR / cs.NORMAL_FILE)[-1]["source_row"] == "2905"
    assert _read_csv(TAXA_DIR / cs.JOUR_FILE)[-1]["source_row"] == "5580"


def test_texts_and_groups_of_tricky_rows() -> None:
    normal = _by_source_row(cs.NORMAL_FILE)
    jour = _by_source_row(cs.JOUR_FILE)
    # wrapped, cut group name joined from its pieces
    assert normal[148]["group"] == "Us,riskbedömn och hälsofr åtg"
    assert normal[156]["group"] == "Us,riskbedömn och hälsofr"  # the source lost "åtg" here
    assert jour[2941]["group"] == "Us,riskbedömn och hälsofr åtg"
    assert normal[496]["group"] == "Sjukdomsföreb åtg"
    assert normal[592]["group"] == "Sjukdomsbeh/smärtst åtg"
    assert normal[1378]["group"] == "Bettfysiologiska åtgärder"
    assert normal[794]["group"] == "Kirurgiska åtgärder"
    assert normal[1338]["group"] == "Rotbehandling"
    # wrapped text, double spaces collapsed
    assert normal[210]["text"] == (
        "Basundersökning med fullständig parodontal undersökning, utförd av tandhygienist"
    )
    assert normal[880]["text"] == "Kirurgiskt avlägsnande av vävnad"
    assert normal[806]["text"] == 'Avlägsnande av hängande led, "Grafisk åtgärd"'
    # repeated code stripped from intern texts, typo O02 too
    assert normal[2849]["text"] == "Kosmetisk behandling utförd av tdl. 3405 kr/tim. Deb per min."
    assert normal[2843]["text"].startswith("Tandsmycke, excl material")
    assert normal[2873]["text"] == "Tandreglering, aktiv behandling högst 6 månader"
    # "- ny kod" marker not in the text
    assert jour[4284]["text"] == "Fyllning, utförd av tandhygienist"
    assert jour[4513]["code"] == "820S"
    # Ny kod rows: no code, category, group
    assert (normal[2788]["code"], normal[2788]["category"], normal[2788]["group"]) == ("", "", "")
    assert normal[2788]["text"] == "Retainer, lagning och justering"
    # the stray "Estestisk tandvård" line is not glued to the last row
    assert "Estestisk" not in normal[2905]["text"]


# ------------------------------------------------------------------------------------------
# Whole-file properties


@pytest.mark.parametrize("file_name", [cs.NORMAL_FILE, cs.JOUR_FILE])
def test_file_format(file_name: str) -> None:
    raw = (TAXA_DIR / file_name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    rows = _read_csv(TAXA_DIR / file_name)
    assert tuple(rows[0].keys()) == cs.COLUMNS
    units = {"per_atgard", "per_minute", "per_krona", "per_bracket", "per_tooth", "per_visit"}
    for row in rows:
        assert re.fullmatch(r"\d+\.\d{2}", row["price"]), row
        assert row["unit"] in units
        assert row["kind"] in ("extern", "intern")
        assert row["text"] == " ".join(row["text"].split()) != ""
        if row["kind"] == "extern":
            assert re.fullmatch(r"\d+\.\d{2}", row["reference_price"]), row
            assert row["category"] in ("A", "S") and row["code"]
            # a mis-split price pair would show as an absurd ratio (924: 7 420 vs 1 805 is the
            # largest real one in the normal table, utbyte codes)
            ratio = Decimal(row["price"]) / Decimal(row["reference_price"])
            assert Decimal("0.9") <= ratio <= Decimal("10"), row
        else:
            assert row["reference_price"] == ""
        if row["code"] == "":
            assert row["category"] == "" and row["group"] == ""
        else:
            assert row["category"] in ("A", "S") and row["group"]


@needs_seed
def test_source_row_points_at_the_row_start(seed_lines: list[str]) -> None:
    for file_name in (cs.NORMAL_FILE, cs.JOUR_FILE):
        rows = _read_csv(TAXA_DIR / file_name)
        numbers = [int(r["source_row"]) for r in rows]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
        for row in rows:
            line = seed_lines[int(row["source_row"]) - 1]
            assert _GREP_ROW_START.search(line), (row["source_row"], line)
            expected_start = row["category"] or "Ny kod"
            assert line.strip().startswith(expected_start)


def _naive_prices(lines: list[str], start: int, end: int) -> list[tuple[int, str, list[int]]]:
    """A second, simpler reader: the prices are the numbers at the end of a row's last line."""
    out = []
    starts = [i for i in range(start, end) if _GREP_ROW_START.search(lines[i])]
    for n, i in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else end
        body = [line for line in lines[i:stop] if line.strip()]
        while body and (re.fullmatch(r"\s*\d{1,3}\s*", body[-1]) or "Estestisk" in body[-1]):
            body.pop()  # page number / stray label
        joined = " ".join(body)
        count = 2 if "Extern" in joined else 1
        number = r"(\d{1,2} \d{3}|\d+)"
        match = re.search(r" " + r" ".join([number] * count) + r"\s*$", joined)
        assert match, joined
        out.append((i + 1, joined, [int(g.replace(" ", "")) for g in match.groups()]))
    return out


@needs_seed
def test_sums_agree_with_a_naive_reader(seed_lines: list[str], tables) -> None:  # type: ignore[no-untyped-def]
    bounds = {"normal": (125, 2907), "jour": (2907, len(seed_lines))}
    for table in tables:
        naive = _naive_prices(seed_lines, *bounds[table.name])
        assert [n for n, _, _ in naive] == [r.source_row for r in table.rows]
        price_sum = sum(p[0] for _, _, p in naive)
        ref_sum = sum(p[1] for _, _, p in naive if len(p) == 2)
        stats = cs.table_stats(table)
        assert stats["sum_price"] == price_sum
        assert stats["sum_reference_price"] == ref_sum
    # the figures themselves, as the summary prints them
    normal, jour = (cs.table_stats(t) for t in tables)
    assert (normal["sum_price"], normal["sum_reference_price"]) == (3426907, 2359815)
    assert (jour["sum_price"], jour["sum_reference_price"]) == (4161855, 2359815)
    assert (normal["distinct_codes"], jour["distinct_codes"]) == (402, 374)


@needs_seed
def test_generated_files_are_up_to_date(tmp_path: Path) -> None:
    cs.convert(SEED, tmp_path)
    for file_name in (cs.NORMAL_FILE, cs.JOUR_FILE):
        assert (tmp_path / file_name).read_bytes() == (TAXA_DIR / file_name).read_bytes(), (
            f"{file_name} is stale: run .venv/bin/python data/convert_seed.py"
        )


@needs_seed
def test_rerun_is_byte_identical(tmp_path: Path) -> None:
    cs.convert(SEED, tmp_path / "a")
    cs.convert(SEED, tmp_path / "b")
    for file_name in (cs.NORMAL_FILE, cs.JOUR_FILE):
        assert (tmp_path / "a" / file_name).read_bytes() == (
            tmp_path / "b" / file_name
        ).read_bytes()


@needs_seed
def test_main_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cs.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "normal: 427 rows (extern 372, intern 47, ny kod 8)" in out
    assert "jour: 399 rows (extern 372, intern 19, ny kod 8)" in out
    assert "sum price 3426907.00" in out


@needs_seed
def test_jour_against_normal(tables) -> None:  # type: ignore[no-untyped-def]
    diffs = cs.compare_tables(*tables)
    only_normal = " ".join(d for d in diffs if d.startswith("only in normal"))
    only_jour = " ".join(d for d in diffs if d.startswith("only in jour"))
    for code in ("923 ", "923S", "924 ", "924S", "9010", "O001", "O018", "10001"):
        assert code in only_normal
    for code in ("925 ", "925S", "928 ", "928S"):
        assert code in only_jour
    assert any(d.startswith("926 ") and "reference_price differs" in d for d in diffs)


# ------------------------------------------------------------------------------------------
# Unit tests of the tricky parsing cases


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (["Us,riskbedöm", "n och hälsofr ", "åtg"], "Us,riskbedömn och hälsofr åtg"),
        (["Us,riskbedöm", "n och hälsofr"], "Us,riskbedömn och hälsofr"),
        (["Sjukdomsföre", "b åtg"], "Sjukdomsföreb åtg"),
        (["Sjukdomsbeh/", "smärtst åtg"], "Sjukdomsbeh/smärtst åtg"),
        (["Bettfysiologisk", "a åtgärder"], "Bettfysiologiska åtgärder"),
        (["Kirurgiska ", "åtgärder"], "Kirurgiska åtgärder"),
        ([" Rotbehandling"], "Rotbehandling"),
    ],
)
def test_join_group_pieces(pieces: list[str], expected: str) -> None:
    assert cs.join_group_pieces(pieces) == expected


@pytest.mark.parametrize(
    ("text", "count", "rest", "prices"),
    [
        (
            "Basundersökning, utförd av tandläkare 1 100 1 015",
            2,
            "Basundersökning, utförd av tandläkare",
            [1100, 1015],
        ),
        ("undersökning 515 440", 2, "undersökning", [515, 440]),
        ("kavumexstirpation 1 140 950", 2, "kavumexstirpation", [1140, 950]),
        ("per kv,tilläggsåtgärd 1195 1 085", 2, "per kv,tilläggsåtgärd", [1195, 1085]),
        ("tandposition 3-3 1 190 1 170", 2, "tandposition 3-3", [1190, 1170]),
        ("fler implantat 43 230 32 435", 2, "fler implantat", [43230, 32435]),
        ("Fästskruv/broskruv, per styck 200 200", 2, "Fästskruv/broskruv, per styck", [200, 200]),
        ("aktiv behandling högst 6 månader 13 295", 1, "aktiv behandling högst 6 månader", [13295]),
        ("Deb per min. 57", 1, "Deb per min.", [57]),
        ("1st = 1skr 1", 1, "1st = 1skr", [1]),
    ],
)
def test_split_prices(text: str, count: int, rest: str, prices: list[int]) -> None:
    got_rest, got = cs.split_prices(text, count)
    assert got_rest == rest
    assert got == [Decimal(p) for p in prices]
    assert all(isinstance(p, Decimal) for p in got)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("no price here", 1),
        ("only one 250", 2),
        ("1 2 3 4 5", 2),  # leftover bare number before the prices
        ("Tandextraktion 1 370", 2),  # 1 + 370, or 1 370 with the reference price missing
        ("tre 1 2345", 1),  # "1" + "2345" is no thousands group
    ],
)
def test_split_prices_refuses(text: str, count: int) -> None:
    with pytest.raises(ValueError):
        cs.split_prices(text, count)


def test_strip_repeated_code() -> None:
    assert cs.strip_repeated_code("9010", "9010 Kosmetisk behandling")[0] == "Kosmetisk behandling"
    text, note = cs.strip_repeated_code("O002", "O02 Tandreglering, aktiv")
    assert text == "Tandreglering, aktiv" and note and "typo" in note
    assert cs.strip_repeated_code("A11", "Tandskydd") == ("Tandskydd", None)
    with pytest.raises(ValueError):
        cs.strip_repeated_code("9010", "9011 Blekning")


def _numbered(text: str, first_line: int = 10) -> list[tuple[int, str]]:
    return [(first_line + i, line) for i, line in enumerate(text.split("\n"))]


def test_parse_row_wrapped_extern() -> None:
    row = cs.parse_row(
        _numbered(
            "S\nUs,riskbedöm\nn och hälsofr \nåtg Extern 115S\n"
            "Konsultation specialisttandvård (Kan användas endast av tandläkare \n"
            "med bevis om specialistkompetens) 1 165 1 165"
        )
    )
    assert (row.source_row, row.code, row.category, row.kind) == (10, "115S", "S", "extern")
    assert row.group == "Us,riskbedömn och hälsofr åtg"
    assert row.text == (
        "Konsultation specialisttandvård (Kan användas endast av tandläkare med bevis om "
        "specialistkompetens)"
    )
    assert (row.price, row.reference_price) == (Decimal(1165), Decimal(1165))


def test_parse_row_code_on_next_line_and_ny_kod_marker() -> None:
    row = cs.parse_row(_numbered("A\nProtetiska \nåtgärder Extern\n884 Reparation 8 680 7 620"))
    assert (row.code, row.group, row.text) == ("884", "Protetiska åtgärder", "Reparation")
    row = cs.parse_row(_numbered("A\nReparativa \nåtgärder Extern 711 - ny kod Fyllning 675 420"))
    assert (row.code, row.text, row.price) == ("711", "Fyllning", Decimal(675))
    assert any("ny kod" in note for note in row.notes)


def test_parse_row_intern_and_ny_kod() -> None:
    row = cs.parse_row(
        _numbered("A Övrigt Intern 9021\n9021 Kosmetisk behandling. 4965 kr/tim. \nDeb/min. 83")
    )
    assert (row.code, row.kind, row.reference_price, row.unit) == (
        "9021",
        "intern",
        None,
        "per_minute",
    )
    assert row.text == "Kosmetisk behandling. 4965 kr/tim. Deb/min."
    assert row.price == Decimal(83)
    row = cs.parse_row(_numbered("Ny kod\nFramställa ny essixskena. Debiteras \ni samband. 3 025"))
    assert (row.code, row.category, row.group, row.kind) == (None, None, "", "intern")
    assert row.price == Decimal(3025)


@pytest.mark.parametrize(
    "text",
    [
        "A\nKirurgiska \nåtgärder 401 Tandextraktion 1 370 1 265",  # no Extern/Intern
        "A Övrigt Intern Tandskydd 2 275",  # no code
        "A\nKirurgiska \nåtgärder Extern 401 Tandextraktion 1 370",  # one price on extern
        "A Övrigt Intern A11 Tandskydd 2 275 Estetisk",  # trailing text after the price
    ],
)
def test_parse_row_fails_loudly(text: str) -> None:
    with pytest.raises(cs.SeedParseError) as info:
        cs.parse_row(_numbered(text, 42))
    assert info.value.line_no == 42


SNIPPET = """\
 Tandvårdstaxa 2025

ATV-kod 

Åtgärd Åtgärdstext

A

Kirurgiska 

åtgärder Extern 454
Kirurgisk behandling 

i en kvadrant 6 155 5 750

228



S

Kirurgiska 

åtgärder Extern 454S Kirurgisk behandling 8 315 7 770
 A Övrigt Intern A11 Tandskydd 2 275

Estestisk tandvård
"""


def test_parse_table_skips_page_numbers_and_known_stray_lines() -> None:
    lines = SNIPPET.split("\n")
    table = cs.parse_table(lines, 0, len(lines), "t")
    assert [(r.source_row, r.code, r.price) for r in table.rows] == [
        (7, "454", Decimal(6155)),
        (20, "454S", Decimal(8315)),
        (25, "A11", Decimal(2275)),
    ]
    assert table.rows[0].text == "Kirurgisk behandling i en kvadrant"
    assert any("page number 228" in why for _, why in table.skipped)
    assert any("Estestisk" in why for _, why in table.skipped)


def test_parse_table_fails_on_unknown_line() -> None:
    lines = SNIPPET.replace("Estestisk tandvård", "Något okänt").split("\n")
    with pytest.raises(cs.SeedParseError) as info:
        cs.parse_table(lines, 0, len(lines), "t")
    assert info.value.line_no == 25  # the row the stray text was glued to
    lines = SNIPPET.replace("ATV-kod ", "Fotnot").split("\n")
    with pytest.raises(cs.SeedParseError):
        cs.parse_table(lines, 0, len(lines), "t")


def test_main_exits_non_zero_on_bad_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "seed.txt"
    seed.write_text(
        " Tandvårdstaxa 2025\nA Övrigt Intern A11 Tandskydd\n"
        " Tandvårdstaxa 2025 - Jourklinik\nA Övrigt Intern A11 Tandskydd 3 415\n",
        encoding="utf-8",
    )
    assert cs.main(["--seed", str(seed), "--out", str(tmp_path / "out")]) == 2
    assert "seed line 2" in capsys.readouterr().err
    assert not (tmp_path / "out" / cs.NORMAL_FILE).exists()


def test_csv_quoting_round_trips() -> None:
    row = cs.Row(
        1,
        "401",
        "A",
        "Kirurgiska åtgärder",
        "extern",
        'a, "b"',
        Decimal(1370),
        Decimal(1265),
        "per_atgard",
    )
    text = cs.to_csv([row])
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["text"] == 'a, "b"' and parsed[0]["price"] == "1370.00"
