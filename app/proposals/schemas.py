"""The proposal request and answer (``POST /v1/schedules/{id}/proposals``, ``taxa propose``).

The request is fixed so that clinic-system integrators and scripts can rely on it; an unknown
field, also inside ``policy``, is refused (422 naming it): a typo must not silently drop a cap.
Numbers are decimal strings or integers, never JSON numbers with a fraction. Amounts out are
decimal strings; percentages are shown with two decimals, ``exact`` unrounded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from app.errors import RowProblem
from app.models import BoundedDate
from app.proposals.proposing import ProposalRun
from app.reference.schemas import (
    ListOnlyOut,
    ListRiseOut,
    ReferenceListRef,
    TaxaOnlyOut,
    VariantOut,
    needs_price,
    taxa_only,
    variant_finding,
)
from app.taxa.imports import finding_json
from app.taxa.schemas import ScheduleOut, ScheduleRef
from app.volumes.schemas import (
    CategoryFigures,
    FiguresOut,
    GroupFigures,
    PricePositionOut,
    Volume,
    VolumesRef,
    YearOnYearOut,
)
from pricing.deviation import DEFAULT_LIMIT_PERCENT, DeviationAnalysis, presented
from pricing.proposal import ProposedItem

MAX_INLINE_VOLUMES = 20_000  # a taxa has ~400 codes; a volume file may name more


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError(
            f'give percentages as decimal strings such as "{value}", not JSON '
            "numbers with a fraction"
        )
    if isinstance(value, bool):
        raise ValueError("a number, not true/false")
    return value


Percent = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=100)]
Code = Annotated[str, Field(min_length=1, max_length=12)]


class ProposalIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reference_list_id": 2,
                    "volumes_id": 1,
                    "valid_from": "2026-01-01",
                    "limit_percent": "7",
                    "policy": {"mode": "uniform", "rounding_kr": "5"},
                    "dry_run": True,
                },
                {
                    "reference_list_id": 2,
                    "volumes_id": 1,
                    "valid_from": "2026-01-01",
                    "policy": {
                        "mode": "follow_reference",
                        "max_rise_percent": "10",
                        "keep_at_or_below_reference": True,
                        "intern_percent": "3",
                    },
                },
            ]
        },
    )

    reference_list_id: StrictInt = Field(
        description="Next year's TLV list (it may not start "
        "before the taxa the proposal is built from)"
    )
    volumes_id: StrictInt | None = Field(None, description="A stored volume set")
    volumes: dict[Code, Volume] | None = Field(
        None,
        max_length=MAX_INLINE_VOLUMES,
        description="Or the volumes inline: code → billed units (whole numbers ≥ 0)",
    )
    valid_from: BoundedDate = Field(description="The first day of the proposed taxa")
    limit_percent: Percent = Field(
        DEFAULT_LIMIT_PERCENT, description="The allowed deviation; principle 2 says 7"
    )
    policy: dict[str, Any] = Field(
        default_factory=dict,
        description='{"mode": "uniform" | "follow_reference", "percent" (absent: solve), '
        '"target_percent" (absent: the limit), "rounding_kr" (default 5), "max_rise_percent", '
        '"keep_at_or_below_reference", "intern_percent" (absent: unchanged), '
        '"per_minute_rounding_kr" (default 1)}; numbers as decimal strings or integers',
    )
    dry_run: StrictBool = Field(False, description="Preview only: the same checks, nothing stored")

    @model_validator(mode="after")
    def _one_source(self) -> ProposalIn:
        if (self.volumes_id is None) == (self.volumes is None):
            raise ValueError("give exactly one of volumes_id and volumes")
        return self


class ProposalItemOut(BaseModel):
    key: str
    code: str | None
    kind: str
    category: str | None
    group: str
    text: str
    unit: str
    old_price: Decimal
    new_price: Decimal
    change: Decimal = Field(description="new − old, kronor")
    change_percent: Decimal | None = Field(description="Two decimals")
    old_reference: Decimal | None = Field(description="The taxa's referenspris")
    new_reference: Decimal | None = Field(description="The new list's, for this code")
    rule: str = Field(description="uniform, follow_reference, intern, unchanged, per_krona")
    capped: str | None = Field(description="max_rise or reference, when a cap set the price")

    @classmethod
    def of(cls, p: ProposedItem) -> ProposalItemOut:
        return cls(
            key=p.key,
            code=p.code,
            kind=p.kind.value,
            category=None if p.category is None else p.category.value,
            group=p.group,
            text=p.text,
            unit=p.unit.value,
            old_price=p.old_price,
            new_price=p.new_price,
            change=p.change,
            change_percent=presented(p.change_percent),
            old_reference=p.old_reference,
            new_reference=p.new_reference,
            rule=p.rule.value,
            capped=None if p.capped is None else p.capped.value,
        )


class ProposalDeviationOut(BaseModel):
    """The 7 % analysis of the proposed prices against the new list, after rounding."""

    total: FiguresOut
    without_utbyte: FiguresOut
    utbyte: FiguresOut
    by_category: list[CategoryFigures]
    by_group: list[GroupFigures]
    price_position: PricePositionOut
    year_on_year: YearOnYearOut | None = Field(description="Against the taxa it is built from")

    @classmethod
    def of(cls, a: DeviationAnalysis, base: ScheduleRef) -> ProposalDeviationOut:
        return cls(
            total=FiguresOut.of(a.total),
            without_utbyte=FiguresOut.of(a.without_utbyte),
            utbyte=FiguresOut.of(a.utbyte),
            by_category=CategoryFigures.all_of(a),
            by_group=GroupFigures.all_of(a),
            price_position=PricePositionOut.of(a.price_position),
            year_on_year=None if a.year_on_year is None else YearOnYearOut.of(a.year_on_year, base),
        )


class CrossingOut(BaseModel):
    code: str
    old_price: Decimal
    old_reference: Decimal
    new_price: Decimal
    new_reference: Decimal
    gains: bool = Field(
        description="True: at or below its reference now (gains tiotandvård "
        "for patients aged 67+); false: loses it"
    )


class PercentExact(BaseModel):
    percent: str
    deviation_percent: str | None
    headroom_percent: str | None


class JourOut(BaseModel):
    schedule: ScheduleOut | None = Field(description="The stored jour draft; null on a dry run")
    rule_file: str = Field(description="data/jour/<file>: the surcharge rule used")
    rule_valid_from: date | None
    rule_valid_to: date | None
    percent: Decimal
    note: str = Field(description="Which rule and why")


class DiffSummaryOut(BaseModel):
    against: ScheduleRef | None = Field(description="The taxa in force on valid_from")
    added: list[str]
    removed: list[str]
    changed: int
    unchanged: int


class ChecksOut(BaseModel):
    """What an upload of the proposed taxa gets: validation warnings and the diff."""

    warnings: list[RowProblem]
    diff: DiffSummaryOut


class ProposalOut(BaseModel):
    dry_run: bool
    schedule: ScheduleRef = Field(description="The taxa the proposal is built from")
    reference_list: ReferenceListRef
    volumes: VolumesRef
    valid_from: date
    limit_percent: Decimal
    target_percent: Decimal
    percent: Decimal = Field(
        description="The uniform percentage on extern prices: given, or "
        "solved (the largest on a 0.01 % grid within the target)"
    )
    solved: bool
    deviation_percent: Decimal | None = Field(description="After rounding, two decimals")
    within: bool | None
    headroom: Decimal = Field(description="Kronor left up to the limit, after rounding")
    headroom_percent: Decimal | None = Field(description="Percentage points left to the limit")
    deviation: ProposalDeviationOut
    deviation_before: FiguresOut = Field(description="Today's prices against the new list")
    list_rise: ListRiseOut | None = Field(
        description="The new list's own volume-weighted rise on the list before it"
    )
    crossings: list[CrossingOut] = Field(description="Codes that cross their reference")
    at_or_below_reference_before: int
    at_or_below_reference_after: int
    needs_price: list[ListOnlyOut] = Field(
        description="Åtgärder new in the list: each needs a price (a finding; none is guessed)"
    )
    only_in_taxa: list[TaxaOnlyOut] = Field(description="Extern codes the list cannot price")
    variants: list[VariantOut] = Field(description="Codes mapped through variant letters: confirm")
    items: list[ProposalItemOut]
    policy: dict[str, Any] = Field(description="The policy as given")
    rules: list[str] = Field(description="The rules applied, in words")
    checks: ChecksOut
    stored: ScheduleOut | None = Field(description="The normal DRAFT; null on a dry run")
    jour: JourOut | None = Field(
        description="The jour taxa by the surcharge rule; null when the owner has no rule"
    )
    notes: list[str]
    exact: PercentExact

    @classmethod
    def of(cls, run: ProposalRun, dry_run: bool) -> ProposalOut:
        p = run.proposal
        base = ScheduleRef.of(run.base)
        total = FiguresOut.of(p.deviation.total)
        rise = None
        if p.list_rise is not None:
            rise = ListRiseOut.of(
                p.list_rise,
                run.previous_list,
                None
                if run.previous_list is not None
                else "measured from the taxa's own referenspris column",
            )
        checks = run.checks
        against = None if run.against is None else ScheduleRef.of(run.against)
        jour = None
        if run.jour is not None:
            r = run.jour.rule
            jour = JourOut(
                schedule=None
                if run.jour.schedule is None
                else ScheduleOut.of(run.jour.schedule, len(p.proposed_items)),
                rule_file=r.file,
                rule_valid_from=r.rule.valid_from,
                rule_valid_to=r.rule.valid_to,
                percent=r.rule.percent,
                note=run.jour.note,
            )
        return cls(
            dry_run=dry_run,
            schedule=base,
            reference_list=ReferenceListRef.of(run.reference),
            volumes=run.volumes,
            valid_from=run.valid_from,
            limit_percent=p.limit_percent,
            target_percent=p.target_percent,
            percent=p.percent,
            solved=p.solved,
            deviation_percent=total.deviation_percent,
            within=p.within,
            headroom=total.headroom,
            headroom_percent=presented(p.headroom_percent),
            deviation=ProposalDeviationOut.of(p.deviation, base),
            deviation_before=FiguresOut.of(p.deviation_before.total),
            list_rise=rise,
            crossings=[
                CrossingOut(
                    code=c.code,
                    old_price=c.old_price,
                    old_reference=c.old_reference,
                    new_price=c.new_price,
                    new_reference=c.new_reference,
                    gains=c.gains,
                )
                for c in p.crossings
            ],
            at_or_below_reference_before=p.at_or_below_before,
            at_or_below_reference_after=p.at_or_below_after,
            needs_price=[needs_price(e) for e in p.needs_price],
            only_in_taxa=[taxa_only(t) for t in p.reference_check.only_in_taxa],
            variants=[
                variant_finding(m.region_code, m.tlv_code, m.column.value, m.variant or "")
                for m in p.reference_check.variants
            ],
            items=[ProposalItemOut.of(i) for i in p.items],
            policy=dict(run.policy_given),
            rules=list(p.rules),
            checks=ChecksOut(
                warnings=[
                    RowProblem.model_validate(finding_json(w)) for w in checks.validation.warnings
                ],
                diff=DiffSummaryOut(
                    against=against,
                    added=[i.key for i in checks.diff.added],
                    removed=[i.key for i in checks.diff.removed],
                    changed=len(checks.diff.changed),
                    unchanged=checks.diff.unchanged,
                ),
            ),
            stored=None
            if run.normal is None
            else ScheduleOut.of(run.normal, len(p.proposed_items)),
            jour=jour,
            notes=list(run.notes) + list(p.notes),
            exact=PercentExact(
                percent=format(p.percent, "f"),
                deviation_percent=total.exact.deviation_percent,
                headroom_percent=None
                if p.headroom_percent is None
                else format(p.headroom_percent, "f"),
            ),
        )
