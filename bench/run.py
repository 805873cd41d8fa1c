"""Benchmarks: measured, never asserted. `make bench` (or `.venv/bin/python bench/run.py`).

The yardstick is a bare FastAPI app (bench/bare_app.py: one async /health) served the best way
uvicorn can serve it (uvloop, httptools, no access log), started beside the service in the same
run. Every HTTP figure is reported as a ratio to it: wrk (a C load generator, 2 threads) drives
the bare app and each endpoint of the service in turn, for ``--rounds`` interleaved rounds so
that both see the same machine; a ratio is taken within each round and the median of the rounds
is reported (this machine is shared, its load moves). Throughput ratio: service ÷ bare (1.00 is
as fast as the bare app); latency ratio: service ÷ bare (1.00 is as quick). Server CPU per
request: the server process's CPU time over a wrk run (from /proc) ÷ the requests answered, its
own cost apart from wrk's on the same cores. The bare app's quote-sized POST is the floor of a
quote (the same body in, an answer of the same size out, no work).

In-process scenarios time a function over repeated runs (p50/p99; throughput from the p50). The
board report is timed cold (the first after the start: imports, fonts), new (a report not made
before, the machinery warm) and kept (the same report again). With ``BENCH_DATABASE_URL`` (a
PostgreSQL database that may be emptied) the service also runs as two workers (``taxa serve
--workers 2``) on it: throughput, and how long a newly activated price takes to reach every
worker. Memory: the resident size of the worker, and what 10 000 lookups and 2 000 quotes leave
allocated in process (tracemalloc).

Results: bench/results/latest.json and a Markdown table on stdout (copied into the README).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import io
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
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results"
QUOTE_SCRIPT = REPO / "bench" / "quote.lua"
NORMAL_CSV = REPO / "data" / "taxa" / "region-jonkoping-2025-normal.csv"


@dataclass
class Row:
    scenario: str
    throughput_per_s: float
    p50_ms: float
    p99_ms: float
    ratio: float | None = None  # throughput ÷ the bare app's (HTTP rows)
    p50_ratio: float | None = None  # p50 latency ÷ the bare app's
    p99_ratio: float | None = None
    note: str = ""
    server_cpu_us: float | None = None  # the server's CPU per request under wrk (HTTP rows)


@dataclass
class Server:
    url: str
    admin_key: str
    clinic_key: str
    database_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{url} did not start")


def start_bare() -> tuple[str, subprocess.Popen[bytes]]:
    """The yardstick: bench/bare_app.py on uvicorn with uvloop and httptools, no access log."""
    port = _free_port()
    process = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "--app-dir",
            str(REPO / "bench"),
            "bare_app:app",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(url, process)
    return url, process


def prepare_database(database_url: str) -> tuple[dict[str, str], str, str]:
    """Migrated, the bundled data loaded, an admin and a clinic key: (env, admin, clinic)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    taxa = str(BIN / "taxa")
    subprocess.run([taxa, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([taxa, "load-bundled"], env=env, check=True, capture_output=True)

    def key(role: str) -> str:
        out = subprocess.run(
            [taxa, "keys", "create", "--role", role],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return out.strip().splitlines()[-1]

    return env, key("admin"), key("clinic")


def start_server(database_url: str, workers: int = 1) -> Server:
    """`taxa serve` as in production (its defaults: uvloop, httptools, no access log)."""
    env, admin, clinic = prepare_database(database_url)
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "taxa"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_until_up(url, process)
    _wait_until_idle(process.pid)
    return Server(url, admin, clinic, database_url, env, process)


def _wait_until_idle(pid: int) -> None:
    """Until the server's start-up work (the report machinery warmed in a thread, ≈ 3 s) is
    done, so that the first round does not measure it: its CPU time still for half a second."""
    deadline = time.monotonic() + 30
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - last < 0.05:
            return
        last = now


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and of its living descendants (Linux /proc):
    a server's own cost, apart from wrk's on the same cores (a worker's is not in its parent's
    until it exits)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            # utime and stime are fields 14 and 15; the name (field 2) may hold spaces.
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # it exited meanwhile
    return total


def wrk(
    url: str,
    key: str | None,
    seconds: int,
    connections: int,
    script: Path | None = None,
    server_pid: int | None = None,
) -> tuple[float, float, float, float | None]:
    """Requests/s, p50 ms, p99 ms from wrk's --latency report, and the server's CPU µs per
    request (given its pid)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if key:
        command += ["-H", f"Authorization: Bearer {key}"]
    if script:
        command += ["-s", str(script)]
    before = cpu_seconds(server_pid) if server_pid else 0.0
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    cpu = cpu_seconds(server_pid) - before if server_pid else None
    if "Non-2xx" in out:
        raise RuntimeError(f"{url}: non-2xx answers under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return rps, percentile("50"), percentile("99"), None if cpu is None else cpu * 1e6 / answered


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Runs per second (from the median), p50 ms, p99 ms."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return 1000 / p50, p50, p99


def rss_mib(pid: int) -> float:
    """The resident set size of a process (Linux /proc), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- HTTP: the service beside the bare app ---------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    keyed: bool = True
    script: Path | None = None
    bare: bool = False  # served by the bare app


BARE = Endpoint(
    "bare FastAPI async /health (uvloop, httptools, no access log)",
    "/health",
    keyed=False,
    bare=True,
)
# The floor of a quote: the bare app takes the quote's body and answers with as many bytes as
# the quote's answer, doing nothing else. What a quote costs beyond it is the quote's own work.
QUOTE_FLOOR = Endpoint(
    "bare FastAPI POST of the quote's body, a fixed answer of its size (no work)",
    "/v1/quotes",
    keyed=False,
    script=QUOTE_SCRIPT,
    bare=True,
)
LOOKUP = Endpoint("GET /v1/procedures/101?on=", "/v1/procedures/101?on=2025-06-01")
ENDPOINTS = [
    BARE,
    QUOTE_FLOOR,
    Endpoint("GET /health", "/health", keyed=False),
    LOOKUP,
    Endpoint(
        "GET /v1/procedures/101?on=&variant=jour", "/v1/procedures/101?on=2025-06-01&variant=jour"
    ),
    # A point in time: the jour windows and the Swedish calendar decide (julafton evening).
    Endpoint("GET /v1/procedures/101?at=", "/v1/procedures/101?at=2025-12-24T19:30:00%2B01:00"),
    Endpoint("POST /v1/quotes (10 lines)", "/v1/quotes", script=QUOTE_SCRIPT),
]


def http_rounds(
    bare_url: str,
    bare_pid: int,
    server: Server,
    endpoints: list[Endpoint],
    args: argparse.Namespace,
    suffix: str = "",
) -> list[Row]:
    """Each endpoint under wrk, ``args.rounds`` interleaved rounds; medians of the rounds, and
    of the ratios to the bare app taken within each round."""
    runs: dict[str, list[tuple[float, float, float, float | None]]] = {
        e.label: [] for e in endpoints
    }
    for round_ in range(args.rounds):
        print(f"  round {round_ + 1}/{args.rounds}{suffix}", file=sys.stderr)
        for e in endpoints:
            url = (bare_url if e.bare else server.url) + e.path
            runs[e.label].append(
                wrk(
                    url,
                    server.clinic_key if e.keyed else None,
                    args.seconds,
                    args.connections,
                    e.script,
                    server_pid=bare_pid if e.bare else server.process.pid,
                )
            )
    bare = runs[BARE.label]
    rows = []
    for e in endpoints:
        got = runs[e.label]
        rows.append(
            Row(
                e.label + ("" if e.bare else suffix),
                statistics.median(r[0] for r in got),
                statistics.median(r[1] for r in got),
                statistics.median(r[2] for r in got),
                ratio=statistics.median(r[0] / b[0] for r, b in zip(got, bare, strict=True)),
                p50_ratio=statistics.median(r[1] / b[1] for r, b in zip(got, bare, strict=True)),
                p99_ratio=statistics.median(r[2] / b[2] for r, b in zip(got, bare, strict=True)),
                note=f"{args.rounds} rounds of {args.seconds} s",
                server_cpu_us=statistics.median(r[3] for r in got if r[3] is not None),
            )
        )
    return rows


# --- in process -------------------------------------------------------------------------------


def quote_body() -> Any:
    from app.quotes.schemas import QuoteIn

    raw = QUOTE_SCRIPT.read_text().split("[[", 1)[1].split("]]", 1)[0]
    return QuoteIn.model_validate_json(raw)


def engine_rows(server: Server, args: argparse.Namespace) -> list[Row]:
    """The quote engine alone (pricing.subsidy.quote) and the app layer's JSON answer, on the
    10-line quote of bench/quote.lua."""
    import datetime as dt

    from sqlmodel import Session

    from app.config import DEFAULT_OWNER
    from app.db import make_engine
    from app.jour.windows import jour_config
    from app.quotes.quoting import engine_input, run_quote_json, taxa_resolver
    from app.quotes.rules import load_regional_rules, load_rule_sets
    from app.snapshot import load_snapshot
    from pricing.subsidy import quote

    body = quote_body()
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        snap = load_snapshot(session)
    engine.dispose()
    rule_sets, jour, regional = load_rule_sets(), jour_config(), load_regional_rules()
    given = engine_input(body, jour, DEFAULT_OWNER)  # what run_quote hands the engine
    resolve = taxa_resolver(snap, DEFAULT_OWNER)
    runs = args.runs * 200
    today = dt.date(2026, 1, 1)
    lines = len(body.lines)

    def core() -> object:
        return quote(
            given.patient,
            given.lines,
            resolve,
            rule_sets,
            regional_rules=regional.get(DEFAULT_OWNER),
            today=today,
        )

    def app_layer() -> object:
        return run_quote_json(
            body, snap, rule_sets, jour, today, DEFAULT_OWNER, regional_rules=regional
        )

    for _ in range(200):
        core(), app_layer()
    rate, p50, p99 = timed(core, runs)
    app_rate, app_p50, app_p99 = timed(app_layer, runs)
    return [
        Row(
            "quote() in process (the engine), lines/s",
            rate * lines,
            p50,
            p99,
            note=f"{lines}-line quote, {runs} runs",
        ),
        Row(
            "run_quote_json() in process (validated body → JSON answer)",
            app_rate,
            app_p50,
            app_p99,
            note=f"{lines}-line quote, {runs} runs",
        ),
    ]


def report_rows(server: Server, args: argparse.Namespace) -> list[Row]:
    """GET /v1/schedules/{id}/report?format=pdf on the bundled 2025 taxa with a stored volume
    set (the bundled example volumes uploaded): the first after the start (cold), a report not
    made before (another limit: the machinery warm, the rendering not kept) and the same report
    again (kept)."""
    import httpx

    headers = {"Authorization": f"Bearer {server.admin_key}"}
    example = REPO / "data" / "volumes" / "example-invented-region-jonkoping-2025.csv"
    uploaded = httpx.post(
        f"{server.url}/v1/volumes",
        headers=headers,
        timeout=60,
        files={"file": (example.name, example.read_bytes())},
        data={"name": "bench example volumes"},
    )
    uploaded.raise_for_status()
    volumes_id = uploaded.json()["id"]
    schedules = httpx.get(f"{server.url}/v1/schedules", headers=headers, timeout=30).json()
    schedule_id = next(
        s["id"] for s in schedules if s["variant"] == "normal" and s["status"] == "active"
    )
    limits = iter(f"{7 + n / 100:.2f}" for n in range(1000))

    def get_pdf(limit: str) -> None:
        response = httpx.get(
            f"{server.url}/v1/schedules/{schedule_id}/report",
            params={"format": "pdf", "volumes_id": volumes_id, "limit_percent": limit},
            headers=headers,
            timeout=120,
        )
        response.raise_for_status()
        assert response.content.startswith(b"%PDF")

    start = time.perf_counter()
    get_pdf("7")
    cold = (time.perf_counter() - start) * 1000
    unwarmed = first_report_unwarmed(server, schedule_id, volumes_id)
    runs = max(3, args.runs // 6)
    new = timed(lambda: get_pdf(next(limits)), runs)
    kept = timed(lambda: get_pdf("7"), args.runs)
    note = f"410 items, volume set {volumes_id}"
    return [
        Row(
            "report PDF, the first after the start (cold)",
            1000 / cold,
            cold,
            cold,
            note=f"{note}; the machinery warmed at start-up (TAXA_WARM_REPORTS)",
        ),
        Row(
            "report PDF, the first after a start without the warm-up",
            1000 / unwarmed,
            unwarmed,
            unwarmed,
            note=f"{note}; TAXA_WARM_REPORTS=0: imports and fonts",
        ),
        Row("report PDF, a report not made before (warm)", *new, note=f"{note}, {runs} runs"),
        Row("report PDF, the same report again (kept)", *kept, note=f"{note}, {args.runs} runs"),
    ]


def first_report_unwarmed(server: Server, schedule_id: int, volumes_id: int) -> float:
    """ms of the first report PDF of a second service on the same database started with
    TAXA_WARM_REPORTS=0: WeasyPrint, matplotlib and the fonts loaded by the request itself."""
    import httpx

    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "taxa"), "serve", "--port", str(port)],
        env={**server.env, "TAXA_WARM_REPORTS": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        start = time.perf_counter()
        response = httpx.get(
            f"{url}/v1/schedules/{schedule_id}/report",
            params={"format": "pdf", "volumes_id": volumes_id},
            headers={"Authorization": f"Bearer {server.admin_key}"},
            timeout=120,
        )
        response.raise_for_status()
        return (time.perf_counter() - start) * 1000
    finally:
        stop(process)


def resident_sizes(server: Server, args: argparse.Namespace) -> tuple[float, float, float]:
    """MiB resident of a fresh worker on the same database without the report's machinery
    (TAXA_WARM_REPORTS=0): started, after lookups under wrk, and after quotes under wrk."""
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "taxa"), "serve", "--port", str(port)],
        env={**server.env, "TAXA_WARM_REPORTS": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        started = rss_mib(process.pid)
        wrk(url + LOOKUP.path, server.clinic_key, args.seconds, args.connections)
        after_lookups = rss_mib(process.pid)
        wrk(url + "/v1/quotes", server.clinic_key, args.seconds, args.connections, QUOTE_SCRIPT)
        return started, after_lookups, rss_mib(process.pid)
    finally:
        stop(process)


def memory_rows(server: Server, args: argparse.Namespace) -> list[Row]:
    """The resident size of a worker (started; after lookups and quotes under load; the bench's
    own worker after every scenario), and what lookups and quotes leave allocated in process
    (tracemalloc, after a warm-up)."""
    from dataclasses import replace

    from app.config import Settings
    from app.main import create_app

    rss_now = rss_mib(server.process.pid)
    started, after_lookups, after_quotes = resident_sizes(server, args)
    settings = replace(Settings.from_env(), database_url=server.database_url)
    app = create_app(settings)
    key = server.clinic_key.encode()
    body = QUOTE_SCRIPT.read_text().split("[[", 1)[1].split("]]", 1)[0].encode()

    def scope(
        method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]]
    ) -> dict[str, Any]:
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "headers": [(b"host", b"bench"), (b"authorization", b"Bearer " + key), *headers],
        }

    lookup = scope("GET", "/v1/procedures/101", b"on=2025-06-01", [])
    quote = scope(
        "POST",
        "/v1/quotes",
        b"",
        [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    )

    async def call(sc: dict[str, Any], content: bytes) -> None:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": content, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        status = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(dict(sc, state={}), receive, send)
        assert status == [200], status

    async def kept_after(sc: dict[str, Any], content: bytes, n: int) -> tuple[int, int]:
        """Bytes still allocated after n requests, and after 2n (a leak grows with n)."""
        for _ in range(500):
            await call(sc, content)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        kept = []
        for _ in range(2):
            for _ in range(n):
                await call(sc, content)
            gc.collect()
            after = tracemalloc.take_snapshot()
            kept.append(sum(s.size_diff for s in after.compare_to(before, "filename")))
        tracemalloc.stop()
        return kept[0], kept[1]

    async def measure() -> tuple[tuple[int, int], tuple[int, int]]:
        async with app.router.lifespan_context(app):
            return await kept_after(lookup, b"", 10_000), await kept_after(quote, body, 2_000)

    lookups_kept, quotes_kept = asyncio.run(measure())
    app.state.engine.dispose()
    return [
        Row(
            "RSS of one worker, started (the bundled data, the snapshot loaded)",
            0,
            0,
            0,
            note=f"{started:.0f} MiB (TAXA_WARM_REPORTS=0)",
        ),
        Row(
            "RSS of that worker after lookups, then quotes, under wrk",
            0,
            0,
            0,
            note=f"{after_lookups:.0f} MiB, {after_quotes:.0f} MiB ({args.seconds} s each)",
        ),
        Row(
            "RSS of the bench's worker after every scenario above",
            0,
            0,
            0,
            note=f"{rss_now:.0f} MiB (with the report's WeasyPrint, matplotlib and kept reports)",
        ),
        Row(
            "still allocated after 10 000 / 20 000 lookups (tracemalloc)",
            0,
            0,
            0,
            note=f"{lookups_kept[0] / 1024:+.1f} KiB / {lookups_kept[1] / 1024:+.1f} KiB",
        ),
        Row(
            "still allocated after 2 000 / 4 000 quotes (tracemalloc)",
            0,
            0,
            0,
            note=f"{quotes_kept[0] / 1024:+.1f} KiB / {quotes_kept[1] / 1024:+.1f} KiB",
        ),
    ]


# --- two workers on PostgreSQL ----------------------------------------------------------------


def reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def propagation(server: Server) -> tuple[float, float, int]:
    """A new price, imported and activated through one worker: how long until every worker
    answers it. Polls with a fresh connection each time (the kernel hands each to either
    worker); done when 40 answers in a row are new. (ms to the last old answer, ms to done,
    answers polled)."""
    import httpx

    headers = {"Authorization": f"Bearer {server.admin_key}"}
    rows = list(csv.reader(io.StringIO(NORMAL_CSV.read_text(encoding="utf-8"))))
    price = rows[0].index("price")
    for row in rows[1:]:
        if row[0] == "101":
            row[price] = "1234.00"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    imported = httpx.post(
        f"{server.url}/v1/imports",
        headers=headers,
        timeout=60,
        files={"file": ("taxa-2026-06.csv", out.getvalue().encode())},
        data={"name": "bench: 101 at 1234.00", "valid_from": "2026-06-01"},
    )
    imported.raise_for_status()
    schedule_id = imported.json()["schedule_id"]
    lookup = f"{server.url}/v1/procedures/101?on=2026-07-01"
    clinic = {"Authorization": f"Bearer {server.clinic_key}"}
    assert httpx.get(lookup, headers=clinic).json()["price"] == "1100.00"
    httpx.post(
        f"{server.url}/v1/schedules/{schedule_id}/activate", headers=headers, timeout=60
    ).raise_for_status()
    activated = time.perf_counter()
    last_old, in_a_row, polled = 0.0, 0, 0
    while in_a_row < 40:
        price_now = httpx.get(lookup, headers=clinic, timeout=10).json()["price"]
        polled += 1
        if price_now == "1234.00":
            in_a_row += 1
        else:
            in_a_row, last_old = 0, (time.perf_counter() - activated) * 1000
        if time.perf_counter() - activated > 30:
            raise RuntimeError("the new price did not reach every worker in 30 s")
    return last_old, (time.perf_counter() - activated) * 1000, polled


def two_workers(bare_url: str, bare_pid: int, args: argparse.Namespace) -> list[Row]:
    url = os.environ["BENCH_DATABASE_URL"]
    reset_postgres(url)
    server = start_server(url, workers=2)
    try:
        endpoints = [e for e in ENDPOINTS if "jour" not in e.label and e is not QUOTE_FLOOR]
        rows = http_rounds(
            bare_url, bare_pid, server, endpoints, args, suffix=", 2 workers, PostgreSQL"
        )[1:]  # the bare app is above
        last_old, done, polled = propagation(server)
        check = os.environ.get("TAXA_SNAPSHOT_CHECK_SECONDS", "1")
        rows.append(
            Row(
                "a new price reaches every worker (2 workers, PostgreSQL), ms after activation",
                0,
                last_old,
                last_old,
                note=f"the last old answer {last_old:.0f} ms after the activation returned "
                f"(through one worker); then 40 new ones in a row, fresh connections ({polled} "
                f"polls in {done:.0f} ms); TAXA_SNAPSHOT_CHECK_SECONDS={check}",
            )
        )
        return rows
    finally:
        stop(server.process)


# --- the other scenarios (one request at a time) -----------------------------------------------

Scenario = Callable[[Server, argparse.Namespace], list[Row]]
SCENARIOS: list[Scenario] = []


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS.append(fn)
    return fn


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
    return [
        Row("import 2025 taxa XLSX, in process (parse+validate)", *in_process, note=note),
        Row("POST /v1/imports XLSX dry run (parse+validate+diff)", *over_http, note=note),
    ]


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
    uploaded = httpx.post(
        f"{server.url}/v1/volumes",
        headers=headers,
        timeout=60,
        files={"file": ("volumes.csv", content)},
        data={"name": "bench"},
    )
    uploaded.raise_for_status()
    volumes_id = uploaded.json()["id"]

    def post() -> None:
        response = httpx.post(
            f"{server.url}/v1/schedules/1/deviation",
            headers=headers,
            json={"volumes_id": volumes_id},
            timeout=60,
        )
        response.raise_for_status()

    totals: dict[str, int] = {}
    for n, code in enumerate(codes):
        totals[code] = sum((n * 37 + clinic * 11) % 500 for clinic in range(1, 27))
    note = f"{26 * len(codes)} rows, {len(codes)} codes"
    return [
        Row(
            "POST /v1/schedules/1/deviation (stored volume set)", *timed(post, args.runs), note=note
        ),
        Row(
            "analyse_deviation() in process",
            *timed(lambda: analyse_deviation(items, totals), args.runs),
            note=note,
        ),
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

    raw = json.loads((REPO / "bench" / "quote.lua").read_text().split("[[", 1)[1].split("]]", 1)[0])
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
        quote = run_quote(
            body, snap, rule_sets, jour, today, DEFAULT_OWNER, regional_rules=regional
        )
        return render(quote, body, terms, today, fmt)

    runs = max(5, args.runs // 2)
    note = f"{len(body.lines)} lines, {runs} runs"
    rows = []
    for fmt in (DocumentFormat.HTML, DocumentFormat.PDF):
        size = len(document(fmt))  # also warms the fonts and templates
        rows.append(
            Row(
                f"kostnadsförslag {fmt.value.upper()} in process (quote + render)",
                *timed(lambda fmt=fmt: document(fmt), runs),  # type: ignore[misc]
                note=f"{note}, {size // 1024} KiB",
            )
        )

    def post_pdf() -> None:
        response = httpx.post(
            f"{server.url}/v1/quotes",
            params={"format": "pdf"},
            json=raw,
            headers={"Authorization": f"Bearer {server.clinic_key}"},
            timeout=60,
        )
        response.raise_for_status()

    post_pdf()
    rows.append(
        Row("POST /v1/quotes?format=pdf (whole request)", *timed(post_pdf, runs), note=note)
    )
    return rows


def markdown(rows: list[Row]) -> str:
    lines = [
        "| scenario | throughput /s | × bare | p50 ms | × bare | p99 ms | × bare "
        "| server CPU µs/req | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]

    def ratio(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    for r in rows:
        if not r.throughput_per_s and not r.p50_ms:  # a figure in the note (memory)
            lines.append(f"| {r.scenario} | | | | | | | | {r.note} |")
            continue
        rate = (
            ""
            if not r.throughput_per_s
            else f"{r.throughput_per_s:,.0f}"
            if (r.throughput_per_s >= 10)
            else f"{r.throughput_per_s:.2f}"
        )
        lines.append(
            f"| {r.scenario} | {rate} | {ratio(r.ratio)} | {r.p50_ms:.2f} | "
            f"{ratio(r.p50_ratio)} | {r.p99_ms:.2f} | {ratio(r.p99_ratio)} | "
            f"{'' if r.server_cpu_us is None else f'{r.server_cpu_us:.0f}'} | {r.note} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved wrk rounds")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=30, help="runs of in-process scenarios")
    parser.add_argument(
        "--only",
        help="run only the parts whose name contains this: http, "
        "engine, report, memory, workers, or a scenario's name",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: `make bench` installs it (Debian's package wrk)", file=sys.stderr)
        return 2

    def wanted(name: str) -> bool:
        return not args.only or args.only in name

    rows: list[Row] = []
    bare_url, bare = start_bare()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            server = start_server(f"sqlite:///{Path(tmp) / 'bench.db'}")
            try:
                if wanted("http"):
                    print("running http …", file=sys.stderr)
                    rows += http_rounds(bare_url, bare.pid, server, ENDPOINTS, args)
                if wanted("engine"):
                    print("running engine …", file=sys.stderr)
                    rows += engine_rows(server, args)
                if wanted("report"):
                    print("running report …", file=sys.stderr)
                    rows += report_rows(server, args)
                for fn in SCENARIOS:
                    if wanted(fn.__name__):
                        print(f"running {fn.__name__} …", file=sys.stderr)
                        rows += fn(server, args)
                if wanted("memory"):
                    print("running memory …", file=sys.stderr)
                    rows += memory_rows(server, args)
            finally:
                stop(server.process)
        if wanted("workers"):
            if os.environ.get("BENCH_DATABASE_URL"):
                print("running two workers on PostgreSQL …", file=sys.stderr)
                rows += two_workers(bare_url, bare.pid, args)
            else:
                print(
                    "BENCH_DATABASE_URL is not set: two workers on PostgreSQL left out",
                    file=sys.stderr,
                )
    finally:
        stop(bare)
    RESULTS.mkdir(exist_ok=True)
    meta = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "wrk_connections": args.connections,
        "wrk_seconds": args.seconds,
        "rounds": args.rounds,
        "load_average": os.getloadavg(),
    }
    (RESULTS / "latest.json").write_text(
        json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2, ensure_ascii=False)
    )
    print(markdown(rows))
    print(f"\n{meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
