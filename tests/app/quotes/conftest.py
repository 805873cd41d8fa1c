"""Fixtures of the quote tests: a request file for the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings


@pytest.fixture()
def request_file(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Any], Path]:
    """Points the CLI at the test database (DATABASE_URL) and gives a writer of a request file:
    a dict is written as JSON, a str as it is (for files that are not JSON); returns its path."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)

    def write(body: Any) -> Path:
        path = tmp_path / "quote.json"
        path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
        return path

    return write
