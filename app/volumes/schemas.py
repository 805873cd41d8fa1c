"""What the volume and deviation endpoints answer (and ``taxa … --json`` prints).

Amounts are Decimal, which JSON shows as strings ("1100.00"). Percentages are shown rounded to
two decimals (halves up); the analysis keeps them exact, and each ``exact`` object gives the
unrounded figure as a decimal string.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from app.errors import PayloadTooLarge, RowProblem
from app.models import VolumeSet
from app.reference.schemas import ListRiseOut, ReferenceListRef
from app.taxa.schemas import ScheduleRef
from pricing.deviation import (
    DEFAULT_LIMIT_PERCENT,
    Contribution,
    DeviationAnalysis,
    Figures,
    LeftOut,
    PricePosition,
    YearOnYear,
    presented,
)
from pricing.money import ORE, round_money


class VolumeSetOut(BaseModel):
    id: int
    name: str
    owner: str
    source_filename: str | None
    sha256: str | None
    imported_by: str
    imported_at: datetime
    rows: int = Field(description="Data rows in the file")
    codes: int = Field(description="Distinct codes (volumes are summed per code)")
    total_volume: int
    clinics: list[str]
    patient_categories: list[str]

    @classmethod
    def of(cls, v: VolumeSet, codes: int, total_volume: int) -> VolumeSetOut:
        assert v.id is not None
        return cls(
            id=v.id,
            name=v.name,
            owner=v.owner,
            source_filename=v.source_filename,
            sha256=v.source_sha256,
            imported_by=v.imported_by,
            imported_at=v.imported_at,
            rows=v.row_count,
            codes=codes,
            total_volume=total_volume,
            clinics=list(v.clinics),
            patient_categories=list(v.patient_categories),
        )


class VolumeImportOut(VolumeSetOut):
    warnings: list[RowProblem]


class CodeVolume(BaseModel):
    code: str
    volume: int


class VolumeSetDetail(VolumeSetOut):
    volumes: list[CodeVolume] = Field(description="Summed per code, in the file's order")


Volume = Annotated[StrictInt, Field(ge=0, le=1_000_000_000)]


MAX_INLINE_VOLUMES = 20_000  # a region bills ~400 codes; more is no volume list


class DeviationIn(BaseModel):
    volumes_id: int | None = Field(None, description="A stored volume set (POST /v1/volumes)")
    volumes: dict[Annotated[str, Field(min_length=1, max_length=12)], Volume] | None = Field(
        None, description="Or the volumes inline: code → billed units (whole numbers ≥ 0)"
    )
    limit_percent: Decimal = Field(
        DEFAULT_LIMIT_PERCENT, ge=0, le=100, description="The allowed deviation; principle 2 says 7"
    )
    previous_id: int | None = Field(
        None,
        description="Schedule to compare year on year; default: the active one of the "
        "same owner and variant in force the day before this one's valid_from",
    )
    top: int | None = Field(
        None, ge=0, le=10_000, description="Contributions to list, largest first; default all"
    )
    reference_list_id: int | None = Field(
        None,
        description="Compare against this stored TLV reference list's prices instead of "
        "the taxa's own referenspris column (each code mapped: 103S → 103's specialist price); "
        "the answer then gives the list's own volume-weighted rise too",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"volumes_id": 1},
                {"volumes_id": 1, "reference_list_id": 2},
                {"volumes": {"101": 5223, "121": 18044, "701": 2110}, "limit_percent": "7"},
            ]
        }
    )

    @model_validator(mode="before")
    @classmethod
    def _not_too_many(cls, data: object) -> object:
        """413 before a single entry is validated: the cost is in the entries."""
        volumes = data.get("volumes") if isinstance(data, dict) else None
        if isinstance(volumes, dict) and len(volumes) > MAX_INLINE_VOLUMES:
            raise PayloadTooLarge(
                f"at most {MAX_INLINE_VOLUMES} inline volumes (the limit); "
                "upload a volume file instead (POST /v1/volumes)"
            )
        return data

    @model_validator(mode="after")
    def _one_source(self) -> DeviationIn:
        if (self.volumes_id is None) == (self.volumes is None):
            raise ValueError("give exactly one of volumes_id and volumes")
        return self


def _exact(value: Decimal | None) -> str | None:
    """A Decimal as plain decimal notation, every digit kept (no exponent)."""
    return None if value is None else format(value, "f")


class FiguresExact(BaseModel):
    deviation_percent: str | None
    headroom: str
    uniform_change_percent: str | None


class FiguresOut(BaseModel):
    items: int = Field(description="Compared items: extern, with reference price and volume")
    volume: int
    revenue: Decimal = Field(description="Σ volume × FTV price")
    reference_revenue: Decimal = Field(description="Σ volume × referenspris")
    limit_percent: Decimal
    deviation_percent: Decimal | None = Field(
        description="(revenue / reference − 1) × 100, two decimals; null when reference is 0"
    )
    within: bool | None = Field(description="|deviation| ≤ limit, compared exactly")
    headroom: Decimal = Field(
        description="Kronor of revenue left up to the limit (negative "
        "when over), rounded to the öre"
    )
    uniform_change_percent: Decimal | None = Field(
        description="The one change of every compared price that lands exactly on the limit"
    )
    exact: FiguresExact

    @classmethod
    def of(cls, f: Figures) -> FiguresOut:
        return cls(
            items=f.items,
            volume=f.volume,
            revenue=f.revenue,
            reference_revenue=f.reference_revenue,
            limit_percent=f.limit_percent,
            deviation_percent=presented(f.deviation_percent),
            within=f.within,
            headroom=round_money(f.headroom, ORE),
            uniform_change_percent=presented(f.uniform_change_percent),
            exact=FiguresExact(
                deviation_percent=_exact(f.deviation_percent),
                headroom=_exact(f.headroom) or "0",
                uniform_change_percent=_exact(f.uniform_change_percent),
            ),
        )


class CategoryFigures(BaseModel):
    category: str | None
    figures: FiguresOut

    @classmethod
    def all_of(cls, a: DeviationAnalysis) -> list[CategoryFigures]:
        return [
            cls(category=c.value if c else None, figures=FiguresOut.of(f))
            for c, f in a.by_category.items()
        ]


class GroupFigures(BaseModel):
    group: str
    figures: FiguresOut

    @classmethod
    def all_of(cls, a: DeviationAnalysis) -> list[GroupFigures]:
        return [cls(group=g, figures=FiguresOut.of(f)) for g, f in a.by_group.items()]


class ContributionOut(BaseModel):
    key: str
    code: str | None
    category: str | None
    group: str
    volume: int
    price: Decimal
    reference_price: Decimal
    contribution: Decimal = Field(description="volume × (price − referenspris)")
    utbyte: bool

    @classmethod
    def of(cls, c: Contribution) -> ContributionOut:
        return cls(
            key=c.key,
            code=c.code,
            category=c.category.value if c.category else None,
            group=c.group,
            volume=c.volume,
            price=c.price,
            reference_price=c.reference_price,
            contribution=c.contribution,
            utbyte=c.utbyte,
        )


class PricePositionOut(BaseModel):
    above: int
    at: int
    below: int

    @classmethod
    def of(cls, p: PricePosition) -> PricePositionOut:
        return cls(above=p.above, at=p.at, below=p.below)


class LeftOutOut(BaseModel):
    key: str
    code: str | None
    reason: str
    volume: int
    revenue: Decimal = Field(description="volume × FTV price")
    detail: str

    @classmethod
    def of(cls, o: LeftOut) -> LeftOutOut:
        return cls(
            key=o.key,
            code=o.code,
            reason=o.reason.value,
            volume=o.volume,
            revenue=o.revenue,
            detail=o.detail,
        )


class LeftOutGroups(BaseModel):
    intern: list[LeftOutOut]
    no_reference: list[LeftOutOut]
    no_volume: list[LeftOutOut]
    revenue: Decimal = Field(description="Revenue of the intern and no-reference items")


class UnknownVolumeOut(BaseModel):
    code: str
    volume: int


class YearOnYearExact(BaseModel):
    reference_change_percent: str | None
    price_change_percent: str | None
    price_change_all_percent: str | None


class YearOnYearOut(BaseModel):
    previous: ScheduleRef
    reference_change_percent: Decimal | None = Field(
        description="Volume-weighted change of the referenspris, two decimals"
    )
    price_change_percent: Decimal | None = Field(
        description="Volume-weighted change of the FTV price over the same codes"
    )
    reference_codes: int
    price_change_all_percent: Decimal | None = Field(
        description="Volume-weighted change of the FTV price over every code in both"
    )
    all_codes: int
    new_codes: list[str]
    dropped_codes: list[str]
    exact: YearOnYearExact

    @classmethod
    def of(cls, y: YearOnYear, previous: ScheduleRef) -> YearOnYearOut:
        return cls(
            previous=previous,
            reference_change_percent=presented(y.reference_change_percent),
            price_change_percent=presented(y.price_change_percent),
            reference_codes=y.reference_codes,
            price_change_all_percent=presented(y.price_change_all_percent),
            all_codes=y.all_codes,
            new_codes=list(y.new_codes),
            dropped_codes=list(y.dropped_codes),
            exact=YearOnYearExact(
                reference_change_percent=_exact(y.reference_change_percent),
                price_change_percent=_exact(y.price_change_percent),
                price_change_all_percent=_exact(y.price_change_all_percent),
            ),
        )


class VolumesRef(BaseModel):
    id: int | None = Field(description="The stored volume set; null for inline volumes")
    name: str | None
    source_filename: str | None
    sha256: str | None
    codes: int
    total_volume: int


class DeviationOut(BaseModel):
    schedule: ScheduleRef
    volumes: VolumesRef
    limit_percent: Decimal
    deviation_percent: Decimal | None = Field(description="Of the total, two decimals")
    within: bool | None
    headroom: Decimal = Field(description="Of the total, kronor, rounded to the öre")
    uniform_change_percent: Decimal | None
    total: FiguresOut
    without_utbyte: FiguresOut = Field(
        description="The total without the utbytesåtgärder "
        "(921–941), whose referenspris is the replaced one's"
    )
    utbyte: FiguresOut
    by_category: list[CategoryFigures]
    by_group: list[GroupFigures]
    contributions: list[ContributionOut] = Field(description="Largest absolute first")
    contributions_total: int
    price_position: PricePositionOut = Field(
        description="Extern items with a referenspris priced above, at, below it"
    )
    left_out: LeftOutGroups
    unknown_volumes: list[UnknownVolumeOut] = Field(
        description="Volumes for codes the schedule does not have (left out, not dropped)"
    )
    year_on_year: YearOnYearOut | None
    notes: list[str]
    reference_list: ReferenceListRef | None = Field(
        None,
        description="The TLV list the reference prices come from (reference_list_id); "
        "null: the taxa's own referenspris column",
    )
    list_rise: ListRiseOut | None = Field(
        None,
        description="With reference_list_id: the list's own volume-weighted rise on the "
        "list before it (principle 2 holds if the list is not raised more than normal)",
    )

    @classmethod
    def of(
        cls,
        a: DeviationAnalysis,
        schedule: ScheduleRef,
        volumes: VolumesRef,
        previous: ScheduleRef | None,
        top: int | None = None,
    ) -> DeviationOut:
        contributions = a.contributions if top is None else a.contributions[:top]
        notes = list(a.notes)
        if previous is None:
            notes.append(
                "no previous schedule of the same owner and variant: no year-on-year change"
            )
        total = FiguresOut.of(a.total)
        return cls(
            schedule=schedule,
            volumes=volumes,
            limit_percent=a.limit_percent,
            deviation_percent=total.deviation_percent,
            within=total.within,
            headroom=total.headroom,
            uniform_change_percent=total.uniform_change_percent,
            total=total,
            without_utbyte=FiguresOut.of(a.without_utbyte),
            utbyte=FiguresOut.of(a.utbyte),
            by_category=CategoryFigures.all_of(a),
            by_group=GroupFigures.all_of(a),
            contributions=[ContributionOut.of(c) for c in contributions],
            contributions_total=len(a.contributions),
            price_position=PricePositionOut.of(a.price_position),
            left_out=LeftOutGroups(
                intern=[LeftOutOut.of(o) for o in a.intern],
                no_reference=[LeftOutOut.of(o) for o in a.no_reference],
                no_volume=[LeftOutOut.of(o) for o in a.no_volume],
                revenue=a.left_out_revenue,
            ),
            unknown_volumes=[
                UnknownVolumeOut(code=u.code, volume=u.volume) for u in a.unknown_volumes
            ],
            year_on_year=None
            if a.year_on_year is None or previous is None
            else YearOnYearOut.of(a.year_on_year, previous),
            notes=notes,
        )
