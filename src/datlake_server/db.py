"""SQLite plumbing: one writing connection in WAL mode behind one lock, and read connections.

Every write goes through `Database.transaction()`, which serialises access to the writing
connection: requests run on a thread pool, and a single writer keeps idempotency checks and
state transitions free of races without retry loops. Reads that only read (listings, the
lineage graph) go through `Database.snapshot()`: a read transaction on a connection of their
own thread, which WAL lets run beside the writer, so a big query never holds up a write.

Checkpoints (copying the WAL back into the database file, with its fsyncs) run on a thread of
their own (`Checkpointer`), never inside a writer's COMMIT: a commit only appends to the WAL.

>>> import tempfile, pathlib
>>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db")
>>> with db.transaction() as conn:
...     conn.execute("SELECT count(*) FROM runs").fetchone()[0]
0
>>> db.close()
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
# what a write of a batch returned (True, value), or the exception it raised (False, error)
Outcome = tuple[bool, T | Exception]

logger = logging.getLogger("datlake_server")
READ_MAP_BYTES = 1 << 30  # address space, not memory: the OS pages in what is read

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
        # WAL with synchronous=NORMAL: a commit is in the WAL file when COMMIT returns, so it
        # survives the server's crash (SIGKILL); only an OS crash or power cut may lose the
        # last commits, never corrupt the file. Checkpoints do not change that: they copy
        # committed pages, and the WAL is replayed on open until they are done.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(SCHEMA)
        _migrate(self._conn)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        # SQLite would checkpoint inside the COMMIT that fills the WAL past 1,000 pages,
        # making that one request pay milliseconds of fsync for everyone's writes
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        self._checkpointer = Checkpointer(path, self._lock)
        self._batch_thread: int | None = None  # the thread running a batch, while it does

    @property
    def busy(self) -> bool:
        """Whether a transaction holds the writing connection right now."""
        return self._lock.locked()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the connection for one transaction: committed on success, else rolled back.

        Inside `batch`, on its thread, the transaction is a savepoint of the batch's."""
        if self._batch_thread == threading.get_ident():
            with self._savepoint() as conn:
                yield conn
            return
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the database is closed")
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
                self._checkpointer.committed()
            except BaseException:
                # SQLite may have rolled back already (a failed COMMIT, say): a second
                # ROLLBACK would raise and hide the real error
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def batch(self, writes: Sequence[Callable[[], T]]) -> list[Outcome[T]]:
        """Run `writes` (each making its own `transaction()`s) in one transaction, committed
        once for all: what each returned, or the exception it raised.

        Each write's transactions are savepoints: a write that fails is undone alone, as it
        would be in a transaction of its own, and the others still commit. The outcomes come
        back once that COMMIT is done. Should the batch itself fail (its COMMIT, or a write
        whose error ended the whole transaction), nothing of it is kept and each write runs
        again alone, so every outcome is the one it would have had by itself.

        >>> import tempfile, pathlib
        >>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db")
        >>> def count() -> int:
        ...     with db.transaction() as conn:
        ...         return conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        >>> db.batch([count, count])
        [(True, 0), (True, 0)]
        >>> db.close()
        """
        if len(writes) == 1:
            return [_outcome(writes[0])]
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the database is closed")
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            self._batch_thread = threading.get_ident()
            try:
                outcomes = []
                for write in writes:
                    outcomes.append(_outcome(write))
                    if not conn.in_transaction:  # SQLite ended it (a full disk, say)
                        break
                else:
                    conn.execute("COMMIT")
                    self._checkpointer.committed()
                    return outcomes
            except Exception:
                logger.warning("a batch of writes failed; each runs again alone", exc_info=True)
            finally:
                self._batch_thread = None
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        return [_outcome(write) for write in writes]

    @contextmanager
    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        assert self._conn is not None
        conn = self._conn
        conn.execute("SAVEPOINT write")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO write")
                conn.execute("RELEASE write")
            raise
        conn.execute("RELEASE write")

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
                # pages read through a map of the file, not a read() each: a big graph's
                # thousands of index lookups then cost about the same in a large ledger
                conn.execute(f"PRAGMA mmap_size={READ_MAP_BYTES}")
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
        self._checkpointer.stop()
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class Checkpointer:
    """A thread that checkpoints the WAL of `path` on a connection of its own, once every
    `every` commits (or `interval` seconds after the last unchecked one).

    PASSIVE checkpoints wait for nobody: writers go on appending meanwhile, and pages a
    reader still needs are copied by a later checkpoint. The WAL is reused from its start
    only when a write begins with all of it copied; under a steady stream of writes that
    never happens by chance (each checkpoint leaves behind the commits made while it ran),
    and the WAL would grow without end, every write landing on fresh blocks of the file. So
    when commits came in meanwhile, a second checkpoint copies just those while holding
    `writer` (the writing connection's lock): a few pages, and the next write starts the
    WAL afresh.
    """

    def __init__(
        self, path: Path, writer: threading.Lock, every: int = 200, interval: float = 1.0
    ) -> None:
        self._path = path
        self._writer = writer
        self._every = every
        self._interval = interval
        self._pending = 0
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="datlake-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Count a commit (called with the writer's lock held)."""
        self._pending += 1
        if self._pending >= self._every:
            self._wake.set()

    def stop(self) -> None:
        """Stop the thread (idempotent); the last connection's close checkpoints what is left."""
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy the WAL into the database on `conn`, then the commits made meanwhile (if any)
        while holding the writer."""
        self._pending = 0
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        if self._pending:
            with self._writer:
                self._pending = 0
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stopping:
                self._wake.wait(self._interval)
                self._wake.clear()
                if self._pending and not self._stopping:
                    try:
                        self.checkpoint(conn)
                    except sqlite3.Error:  # a full disk, say: the next round tries again
                        logger.warning("checkpoint of %s failed", self._path, exc_info=True)
        finally:
            conn.close()


def _outcome(write: Callable[[], T]) -> Outcome[T]:
    try:
        return True, write()
    except Exception as error:
        return False, error


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
