"""One exception tree for invalid input to the pricing core. Findings are returned, not raised."""

from __future__ import annotations


class PricingError(ValueError):
    """Input the pricing core cannot work with (the caller's mistake, not a finding)."""


class UnknownCode(PricingError):
    """A code the taxa does not have."""


class NoRuleSet(PricingError):
    """No rule set (or taxa) is in force on the date asked for."""
