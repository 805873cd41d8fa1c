"""Each web page's server time with the bundled data: measured, never asserted.

`.venv/bin/python bench/pages.py [--runs 30]`. The real application in process (Starlette's
TestClient, no network), a scratch SQLite database migrated by the real migrations, the bundled
2025 taxa loaded, an admin logged in through the login form. Each page is requested ``runs``
times after a first request (shown apart: cold caches, templates compiled); the table gives
p50 and p90 in milliseconds and the answer's size. Target (issue 13): every page under 200 ms
but the report.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

PROPOSAL = (
    "taxa=1&lista={list}&volymer={volumes}&valid_from=2026-01-01&grans=7&mode=uniform&rounding_kr=5"
)

# (label, method, path); a POST sends the form of the same name in ``forms`` below.
PAGES = (
    ("Logga in", "GET", "/ui/logga-in"),
    ("Taxor", "GET", "/ui/taxor"),
    ("Taxa (410 åtgärder)", "GET", "/ui/taxor/1"),
    ("Taxa, sök", "GET", "/ui/taxor/1?q=rotfyllning"),
    ("Jourkontroll", "GET", "/ui/taxor/2/jourkontroll"),
    ("Export CSV", "GET", "/ui/taxor/1/export.csv"),
    ("Ladda upp taxa", "GET", "/ui/taxor/ladda-upp"),
    ("Granska taxa (2025 CSV, diff)", "POST", "/ui/taxor/granska"),
    ("Aktivera (bekräftelse)", "GET", "/ui/taxor/{draft}/aktivera"),
    ("Referensprislistor", "GET", "/ui/referensprislistor"),
    ("Granska referensprislista (TLV CSV)", "POST", "/ui/referensprislistor/granska"),
    ("Referensprislista (200 åtgärder)", "GET", "/ui/referensprislistor/{list}"),
    ("Referenskontroll", "GET", "/ui/referenskontroll?taxa=1&lista={list}"),
    ("Volymer", "GET", "/ui/volymer"),
    ("Volymer, detalj", "GET", "/ui/volymer/{volumes}"),
    ("7 %-kontroll (med diagram)", "GET", "/ui/kontroll?taxa=1&volymer={volumes}"),
    ("7 %-kontroll mot annan lista", "GET", "/ui/kontroll?taxa=1&volymer={volumes}&lista={list}"),
    ("Förslag (formuläret)", "GET", "/ui/forslag"),
    # A new target each run ({n}): every preview is solved afresh, none from the page's cache.
    (
        "Förslag, förhandsgranskning (löst)",
        "GET",
        "/ui/forslag?" + PROPOSAL + "&target_percent=6.{n:02d}",
    ),
    (
        "Förslag, samma förhandsgranskning sorterad",
        "GET",
        "/ui/forslag?" + PROPOSAL + "&sort=change_percent&dir=desc",
    ),
    ("Rapport (sidan)", "GET", "/ui/rapport?taxa=1&volymer={volumes}"),
    ("Rapport HTML (ramen)", "GET", "/ui/rapport/1/rapport.html?volymer={volumes}"),
    ("Granskningslogg", "GET", "/ui/granskningslogg"),
    ("API-nycklar", "GET", "/ui/nycklar"),
    ("Återkalla nyckel (bekräftelse)", "GET", "/ui/nycklar/1/aterkalla"),
    ("/docs", "GET", "/docs"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from alembic import command
    from alembic.config import Config
    from fastapi.testclient import TestClient
    from sqlmodel import select

    from app.auth import Role, create_key
    from app.config import DATA_DIR, Settings
    from app.db import transaction
    from app.files import Limits
    from app.main import create_app
    from app.models import ReferenceListRow
    from app.reference.bundled import load_bundled_reference_lists
    from app.taxa.bundled import load_bundled
    from app.taxa.imports import import_taxa
    from app.volumes.volume_sets import EXAMPLE_VOLUMES, import_volumes
    from pricing.taxa import Variant

    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    url = f"sqlite:///{folder / 'taxa.db'}"
    config = Config(str(REPO / "alembic.ini"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")
    settings = replace(Settings.from_env(), database_url=url)
    app = create_app(settings)
    limits = Limits(settings.max_rows, settings.max_xlsx_uncompressed_bytes)
    taxa_csv = DATA_DIR / "taxa" / "region-jonkoping-2025-normal.csv"
    with transaction(app.state.engine) as session:
        load_bundled(session, limits)
        load_bundled_reference_lists(session, limits)
        _, key = create_key(session, Role.ADMIN, "bench")
        stored, _ = import_volumes(
            session,
            content=EXAMPLE_VOLUMES.read_bytes(),
            filename=EXAMPLE_VOLUMES.name,
            owner="region-jonkoping",
            name="Exempel",
            actor="bench",
            limits=limits,
        )
        draft = import_taxa(
            session,
            content=taxa_csv.read_bytes(),
            filename=taxa_csv.name,
            owner="region-jonkoping",
            name="Utkast 2026",
            variant=Variant.NORMAL,
            valid_from=date(2026, 1, 1),
            dry_run=False,
            actor="bench",
            limits=limits,
        )
        tlv_2026 = session.exec(
            select(ReferenceListRow.id).where(ReferenceListRow.valid_from == date(2026, 1, 1))
        ).one()
    ids = {"volumes": stored.id, "draft": draft.schedule_id, "list": tlv_2026}

    rows = []
    with TestClient(app) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/logga-in").text)
        assert token is not None
        client.post("/ui/logga-in", data={"csrf": token[1], "key": key})
        page = client.get("/ui/taxor")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf is not None
        # The next list after the bundled 2026 one (which ends 2027-01-14): no overlap.
        tlv_csv = REPO / "tests" / "data" / "tlv-referenspriser-2026-01-01.csv"
        forms = {
            "/ui/taxor/granska": (
                {
                    "csrf": csrf[1],
                    "name": "Tandvårdstaxa 2026",
                    "variant": "normal",
                    "valid_from": "2026-01-01",
                },
                ("taxa.csv", taxa_csv.read_bytes(), "text/csv"),
            ),
            "/ui/referensprislistor/granska": (
                {
                    "csrf": csrf[1],
                    "name": "HSLF-FS 2026:22",
                    "origin": "tlv_file",
                    "valid_from": "2027-01-15",
                },
                (tlv_csv.name, tlv_csv.read_bytes(), "text/csv"),
            ),
        }
        for label, method, template in PAGES:
            path = template.format(**ids, n=0)
            runs = max(5, args.runs // 5) if "rapport.html" in path else args.runs

            def request(
                method: str = method, template: str = template, n: int = 0
            ) -> tuple[int, int]:
                path = template.format(**ids, n=n)
                if method == "POST":
                    data, file = forms[path]
                    answer = client.post(path, data=data, files={"file": file})
                else:
                    answer = client.get(path)
                return answer.status_code, len(answer.content)

            start = time.perf_counter()
            status, size = request()  # the first request: cold caches, template compiled
            first = (time.perf_counter() - start) * 1000
            assert status == 200, (label, status)
            times = []
            for n in range(1, runs + 1):
                start = time.perf_counter()
                status, _ = request(n=n)
                times.append((time.perf_counter() - start) * 1000)
                assert status == 200, (label, n, status)
            times.sort()
            p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
            rows.append(
                (label, f"{method} {path}", first, statistics.median(times), p90, size, runs)
            )
    app.state.engine.dispose()

    print("| page | request | first ms | p50 ms | p90 ms | KiB | runs |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, request_line, first, p50, p90, size, runs in rows:
        print(
            f"| {label} | `{request_line}` | {first:.1f} | {p50:.1f} | {p90:.1f} | "
            f"{size / 1024:.0f} | {runs} |"
        )


if __name__ == "__main__":
    main()
