"""Generated requests from the service's own OpenAPI (schemathesis, property-based): on every
operation, with an admin key, valid and invalid inputs alike, no answer is a 5xx and every
answer — errors included — has a documented status code, content type and schema.

Bounded so that it stays within minutes on both databases: a fixed number of examples per
operation (fewer where one answer is a rendered PDF), derandomised, no shrinking to speak of.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.config import Settings
from app.main import create_app

# Per operation; TAXA_GENERATED_EXAMPLES=500 for a deeper run by hand.
EXAMPLES = int(os.environ.get("TAXA_GENERATED_EXAMPLES", "40"))
SLOW = {"/v1/schedules/{schedule_id}/report": 4}  # renders HTML/PDF/XLSX for each example
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


class CurrentApp:
    """An ASGI app that hands each request to the app of the running test: the schema is loaded
    once, at import, the requests go to the test's own app on its own database. (schemathesis'
    lazy fixture loader does not work with pytest 9.)"""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@asynccontextmanager
async def _no_start_up(_app: Any) -> AsyncIterator[None]:
    yield


# The app that serves the schema at import has no database: its start-up (which loads the
# snapshot) is skipped. Every generated request goes to the running test's own app.
_schema_app = create_app(replace(Settings.from_env(), database_url="sqlite://"))
_schema_app.router.lifespan_context = _no_start_up
CURRENT = CurrentApp(_schema_app)
schema = schemathesis.openapi.from_asgi("/openapi.json", CURRENT)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_get_documented_answers(
    case: Any, client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    limit = SLOW.get(case.path)
    if limit is not None and _count(case) > limit:
        return
    CURRENT.app = client.app
    case.call_and_validate(headers=admin, checks=list(CHECKS))


_seen: dict[tuple[str, str], int] = {}


def _count(case: Any) -> int:
    key = (case.method, case.path)
    _seen[key] = _seen.get(key, 0) + 1
    return _seen[key]
