"""The bundled EXAMPLE volumes: made by data/make_example_volumes.py, byte for byte, and labelled
as invented wherever a reader looks."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from pathlib import Path

from app.files import Limits
from app.volumes.volume_sets import EXAMPLE_VOLUMES, parse_volume_file

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "data" / "make_example_volumes.py"


def _load_script():  # type: ignore[no-untyped-def]
    name = "make_example_volumes_under_test"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


mev = _load_script()


def _rows() -> list[list[str]]:
    text = EXAMPLE_VOLUMES.read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_the_script_reproduces_the_file_byte_for_byte(tmp_path: Path) -> None:
    assert mev.OUT == EXAMPLE_VOLUMES
    assert mev.render(mev.make_rows(mev.taxa_codes())) == EXAMPLE_VOLUMES.read_bytes()
    out = tmp_path / "again.csv"
    assert mev.main(["--out", str(out)]) == 0
    assert out.read_bytes() == EXAMPLE_VOLUMES.read_bytes()
    assert mev.main(["--check"]) == 0
    out.write_bytes(out.read_bytes() + b"x;101;1\n")
    assert mev.main(["--check", "--out", str(out)]) == 1


def test_another_seed_gives_other_volumes() -> None:
    """The seed matters (so the byte-for-byte test is not comparing constants)."""
    codes = mev.taxa_codes()
    assert mev.make_rows(codes, seed=1) != mev.make_rows(codes)


def test_the_header_says_the_volumes_are_invented() -> None:
    title, headings = _rows()[:2]
    assert title[0].startswith(
        "EXEMPEL: PÅHITTADE VOLYMER - INTE VERKLIG STATISTIK / "
        "EXAMPLE: INVENTED VOLUMES - NOT REAL STATISTICS"
    )
    assert title[1:] == ["", ""]
    assert headings == ["Klinik", "Åtgärd", "Volym"]
    assert "example-invented" in EXAMPLE_VOLUMES.name
    readme = (REPO_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert "INVENTED" in readme and "NOT real statistics" in readme


def test_the_service_reads_it_without_a_finding_skipping_the_title_row() -> None:
    validation = parse_volume_file(
        EXAMPLE_VOLUMES.read_bytes(), EXAMPLE_VOLUMES.name, Limits(20_000, 50 * 1024 * 1024)
    )
    assert validation.findings == ()
    assert validation.row_count == len(_rows()) - 2 == 4936
    assert len(validation.clinics) == 26
    assert (len(validation.totals), validation.total_volume) == (400, 620108)


def test_plausible_shape() -> None:
    """Common examinations and X-rays, rare implants; S codes only at the specialist clinics."""
    totals: dict[str, int] = {}
    clinics_of: dict[str, set[str]] = {}
    for clinic, code, volume in _rows()[2:]:
        totals[code] = totals.get(code, 0) + int(volume)
        clinics_of.setdefault(code, set()).add(clinic)
    assert (totals["121"], totals["101"], totals["800"], totals["850"], totals["861"]) == (
        92520,
        49184,
        2659,
        394,
        12,
    )
    specialists = {c for c in clinics_of["103S"]}
    assert specialists == {
        "Exempelklinik 24 (specialist)",
        "Exempelklinik 25 (specialist)",
        "Exempelklinik 26 (specialist)",
    }
    assert all(
        clinics_of[code] <= specialists
        for code in clinics_of
        if code.endswith(("S", "SH", "SL")) or code.startswith("O0")
    )
    assert len(clinics_of["9011"]) <= 6 and len(clinics_of["101"]) == 23
