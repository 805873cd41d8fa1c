"""What an upload changes against the taxa in force: added, removed and changed åtgärder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pricing.money import percent_change
from pricing.taxa import Item


@dataclass(frozen=True)
class PriceChange:
    key: str
    code: str | None
    text: str
    old_price: Decimal
    new_price: Decimal
    change_percent: Decimal | None  # exact; None when the old price was 0
    old_reference_price: Decimal | None
    new_reference_price: Decimal | None


@dataclass(frozen=True)
class TaxaDiff:
    added: tuple[Item, ...]
    removed: tuple[Item, ...]
    changed: tuple[PriceChange, ...]
    unchanged: int


def diff_taxa(old: Sequence[Item], new: Sequence[Item]) -> TaxaDiff:
    """Compare by item key (the code, or the text of a "Ny kod" row), in the new file's order.

    A change is a different price or referenspris; a changed text alone is not a price change.
    """
    old_by_key = {item.key: item for item in old}
    new_keys = {item.key for item in new}
    added: list[Item] = []
    changed: list[PriceChange] = []
    unchanged = 0
    for item in new:
        before = old_by_key.get(item.key)
        if before is None:
            added.append(item)
        elif (before.price, before.reference_price) != (item.price, item.reference_price):
            changed.append(
                PriceChange(
                    key=item.key,
                    code=item.code,
                    text=item.text,
                    old_price=before.price,
                    new_price=item.price,
                    change_percent=percent_change(item.price, before.price),
                    old_reference_price=before.reference_price,
                    new_reference_price=item.reference_price,
                )
            )
        else:
            unchanged += 1
    removed = tuple(item for item in old if item.key not in new_keys)
    return TaxaDiff(tuple(added), removed, tuple(changed), unchanged)
