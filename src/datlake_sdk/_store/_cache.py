"""The detached cache: the newest snapshot the client has seen of each table, kept beside the
outbox journal, so a job can still read its inputs while Datlake cannot be reached.

Only snapshots the server confirmed are remembered (never a pending one), and an older sighting
never replaces a newer one.

>>> import tempfile, pathlib
>>> from datlake_sdk._types import SnapshotInfo
>>> cache = SnapshotCache(pathlib.Path(tempfile.mkdtemp()) / "outbox.sqlite3")
>>> cache.remember("http://127.0.0.1:8765", SnapshotInfo("users_raw", "s1", "file:///u.csv"))
>>> cache.recall("http://127.0.0.1:8765", "users_raw").snapshot.uri
'file:///u.csv'
"""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import attrs

from .._types import SnapshotInfo
from ._sqlite import connect

__all__ = ["Cached", "SnapshotCache"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_snapshots (
    base_url TEXT NOT NULL,
    table_name TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    uri TEXT NOT NULL,
    format TEXT,
    schema TEXT,
    job_name TEXT,
    run_id TEXT,
    created_at REAL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (base_url, table_name)
)
"""


@attrs.frozen
class Cached:
    """A remembered snapshot and when the client last saw it."""

    snapshot: SnapshotInfo
    seen_at: datetime.datetime

    @property
    def age(self) -> datetime.timedelta:
        return datetime.datetime.now(datetime.UTC) - self.seen_at


class SnapshotCache:
    """The last snapshot seen per (Datlake, table), in the outbox's SQLite file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = connect(self.path)
        self._conn.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def remember(self, base_url: str, snapshot: SnapshotInfo) -> None:
        """Keep `snapshot` as the table's newest, unless a newer one is kept already."""
        if snapshot.pending:
            return
        created = None if snapshot.created_at is None else snapshot.created_at.timestamp()
        with self._lock:
            self._conn.execute(
                "INSERT INTO seen_snapshots (base_url, table_name, snapshot_id, uri, format,"
                " schema, job_name, run_id, created_at, seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (base_url, table_name) DO UPDATE SET"
                " snapshot_id = excluded.snapshot_id, uri = excluded.uri,"
                " format = excluded.format, schema = excluded.schema,"
                " job_name = excluded.job_name, run_id = excluded.run_id,"
                " created_at = excluded.created_at, seen_at = excluded.seen_at"
                " WHERE seen_snapshots.snapshot_id = excluded.snapshot_id"
                " OR seen_snapshots.created_at IS NULL OR excluded.created_at IS NULL"
                " OR excluded.created_at >= seen_snapshots.created_at",
                (
                    base_url,
                    snapshot.table_name,
                    snapshot.snapshot_id,
                    snapshot.uri,
                    snapshot.format,
                    None if snapshot.schema is None else json.dumps(dict(snapshot.schema)),
                    snapshot.job_name,
                    snapshot.run_id,
                    created,
                    time.time(),
                ),
            )

    def recall(self, base_url: str, table_name: str) -> Cached | None:
        """The table's remembered snapshot, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM seen_snapshots WHERE base_url = ? AND table_name = ?",
                (base_url, table_name),
            ).fetchone()
        return None if row is None else _cached(row)

    def entries(self) -> list[tuple[str, Cached]]:
        """Every remembered snapshot with the Datlake it came from, by table name."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM seen_snapshots ORDER BY table_name, base_url"
            ).fetchall()
        return [(row["base_url"], _cached(row)) for row in rows]


def _time(timestamp: float | None) -> datetime.datetime | None:
    return None if timestamp is None else datetime.datetime.fromtimestamp(timestamp, datetime.UTC)


def _cached(row: sqlite3.Row) -> Cached:
    snapshot = SnapshotInfo(
        table_name=row["table_name"],
        snapshot_id=row["snapshot_id"],
        uri=row["uri"],
        format=row["format"],
        schema=None if row["schema"] is None else json.loads(row["schema"]),
        job_name=row["job_name"],
        run_id=row["run_id"],
        created_at=_time(row["created_at"]),
    )
    seen = _time(row["seen_at"])
    assert seen is not None
    return Cached(snapshot, seen)
