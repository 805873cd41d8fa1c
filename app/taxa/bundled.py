"""The real 2025 taxa of Region Jönköpings län, loaded on first start (see data/README.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.config import DATA_DIR, DEFAULT_OWNER
from app.files import Limits
from app.models import Schedule
from app.taxa.imports import import_taxa
from app.taxa.schedules import activate, get_schedule
from pricing.taxa import Variant

ACTOR = "system:bundled-data"


@dataclass(frozen=True)
class BundledTaxa:
    file: str
    name: str
    variant: Variant
    valid_from: date
    owner: str = DEFAULT_OWNER


BUNDLED = (
    BundledTaxa(
        "taxa/region-jonkoping-2025-normal.csv",
        "Tandvårdstaxa 2025",
        Variant.NORMAL,
        date(2025, 1, 1),
    ),
    BundledTaxa(
        "taxa/region-jonkoping-2025-jour.csv",
        "Tandvårdstaxa 2025 - Jourklinik",
        Variant.JOUR,
        date(2025, 1, 1),
    ),
)


def load_bundled(session: Session, limits: Limits) -> list[int]:
    """Import and activate the bundled taxa when the database has no schedule at all."""
    if session.exec(select(Schedule.id)).first() is not None:
        return []
    loaded: list[int] = []
    for bundled in BUNDLED:
        path = DATA_DIR / bundled.file
        outcome = import_taxa(
            session,
            content=path.read_bytes(),
            filename=path.name,
            owner=bundled.owner,
            name=bundled.name,
            variant=bundled.variant,
            valid_from=bundled.valid_from,
            dry_run=False,
            actor=ACTOR,
            limits=limits,
        )
        assert outcome.schedule_id is not None
        activate(session, get_schedule(session, outcome.schedule_id), ACTOR)
        loaded.append(outcome.schedule_id)
    return loaded
