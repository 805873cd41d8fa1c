"""data/jour/ read once: rules per owner and date, windows per owner else the default."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from app.errors import InvalidInput
from app.jour.windows import (
    JOUR_DIR,
    eve_name,
    jour_config,
    parse_instant,
    read_jour_config,
    variant_at,
)
from pricing.jourtid import JourWindowsError
from pricing.taxa import Variant


def test_bundled_configuration() -> None:
    config = jour_config()
    assert config is jour_config()  # read once
    assert [(r.owner, r.file) for r in config.rules] == [
        ("region-jonkoping", "region-jonkoping-2025.json")
    ]
    assert config.windows_for("region-jonkoping")[1] == "windows-default.json"
    assert config.windows_for("../../etc/passwd")[1] == "windows-default.json"
    rule = config.rule_for("region-jonkoping", date(2025, 6, 1))
    assert rule.rule.percent == 50
    with pytest.raises(InvalidInput, match="no bundled jour surcharge rule .* covers 2026-01-01"):
        config.rule_for("region-jonkoping", date(2026, 1, 1))


def test_a_per_owner_windows_file_wins_over_the_default(tmp_path: Path) -> None:
    shutil.copy(JOUR_DIR / "windows-default.json", tmp_path)
    (tmp_path / "windows-region-x.json").write_text(
        json.dumps({"day_start": "07:00", "day_end": "19:00", "source": "test"})
    )
    config = read_jour_config(tmp_path)
    at = datetime.fromisoformat("2025-03-12T18:30:00+01:00")
    x = variant_at(config, "region-x", at)
    other = variant_at(config, "region-jonkoping", at)
    assert (x.variant, x.reason, x.windows_file) == (
        Variant.NORMAL,
        "Wednesday 18:30: within normal hours 07:00–19:00",
        "windows-region-x.json",
    )
    assert (other.variant, other.windows_file) == (Variant.JOUR, "windows-default.json")


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("windows-default.json", {"day_start": "18:00", "day_end": "08:00"}, JourWindowsError),
        ("region-x-2025.json", {"percent": 50.0, "rounding_step": "5", "source": "x"}, ValueError),
        ("notes.json", {}, ValueError),
    ],
)
def test_a_malformed_file_fails_loudly(
    tmp_path: Path, name: str, content: object, error: type[Exception]
) -> None:
    shutil.copy(JOUR_DIR / "windows-default.json", tmp_path)
    (tmp_path / name).write_text(json.dumps(content))
    with pytest.raises(error):
        read_jour_config(tmp_path)


def test_the_default_windows_are_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="windows-default.json is missing"):
        read_jour_config(tmp_path)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 12, 24), "julafton"),
        (date(2025, 12, 31), "nyårsafton"),
        (date(2025, 6, 20), "midsommarafton"),
        (date(2025, 4, 19), "påskafton"),
    ],
)
def test_eve_names(day: date, name: str) -> None:
    assert eve_name(day) == name


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2025-12-24T19:30:00+01:00", "2025-12-24T19:30:00+01:00"),
        ("2025-12-24T19:30:00Z", "2025-12-24T19:30:00+00:00"),
        ("2025-12-24T19:30+0100", "2025-12-24T19:30:00+01:00"),
        ("2025-12-24T19:30:00 01:00", "2025-12-24T19:30:00+01:00"),
        ("2025-12-24T19:30:00.5 01:00", "2025-12-24T19:30:00.500000+01:00"),
    ],
)
def test_parse_instant(text: str, iso: str) -> None:
    assert parse_instant(text).isoformat() == iso


@pytest.mark.parametrize("text", ["2025-12-24T19:30:00", "2025-12-24", "igår"])
def test_parse_instant_refuses(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_instant(text)
