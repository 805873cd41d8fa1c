"""The report's one source of figures: fetch what a schedule's report needs, compose it once.

:func:`build_report_data` reads the schedule, its previous version, the jour taxa and the rule
sets, and hands plain values to :func:`pricing.report.compose_report`; every format (HTML, PDF,
XLSX) renders the :class:`ReportData` it returns and computes nothing of its own.

Choices (documented in the report's "Om underlaget" section too):

* **Previous taxa**: the one named, else the active schedule of the same owner and variant in
  force the day before this one's valid_from (:func:`app.volumes.analysis.previous_schedule`, as the
  deviation endpoint does).
* **Jour taxa checked**: a jour schedule of the same owner that starts the same day — one derived
  from this schedule first, then the active one, then the newest draft. A jour taxa of an earlier
  year still in force is not this taxa's jour taxa and is not used. With none, the owner's
  surcharge rule is applied to this taxa in memory (a derived jour taxa, consistent by
  construction, and the report says so). The rule is the owner's bundled one for the date; with
  none, the jour check cannot be made.
* **67+ rule**: the subsidy rule set in force on valid_from; if it has no 67+ rule, the first
  later rule set that has one, shown as "what it would mean" (2025 → the 2026 rule).
* **Import warnings**: the warnings the import gave, stored with the schedule (numbered by the
  row of the source file). A schedule made without an import (a derived jour taxa) has none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import cast

from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput
from app.files import Limits
from app.jour.derive import choose_rule, run_jour_check
from app.jour.windows import jour_config
from app.models import Schedule
from app.quotes.rules import load_rule_sets
from app.taxa.schedules import ACTIVE, RETIRED, get_schedule, items_of
from app.volumes.analysis import previous_schedule
from app.volumes.volume_sets import (
    EXAMPLE_VOLUMES,
    get_volume_set,
    parse_volume_file,
    rejected,
    volumes_of,
)
from pricing.errors import NoRuleSet
from pricing.jour import JourCheck, SurchargeRule, check_jour, derive_jour
from pricing.report import ReportFigures, TioRule, compose_report
from pricing.subsidy_rules import rule_set_for
from pricing.taxa import Item, Variant
from pricing.taxa_validation import Finding, Severity


@dataclass(frozen=True)
class ScheduleInfo:
    id: int
    name: str
    owner: str
    variant: str
    valid_from: date
    valid_to: date | None
    status: str
    source_filename: str | None
    source_sha256: str | None

    @classmethod
    def of(cls, s: Schedule) -> ScheduleInfo:
        assert s.id is not None
        return cls(
            id=s.id,
            name=s.name,
            owner=s.owner,
            variant=s.variant,
            valid_from=s.valid_from,
            valid_to=s.valid_to,
            status=s.status,
            source_filename=s.source_filename,
            source_sha256=s.source_sha256,
        )


@dataclass(frozen=True)
class VolumeSource:
    """Where the volumes come from. ``kind``: ``set`` (stored), ``file`` (read, not stored) or
    ``none`` (the report is unweighted)."""

    kind: str
    id: int | None = None
    name: str | None = None
    filename: str | None = None
    sha256: str | None = None
    codes: int = 0
    total: int = 0
    example: bool = False  # the bundled EXAMPLE file: invented, not real statistics


NO_VOLUMES = VolumeSource(kind="none")


@dataclass(frozen=True)
class JourInfo:
    schedule: ScheduleInfo | None  # the jour taxa checked; None when derived in memory or none
    derived: bool  # derived in memory from this taxa by the rule
    rule: SurchargeRule | None
    rule_file: str | None
    unavailable: str | None  # why there is no check (Swedish, for the report)
    published: Mapping[str, Item]  # the checked jour taxa's items by key (texts, prices)


@dataclass(frozen=True)
class ReportData:
    schedule: ScheduleInfo
    items: tuple[Item, ...]
    volumes: VolumeSource
    previous: ScheduleInfo | None
    previous_named: bool
    jour: JourInfo
    figures: ReportFigures
    import_warnings: tuple[Finding, ...]
    generated_at: datetime

    @property
    def by_key(self) -> Mapping[str, Item]:
        return {i.key: i for i in self.items}


@cache
def _example_sha256() -> str:
    return hashlib.sha256(EXAMPLE_VOLUMES.read_bytes()).hexdigest()


def volumes_from_set(session: Session, volume_set_id: int) -> tuple[dict[str, int], VolumeSource]:
    stored = get_volume_set(session, volume_set_id)
    volumes = volumes_of(session, volume_set_id)
    return volumes, VolumeSource(
        kind="set",
        id=stored.id,
        name=stored.name,
        filename=stored.source_filename,
        sha256=stored.source_sha256,
        codes=len(volumes),
        total=sum(volumes.values()),
        example=stored.source_sha256 == _example_sha256(),
    )


def volumes_from_file(
    content: bytes, filename: str, limits: Limits, name: str | None = None
) -> tuple[dict[str, int], VolumeSource]:
    """A volume file read and validated like an upload, not stored; raises FileRejected."""
    validation = parse_volume_file(content, filename, limits)
    if not validation.ok:
        raise rejected(validation, filename)
    volumes = dict(validation.totals)
    sha256 = hashlib.sha256(content).hexdigest()
    return volumes, VolumeSource(
        kind="file",
        name=name,
        filename=filename,
        sha256=sha256,
        codes=len(volumes),
        total=sum(volumes.values()),
        example=sha256 == _example_sha256(),
    )


def example_volumes(limits: Limits) -> tuple[dict[str, int], VolumeSource]:
    """The bundled EXAMPLE volume file (invented, not real statistics)."""
    return volumes_from_file(
        EXAMPLE_VOLUMES.read_bytes(),
        EXAMPLE_VOLUMES.name,
        limits,
        name="Exempelvolymer (påhittade)",
    )


def import_warnings(schedule: Schedule) -> tuple[Finding, ...]:
    """The warnings the import gave, as stored with the schedule (see the module docstring)."""
    # Stored as the import's finding_json wrote them: {row, column, value, message}.
    return tuple(
        Finding(
            row=cast(int | None, w.get("row")),
            column=cast(str | None, w.get("column")),
            value=cast(str | None, w.get("value")),
            message=str(w.get("message", "")),
            severity=Severity.WARNING,
        )
        for w in schedule.import_warnings
    )


def jour_schedule_for(session: Session, schedule: Schedule) -> Schedule | None:
    """The jour taxa of this one (see the module docstring), or None."""
    candidates = session.exec(
        select(Schedule)
        .where(
            Schedule.owner == schedule.owner,
            Schedule.variant == Variant.JOUR.value,
            Schedule.status != RETIRED,
            Schedule.valid_from == schedule.valid_from,
        )
        .order_by(col(Schedule.id).desc())
    ).all()
    for wanted in (
        [c for c in candidates if c.derived_from_id == schedule.id],
        [c for c in candidates if c.status == ACTIVE],
        list(candidates),
    ):
        if wanted:
            return wanted[0]
    return None


def _jour(
    session: Session, schedule: Schedule, items: list[Item]
) -> tuple[JourCheck | None, JourInfo]:
    config = jour_config()
    jour = jour_schedule_for(session, schedule)
    try:
        chosen = choose_rule(config, jour if jour is not None else schedule, None)
    except InvalidInput:
        return None, JourInfo(
            schedule=None if jour is None else ScheduleInfo.of(jour),
            derived=False,
            rule=None,
            rule_file=None,
            published={},
            unavailable=f"ingen påslagsregel för jourtaxan hos {schedule.owner} gäller "
            f"{schedule.valid_from} (data/jour/{schedule.owner}-<år>.json)",
        )
    if jour is not None:
        assert schedule.id is not None and jour.id is not None
        check, _, chosen = run_jour_check(session, config, jour, schedule.id)
        published = {i.key: i for i in items_of(session, jour.id)}
        return check, JourInfo(
            schedule=ScheduleInfo.of(jour),
            derived=False,
            rule=chosen.rule,
            rule_file=chosen.file,
            unavailable=None,
            published=published,
        )
    derived = derive_jour(items, chosen.rule)
    check = check_jour(derived, items, chosen.rule)
    return check, JourInfo(
        schedule=None,
        derived=True,
        rule=chosen.rule,
        rule_file=chosen.file,
        unavailable=None,
        published={i.key: i for i in derived},
    )


def _tio(schedule: Schedule) -> TioRule | None:
    rule_sets = load_rule_sets()
    try:
        current = rule_set_for(schedule.valid_from, rule_sets)
    except NoRuleSet:
        return None
    if current.tiotandvard is not None:
        return TioRule(current.tiotandvard, current.id, current.valid_from, applies=True)
    later = [
        r for r in rule_sets if r.valid_from > schedule.valid_from and r.tiotandvard is not None
    ]
    if not later:
        return None
    first = min(later, key=lambda r: r.valid_from)
    assert first.tiotandvard is not None
    return TioRule(first.tiotandvard, first.id, first.valid_from, applies=False)


def build_report_data(
    session: Session,
    schedule_id: int,
    volumes: Mapping[str, int] | None,
    source: VolumeSource,
    *,
    previous_id: int | None,
    limit_percent: Decimal,
    generated_at: datetime,
) -> ReportData:
    """Everything the report shows about one normal schedule. ``volumes`` None: unweighted."""
    schedule = get_schedule(session, schedule_id)
    if schedule.variant != Variant.NORMAL.value:
        raise Conflict(
            f"schedule {schedule.id} is a {schedule.variant} taxa: the report is made "
            "for a normal taxa, and its jour taxa is checked inside it"
        )
    items = items_of(session, schedule_id)
    previous = previous_schedule(session, schedule, previous_id)
    previous_items = None
    if previous is not None:
        assert previous.id is not None
        previous_items = items_of(session, previous.id)
    check, jour = _jour(session, schedule, items)
    figures = compose_report(
        items,
        volumes,
        limit_percent=limit_percent,
        previous=previous_items,
        jour=check,
        jour_derived=jour.derived,
        tio=_tio(schedule),
    )
    return ReportData(
        schedule=ScheduleInfo.of(schedule),
        items=tuple(items),
        volumes=source,
        previous=None if previous is None else ScheduleInfo.of(previous),
        previous_named=previous_id is not None,
        jour=jour,
        figures=figures,
        import_warnings=import_warnings(schedule),
        generated_at=generated_at,
    )
