"""Which unit a price is in, read from the åtgärd's text as the region writes it.

The region's spreadsheet has no unit column: per-minute and per-krona prices are told in the
text ("3405 kr/tim. Deb per min.", "1st = 1skr"). The service's own export format carries the
unit explicitly, and that always wins over this inference.
"""

from __future__ import annotations

import re

from pricing.taxa import Unit

# Order matters: the first pattern that matches decides.
_PATTERNS: tuple[tuple[re.Pattern[str], Unit], ...] = (
    (re.compile(r"deb(iteras)?\.?\s*(per|/)\s*min", re.IGNORECASE), Unit.PER_MINUTE),
    (re.compile(r"1\s*st\s*=\s*1\s*s?kr", re.IGNORECASE), Unit.PER_KRONA),
    (re.compile(r"\bper\s+bracket\b", re.IGNORECASE), Unit.PER_BRACKET),
    (re.compile(r"\bper\s+tand\b", re.IGNORECASE), Unit.PER_TOOTH),
    (re.compile(r"\bper\s+besök\b", re.IGNORECASE), Unit.PER_VISIT),
    (re.compile(r"\bbesöksavgift\b", re.IGNORECASE), Unit.PER_VISIT),
)


def infer_unit(text: str) -> Unit:
    """The unit the text states, or per åtgärd when it states none."""
    for pattern, unit in _PATTERNS:
        if pattern.search(text):
            return unit
    return Unit.PER_ATGARD
