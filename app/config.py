"""Configuration from the environment; every default is safe for a laptop."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'taxa.db'}"
DEFAULT_OWNER = "region-jonkoping"


class DataFileError(RuntimeError):
    """A bundled data file the service cannot start with (a server fault, never a 4xx)."""


def read_data_json(path: Path) -> dict[str, Any]:
    """One data file of ``data/``: a JSON object; :class:`DataFileError` names the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read it as JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: a data file holds one JSON object, not {type(data).__name__}")
    return data


# Signs the web pages' session cookies when TAXA_SESSION_SECRET is not set: random per process,
# so sessions end with a restart and are not shared between workers. Set the variable in
# production (any long random string, the same for every worker).
PROCESS_SESSION_SECRET = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_upload_bytes: int
    max_rows: int
    max_xlsx_uncompressed_bytes: int
    snapshot_check_seconds: float
    # An upload's sheet is read within these too (app.files): a small XLSX can declare or hold
    # far more than it weighs.
    max_columns: int = 100
    max_cells: int = 500_000
    max_read_seconds: float = 20.0
    # SQLite: how long a write waits for another to finish before answering 503.
    sqlite_busy_seconds: float = 5.0
    # The web pages (app/web): the session cookie's signing secret, whether it is sent only over
    # HTTPS (TAXA_SESSION_COOKIE_SECURE=1 behind TLS), and how long an idle session lasts.
    session_secret: str = PROCESS_SESSION_SECRET
    session_cookie_secure: bool = False
    session_idle_seconds: int = 30 * 60
    # Import and exercise the board report's machinery (WeasyPrint, matplotlib, fonts: ~3 s)
    # in the background at start-up, so the first report does not pay for it. `taxa serve`
    # turns it on (TAXA_WARM_REPORTS=0 turns it off); tests and the CLI leave it off.
    warm_reports: bool = False
    # Move what start-up made (the snapshot, rules, schemas) out of the garbage collector's
    # way once it is loaded: a full collection then no longer walks it. `taxa serve` turns it
    # on (TAXA_FREEZE_HEAP=0 turns it off).
    freeze_heap: bool = False

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
            max_columns=int(env.get("TAXA_MAX_COLUMNS", 100)),
            max_cells=int(env.get("TAXA_MAX_CELLS", 500_000)),
            max_read_seconds=float(env.get("TAXA_MAX_READ_SECONDS", "20")),
            sqlite_busy_seconds=float(env.get("TAXA_SQLITE_BUSY_SECONDS", "5")),
            session_secret=env.get("TAXA_SESSION_SECRET") or PROCESS_SESSION_SECRET,
            session_cookie_secure=env.get("TAXA_SESSION_COOKIE_SECURE", "0").lower()
            in ("1", "true", "yes"),
            session_idle_seconds=int(env.get("TAXA_SESSION_IDLE_MINUTES", "30")) * 60,
            warm_reports=env.get("TAXA_WARM_REPORTS", "0").lower() in ("1", "true", "yes"),
            freeze_heap=env.get("TAXA_FREEZE_HEAP", "0").lower() in ("1", "true", "yes"),
        )
