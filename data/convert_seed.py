#!/usr/bin/env python3
"""Convert the two fee tables of the 2025 seed text into the service's CSV format.

Source: ``shared/seeds/tandvardstaxa-2025-region-jonkoping.txt`` (text extracted from the PDF of
Region Jönköpings län's decision RJL 2024/12, "Tandvårdstaxa Folktandvården 2025"). It holds the
normal table (heading " Tandvårdstaxa 2025") and the out-of-hours table (heading
" Tandvårdstaxa 2025 - Jourklinik"). Output: ``data/taxa/region-jonkoping-2025-normal.csv`` and
``data/taxa/region-jonkoping-2025-jour.csv`` in the format of ``data/FORMAT.md``.

Usage::

    .venv/bin/python data/convert_seed.py [--seed PATH] [--out DIR] [--report]

Stdlib only (plus the repository's own ``pricing.units.infer_unit``). Deterministic: a rerun
writes byte-identical files. Any line it cannot place, and any row it cannot parse, stops the
run with a non-zero exit and the seed line number; nothing is silently dropped. See
``data/README.md`` for every defect of the source and how it is resolved here.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from pricing.units import infer_unit  # noqa: E402  (needs the path set up above)

SEED_NAME = "tandvardstaxa-2025-region-jonkoping.txt"
DEFAULT_SEED = REPO_ROOT.parent / "shared" / "seeds" / SEED_NAME
DEFAULT_OUT = REPO_ROOT / "data" / "taxa"
NORMAL_FILE = "region-jonkoping-2025-normal.csv"
JOUR_FILE = "region-jonkoping-2025-jour.csv"

NORMAL_HEADING = "Tandvårdstaxa 2025"
JOUR_HEADING = "Tandvårdstaxa 2025 - Jourklinik"

COLUMNS = (
    "code",
    "category",
    "group",
    "kind",
    "text",
    "price",
    "reference_price",
    "unit",
    "source_row",
)

# The column titles that the PDF extraction spreads over several lines above each table.
HEADER_LINES = frozenset(
    {
        "ATV-kod",
        "eller STV-",
        "kod",
        "Åtgärdsgrupp",
        "Åtgärdsgrup",  # the jour table's title is wrapped: "Åtgärdsgrup" / "p"
        "p",
        "Extern /",
        "intern kod",
        "Åtgärd Åtgärdstext",
        "FTV pris",
        "2025",
        "Referenspris",
        "Referens",  # the jour table's title is wrapped: "Referens" / "pris 2025"
        "pris 2025",
    }
)

# Lines inside a table that are not part of any row and that we know about. Anything else that
# does not fit a row is an error.
KNOWN_STRAY_LINES = {
    # After the normal table's last row (O018), before the jour heading; a misspelt label
    # ("Estetisk tandvård", aesthetic dental care) that belongs to no row.
    "Estestisk tandvård": "stray label after the last row of the table (misspelt 'Estetisk')",
}

# A row starts with the category alone on its line ("A", "S"; sometimes with a leading space at a
# page break), with category + group + kind on one line ("A Rotbehandling Extern 501 ..."), or
# with the words "Ny kod".
_ROW_START = re.compile(r"^\s?(?:[AS]\s*$|[AS] .*\b(?:Extern|Intern)\b|Ny kod\b)")
_KIND_WORD = re.compile(r"(?:^|\s)(Extern|Intern)(?=\s|$)")
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_NY_KOD_MARKER = re.compile(r"^-\s*ny kod\b\s*", re.IGNORECASE)
# Codes: TLV codes with optional suffixes (103S, 541SH, 861L), 4-5 digit internal codes
# (9010, 10001) and letter codes (A11, B909, O001, S2, ASYL).
CODE_RE = re.compile(r"^(?:\d{3,5}(?:S|H|L|SH|SL)?|[A-Z]\d{1,3}|ASYL)$")
_HOURLY = re.compile(r"(\d[\d ]*)\s*kr/tim", re.IGNORECASE)

# No price in these tables reaches 100 000 kr; a bound keeps "1 140 950" from reading as
# 1 and 140 950.
MAX_PRICE = Decimal(100_000)
CENT = Decimal("0.01")


class SeedParseError(ValueError):
    """The seed has a line or row the converter cannot place. Carries the 1-based line number."""

    def __init__(self, line_no: int, message: str) -> None:
        super().__init__(f"seed line {line_no}: {message}")
        self.line_no = line_no


@dataclass(frozen=True)
class Row:
    """One row of a source table, cleaned. ``code`` is None on a "Ny kod" row."""

    source_row: int
    code: str | None
    category: str | None
    group: str
    kind: str  # "extern" | "intern"
    text: str
    price: Decimal
    reference_price: Decimal | None
    unit: str
    notes: tuple[str, ...] = ()

    @property
    def is_ny_kod(self) -> bool:
        return self.code is None

    def csv_fields(self) -> list[str]:
        return [
            self.code or "",
            self.category or "",
            self.group,
            self.kind,
            self.text,
            format_price(self.price),
            "" if self.reference_price is None else format_price(self.reference_price),
            self.unit,
            str(self.source_row),
        ]


@dataclass(frozen=True)
class Table:
    """A parsed table plus the non-row lines that were skipped inside it (for the report)."""

    name: str
    heading_row: int
    rows: tuple[Row, ...]
    skipped: tuple[tuple[int, str], ...]  # (line number, why)


# --------------------------------------------------------------------------------------------
# Small pieces (unit-tested on their own)


def collapse(text: str) -> str:
    """Runs of whitespace become one space; ends stripped."""
    return " ".join(text.split())


def format_price(value: Decimal) -> str:
    return str(value.quantize(CENT))


def join_group_pieces(pieces: Sequence[str]) -> str:
    """Join the wrapped pieces of a group name as the PDF cut them.

    The extraction keeps a trailing space where the cut falls between two words ("Kirurgiska " /
    "åtgärder") and none where it falls inside a word ("Us,riskbedöm" / "n och hälsofr " / "åtg"
    → "Us,riskbedömn och hälsofr åtg"; "Sjukdomsbeh/" / "smärtst åtg" → "Sjukdomsbeh/smärtst åtg").
    """
    out = ""
    previous = ""
    for piece in pieces:
        if not piece.strip():
            previous = piece
            continue
        if out:
            out += (" " if previous[-1:].isspace() else "") + piece.strip()
        else:
            out = piece.strip()
        previous = piece
    return collapse(out)


def _number(tokens: Sequence[str]) -> Decimal | None:
    """The value of one price written as 1 token ("3405", "515") or 2 ("1 100"), else None."""
    if len(tokens) == 1:
        if not re.fullmatch(r"0|[1-9]\d*", tokens[0]):
            return None
        value = Decimal(tokens[0])
    elif len(tokens) == 2:
        if not (re.fullmatch(r"[1-9]\d{0,2}", tokens[0]) and re.fullmatch(r"\d{3}", tokens[1])):
            return None
        value = Decimal(tokens[0] + tokens[1])
    else:
        return None
    return value if value < MAX_PRICE else None


def _segmentations(tokens: Sequence[str], count: int) -> list[list[Decimal]]:
    """Every way to read ``tokens`` as exactly ``count`` prices."""
    if count == 0:
        return [[]] if not tokens else []
    found: list[list[Decimal]] = []
    for width in (1, 2):
        if width > len(tokens):
            break
        value = _number(tokens[:width])
        if value is None:
            continue
        for rest in _segmentations(tokens[width:], count - 1):
            found.append([value, *rest])
    return found


def split_prices(text: str, count: int) -> tuple[str, list[Decimal]]:
    """Split ``count`` prices off the end of ``text``; return (text before them, prices).

    Prices use a space as thousands separator ("1 100"), but not always ("3405"), so "515 440"
    is two prices and "1 100 1 015" is two as well. The reading that uses the most trailing
    number tokens wins. Two readings of the same length, numbers that also read as one price
    fewer ("1 370": 1 + 370, or 1 370 with the reference price missing), or a text that would
    then still end in a bare number, are reported as ambiguous instead of guessed.
    """
    tokens = text.split()
    digits = 0
    while digits < len(tokens) and tokens[len(tokens) - 1 - digits].isdigit():
        digits += 1
    if digits < count:
        raise ValueError(f"expected {count} price(s) at the end of {text!r}")
    for used in range(min(digits, 2 * count), count - 1, -1):
        readings = _segmentations(tokens[len(tokens) - used :], count)
        if not readings:
            continue
        if len(readings) > 1:
            raise ValueError(f"ambiguous prices at the end of {text!r}: {readings}")
        if count > 1 and _segmentations(tokens[len(tokens) - used :], count - 1):
            raise ValueError(
                f"ambiguous: the numbers at the end of {text!r} read as {count} prices or as "
                f"{count - 1} (a price may be missing)"
            )
        if used < digits:
            raise ValueError(
                f"ambiguous: text would end in a bare number before the prices in {text!r}"
            )
        return " ".join(tokens[: len(tokens) - used]), readings[0]
    raise ValueError(f"cannot read {count} price(s) at the end of {text!r}")


def _code_key(code: str) -> tuple[str, int] | None:
    """(letters around the number, number): 'O002' and 'O02' give the same key."""
    match = re.fullmatch(r"([A-Z]*)(\d+)([A-Z]*)", code)
    if not match:
        return None
    return match.group(1) + "|" + match.group(3), int(match.group(2))


def strip_repeated_code(code: str, text: str) -> tuple[str, str | None]:
    """Intern rows repeat the code at the start of the text ("9010 9010 Kosmetisk ...").

    The repeat is dropped (the code has its own column). A repeat that differs from the code
    only by zero padding ("O002 O02 ...") is taken as a typo of the code, dropped, and noted.
    A text that starts with some other code is an error.
    """
    first, _, rest = text.partition(" ")
    if first == code:
        return rest, f"repeated code {first!r} removed from the text"
    if CODE_RE.fullmatch(first):
        if _code_key(first) == _code_key(code):
            return rest, f"repeated code written {first!r} (typo of {code!r}) removed from the text"
        raise ValueError(f"text of code {code!r} starts with another code {first!r}")
    return text, None


def per_minute_note(text: str, price: Decimal) -> str | None:
    """For "NNNN kr/tim. Deb per min." rows: the hourly rate, /60, and the per-minute price."""
    match = _HOURLY.search(text)
    if not match:
        return None
    hourly = Decimal(match.group(1).replace(" ", ""))
    exact = hourly / 60
    return (
        f"per-minute price {price} from {hourly} kr/tim: {hourly}/60 = "
        f"{exact.quantize(Decimal('0.0001'))}, rounded to a whole krona"
        f" ({price * 60} kr/tim at the rounded rate)"
    )


# --------------------------------------------------------------------------------------------
# Rows and tables


def find_heading(lines: Sequence[str], heading: str) -> int:
    """0-based index of the one line that is exactly ``heading`` (after stripping)."""
    hits = [i for i, line in enumerate(lines) if line.strip() == heading]
    if len(hits) != 1:
        raise SeedParseError(
            hits[1] + 1 if hits else 1, f"expected one line {heading!r}, got {len(hits)}"
        )
    return hits[0]


def parse_row(numbered: Sequence[tuple[int, str]]) -> Row:
    """Parse one row from its (line number, raw line) pairs; the first pair starts the row."""
    start_no, first = numbered[0]
    notes: list[str] = []
    stripped = first.strip()
    if stripped.startswith("Ny kod"):
        code: str | None = None
        category: str | None = None
        group = ""
        kind = "intern"
        rest_parts = [stripped[len("Ny kod") :]] + [line for _, line in numbered[1:]]
        notes.append("'Ny kod' row: no code, category, group or Extern/Intern; kind set to intern")
    else:
        category = stripped[0]
        if category not in ("A", "S"):
            raise SeedParseError(start_no, f"row does not start with A, S or 'Ny kod': {first!r}")
        body = [(start_no, first.lstrip()[1:])] + list(numbered[1:])
        pieces: list[str] = []
        kind_match: re.Match[str] | None = None
        kind_at = 0
        while kind_at < len(body):
            line = body[kind_at][1]
            kind_match = _KIND_WORD.search(line)
            if kind_match:
                pieces.append(line[: kind_match.start()])
                break
            pieces.append(line)
            kind_at += 1
        if kind_match is None:
            raise SeedParseError(start_no, "no 'Extern' or 'Intern' in the row")
        group = join_group_pieces(pieces)
        if not group:
            raise SeedParseError(start_no, "row has no åtgärdsgrupp")
        kind = kind_match.group(1).lower()
        after_kind = body[kind_at][1][kind_match.end() :]
        if not after_kind.strip():
            notes.append("code wrapped onto the line after 'Extern'/'Intern'")
        rest_parts = [after_kind] + [line for _, line in body[kind_at + 1 :]]
        code = None  # read from rest below

    rest = collapse(" ".join(rest_parts))
    if not rest:
        raise SeedParseError(start_no, "row has no code, text or price")
    try:
        if category is not None:
            code, _, rest = rest.partition(" ")
            if not CODE_RE.fullmatch(code):
                raise ValueError(f"not a code: {code!r}")
            marker = _NY_KOD_MARKER.match(rest)
            if marker:
                rest = rest[marker.end() :]
                notes.append(f"'- ny kod' marker after code {code} removed")
        text, prices = split_prices(rest, 2 if kind == "extern" else 1)
        if code is not None:
            text, note = strip_repeated_code(code, text)
            if note:
                notes.append(note)
    except ValueError as exc:
        raise SeedParseError(start_no, str(exc)) from exc
    if not text:
        raise SeedParseError(start_no, "row has no text")
    price = prices[0]
    reference = prices[1] if kind == "extern" else None
    unit = infer_unit(text).value
    if unit == "per_minute":
        note = per_minute_note(text, price)
        if note:
            notes.append(note)
    return Row(
        source_row=start_no,
        code=code,
        category=category,
        group=group,
        kind=kind,
        text=text,
        price=price,
        reference_price=reference,
        unit=unit,
        notes=tuple(notes),
    )


def parse_table(lines: Sequence[str], start: int, end: int, name: str = "") -> Table:
    """Parse the table whose heading is ``lines[start]``, up to (not including) ``lines[end]``.

    Indices are 0-based; reported line numbers are 1-based. Raises SeedParseError on any line
    that is neither a header line, part of a row, a page number nor a known stray line.
    """
    groups: list[list[tuple[int, str]]] = []
    skipped: list[tuple[int, str]] = []
    index = start + 1
    while index < end:
        line = lines[index]
        line_no = index + 1
        stripped = line.strip()
        if not stripped:
            index += 1
            continue
        if _ROW_START.match(line):
            groups.append([(line_no, line)])
        elif not groups:
            if stripped not in HEADER_LINES:
                raise SeedParseError(line_no, f"unexpected line above the first row: {line!r}")
            skipped.append((line_no, f"column header {stripped!r}"))
        elif _PAGE_NUMBER.match(line) and all(
            not lines[j].strip() for j in range(index + 1, min(index + 3, len(lines)))
        ):
            skipped.append((line_no, f"page number {stripped}"))
        elif stripped in KNOWN_STRAY_LINES:
            skipped.append((line_no, f"{stripped!r}: {KNOWN_STRAY_LINES[stripped]}"))
        else:
            groups[-1].append((line_no, line))
        index += 1
    if not groups:
        raise SeedParseError(start + 1, "table has no rows")
    rows = tuple(parse_row(group) for group in groups)
    return Table(name=name, heading_row=start + 1, rows=rows, skipped=tuple(skipped))


def parse_seed(text: str) -> tuple[Table, Table]:
    lines = text.split("\n")
    normal_at = find_heading(lines, NORMAL_HEADING)
    jour_at = find_heading(lines, JOUR_HEADING)
    if not normal_at < jour_at:
        raise SeedParseError(jour_at + 1, "the jour table comes before the normal table")
    normal = parse_table(lines, normal_at, jour_at, "normal")
    jour = parse_table(lines, jour_at, len(lines), "jour")
    return normal, jour


def to_csv(rows: Sequence[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row.csv_fields())
    return buffer.getvalue()


def convert(seed_path: Path, out_dir: Path) -> tuple[Table, Table]:
    """Parse the seed and write both CSV files into ``out_dir``; return the parsed tables."""
    normal, jour = parse_seed(Path(seed_path).read_text(encoding="utf-8"))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, file_name in ((normal, NORMAL_FILE), (jour, JOUR_FILE)):
        (out_dir / file_name).write_bytes(to_csv(table.rows).encode("utf-8"))
    return normal, jour


# --------------------------------------------------------------------------------------------
# Summary and report


def jour_rule(price: Decimal) -> Decimal:
    """The published jour rule: normal × 1.5, rounded to a whole 5 kr, halves up."""
    return (price * Decimal("1.5") / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5


def table_stats(table: Table) -> dict[str, object]:
    rows = table.rows
    return {
        "rows": len(rows),
        "extern": sum(1 for r in rows if r.kind == "extern"),
        "intern": sum(1 for r in rows if r.kind == "intern" and not r.is_ny_kod),
        "ny_kod": sum(1 for r in rows if r.is_ny_kod),
        "distinct_codes": len({r.code for r in rows if r.code is not None}),
        "sum_price": sum((r.price for r in rows), Decimal(0)),
        "sum_reference_price": sum(
            (r.reference_price for r in rows if r.reference_price is not None), Decimal(0)
        ),
        "units": dict(sorted(Counter(r.unit for r in rows).items())),
    }


def _key(row: Row) -> str:
    return row.code if row.code is not None else "Ny kod: " + row.text


def duplicate_codes(table: Table) -> list[str]:
    """One line per code that has several rows in the table."""
    by_code: dict[str, list[Row]] = {}
    for row in table.rows:
        if row.code is not None:
            by_code.setdefault(row.code, []).append(row)
    out = []
    for code, rows in by_code.items():
        if len(rows) < 2:
            continue
        prices = {(r.price, r.reference_price) for r in rows}
        texts = {r.text for r in rows}
        out.append(
            f"{code}: {len(rows)} rows (lines {', '.join(str(r.source_row) for r in rows)}), "
            f"{'same' if len(texts) == 1 else 'different'} texts, "
            f"{'same' if len(prices) == 1 else 'DIFFERENT'} price/reference price"
        )
    return out


def compare_tables(normal: Table, jour: Table) -> list[str]:
    """Differences between the jour table and the normal one, aligned on the code sequence."""
    a = [_key(r) for r in normal.rows]
    b = [_key(r) for r in jour.rows]
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            out.append(
                "only in normal: "
                + ", ".join(f"{_key(r)} (line {r.source_row})" for r in normal.rows[i1:i2])
            )
        if tag in ("insert", "replace"):
            out.append(
                "only in jour: "
                + ", ".join(f"{_key(r)} (line {r.source_row})" for r in jour.rows[j1:j2])
            )
        if tag != "equal":
            continue
        for n, j in zip(normal.rows[i1:i2], jour.rows[j1:j2], strict=True):
            where = f"{_key(n)} (lines {n.source_row}/{j.source_row})"
            for field_name in ("category", "group", "kind", "text", "reference_price"):
                left, right = getattr(n, field_name), getattr(j, field_name)
                if left != right:
                    out.append(f"{where}: {field_name} differs: normal {left!r} / jour {right!r}")
            n_marks = [x for x in n.notes if "ny kod" in x]
            j_marks = [x for x in j.notes if "ny kod" in x]
            if bool(n_marks) != bool(j_marks):
                out.append(f"{where}: '- ny kod' marker only in {'normal' if n_marks else 'jour'}")
            expected = jour_rule(n.price)
            if j.price != expected:
                out.append(
                    f"{where}: jour price {j.price} != round5(normal {n.price} x 1.5) = {expected}"
                )
    return out


def summary(normal: Table, jour: Table, out_dir: Path | None = None) -> str:
    lines = []
    for table, file_name in ((normal, NORMAL_FILE), (jour, JOUR_FILE)):
        s = table_stats(table)
        target = f" -> {out_dir / file_name}" if out_dir is not None else ""
        lines.append(
            f"{table.name}: {s['rows']} rows (extern {s['extern']}, intern {s['intern']}, "
            f"ny kod {s['ny_kod']}), {s['distinct_codes']} distinct codes, "
            f"sum price {format_price(s['sum_price'])}, "  # type: ignore[arg-type]
            f"sum reference_price {format_price(s['sum_reference_price'])}{target}"  # type: ignore[arg-type]
        )
        noted = sum(1 for r in table.rows if r.notes)
        lines.append(
            f"  {noted} rows with notes, {len(table.skipped)} non-row lines skipped "
            f"(headers, page numbers, stray), units {s['units']}"
        )
    diffs = compare_tables(normal, jour)
    lines.append(f"normal vs jour: {len(diffs)} differences (run with --report to list them)")
    return "\n".join(lines)


def report(normal: Table, jour: Table) -> str:
    out = []
    for table in (normal, jour):
        out.append(f"== {table.name} table (heading at line {table.heading_row})")
        for line_no, why in table.skipped:
            if not why.startswith("column header"):
                out.append(f"  skipped line {line_no}: {why}")
        for row in table.rows:
            for note in row.notes:
                if not note.startswith("'Ny kod' row"):
                    out.append(f"  line {row.source_row} {_key(row)}: {note}")
        for row in table.rows:
            if row.is_ny_kod:
                out.append(f"  line {row.source_row}: Ny kod row: {row.text!r} {row.price}")
        for line in duplicate_codes(table):
            out.append(f"  duplicate {line}")
        groups = Counter(r.group for r in table.rows)
        out.append(f"  groups: {dict(sorted(groups.items()))}")
    out.append("== normal vs jour")
    out.extend("  " + line for line in compare_tables(normal, jour))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="seed text file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--report", action="store_true", help="also list every oddity found")
    args = parser.parse_args(argv)
    try:
        normal, jour = convert(args.seed, args.out)
    except SeedParseError as exc:
        print(f"convert_seed: ERROR: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"convert_seed: ERROR: {exc}", file=sys.stderr)
        return 2
    print(summary(normal, jour, args.out))
    if args.report:
        print(report(normal, jour))
    return 0


if __name__ == "__main__":
    sys.exit(main())
