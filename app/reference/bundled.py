"""The reference lists bundled in data/reference/, loaded on first start with the taxa
(``taxa load-bundled``; see data/reference/README.md).

The 2026 list is TLV's own file, byte for byte. TLV's 2025 file is not at hand: the 2025 list
is the one the region's 2025 taxa decision prints, and is stored as such (origin
``region_decision``), so every answer that uses it says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.config import DATA_DIR
from app.files import Limits
from app.models import ReferenceListRow
from app.reference.lists import REGION_DECISION, TLV_FILE, import_reference_list

ACTOR = "system:bundled-data"


@dataclass(frozen=True)
class BundledList:
    file: str
    name: str
    valid_from: date
    valid_to: date | None
    origin: str


BUNDLED_LISTS = (
    BundledList(
        "reference/region-jonkoping-2025-from-taxa.csv",
        "HSLF-FS 2024:11",
        date(2025, 1, 15),
        date(2025, 12, 31),
        REGION_DECISION,
    ),
    # HSLF-FS 2026:22 takes over on 2027-01-15.
    BundledList(
        "reference/tlv-referenspriser-2026-01-01.xlsx",
        "HSLF-FS 2025:68",
        date(2026, 1, 1),
        date(2027, 1, 14),
        TLV_FILE,
    ),
)


def load_bundled_reference_lists(session: Session, limits: Limits) -> list[int]:
    """Import the bundled lists when the database has no reference list at all."""
    if session.exec(select(ReferenceListRow.id)).first() is not None:
        return []
    loaded: list[int] = []
    for bundled in BUNDLED_LISTS:
        path = DATA_DIR / bundled.file
        outcome = import_reference_list(
            session,
            content=path.read_bytes(),
            filename=path.name,
            name=bundled.name,
            valid_from=bundled.valid_from,
            valid_to=bundled.valid_to,
            dry_run=False,
            actor=ACTOR,
            limits=limits,
            origin=bundled.origin,
        )
        assert outcome.row is not None and outcome.row.id is not None
        loaded.append(outcome.row.id)
    return loaded
