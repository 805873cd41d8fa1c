"""The pure calculation core: standard library only, dates and rules passed in, Decimal money."""
