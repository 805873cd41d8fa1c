"""What every ``taxa`` command shares: the actor it writes as, today's date in Sweden, the
upload limits, and how amounts and percentages are printed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.config import Settings
from app.files import Limits
from pricing.money import MoneyError, money
from pricing.taxa import Variant

CLI_ACTOR = "cli"


STOCKHOLM = ZoneInfo("Europe/Stockholm")


@contextmanager
def database(settings: Settings, *, write: bool) -> Iterator[Any]:
    """One session on ``DATABASE_URL`` for one command: a committed transaction when it writes,
    a plain read session when it does not; the engine is closed either way."""
    from sqlmodel import Session

    from app.db import make_engine, transaction

    engine = make_engine(settings.database_url)
    try:
        if write:
            with transaction(engine) as session:
                yield session
        else:
            with Session(engine) as session:
                yield session
    finally:
        engine.dispose()


def today() -> date:
    return datetime.now(STOCKHOLM).date()


def percent_argument(text: str) -> Decimal:
    try:
        value = money(text)
    except MoneyError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"a percentage from 0 to 100: {text!r}")
    return value


def kr(amount: Decimal | None) -> str:
    return "–" if amount is None else f"{amount:,.2f}".replace(",", " ") + " kr"


def pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{value} %"


def schedule_in_force(session: Any, owner: str, variant: Variant, on: date) -> Any:
    from app.errors import NotFound
    from app.taxa.schedules import in_force

    found = in_force(session, owner, variant, on)
    if found is None:
        raise NotFound(
            f"no active {variant.value} taxa of {owner!r} is in force on {on} "
            "(run `taxa load-bundled` on an empty database, or give --schedule)"
        )
    return found


def schedule_ref(s: Any) -> Any:
    from app.taxa.schemas import ScheduleRef

    return ScheduleRef.of(s)


def limits(settings: Settings) -> Limits:
    return Limits(settings.max_rows, settings.max_xlsx_uncompressed_bytes)


def read_file(path: Path, settings: Settings) -> bytes | None:
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        print(
            f"{path}: {size} bytes, more than the limit of {settings.max_upload_bytes}",
            file=sys.stderr,
        )
        return None
    return path.read_bytes()
