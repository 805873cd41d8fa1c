"""Configuration from the environment; every default is safe for a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'taxa.db'}"
DEFAULT_OWNER = "region-jonkoping"


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_upload_bytes: int
    max_rows: int
    max_xlsx_uncompressed_bytes: int
    snapshot_check_seconds: float

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            # A whole taxa is ~400 rows and ~60 kB as XLSX; 5 MiB leaves room for formatting.
            max_upload_bytes=int(env.get("TAXA_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)),
            max_rows=int(env.get("TAXA_MAX_ROWS", 20_000)),
            max_xlsx_uncompressed_bytes=int(
                env.get("TAXA_MAX_XLSX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
            ),
            snapshot_check_seconds=float(env.get("TAXA_SNAPSHOT_CHECK_SECONDS", "1.0")),
        )
