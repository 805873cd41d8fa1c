"""Rendered reports are kept per process (app/report/cache.py): the same report is rendered
once, and anything it shows that can change makes another one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

import app.report.cache as report_cache
import app.report.routes as report_routes
from app.report.cache import report_key
from app.report.fmt import stamp
from app.report.formats import ReportFormat, render


def test_a_report_is_rendered_once_and_then_kept(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moments = iter(datetime(2026, 1, day, 12, 0) for day in range(1, 10))
    monkeypatch.setattr(report_routes, "_now", lambda: next(moments))
    made: list[ReportFormat] = []

    def counting(data: Any, fmt: ReportFormat) -> Any:
        made.append(fmt)
        return render(data, fmt)

    monkeypatch.setattr(report_cache, "render", counting)
    url = f"/v1/schedules/{bundled[0]}/report"
    first = client.get(url, params={"format": "html"}, headers=admin)
    again = client.get(url, params={"format": "html"}, headers=admin)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content  # kept, with the moment it was made
    assert stamp(datetime(2026, 1, 1, 12, 0)) in first.text
    other = client.get(url, params={"format": "html", "limit_percent": "5"}, headers=admin)
    assert other.status_code == 200 and other.content != first.content
    assert made == [ReportFormat.HTML, ReportFormat.HTML]


def test_what_a_report_shows_is_in_its_key(
    client: TestClient,
    admin: dict[str, str],
    bundled: list[int],
) -> None:
    from sqlmodel import Session

    from app.report.data import build_report_data

    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        data = build_report_data(
            session,
            bundled[0],
            None,
            report_routes.NO_VOLUMES,
            previous_id=None,
            limit_percent=Decimal(7),
            generated_at=datetime(2026, 1, 1),
        )
    key = report_key(data, ReportFormat.PDF)
    assert report_key(replace(data, generated_at=datetime(2027, 1, 1)), ReportFormat.PDF) == key
    assert report_key(data, ReportFormat.HTML) != key
    retired = replace(data, schedule=replace(data.schedule, status="retired"))
    assert report_key(retired, ReportFormat.PDF) != key
    other_volumes = replace(data, volumes=replace(data.volumes, kind="set", id=3))
    assert report_key(other_volumes, ReportFormat.PDF) != key
