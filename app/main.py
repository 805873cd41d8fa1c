"""The FastAPI application: wiring only. Routes live in each feature package."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from starlette.routing import Route

from app import errors
from app.admin import routes as admin
from app.auth import AuthenticateFirst, LastUsed
from app.config import Settings
from app.db import make_engine
from app.jour import routes as jour
from app.jour.calendar import warm_calendar
from app.proposals import routes as proposals
from app.quotes import routes as quotes
from app.reference import routes as reference
from app.report import routes as report
from app.report.cache import RenderedReports, warm_report_machinery
from app.snapshot import SnapshotCache
from app.taxa import procedures_routes as procedures
from app.taxa import routes as schedules
from app.volumes import routes as analysis
from app.web import mount as web

DESCRIPTION = """
Folktandvården's fee schedule (tandvårdstaxa): prices per åtgärd with TLV's referenspris, in
dated versions, for clinic systems and price administrators.

Every endpoint but `/health` needs an API key: `Authorization: Bearer taxa_…`. Role `clinic`
reads prices; role `admin` also imports, activates and reads the audit log; a key may be
scoped to owners (it then writes only their taxa). Amounts are decimal strings in kronor
("1100.00"). Every error answers `{"error": …, "detail": …, "problems": [...]}`: each problem is
`{field, value, message}` for a request (`lines[0].quantity`, `patient.birth_date`, a parameter
by name) or `{row, column, value, message}` for a file, every one found; nothing is stored.
"""

HEALTHY = b'{"status":"ok"}'

# JSON bodies are small (a quote, inline volumes, a key): uploads go as multipart files.
MAX_JSON_BYTES = 1024 * 1024


@asynccontextmanager
async def _warm(app: FastAPI) -> AsyncIterator[None]:
    """Before the first request: the snapshot loaded and the Swedish calendar of the years around
    today computed (the first instant would otherwise wait ≈ 80 ms for the holidays package's
    lazy import, on the event loop), then everything made at start-up (the
    snapshot, the rules, the app's schemas) moved out of the garbage collector's way: a full
    collection then no longer walks them (a pause of ~50 ms every few thousand requests)."""
    async with quotes.router.lifespan_context(app):  # its data files (the router is not included)
        await anyio.to_thread.run_sync(app.state.snapshots.get)
        await anyio.to_thread.run_sync(warm_calendar)
        if app.state.settings.freeze_heap:
            gc.collect()  # ~0.1 s: once per server, not once per test client
            gc.freeze()
        if app.state.settings.warm_reports:
            threading.Thread(target=warm_report_machinery, name="warm-reports", daemon=True).start()
        try:
            yield
        finally:
            # What was frozen can be collected again once the app stops (tests start many).
            gc.unfreeze()


async def health(request: Request) -> Response:
    # async, and the constant answer made once: no thread-pool hop, nothing serialized.
    return Response(HEALTHY, media_type="application/json")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        lifespan=_warm,
        title="Folktandvården taxa service",
        version="0.1.0",
        description=DESCRIPTION,
        # /docs and /redoc are served by app.web with local assets (no CDN).
        docs_url=None,
        redoc_url=None,
        # The service exports no OpenTelemetry: without this FastAPI asks the global providers
        # on every request whether one was configured.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, settings.sqlite_busy_seconds)
    app.state.snapshots = SnapshotCache(app.state.engine, settings.snapshot_check_seconds)
    app.state.last_used = LastUsed(app.state.engine)
    app.state.reports = RenderedReports()  # the board's reports, rendered once each
    errors.install(app)
    # The last added runs first: the key is checked before any body is read. Uploads are the
    # only large bodies; multipart framing comes on top of the file.
    app.add_middleware(errors.BodyLimit, max_bytes=settings.max_upload_bytes + 64 * 1024)
    app.add_middleware(errors.RequestGuard, max_bytes=MAX_JSON_BYTES)
    app.add_middleware(AuthenticateFirst, snapshots=app.state.snapshots)

    # The hot paths first, served by Starlette's own request handling: FastAPI's per-route
    # machinery (solving dependencies, reading parameters and the body) cost as much as a
    # lookup itself (~20 µs of ~45 µs in process, issue 12). Each does its own checks; their
    # FastAPI declarations below document them in the OpenAPI (and serve a quote in any form
    # but the usual one).
    app.router.routes[:0] = [
        Route("/health", health, methods=["GET"], include_in_schema=False),
        *procedures.DIRECT_ROUTES,
        *quotes.DIRECT_ROUTES,
    ]
    app.get(
        "/health", tags=["health"], summary="Liveness: no key needed", response_model=dict[str, str]
    )(health)
    # Their routers' routes made the app's own (the quotes router's lifespan is _warm's).
    app.router.routes.extend([*procedures.router.routes, *quotes.router.routes])
    app.include_router(schedules.router)
    app.include_router(admin.router)
    app.include_router(jour.router)
    app.include_router(analysis.router)
    app.include_router(report.router)
    app.include_router(reference.router)
    app.include_router(proposals.router)
    web.install(app)  # the pages under /ui/ and the docs; after errors.install
    return app
