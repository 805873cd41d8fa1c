"""Volume files (billed åtgärder per code): read, validate, store a volume set or nothing.

Shared by ``POST /v1/volumes``, ``taxa volumes import`` and ``taxa deviation`` (which reads the
bundled example file without storing it). The file layer is the taxa import's
(:func:`app.files.read_sheet`), so the same files are refused the same way; the rows are
judged by :mod:`pricing.volumes`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from app.config import DATA_DIR
from app.db import audit, now
from app.errors import FileRejected, NotFound
from app.files import Limits, read_sheet
from app.models import MAX_ID, VolumeEntry, VolumeSet
from app.taxa.imports import finding_json
from app.volumes.schemas import VolumesRef
from pricing.taxa_validation import Finding, RawRow, Severity
from pricing.volumes import (
    VOLUME_DISPLAY_NAMES,
    VolumeValidation,
    map_volume_headings,
    validate_volume_rows,
)

MAX_VOLUME_CELL = 20  # "1 000 000 000" and its spaces fit; a longer cell is no volume
EXAMPLE_VOLUMES = DATA_DIR / "volumes" / "example-invented-region-jonkoping-2025.csv"


def _looks_like_header(cells: Sequence[str]) -> bool:
    mapping, _, _ = map_volume_headings(cells)
    return {"code", "volume"} <= set(mapping.values())


def parse_volume_file(content: bytes, filename: str, limits: Limits) -> VolumeValidation:
    """Every finding about the file; raises only for what is not a readable spreadsheet.

    Title or comment rows above the headings are skipped (the first row, among the first 20,
    whose headings name a code and a volume column is the heading row). A column the service
    does not read is a warning, not an error.
    """
    sheet = read_sheet(content, filename, limits, _looks_like_header)
    if not sheet.headings:
        return VolumeValidation({}, (Finding(None, None, None, "the file is empty"),), 0, (), ())
    mapping, missing, unknown = map_volume_headings(sheet.headings)
    if missing:
        problems = tuple(
            Finding(
                sheet.header_row,
                VOLUME_DISPLAY_NAMES[c],
                None,
                f"missing column {VOLUME_DISPLAY_NAMES[c]!r} (or {c!r})",
            )
            for c in missing
        )
        return VolumeValidation({}, problems, 0, (), ())
    names = {column: sheet.headings[index] for index, column in mapping.items()}
    rows = [
        RawRow(
            row=number,
            cells={
                column: cells[index] if index < len(cells) else None
                for index, column in mapping.items()
            },
        )
        for number, cells in sheet.rows
    ]
    too_long = tuple(
        Finding(
            raw.row,
            names["volume"],
            str(raw.cells["volume"])[:60] + "…",
            f"not a volume: more than {MAX_VOLUME_CELL} characters",
        )
        for raw in rows
        if len(str(raw.cells.get("volume") or "")) > MAX_VOLUME_CELL
    )
    if too_long:  # never handed to int(): 4 301 digits are beyond what Python converts
        rows = [
            RawRow(row=raw.row, cells={**raw.cells, "volume": "0"})
            if len(str(raw.cells.get("volume") or "")) > MAX_VOLUME_CELL
            else raw
            for raw in rows
        ]
    result = validate_volume_rows(rows, names)
    if too_long:
        result = replace(
            result, findings=tuple(sorted(result.findings + too_long, key=lambda f: f.row or 0))
        )
    ignored = tuple(
        Finding(
            sheet.header_row,
            heading,
            None,
            "column not used (the service reads Åtgärd, Volym, Klinik and Patientkategori)",
            Severity.WARNING,
        )
        for heading in unknown
    )
    return replace(result, findings=ignored + result.findings)


def rejected(validation: VolumeValidation, filename: str) -> FileRejected:
    return FileRejected(
        f"{len(validation.errors)} problem(s) in {filename!r}; nothing was stored",
        problems=[finding_json(f) for f in validation.errors],
        warnings=[finding_json(f) for f in validation.warnings],
    )


def import_volumes(
    session: Session,
    *,
    content: bytes,
    filename: str,
    owner: str,
    name: str,
    actor: str,
    limits: Limits,
) -> tuple[VolumeSet, VolumeValidation]:
    """Validate the whole file and store it as one volume set, or raise :class:`FileRejected`."""
    sha256 = hashlib.sha256(content).hexdigest()
    validation = parse_volume_file(content, filename, limits)
    if not validation.ok:
        raise rejected(validation, filename)
    volume_set = VolumeSet(
        owner=owner,
        name=name,
        source_filename=filename,
        source_sha256=sha256,
        imported_by=actor,
        imported_at=now(),
        row_count=validation.row_count,
        clinics=list(validation.clinics),
        patient_categories=list(validation.patient_categories),
    )
    session.add(volume_set)
    session.flush()
    assert volume_set.id is not None
    entries = [
        {"volume_set_id": volume_set.id, "code": code, "volume": volume}
        for code, volume in validation.totals.items()
    ]
    if entries:  # one executemany: SQLite's write lock stays short
        session.execute(insert(VolumeEntry), entries)
    audit(
        session,
        actor=actor,
        action="import_volumes",
        target=f"volume_set:{volume_set.id}",
        sha256=sha256,
        filename=filename,
        owner=owner,
        name=name,
        rows=validation.row_count,
        codes=len(validation.totals),
        total_volume=validation.total_volume,
        warnings=len(validation.warnings),
    )
    return volume_set, validation


def get_volume_set(session: Session, volume_set_id: int) -> VolumeSet:
    found = session.get(VolumeSet, volume_set_id) if 1 <= volume_set_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"no volume set with id {volume_set_id}")
    return found


def volumes_of(session: Session, volume_set_id: int) -> dict[str, int]:
    """The summed volume per code of a stored set, in the order the file had them."""
    rows = session.exec(
        select(VolumeEntry)
        .where(VolumeEntry.volume_set_id == volume_set_id)
        .order_by(col(VolumeEntry.id))
    ).all()
    return {row.code: row.volume for row in rows}


def totals_by_set(session: Session) -> dict[int, tuple[int, int]]:
    """(codes, total volume) of every stored set, in one query."""
    rows = session.exec(
        select(VolumeEntry.volume_set_id, func.count(), func.sum(VolumeEntry.volume)).group_by(
            col(VolumeEntry.volume_set_id)
        )
    ).all()
    return {set_id: (codes, int(total or 0)) for set_id, codes, total in rows}


def resolve_volumes(
    session: Session, volumes_id: int | None, inline: Mapping[str, int] | None
) -> tuple[dict[str, int], VolumesRef]:
    """A stored volume set, or volumes sent with the request."""
    if volumes_id is not None:
        stored = get_volume_set(session, volumes_id)
        volumes = volumes_of(session, volumes_id)
        return volumes, VolumesRef(
            id=stored.id,
            name=stored.name,
            source_filename=stored.source_filename,
            sha256=stored.source_sha256,
            codes=len(volumes),
            total_volume=sum(volumes.values()),
        )
    volumes = dict(inline or {})
    return volumes, VolumesRef(
        id=None,
        name=None,
        source_filename=None,
        sha256=None,
        codes=len(volumes),
        total_volume=sum(volumes.values()),
    )


def volumes_from_file(
    content: bytes, path: Path, limits: Limits, *, example: bool
) -> tuple[dict[str, int], VolumesRef]:
    """A volume file read without storing it (``taxa deviation``, ``taxa propose``): the volumes
    per code and where they come from; every problem in the file raises ``FileRejected``."""
    validation = parse_volume_file(content, path.name, limits)
    if not validation.ok:
        raise rejected(validation, path.name)
    volumes = dict(validation.totals)
    return volumes, VolumesRef(
        id=None,
        name="EXAMPLE volumes: INVENTED, not real statistics" if example else path.stem,
        source_filename=str(path),
        sha256=hashlib.sha256(content).hexdigest(),
        codes=len(volumes),
        total_volume=sum(volumes.values()),
    )
