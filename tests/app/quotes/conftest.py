"""Fixtures of the quote tests: a request file for the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture()
def request_file(cli_database: None, tmp_path: Path) -> Callable[[Any], Path]:
    """A writer of a request file for the CLI (which works on the test database): a dict is
    written as JSON, a str as it is (for files that are not JSON); returns its path."""

    def write(body: Any) -> Path:
        path = tmp_path / "quote.json"
        path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
        return path

    return write
