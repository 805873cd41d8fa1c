"""Benchmark: a solved proposal for the 2025 taxa with the bundled example volumes against TLV's
2026 list (issue 11; target: well under a second). Measured, never asserted.

`.venv/bin/python bench/proposal.py [--runs N]`. Three figures, each p50/p99 over N runs:

* ``propose()`` in process: the pure core alone (pricing.proposal), on parsed items, list and
  volumes: the solve (bracket + bisection on the rounded deviation) and the final analysis;
* ``run_proposal()`` in process, dry run: the whole app layer on a SQLite database (rows read,
  the proposal, the same checks as an upload: CSV written, read back, validated, diffed);
* ``POST /v1/schedules/{id}/proposals`` dry run over HTTP: the real service (uvicorn, one
  worker, SQLite, started as bench/run.py starts it), one request at a time.

Results: bench/results/proposal.json and a Markdown table on stdout (copied into the README).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, Row, markdown, start_server, timed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="runs of each scenario")
    args = parser.parse_args()

    import httpx
    from sqlmodel import Session, select

    from app.config import DEFAULT_OWNER
    from app.db import make_engine
    from app.files import Limits
    from app.models import ReferenceListRow
    from app.proposals.proposing import resolve_volumes, run_proposal
    from app.reference.lists import list_before, load_list
    from app.taxa.schedules import in_force, items_of
    from app.volumes.volume_sets import EXAMPLE_VOLUMES, parse_volume_file
    from pricing.proposal import propose
    from pricing.taxa import Variant

    limits = Limits(20_000, 50 * 1024 * 1024)
    volumes = dict(
        parse_volume_file(EXAMPLE_VOLUMES.read_bytes(), EXAMPLE_VOLUMES.name, limits).totals
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        server, process = start_server(Path(tmp))
        try:
            engine = make_engine(server.database_url)
            with Session(engine) as session:
                base = in_force(session, DEFAULT_OWNER, Variant.NORMAL, date(2025, 6, 1))
                assert base is not None and base.id is not None
                list_2026 = session.exec(
                    select(ReferenceListRow).where(ReferenceListRow.name == "HSLF-FS 2025:68")
                ).first()
                assert list_2026 is not None and list_2026.id is not None
                list_id = list_2026.id
                items = items_of(session, base.id)
                _, view = load_list(session, list_id)
                previous = list_before(session, view)
            old = None if previous is None else previous.ref
            solved = propose(items, view.ref, volumes, old_list=old)
            note = (
                f"{len(items)} items, {len(volumes)} volume codes: solved "
                f"{solved.percent} %, deviation {solved.deviation_percent:.2f} %"
            )
            rows.append(
                Row(
                    "propose() in process (pure core)",
                    *timed(lambda: propose(items, view.ref, volumes, old_list=old), args.runs),
                    note=note,
                )
            )

            def app_layer() -> None:
                with Session(engine) as session:
                    chosen, source = resolve_volumes(session, None, volumes)
                    run_proposal(
                        session,
                        schedule_id=base.id or 0,
                        reference_list_id=list_id,
                        volumes=chosen,
                        volumes_source=source,
                        valid_from=date(2026, 1, 1),
                        limit_percent=Decimal(7),
                        policy={},
                        dry_run=True,
                        actor="bench",
                        limits=limits,
                    )

            rows.append(
                Row(
                    "run_proposal() in process, dry run (DB + checks)",
                    *timed(app_layer, args.runs),
                    note=note,
                )
            )
            engine.dispose()

            headers = {"Authorization": f"Bearer {server.admin_key}"}
            uploaded = httpx.post(
                f"{server.url}/v1/volumes",
                headers=headers,
                timeout=60,
                data={"name": "example"},
                files={"file": (EXAMPLE_VOLUMES.name, EXAMPLE_VOLUMES.read_bytes())},
            )
            uploaded.raise_for_status()
            body = {
                "reference_list_id": list_id,
                "volumes_id": uploaded.json()["id"],
                "valid_from": "2026-01-01",
                "dry_run": True,
            }
            with httpx.Client(timeout=60) as client:

                def post() -> None:
                    response = client.post(
                        f"{server.url}/v1/schedules/{base.id}/proposals", headers=headers, json=body
                    )
                    response.raise_for_status()

                post()  # warm: the first request reads the jour config and rule files
                rows.append(
                    Row(
                        "POST /v1/schedules/{id}/proposals dry run (HTTP)",
                        *timed(post, args.runs),
                        note=note,
                    )
                )
        finally:
            process.terminate()
            process.wait(timeout=10)
    RESULTS.mkdir(exist_ok=True)
    meta = {
        "runs": args.runs,
        "python": sys.version.split()[0],
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }
    (RESULTS / "proposal.json").write_text(
        json.dumps({"meta": meta, "rows": [r.__dict__ for r in rows]}, indent=2)
    )
    print(markdown(rows))
    print(f"\n{meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
