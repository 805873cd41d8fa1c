"""The in-memory snapshot of the schedules in force: the hot path reads it, never the database.

A snapshot is immutable. It is rebuilt when the ``snapshot_version`` counter in the database has
moved, which every worker checks with one cheap query at most once per
``TAXA_SNAPSHOT_CHECK_SECONDS``; the worker that activates a schedule rebuilds at once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import ApiKey, Schedule, ScheduleItem, SnapshotVersion
from app.reference.lists import ListView, list_on, load_lists, with_list_prices
from app.taxa.schedules import ACTIVE, item_from_row
from pricing.taxa import Item, Variant
from pricing.validity import covers, overlaps

IN_FORCE_REMEMBERED = 4096  # (owner, variant, day) answers a snapshot keeps


@dataclass(frozen=True)
class ScheduleView:
    id: int
    owner: str
    name: str
    variant: Variant
    valid_from: date
    valid_to: date | None
    items: tuple[Item, ...]
    by_code: Mapping[str, Item] = field(repr=False)
    # Each code's price lookup answer as JSON bytes, made the first time it is asked for and
    # kept with the view (app.taxa.procedures_routes): at most one entry per item.
    answers: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    def covers(self, on: date) -> bool:
        return covers(self.valid_from, self.valid_to, on)


@dataclass(frozen=True)
class KeyView:
    id: int
    name: str
    role: str
    owners: frozenset[str] | None = None  # the owners it may write for; None: every owner


@dataclass(frozen=True)
class Snapshot:
    """Schedules in force and the API keys (by hash): all a read request needs."""

    version: int
    schedules: Mapping[tuple[str, Variant], tuple[ScheduleView, ...]]
    keys: Mapping[str, KeyView] = field(default_factory=dict)
    # TLV's reference lists, and each schedule's items by code with the reference prices of
    # each list its validity overlaps (by (schedule id, list id)): built once per snapshot.
    reference_lists: tuple[ListView, ...] = ()
    priced: Mapping[tuple[int, int], Mapping[str, Item]] = field(default_factory=dict, repr=False)
    _known_keys: dict[str, KeyView] = field(default_factory=dict, repr=False, compare=False)
    # in_force's answers, kept while the snapshot lives (bounded: cleared when full).
    _in_force: dict[tuple[str, Variant, date], tuple[ScheduleView, Mapping[str, Item]] | None] = (
        field(default_factory=dict, repr=False, compare=False)
    )

    def find(self, owner: str, variant: Variant, on: date) -> ScheduleView | None:
        for view in self.schedules.get((owner, variant), ()):
            if view.covers(on):
                return view
        return None

    def key_for(self, key: str) -> KeyView | None:
        """The key behind a secret, by its SHA-256 (app.auth.hash_key); a known key's hash is
        remembered with the snapshot (one per stored key, so it cannot grow with requests; a
        revoked key goes with the snapshot that knew it)."""
        known = self._known_keys.get(key)
        if known is not None:
            return known
        found = self.keys.get(hashlib.sha256(key.encode("utf-8")).hexdigest())
        if found is not None and len(self._known_keys) < len(self.keys):
            self._known_keys[key] = found
        return found

    def reference_list_on(self, on: date) -> ListView | None:
        return list_on(self.reference_lists, on)

    def items_on(self, view: ScheduleView, on: date) -> Mapping[str, Item]:
        """The schedule's items by code with the reference prices of the list in force on
        ``on``; the taxa's own referenspris column only where no list covers the day."""
        ref = self.reference_list_on(on)
        if ref is None:
            return view.by_code
        return self.priced.get((view.id, ref.id), view.by_code)

    def in_force(
        self, owner: str, variant: Variant, on: date
    ) -> tuple[ScheduleView, Mapping[str, Item]] | None:
        """:meth:`find` and :meth:`items_on` in one, remembered per (owner, variant, day): a
        quote asks for the same few days on every request."""
        key = (owner, variant, on)
        try:
            return self._in_force[key]
        except KeyError:
            pass
        view = self.find(owner, variant, on)
        found = None if view is None else (view, self.items_on(view, on))
        if len(self._in_force) >= IN_FORCE_REMEMBERED:
            self._in_force.clear()
        self._in_force[key] = found
        return found

    def owners(self) -> set[str]:
        return {owner for owner, _ in self.schedules}


def load_snapshot(session: Session) -> Snapshot:
    version = session.get(SnapshotVersion, 1)
    schedules = session.exec(select(Schedule).where(Schedule.status == ACTIVE)).all()
    ids = [s.id for s in schedules]
    items_by_schedule: dict[int, list[Item]] = defaultdict(list)
    if ids:
        rows = session.exec(
            select(ScheduleItem)
            .where(col(ScheduleItem.schedule_id).in_(ids))
            .order_by(col(ScheduleItem.schedule_id), col(ScheduleItem.position))
        ).all()
        for row in rows:
            items_by_schedule[row.schedule_id].append(item_from_row(row))
    grouped: dict[tuple[str, Variant], list[ScheduleView]] = defaultdict(list)
    for s in schedules:
        assert s.id is not None
        items = tuple(items_by_schedule[s.id])
        view = ScheduleView(
            id=s.id,
            owner=s.owner,
            name=s.name,
            variant=Variant(s.variant),
            valid_from=s.valid_from,
            valid_to=s.valid_to,
            items=items,
            by_code={i.code: i for i in items if i.code is not None},
        )
        grouped[(s.owner, view.variant)].append(view)
    keys = {
        k.key_hash: KeyView(
            id=k.id or 0,
            name=k.name,
            role=k.role,
            owners=None if k.owners is None else frozenset(k.owners),
        )
        for k in session.exec(select(ApiKey).where(col(ApiKey.revoked_at).is_(None))).all()
    }
    reference_lists = tuple(load_lists(session))
    priced = {
        (view.id, ref.id): {
            i.code: i for i in with_list_prices(view.items, ref.ref) if i.code is not None
        }
        for views in grouped.values()
        for view in views
        for ref in reference_lists
        if overlaps(view.valid_from, view.valid_to, ref.valid_from, ref.valid_to)
    }
    return Snapshot(
        version=version.version if version else 0,
        keys=keys,
        reference_lists=reference_lists,
        priced=priced,
        schedules={
            k: tuple(sorted(v, key=lambda x: x.valid_from, reverse=True))
            for k, v in grouped.items()
        },
    )


class SnapshotCache:
    """Holds the current snapshot of one process and refreshes it when the counter moves."""

    def __init__(self, engine: Engine, check_seconds: float) -> None:
        self._engine = engine
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0

    def fresh(self) -> Snapshot | None:
        """The snapshot if it needs no check against the database now (no I/O), else None."""
        current = self._snapshot
        if current is not None and time.monotonic() - self._checked_at < self._check_seconds:
            return current
        return None

    def get(self) -> Snapshot:
        current = self.fresh()
        if current is not None:
            return current
        with self._lock:
            if self._snapshot is not None and (
                time.monotonic() - self._checked_at < self._check_seconds
            ):
                return self._snapshot
            with Session(self._engine) as session:
                row = session.get(SnapshotVersion, 1)
                version = row.version if row else 0
                if self._snapshot is None or self._snapshot.version != version:
                    self._snapshot = load_snapshot(session)
            self._checked_at = time.monotonic()
            return self._snapshot

    def invalidate(self) -> None:
        """Rebuild on the next read (called after this process activated a schedule)."""
        with self._lock:
            self._snapshot = None
