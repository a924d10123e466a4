"""SQLite plumbing: one writing connection in WAL mode behind one lock, and read connections.

Every write goes through `Database.transaction()`, which serialises access to the writing
connection: requests run on a thread pool, and a single writer keeps idempotency checks and
state transitions free of races without retry loops. Reads that only read (listings, the
lineage graph) go through `Database.snapshot()`: a read transaction on a connection of their
own thread, which WAL lets run beside the writer, so a big query never holds up a write.

>>> import tempfile, pathlib
>>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db")
>>> with db.transaction() as conn:
...     conn.execute("SELECT count(*) FROM runs").fetchone()[0]
0
>>> db.close()
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    job_name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    finished_at REAL,
    last_heartbeat_at REAL,
    lease_expires_at REAL,
    parent_run_id TEXT,
    metadata TEXT NOT NULL,
    extra TEXT NOT NULL,
    artifacts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job_name, seq);
CREATE INDEX IF NOT EXISTS runs_by_job_status ON runs (job_name, status, seq);

CREATE TABLE IF NOT EXISTS snapshots (
    seq INTEGER PRIMARY KEY,
    snapshot_id TEXT NOT NULL UNIQUE,
    table_name TEXT NOT NULL,
    uri TEXT NOT NULL,
    format TEXT NOT NULL,
    schema TEXT,
    job_name TEXT NOT NULL,
    run_id TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_by_table ON snapshots (table_name, seq);
CREATE INDEX IF NOT EXISTS snapshots_by_run ON snapshots (run_id, seq);

CREATE TABLE IF NOT EXISTS inputs (
    run_id TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    read_at REAL NOT NULL,
    table_name TEXT,  -- the snapshot's table, so a table's newest reads come off an index
    PRIMARY KEY (run_id, snapshot_id)
);
CREATE INDEX IF NOT EXISTS inputs_by_snapshot ON inputs (snapshot_id);

CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    job_name TEXT NOT NULL,
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT,
    data TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_run ON events (run_id, seq);

CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL
);

-- the catalog: one row per job and per table, kept by triggers, so that listing them reads
-- a page of names, not every run or snapshot (see catalog.py)
CREATE TABLE IF NOT EXISTS jobs (
    job_name TEXT PRIMARY KEY,
    latest_seq INTEGER NOT NULL,
    run_count INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS jobs_of_runs AFTER INSERT ON runs BEGIN
    INSERT INTO jobs (job_name, latest_seq, run_count) VALUES (NEW.job_name, NEW.seq, 1)
    ON CONFLICT (job_name) DO UPDATE SET
        latest_seq = max(latest_seq, excluded.latest_seq), run_count = run_count + 1;
END;
INSERT INTO jobs (job_name, latest_seq, run_count)
    SELECT job_name, max(seq), count(*) FROM runs
    WHERE NOT EXISTS (SELECT 1 FROM jobs) GROUP BY job_name;

CREATE TABLE IF NOT EXISTS tables (
    table_name TEXT PRIMARY KEY,
    latest_seq INTEGER NOT NULL,
    snapshot_count INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS tables_of_snapshots AFTER INSERT ON snapshots BEGIN
    INSERT INTO tables (table_name, latest_seq, snapshot_count)
    VALUES (NEW.table_name, NEW.seq, 1)
    ON CONFLICT (table_name) DO UPDATE SET
        latest_seq = max(latest_seq, excluded.latest_seq), snapshot_count = snapshot_count + 1;
END;
INSERT INTO tables (table_name, latest_seq, snapshot_count)
    SELECT table_name, max(seq), count(*) FROM snapshots
    WHERE NOT EXISTS (SELECT 1 FROM tables) GROUP BY table_name;

CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (bucket, name)
);

CREATE TABLE IF NOT EXISTS metrics (
    seq INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value NUMERIC NOT NULL,
    step INTEGER,
    unit TEXT,
    recorded_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics (run_id, name, seq);

CREATE TABLE IF NOT EXISTS progress (
    run_id TEXT PRIMARY KEY,
    done NUMERIC NOT NULL,
    total NUMERIC,
    message TEXT,
    updated_at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS log_chunks (
    position INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    source TEXT NOT NULL,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (run_id, source, seq)
);
CREATE INDEX IF NOT EXISTS log_chunks_by_run ON log_chunks (run_id, position);
"""


class Database:
    """The metadata database of one data folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        # the lock, not sqlite3's thread check, guards the connection across pool threads
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        _migrate(self._conn)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the connection for one transaction: committed on success, else rolled back."""
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the database is closed")
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back already (a failed COMMIT, say): a second
                # ROLLBACK would raise and hide the real error
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read-only transaction on this thread's own connection: a consistent view of the
        data as committed when it starts, never waiting for (or holding up) the writer."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            with self._lock:
                if self._conn is None:
                    raise RuntimeError("the database is closed")
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA query_only=ON")
                self._readers.append(conn)
            self._local.conn = conn
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connections (idempotent); a WAL checkpoint leaves a single file behind."""
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring a data folder made by an earlier version up to the schema (once, at start)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(inputs)")}
    if "table_name" not in columns:  # before v1.3: inputs did not name their table
        conn.executescript(
            "BEGIN IMMEDIATE;"
            "ALTER TABLE inputs ADD COLUMN table_name TEXT;"
            "UPDATE inputs SET table_name = (SELECT s.table_name FROM snapshots s"
            " WHERE s.snapshot_id = inputs.snapshot_id);"
            "COMMIT;"
        )
    conn.execute("CREATE INDEX IF NOT EXISTS inputs_by_table ON inputs (table_name)")
    # whoever records a read (the store, OpenLineage ingest) may leave its table out
    conn.execute(
        "CREATE TRIGGER IF NOT EXISTS inputs_name_their_table AFTER INSERT ON inputs"
        " WHEN NEW.table_name IS NULL BEGIN"
        " UPDATE inputs SET table_name = (SELECT s.table_name FROM snapshots s"
        " WHERE s.snapshot_id = NEW.snapshot_id) WHERE rowid = NEW.rowid; END"
    )
