"""The real service in a thread (uvicorn on a free port, a scratch SQLite database migrated by the
real migrations, the bundled 2025 taxa loaded) and Debian's Chromium driven by Playwright.

The server's socket is bound and listening before the thread starts, so the first request waits
in the socket's backlog instead of the tests sleeping until the server is up.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import uvicorn
from alembic import command
from alembic.config import Config

from app.auth import Role, create_key
from app.config import REPO_ROOT, Settings
from app.db import transaction
from app.files import Limits
from app.main import create_app
from app.taxa.bundled import load_bundled

CHROMIUM = Path("/usr/bin/chromium")
# As root on a machine without a network: no sandbox, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Service:
    url: str
    keys: dict[str, str]  # role → API key


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    url = f"sqlite:///{tmp_path_factory.mktemp('web-db') / 'taxa.db'}"
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")
    settings = replace(Settings.from_env(), database_url=url, snapshot_check_seconds=0.0)
    app = create_app(settings)
    keys: dict[str, str] = {}
    with transaction(app.state.engine) as session:
        load_bundled(session, Limits(settings.max_rows, settings.max_xlsx_uncompressed_bytes))
        for role in Role:
            _, keys[role.value] = create_key(session, role, f"Test {role.value}")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield Service(f"http://127.0.0.1:{port}", keys)
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make system-packages`"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def open_page(browser: object, service: Service) -> Iterator[object]:
    """A fresh browser context (no cookies) whose requests may reach only the service."""
    from playwright.sync_api import Browser, Route

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=service.url, locale="sv-SE")

    def local_only(route: Route) -> None:
        if route.request.url.startswith((service.url, "data:", "about:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture()
def page(browser: object, service: Service) -> Iterator[object]:
    with open_page(browser, service) as new_page:
        yield new_page


@pytest.fixture()
def other_page(browser: object, service: Service) -> Iterator[object]:
    """A second person's browser: its own cookies."""
    with open_page(browser, service) as new_page:
        yield new_page
