"""The fee schedule (taxa) as plain values: what one åtgärd costs and how it is billed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Variant(StrEnum):
    """Which taxa: the ordinary one, or the jourklinik's out-of-hours one."""

    NORMAL = "normal"
    JOUR = "jour"


class Kind(StrEnum):
    """Extern: a TLV code inside the state support, with a referenspris. Intern: FTV's own."""

    EXTERN = "extern"
    INTERN = "intern"


class Category(StrEnum):
    """A: allmäntandvård. S: specialisttandvård."""

    A = "A"
    S = "S"


class Unit(StrEnum):
    """What one unit of the price is. Most prices are per åtgärd; some are per minute etc."""

    PER_ATGARD = "per_atgard"
    PER_MINUTE = "per_minute"  # "kr/tim. Deb per min.": the price is per started minute
    PER_KRONA = "per_krona"  # "1st = 1skr": material sold at cost, quantity in kronor
    PER_BRACKET = "per_bracket"
    PER_TOOTH = "per_tooth"
    PER_VISIT = "per_visit"  # flat patient fees (besöksavgift)


@dataclass(frozen=True)
class Item:
    """One åtgärd of a taxa. Rows of the source that share a code become one item.

    ``code`` is None for rows the region marked "Ny kod" (no code decided yet); such an item is
    always intern. ``texts`` and ``source_rows`` run in step, one entry per source row: the
    text of each row the item came from and that row's number, so nothing of the file is lost
    (an exact duplicate row repeats its text). :attr:`alternative_texts` are the other texts.
    """

    code: str | None
    category: Category | None
    group: str
    kind: Kind
    texts: tuple[str, ...]
    price: Decimal
    reference_price: Decimal | None
    unit: Unit = Unit.PER_ATGARD
    source_rows: tuple[int, ...] = field(default=())

    @property
    def text(self) -> str:
        return self.texts[0] if self.texts else ""

    @property
    def alternative_texts(self) -> tuple[str, ...]:
        """The distinct texts of the item's other rows, in file order."""
        seen = {self.text}
        out: list[str] = []
        for text in self.texts[1:]:
            if text not in seen:
                seen.add(text)
                out.append(text)
        return tuple(out)

    @property
    def key(self) -> str:
        """A stable identity inside one taxa: the code, or for a codeless row its text."""
        return self.code if self.code is not None else f"(ny kod) {self.text}"
