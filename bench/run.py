"""Benchmarks: measured, never asserted. `make bench` (or `.venv/bin/python bench/run.py`).

HTTP scenarios run the real service (uvicorn, one worker, SQLite) under wrk, a C load generator
that is not the bottleneck, and report each endpoint beside the trivial `/health` of the same
server in the same run: throughput, p50/p99 latency and the ratio to the baseline. In-process
scenarios time a function over repeated runs (p50/p99 and runs per second).

Scenarios are small functions registered in SCENARIOS; each returns rows for the table.
Results: bench/results/latest.json and a Markdown table on stdout (copied into the README).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results"


@dataclass
class Row:
    scenario: str
    throughput_per_s: float
    p50_ms: float
    p99_ms: float
    ratio_to_baseline: float | None = None  # baseline throughput ÷ this throughput
    note: str = ""


@dataclass
class Server:
    url: str
    admin_key: str
    clinic_key: str
    database_url: str
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workdir: Path) -> tuple[Server, subprocess.Popen[bytes]]:
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "DATABASE_URL": database_url, "TAXA_SNAPSHOT_CHECK_SECONDS": "1"}
    taxa = str(BIN / "taxa")
    subprocess.run([taxa, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([taxa, "load-bundled"], env=env, check=True, capture_output=True)

    def key(role: str) -> str:
        out = subprocess.run([taxa, "keys", "create", "--role", role], env=env, check=True,
                             capture_output=True, text=True).stdout
        return out.strip().splitlines()[-1]

    admin, clinic = key("admin"), key("clinic")
    port = _free_port()
    process = subprocess.Popen(
        [taxa, "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(100):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the service did not start")
    return Server(url, admin, clinic, database_url, env), process


def wrk(url: str, key: str | None, seconds: int, connections: int,
        script: Path | None = None) -> tuple[float, float, float]:
    """Requests/s, p50 ms, p99 ms, from wrk's --latency report."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if key:
        command += ["-H", f"Authorization: Bearer {key}"]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url}: non-2xx answers under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return rps, percentile("50"), percentile("99")


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return 1000 / statistics.mean(samples), statistics.median(samples), p99


# --- scenarios -------------------------------------------------------------------------------

HttpScenario = Callable[[Server, argparse.Namespace], list[Row]]
SCENARIOS: list[HttpScenario] = []


def scenario(fn: HttpScenario) -> HttpScenario:
    SCENARIOS.append(fn)
    return fn


@scenario
def lookups(server: Server, args: argparse.Namespace) -> list[Row]:
    base = wrk(f"{server.url}/health", None, args.seconds, args.connections)
    rows = [Row("GET /health (baseline)", *base, ratio_to_baseline=1.0)]
    for label, path in [
        ("GET /v1/procedures/101?on=", "/v1/procedures/101?on=2025-06-01"),
        ("GET /v1/procedures/101?variant=jour", "/v1/procedures/101?on=2025-06-01&variant=jour"),
        # A point in time: the jour windows and the Swedish calendar decide (julafton evening).
        ("GET /v1/procedures/101?at=", "/v1/procedures/101?at=2025-12-24T19:30:00%2B01:00"),
    ]:
        rps, p50, p99 = wrk(server.url + path, server.clinic_key, args.seconds, args.connections)
        rows.append(Row(label, rps, p50, p99, ratio_to_baseline=base[0] / rps))
    return rows


@scenario
def xlsx_import(server: Server, args: argparse.Namespace) -> list[Row]:
    """The whole 2025 taxa as XLSX: parse + validate + diff (dry run), and through HTTP."""
    import httpx

    from app.files import Limits
    from app.taxa.export import export_xlsx
    from app.taxa.imports import parse_taxa_file
    from pricing.taxa_validation import RawRow  # noqa: F401  (the import path under test)

    source = REPO / "data" / "taxa" / "region-jonkoping-2025-normal.csv"
    limits = Limits(20_000, 50 * 1024 * 1024)
    items = parse_taxa_file(source.read_bytes(), source.name, limits).items
    content = export_xlsx(items, "Tandvårdstaxa 2025")
    in_process = timed(lambda: parse_taxa_file(content, "taxa.xlsx", limits), args.runs)

    def post() -> None:
        response = httpx.post(
            f"{server.url}/v1/imports",
            headers={"Authorization": f"Bearer {server.admin_key}"},
            files={"file": ("taxa.xlsx", content)},
            data={"name": "bench", "valid_from": "2026-01-01", "dry_run": "true"},
            timeout=30,
        )
        response.raise_for_status()

    over_http = timed(post, args.runs)
    note = f"{len(items)} items, {len(content)} bytes"
    return [Row("import 2025 taxa XLSX, in process (parse+validate)", *in_process, note=note),
            Row("POST /v1/imports XLSX dry run (parse+validate+diff)", *over_http, note=note)]


@scenario
def deviation(server: Server, args: argparse.Namespace) -> list[Row]:
    """The 7 % analysis on a volume file of 26 clinics × every code of the 2025 taxa."""
    import csv
    import io

    import httpx

    from app.files import Limits
    from app.taxa.imports import parse_taxa_file
    from pricing.deviation import analyse_deviation

    source = REPO / "data" / "taxa" / "region-jonkoping-2025-normal.csv"
    items = parse_taxa_file(source.read_bytes(), source.name, Limits(20_000, 50 << 20)).items
    codes = [i.code for i in items if i.code]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Klinik", "Åtgärd", "Volym"])
    for clinic in range(1, 27):
        for n, code in enumerate(codes):
            writer.writerow([f"Klinik {clinic:02d}", code, (n * 37 + clinic * 11) % 500])
    content = out.getvalue().encode()
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    uploaded = httpx.post(f"{server.url}/v1/volumes", headers=headers, timeout=60,
                          files={"file": ("volumes.csv", content)}, data={"name": "bench"})
    uploaded.raise_for_status()
    volumes_id = uploaded.json()["id"]

    def post() -> None:
        response = httpx.post(f"{server.url}/v1/schedules/1/deviation", headers=headers,
                              json={"volumes_id": volumes_id}, timeout=60)
        response.raise_for_status()

    totals: dict[str, int] = {}
    for n, code in enumerate(codes):
        totals[code] = sum((n * 37 + clinic * 11) % 500 for clinic in range(1, 27))
    note = f"{26 * len(codes)} rows, {len(codes)} codes"
    return [
        Row("POST /v1/schedules/1/deviation (stored volume set)", *timed(post, args.runs),
            note=note),
        Row("analyse_deviation() in process", *timed(
            lambda: analyse_deviation(items, totals), args.runs), note=note),
    ]


@scenario
def quotes(server: Server, args: argparse.Namespace) -> list[Row]:
    """POST /v1/quotes with the 10-line quote of bench/quote.lua, beside /health; in process,
    the engine alone (pricing.subsidy.quote) and the whole app layer without HTTP (run_quote)."""
    import datetime as dt

    from sqlmodel import Session

    from app.config import DEFAULT_OWNER
    from app.db import make_engine
    from app.jour.windows import jour_config
    from app.quotes.quoting import engine_input, run_quote, taxa_resolver
    from app.quotes.rules import load_regional_rules, load_rule_sets
    from app.quotes.schemas import QuoteIn
    from app.snapshot import load_snapshot
    from pricing.subsidy import quote

    script = REPO / "bench" / "quote.lua"
    body = QuoteIn.model_validate_json(script.read_text().split("[[", 1)[1].split("]]", 1)[0])
    lines = f"{len(body.lines)} lines"
    base = wrk(f"{server.url}/health", None, args.seconds, args.connections)
    http = wrk(f"{server.url}/v1/quotes", server.clinic_key, args.seconds, args.connections,
               script=script)
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        snap = load_snapshot(session)
    engine.dispose()
    rule_sets, jour, regional = load_rule_sets(), jour_config(), load_regional_rules()
    given = engine_input(body, jour, DEFAULT_OWNER)  # what run_quote hands the engine
    resolve = taxa_resolver(snap, DEFAULT_OWNER)
    runs = args.runs * 100
    today = dt.date(2026, 1, 1)
    core = timed(lambda: quote(given.patient, given.lines, resolve, rule_sets,
                               regional_rules=regional.get(DEFAULT_OWNER), today=today), runs)
    app_layer = timed(lambda: run_quote(body, snap, rule_sets, jour, today, DEFAULT_OWNER,
                                        regional_rules=regional).model_dump_json(), runs)
    return [
        Row("GET /health (baseline, quote run)", *base, ratio_to_baseline=1.0),
        Row("POST /v1/quotes", *http, ratio_to_baseline=base[0] / http[0], note=lines),
        Row("quote() in process (engine)", *core, note=f"{lines}, {runs} runs"),
        Row("run_quote() in process (validated body → JSON)", *app_layer,
            note=f"{lines}, {runs} runs"),
    ]


@scenario
def kostnadsforslag(server: Server, args: argparse.Namespace) -> list[Row]:
    """The kostnadsförslag (A4 PDF, and HTML) of the 10-line quote of bench/quote.lua, with a
    patient name and personnummer: in process (run_quote + render, as the route does) and over
    HTTP (POST /v1/quotes?format=pdf, one request at a time)."""
    import datetime as dt
    import json

    import httpx
    from sqlmodel import Session

    from app.config import DEFAULT_OWNER
    from app.db import make_engine
    from app.jour.windows import jour_config
    from app.quotes.estimate import DocumentFormat, render
    from app.quotes.quoting import run_quote
    from app.quotes.rules import load_estimate_terms, load_regional_rules, load_rule_sets
    from app.quotes.schemas import QuoteIn
    from app.snapshot import load_snapshot

    raw = json.loads((REPO / "bench" / "quote.lua").read_text().split("[[", 1)[1]
                     .split("]]", 1)[0])
    raw.update(patient_name="Bench Patient", personnummer="19550402-0000")
    body = QuoteIn.model_validate(raw)
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        snap = load_snapshot(session)
    engine.dispose()
    rule_sets, jour, regional = load_rule_sets(), jour_config(), load_regional_rules()
    terms = load_estimate_terms()[DEFAULT_OWNER]
    today = dt.date(2026, 1, 1)

    def document(fmt: DocumentFormat) -> bytes:
        quote = run_quote(body, snap, rule_sets, jour, today, DEFAULT_OWNER,
                          regional_rules=regional)
        return render(quote, body, terms, today, fmt)

    runs = max(5, args.runs // 2)
    note = f"{len(body.lines)} lines, {runs} runs"
    rows = []
    for fmt in (DocumentFormat.HTML, DocumentFormat.PDF):
        size = len(document(fmt))  # also warms the fonts and templates
        rows.append(Row(f"kostnadsförslag {fmt.value.upper()} in process (quote + render)",
                        *timed(lambda fmt=fmt: document(fmt), runs),  # type: ignore[misc]
                        note=f"{note}, {size // 1024} KiB"))

    def post_pdf() -> None:
        response = httpx.post(f"{server.url}/v1/quotes", params={"format": "pdf"}, json=raw,
                              headers={"Authorization": f"Bearer {server.clinic_key}"},
                              timeout=60)
        response.raise_for_status()

    post_pdf()
    rows.append(Row("POST /v1/quotes?format=pdf (whole request)", *timed(post_pdf, runs),
                    note=note))
    return rows


@scenario
def board_report(server: Server, args: argparse.Namespace) -> list[Row]:
    """The board's report of the bundled 2025 taxa (410 items) with the example volumes: the
    figures composed from the database, each format rendered in process, and the PDF over
    HTTP (GET /v1/schedules/{id}/report?format=pdf&example_volumes=true)."""
    import datetime as dt
    from decimal import Decimal

    import httpx
    from sqlmodel import Session

    from app.config import DEFAULT_OWNER
    from app.db import make_engine
    from app.files import Limits
    from app.report.data import build_report_data, example_volumes
    from app.report.formats import ReportFormat, render
    from app.taxa.schedules import in_force
    from pricing.taxa import Variant

    volumes, source = example_volumes(Limits(20_000, 50 * 1024 * 1024))
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        schedule = in_force(session, DEFAULT_OWNER, Variant.NORMAL, dt.date(2025, 6, 1))
        assert schedule is not None and schedule.id is not None
        schedule_id = schedule.id

    def compose() -> object:
        with Session(engine) as session:
            return build_report_data(session, schedule_id, volumes, source, previous_id=None,
                                     limit_percent=Decimal(7),
                                     generated_at=dt.datetime(2026, 1, 1, 12, 0))

    data = compose()
    runs = max(3, args.runs // 5)
    items = f"{len(data.items)} items, {runs} runs"  # type: ignore[attr-defined]
    rows = [Row("report: figures composed from the database", *timed(compose, runs), note=items)]
    for fmt in ReportFormat:
        size = len(render(data, fmt).content)  # type: ignore[arg-type]
        rows.append(Row(f"report: {fmt.value.upper()} rendered in process",
                        *timed(lambda fmt=fmt: render(data, fmt), runs),  # type: ignore[misc]
                        note=f"{items}, {size // 1024} KiB"))

    def get_pdf() -> None:
        response = httpx.get(
            f"{server.url}/v1/schedules/{schedule_id}/report",
            params={"format": "pdf", "example_volumes": "true"},
            headers={"Authorization": f"Bearer {server.admin_key}"}, timeout=60)
        response.raise_for_status()

    rows.append(Row("GET /v1/schedules/{id}/report?format=pdf (whole request)",
                    *timed(get_pdf, runs), note=items))
    engine.dispose()
    return rows


def markdown(rows: list[Row]) -> str:
    lines = ["| scenario | throughput /s | p50 ms | p99 ms | × baseline | note |",
             "|---|---:|---:|---:|---:|---|"]
    for r in rows:
        ratio = "" if r.ratio_to_baseline is None else f"{r.ratio_to_baseline:.2f}"
        rate = f"{r.throughput_per_s:,.0f}" if r.throughput_per_s >= 10 else (
            f"{r.throughput_per_s:.2f}")
        lines.append(f"| {r.scenario} | {rate} | {r.p50_ms:.2f} | "
                     f"{r.p99_ms:.2f} | {ratio} | {r.note} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=30, help="runs of in-process scenarios")
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk (Debian's package)", file=sys.stderr)
        return 2
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        server, process = start_server(Path(tmp))
        try:
            for fn in SCENARIOS:
                if args.only and args.only not in fn.__name__:
                    continue
                print(f"running {fn.__name__} …", file=sys.stderr)
                rows.extend(fn(server, args))
        finally:
            process.terminate()
            process.wait(timeout=10)
    RESULTS.mkdir(exist_ok=True)
    meta = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
            "when": time.strftime("%Y-%m-%d %H:%M"), "wrk_connections": args.connections,
            "wrk_seconds": args.seconds}
    (RESULTS / "latest.json").write_text(json.dumps(
        {"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2))
    print(markdown(rows))
    print(f"\n{meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
