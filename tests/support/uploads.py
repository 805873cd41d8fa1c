"""Files the API tests upload (``pythonpath`` in pyproject.toml puts this folder on the path):
a workbook built from rows, and the bundled example volumes: read as the service reads them, and
stored as a volume set."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from fastapi.testclient import TestClient
from openpyxl import Workbook

from app.config import Settings
from app.files import Limits
from app.volumes.volume_sets import EXAMPLE_VOLUMES, parse_volume_file


def workbook_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """An .xlsx file whose first sheet holds these rows, in order (an empty row stays empty)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload_example_volumes(client: TestClient, admin: dict[str, str]) -> int:
    """The bundled EXAMPLE volumes (invented figures) stored through POST /v1/volumes; its id."""
    response = client.post(
        "/v1/volumes",
        headers=admin,
        data={"name": "Exempel (påhittat)"},
        files={"file": (EXAMPLE_VOLUMES.name, EXAMPLE_VOLUMES.read_bytes())},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def example_volumes(settings: Settings) -> dict[str, int]:
    """The bundled EXAMPLE volumes' totals per code, read under the settings' file limits."""
    validation = parse_volume_file(
        EXAMPLE_VOLUMES.read_bytes(), EXAMPLE_VOLUMES.name, Limits.of(settings)
    )
    assert validation.ok
    return dict(validation.totals)
