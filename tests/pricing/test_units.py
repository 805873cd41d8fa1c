"""Units read from the region's texts (the spreadsheet has no unit column)."""

from __future__ import annotations

import pytest

from pricing.taxa import Unit
from pricing.units import infer_unit


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Tandsmycke, excl material, utförd av thyg. 2125 kr/tim. Deb per min.", Unit.PER_MINUTE),
        ("Kosmetisk behandling utförd av specialisttdl. 4965 kr/tim. Deb/min.", Unit.PER_MINUTE),
        ("Kostnad tandsmycke. OBS inkl moms. 1st = 1skr", Unit.PER_KRONA),
        ("Vita brackets, per bracket", Unit.PER_BRACKET),
        ("Fissurförsegling per tand", Unit.PER_TOOTH),
        ("Behandling allmäntandläkare. Per besök", Unit.PER_VISIT),
        ("Besöksavgift Specialisttandläkare", Unit.PER_VISIT),
        ("Basundersökning, utförd av tandläkare", Unit.PER_ATGARD),
        ("Uteblivande/sent återbud. Debiteras per tillfälle.", Unit.PER_ATGARD),
        ("Tandstödd krona, per led", Unit.PER_ATGARD),
    ],
)
def test_infer_unit(text: str, unit: Unit) -> None:
    assert infer_unit(text) is unit
