"""What the jour endpoints answer (and ``taxa derive-jour``/``jour-check --json`` print).

Amounts are Decimal, which JSON shows as strings ("1100.00").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.taxa.schemas import ScheduleOut, ScheduleRef
from pricing.jour import JourCheck, JourFinding, JourFindingKind, SurchargeRule
from pricing.taxa import Item


class JourRuleOut(BaseModel):
    percent: Decimal
    rounding_step: Decimal
    rounding_mode: str
    per_minute_rounding_step: Decimal
    exempt_groups: list[str]
    exempt_codes: list[str]
    valid_from: date | None
    valid_to: date | None
    source: str
    file: str | None = Field(description="The bundled rule file; null for a rule in the request")

    @classmethod
    def of(cls, rule: SurchargeRule, file: str | None) -> JourRuleOut:
        return cls(
            percent=rule.percent,
            rounding_step=rule.step,
            rounding_mode=rule.rounding_mode,
            per_minute_rounding_step=rule.per_minute_step,
            exempt_groups=sorted(rule.exempt_groups),
            exempt_codes=sorted(rule.exempt_codes),
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
            source=rule.source,
            file=file,
        )


class NotSurchargedOut(BaseModel):
    key: str
    code: str | None
    price: Decimal
    reason: str


class DeriveJourOut(BaseModel):
    schedule: ScheduleOut = Field(description="The new draft jour schedule")
    derived_from: ScheduleRef
    rule: JourRuleOut
    items: int
    not_surcharged: list[NotSurchargedOut] = Field(
        description="Items that keep the normal price, and why"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "schedule": {
                    "id": 3,
                    "name": "Tandvårdstaxa 2025 - Jour (härledd)",
                    "owner": "region-jonkoping",
                    "variant": "jour",
                    "valid_from": "2025-01-01",
                    "valid_to": None,
                    "status": "draft",
                    "source_filename": "data/jour/region-jonkoping-2025.json",
                    "source_sha256": "…",
                    "imported_by": "key:1:admin",
                    "imported_at": "2026-11-23T10:00:00Z",
                    "activated_at": None,
                    "item_count": 402,
                },
                "derived_from": {
                    "id": 1,
                    "name": "Tandvårdstaxa 2025",
                    "owner": "region-jonkoping",
                    "variant": "normal",
                    "valid_from": "2025-01-01",
                    "valid_to": None,
                },
                "rule": {
                    "percent": "50",
                    "rounding_step": "5",
                    "rounding_mode": "half_up",
                    "per_minute_rounding_step": "1",
                    "exempt_groups": ["Besöksavgift"],
                    "exempt_codes": ["951", "952", "953", "961", "962", "963", "ASYL"],
                    "valid_from": "2025-01-01",
                    "valid_to": "2025-12-31",
                    "source": "Tjänsteskrivelse RJL 2024/12 …",
                    "file": "data/jour/region-jonkoping-2025.json",
                },
                "items": 402,
                "not_surcharged": [
                    {"key": "ASYL", "code": "ASYL", "price": "50.00", "reason": "exempt code ASYL"}
                ],
            }
        }
    )


def not_surcharged(kept: list[tuple[Item, str]]) -> list[NotSurchargedOut]:
    return [NotSurchargedOut(key=i.key, code=i.code, price=i.price, reason=r) for i, r in kept]


class JourFindingOut(BaseModel):
    kind: str = Field(description=", ".join(k.value for k in JourFindingKind))
    key: str
    code: str | None
    published: Decimal | None = Field(
        description="Price in the jour taxa checked (for reference_differs: its reference price)"
    )
    expected: Decimal | None = Field(
        description="What the rule gives from the normal taxa "
        "(for reference_differs: the normal reference price)"
    )
    difference: Decimal | None = Field(description="published − expected")
    detail: str

    @classmethod
    def of(cls, f: JourFinding) -> JourFindingOut:
        return cls(
            kind=f.kind.value,
            key=f.key,
            code=f.code,
            published=f.published,
            expected=f.expected,
            difference=f.difference,
            detail=f.detail,
        )


class JourCheckOut(BaseModel):
    schedule: ScheduleRef = Field(description="The jour schedule checked")
    base: ScheduleRef = Field(description="The normal schedule the rule was applied to")
    rule: JourRuleOut
    matched: int = Field(description="Items in both")
    consistent: bool = Field(description="True when nothing but exemptions was found")
    counts: dict[str, int] = Field(description="Findings per kind")
    findings: list[JourFindingOut]

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "schedule": {
                    "id": 2,
                    "name": "Tandvårdstaxa 2025 - Jourklinik",
                    "owner": "region-jonkoping",
                    "variant": "jour",
                    "valid_from": "2025-01-01",
                    "valid_to": None,
                },
                "base": {
                    "id": 1,
                    "name": "Tandvårdstaxa 2025",
                    "owner": "region-jonkoping",
                    "variant": "normal",
                    "valid_from": "2025-01-01",
                    "valid_to": None,
                },
                "rule": {
                    "percent": "50",
                    "rounding_step": "5",
                    "rounding_mode": "half_up",
                    "per_minute_rounding_step": "1",
                    "exempt_groups": ["Besöksavgift"],
                    "exempt_codes": ["951"],
                    "valid_from": None,
                    "valid_to": None,
                    "source": "…",
                    "file": "data/jour/region-jonkoping-2025.json",
                },
                "matched": 378,
                "consistent": False,
                "counts": {"price_differs": 2, "reference_differs": 2, "only_in_normal": 34},
                "findings": [
                    {
                        "kind": "price_differs",
                        "key": "926",
                        "code": "926",
                        "published": "11130.00",
                        "expected": "19225.00",
                        "difference": "-8095.00",
                        "detail": "926: published jour price 11130.00, the rule gives 19225.00 "
                        "(normal price 12815.00)",
                    }
                ],
            }
        }
    )

    @classmethod
    def of(
        cls, check: JourCheck, schedule: ScheduleRef, base: ScheduleRef, rule: JourRuleOut
    ) -> JourCheckOut:
        counts: dict[str, int] = {}
        for f in check.findings:
            counts[f.kind.value] = counts.get(f.kind.value, 0) + 1
        return cls(
            schedule=schedule,
            base=base,
            rule=rule,
            matched=check.matched,
            consistent=check.consistent,
            counts=counts,
            findings=[JourFindingOut.of(f) for f in check.findings],
        )
