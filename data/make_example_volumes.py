"""Write the EXAMPLE volume file data/volumes/example-invented-region-jonkoping-2025.csv.

THE VOLUMES ARE INVENTED. They are not statistics of any region or clinic: they exist so that
``taxa deviation`` and the tests have a plausible, reproducible file to run on. Real volumes come
from the clinic system's statistics of billed åtgärder (T4 in Region Jönköpings län).

What "plausible" means here: a region of 26 clinics (23 allmäntandvård, 3 specialist), one
year of billed åtgärder for adults. Annual regional volumes per code are set by hand below
(examinations, X-rays, fillings and scaling common; crowns, root canals fewer; implants,
implant bridges and tandreglering rare; intern and aesthetic codes few), split over the clinics
by an invented size, with ±15 % noise per clinic and code. S codes, the specialist fees and the
intern orthodontic O-codes are billed only by the specialist clinics; the aesthetic codes only by
six general clinics. Per-minute codes count minutes, per-krona codes kronor of material.

Deterministic: a fixed seed, integer arithmetic only (no floats), codes in the taxa's order.
Standard library only. Run from the repository root:

    .venv/bin/python data/make_example_volumes.py          # writes the file
    .venv/bin/python data/make_example_volumes.py --check  # exit 1 if the file differs

``tests/data/test_example_volumes.py`` checks that the file is what this script makes.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent
TAXA = DATA / "taxa" / "region-jonkoping-2025-normal.csv"
OUT = DATA / "volumes" / "example-invented-region-jonkoping-2025.csv"
SEED = 20250101
TITLE = (
    "EXEMPEL: PÅHITTADE VOLYMER - INTE VERKLIG STATISTIK / EXAMPLE: INVENTED VOLUMES - "
    "NOT REAL STATISTICS (data/make_example_volumes.py seed 20250101)"
)
HEADINGS = ("Klinik", "Åtgärd", "Volym")
GENERAL_CLINICS = 23
SPECIALIST_CLINICS = 3
AESTHETIC_CLINICS = 6  # the first six general clinics offer aesthetic care
NOISE_PERCENT = 15

# Invented annual regional volume per A code (and per intern code): "code volume" pairs.
BASE = """
101 48000  103 30000  107 2500  108 400  111 35000  112 6000  113 9000  114 4000
121 90000  123 1500  124 3000  125 200  126 100  127 12000  128 5000
131 150  132 80  133 40  134 20  141 300  142 1200  161 200  162 150  163 100  164 100
201 15000  204 800  205 20000  206 8000  207 12000  208 6000  209 1500  213 1000  214 2000
250 300  251 40  252 60
301 10000  302 6000  303 1500  304 300  311 12000  312 15000  313 800  314 1500  321 5000
322 1500  341 20000  342 9000  343 2000  350 300  351 30  352 50  362 150
401 7000  402 1200  403 1500  404 1500  405 300  406 50  407 300  408 60  409 40  410 2500
420 150  421 250  422 80  423 60  424 20  425 10  426 5  427 15  428 40  429 15  430 20
431 15  432 60  433 20  436 20  446 30  447 20  448 20  451 80  452 40  453 40  454 15  480 200
501 2500  502 1200  503 1500  504 600  520 800  521 3000  522 300  523 200  541 80  541H 20
601 1500  602 400  603 30  604 300  606 1500  607 600  650 50
701 9000  702 7000  703 3000  704 16000  705 20000  706 14000  707 1500  708 800  711 2000
800 2500  801 1800  802 300  803 600  804 300  805 100  806 50  807 400  808 20  809 400
811 1500  812 600  813 150  814 40  815 20  820 300  822 400  823 300  824 350  825 60
826 50  827 200  828 350  829 100  831 3000  832 1500  833 400  834 300  835 200  836 80
837 20  839 30  845 100  846 20  847 60  848 300
850 400  852 200  853 40  854 30  855 30  856 20  857 20  858 150  859 100
861 10  861L 2  862 4  862L 1  863 3  863L 1  865 12  865L 2
871 15  872 5  873 10  874 5  875 3  876 3  877 30  878 60  881 150  883 40  884 10
888 150  889 60  892 60  893 30  894 30  895 10  896 10  897 50
900 30  901 15  902 15  903 10  904 5  905 20  906 15  907 10  908 5
921 200  922 150  923 80  924 40  926 60  929 20  940 3  941 3
A11 300  A13 400  964 3000  965 1500  A44 2000  ASYL 800  B909 150  A40 200
A16 1500  A17 200  A18 10  A19 1000  S2 10  951 4000  952 6000  961 1500  962 2500
9008 600  9010 4000  9080 40  9081 30  9011 150  9012 250  9021 600  9009 5000  9013 20000
10001 40
"""

# Invented annual regional volume of S codes at the specialist clinics; an S code not listed
# gets a twelfth of its A code's volume (at least 2).
SPECIALIST = """
103S 4000  107S 1500  108S 300  115S 1500  116S 600  121S 8000  123S 200  124S 1000
125S 100  126S 50  127S 800  128S 400  131S 300  132S 150  133S 80  134S 40  163S 80
313S 300  314S 500  341S 1500  342S 1200  343S 600  401S 600  402S 400  404S 700  405S 250
421S 200  423S 80  501S 300  502S 200  503S 300  504S 150  953 3000  963 500
O001 8  O002 6  O003 5  O004 4  O005 4  O006 3  O007 3  O008 2  O009 2  O010 2
O011 6  O012 5  O013 4  O014 3  O015 3  O016 2  O017 2  O018 1
"""
AESTHETIC = frozenset(
    {"9008", "9009", "9010", "9011", "9012", "9013", "9021", "9080", "9081", "10001"}
)


def _table(text: str) -> dict[str, int]:
    tokens = text.split()
    return {code: int(volume) for code, volume in zip(tokens[::2], tokens[1::2], strict=True)}


def taxa_codes(path: Path = TAXA) -> dict[str, str]:
    """The distinct codes of the taxa with their category, in its order ("Ny kod" rows have
    no code and get no volume)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["category"] for row in csv.DictReader(handle) if row["code"]}


def regional_volume(code: str, base: dict[str, int], specialist: dict[str, int]) -> int:
    if code in specialist:
        return specialist[code]
    if code in base:
        return base[code]
    if code.endswith("S") and code[:-1] in base:
        return max(base[code[:-1]] // 12, 2)
    return 5


def make_rows(codes: dict[str, str], seed: int = SEED) -> list[tuple[str, str, int]]:
    """(clinic, code, volume) for every clinic and code with a volume above 0."""
    rng = random.Random(seed)
    general = [f"Exempelklinik {n:02d}" for n in range(1, GENERAL_CLINICS + 1)]
    specialists = [
        f"Exempelklinik {n:02d} (specialist)"
        for n in range(GENERAL_CLINICS + 1, GENERAL_CLINICS + SPECIALIST_CLINICS + 1)
    ]
    size = {clinic: rng.randint(50, 150) for clinic in general + specialists}
    size[general[0]] = 300  # one large clinic in the county town
    base, specialist = _table(BASE), _table(SPECIALIST)
    volumes: dict[tuple[str, str], int] = {}
    for code, category in codes.items():
        if category == "S" or code in specialist:
            clinics = specialists
        elif code in AESTHETIC:
            clinics = general[:AESTHETIC_CLINICS]
        else:
            clinics = general
        total = regional_volume(code, base, specialist)
        weight = sum(size[c] for c in clinics)
        for clinic in clinics:
            numerator = total * size[clinic] * rng.randint(100 - NOISE_PERCENT, 100 + NOISE_PERCENT)
            denominator = weight * 100
            volume, remainder = divmod(numerator, denominator)
            if rng.randrange(denominator) < remainder:
                volume += 1  # round the fraction up with its probability: sums stay unbiased
            volumes[(clinic, code)] = volume
    return [
        (clinic, code, volumes[(clinic, code)])
        for clinic in general + specialists
        for code in codes
        if volumes.get((clinic, code), 0) > 0
    ]


def render(rows: list[tuple[str, str, int]]) -> bytes:
    """Semicolon CSV as Excel on Swedish Windows saves it; the title row first, then headings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([TITLE, "", ""])
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    content = render(make_rows(taxa_codes()))
    if args.check:
        same = args.out.exists() and args.out.read_bytes() == content
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from what the script makes'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(content)
    rows = content.count(b"\n") - 2
    print(f"wrote {args.out} ({rows} rows): INVENTED example volumes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
