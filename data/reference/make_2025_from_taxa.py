"""Write data/reference/region-jonkoping-2025-from-taxa.csv: the 2025 reference list as the
region's 2025 taxa decision prints it.

WHY: TLV's own file for 2025 (HSLF-FS 2024:11, in force 2025-01-15 → 2025-12-31) is not at hand,
but the region's 2025 decision (RJL 2024/12) prints TLV's reference price beside every extern
code. This script recovers that column as a reference list, so that a quote for a treatment in
2025 and the list's own rise into 2026 have a 2025 list to work on. IT IS NOT TLV'S FILE: it has
only the åtgärder and columns the region's taxa uses (``-`` here means "not in the region's
taxa", not "no price in TLV's list"), no dental-technical cost and no material. The file's first
row says so.

How: the bundled taxa (data/taxa/region-jonkoping-2025-normal.csv) is read with the import's
own validation (``pricing.taxa_validation.validate_rows``) and turned into a list by
``pricing.reference.reference_list_from_taxa`` (the one place that maps ``103S`` to 103's
specialist column and checks that the variants ``541H``/``861L`` agree). The CSV has TLV's
headings, so it is read by the same importer as TLV's file.

Deterministic, standard library only (plus the pure ``pricing`` package of this repository).
Run from the repository root:

    .venv/bin/python data/reference/make_2025_from_taxa.py          # writes the file
    .venv/bin/python data/reference/make_2025_from_taxa.py --check  # exit 1 if it differs

``tests/pricing/test_reference.py`` checks that the file is what this script makes.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:  # run as a script: the pure core of this repository
    sys.path.insert(0, str(REPO))

from pricing.reference import ReferenceList, reference_list_from_taxa  # noqa: E402
from pricing.taxa import Item  # noqa: E402
from pricing.taxa_validation import RawRow, validate_rows  # noqa: E402

TAXA = REPO / "data" / "taxa" / "region-jonkoping-2025-normal.csv"
OUT = HERE / "region-jonkoping-2025-from-taxa.csv"
TITLE = (
    "REFERENSPRISER 2025 UR REGION JÖNKÖPINGS LÄNS TAXEBESLUT RJL 2024/12 - INTE TLV:S EGEN FIL "
    "/ 2025 REFERENCE PRICES TAKEN FROM THE REGION'S 2025 TAXA DECISION - NOT TLV'S OWN FILE "
    "(TLV HSLF-FS 2024:11 in force 2025-01-15 - 2025-12-31 / '-' = not in the region's taxa / "
    "data/reference/make_2025_from_taxa.py)"
)
STATED = "fr o m 15 jan 2025"
HEADINGS = [
    "Åtgärdsnummer",
    "Åtgärdsnamn",
    f"Referenspris allmäntandvård {STATED}",
    f"Referenspris specialisttandvård {STATED}",
    "Tandteknisk kostnad",
    "Dentalt material i beräkningen av referenspris",
]


def taxa_items(path: Path = TAXA) -> tuple[Item, ...]:
    """The bundled taxa, read with the import's validation (refuses a file with errors)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [RawRow(number, row) for number, row in enumerate(csv.DictReader(handle), 2)]
    result = validate_rows(rows, {})
    if not result.ok:
        raise SystemExit(f"{path}: {len(result.errors)} error(s), first: {result.errors[0]}")
    return result.items


def make_list(items: tuple[Item, ...]) -> ReferenceList:
    return reference_list_from_taxa(items, name="Referenspriser 2025 ur taxebeslut RJL 2024/12")


def _price(value: Decimal | None) -> str:
    """As TLV writes it: "1100" for whole kronor, "-" for none."""
    if value is None:
        return "-"
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"


def render(ref_list: ReferenceList) -> bytes:
    """The CSV: UTF-8 without BOM, comma separated, \\n line ends, codes in number order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([TITLE])
    writer.writerow(HEADINGS)
    for entry in ref_list.entries.values():
        writer.writerow(
            [entry.code, entry.name, _price(entry.general), _price(entry.specialist), "", ""]
        )
    return out.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs")
    args = parser.parse_args(argv)
    content = render(make_list(taxa_items()))
    if args.check:
        same = args.out.exists() and args.out.read_bytes() == content
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from what the script makes'}")
        return 0 if same else 1
    args.out.write_bytes(content)
    lines = content.count(b"\n")
    print(f"wrote {args.out} ({lines - 2} åtgärder)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
