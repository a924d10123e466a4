"""The outbox journal: lineage writes not yet delivered, kept in one SQLite file.

Each entry is a serialised request (method, path, query, headers, JSON body or a kept file) with
the ids and idempotency key it was made with, in a group (its run) whose entries are delivered in
order. States: `pending`, then `delivered` or `dead` (refused for good: kept and shown, never
retried, never dropped silently). A flusher claims a whole group before sending any of it, so two
flushers, in one process or several, never deliver one entry at the same time; a claim whose
process has died (or whose lease ran out) can be taken over.

>>> import tempfile, pathlib
>>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "outbox.sqlite3")
>>> entry_id = journal.append(NewEntry(base_url="http://127.0.0.1:8765", group="r1",
...     operation="start_run", job_name="daily", run_id="r1", method="POST",
...     url="/api/v1/jobs/daily/runs", headers={"Idempotency-Key": "k1"}, body={"run_id": "r1"}))
>>> journal.counts()
{'pending': 1}
>>> [entry.operation for entry in journal.claim_group("http://127.0.0.1:8765", "me")]
['start_run']
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._ids import new_id
from ._sqlite import connect

__all__ = ["CLAIM_SECONDS", "Entry", "Journal", "NewEntry", "owner_token"]

CLAIM_SECONDS = 60.0
_DELIVERED_KEPT_SECONDS = 7 * 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id TEXT NOT NULL UNIQUE,
    base_url TEXT NOT NULL,
    grp TEXT NOT NULL,
    operation TEXT NOT NULL,
    job_name TEXT,
    run_id TEXT,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    params TEXT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT,
    file TEXT,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    claimed_by TEXT,
    claimed_until REAL
);
CREATE INDEX IF NOT EXISTS entries_pending ON entries (state, base_url, seq);
CREATE INDEX IF NOT EXISTS entries_group ON entries (grp, state);
"""


@attrs.frozen
class NewEntry:
    """What to journal: one request as it would have been sent (without its `X-Request-Id`)."""

    base_url: str
    group: str
    operation: str
    job_name: str | None
    run_id: str | None
    method: str
    url: str
    headers: Mapping[str, str]
    params: Mapping[str, Any] = attrs.field(factory=dict)
    body: Any = None
    file: str | None = None


@attrs.frozen
class Entry:
    """A journaled request, as `datlake outbox list` shows it."""

    seq: int
    entry_id: str
    base_url: str
    group: str
    operation: str
    job_name: str | None
    run_id: str | None
    method: str
    url: str
    params: Mapping[str, Any]
    headers: Mapping[str, str]
    body: Any
    file: str | None
    state: str
    attempts: int
    last_error: str | None
    created_at: float


def owner_token() -> str:
    """Who claims entries: `host:pid:random`, so a dead process's claim can be recognised."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def _owner_alive(owner: str) -> bool:
    host, _, rest = owner.rpartition(":")[0].rpartition(":")
    if host != socket.gethostname() or not rest.isdigit():
        return True  # another machine's claim: only its lease can end it
    try:
        os.kill(int(rest), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


class Journal:
    """The entries of one outbox file; safe to share between threads and processes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.files = self.path.with_name(self.path.name + ".files")
        self._lock = threading.Lock()
        self._conn = connect(self.path)
        with self._transaction() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "DELETE FROM entries WHERE state = 'delivered' AND updated_at < ?",
                (time.time() - _DELIVERED_KEPT_SECONDS,),
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def append(self, entry: NewEntry) -> str:
        """Write `entry` durably (the commit is synced to disk) and return its id."""
        entry_id = new_id()
        now = time.time()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO entries (entry_id, base_url, grp, operation, job_name, run_id,"
                " method, url, params, headers, body, file, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry_id,
                    entry.base_url,
                    entry.group,
                    entry.operation,
                    entry.job_name,
                    entry.run_id,
                    entry.method.upper(),
                    entry.url,
                    _dumps(dict(entry.params)),
                    _dumps(dict(entry.headers)),
                    None if entry.body is None else _dumps(entry.body),
                    entry.file,
                    now,
                    now,
                ),
            )
        return entry_id

    def has_pending(self, group: str) -> bool:
        """Whether `group` has entries waiting: later writes of that run queue behind them."""
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM entries WHERE state = 'pending' AND grp = ? LIMIT 1", (group,)
            ).fetchone()
        return row is not None

    def claim_group(
        self,
        base_url: str,
        owner: str,
        *,
        group: str | None = None,
        skip: Sequence[str] = (),
        lease_seconds: float = CLAIM_SECONDS,
    ) -> list[Entry]:
        """Claim the oldest group of pending entries for `base_url` (or `group`) that no live
        flusher holds, and return its pending entries in order; `[]` when there is none."""
        now = time.time()
        with self._transaction() as conn:
            query = (
                "SELECT grp, claimed_by, claimed_until FROM entries"
                " WHERE state = 'pending' AND base_url = ?"
            )
            params: list[Any] = [base_url]
            if group is not None:
                query += " AND grp = ?"
                params.append(group)
            query += " ORDER BY seq"
            chosen: str | None = None
            seen: set[str] = set(skip)
            for row in conn.execute(query, params):
                if row["grp"] in seen:
                    continue
                seen.add(row["grp"])
                holder, until = row["claimed_by"], row["claimed_until"]
                if holder is None or holder == owner or until is None or until <= now:
                    chosen = row["grp"]
                    break
                if not _owner_alive(holder):
                    chosen = row["grp"]
                    break
            if chosen is None:
                return []
            conn.execute(
                "UPDATE entries SET claimed_by = ?, claimed_until = ?"
                " WHERE state = 'pending' AND grp = ?",
                (owner, now + lease_seconds, chosen),
            )
            rows = conn.execute(
                "SELECT * FROM entries WHERE state = 'pending' AND grp = ? ORDER BY seq",
                (chosen,),
            ).fetchall()
        return [_entry(row) for row in rows]

    def release(self, owner: str, group: str) -> None:
        """Give up the claim on `group`'s entries that are still pending."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE entries SET claimed_by = NULL, claimed_until = NULL"
                " WHERE grp = ? AND claimed_by = ?",
                (group, owner),
            )

    def mark_delivered(self, entry_id: str) -> None:
        """The server has it: drop the body and the kept file, keep the row a while."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT file FROM entries WHERE entry_id = ?", (entry_id,)
            ).fetchone()
            conn.execute(
                "UPDATE entries SET state = 'delivered', body = NULL, file = NULL,"
                " claimed_by = NULL, claimed_until = NULL, attempts = attempts + 1,"
                " last_error = NULL, updated_at = ? WHERE entry_id = ?",
                (time.time(), entry_id),
            )
        if row is not None and row["file"]:
            with contextlib.suppress(OSError):
                os.unlink(row["file"])

    def mark_dead(self, entry_id: str, error: str) -> None:
        """Refused for good: never retried, kept (with its file) until dropped by hand."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE entries SET state = 'dead', last_error = ?, attempts = attempts + 1,"
                " claimed_by = NULL, claimed_until = NULL, updated_at = ? WHERE entry_id = ?",
                (error, time.time(), entry_id),
            )

    def record_failure(self, entry_id: str, error: str) -> int:
        """A delivery attempt failed for now; returns the entry's attempts so far."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE entries SET attempts = attempts + 1, last_error = ?, updated_at = ?"
                " WHERE entry_id = ?",
                (error, time.time(), entry_id),
            )
            row = conn.execute(
                "SELECT attempts FROM entries WHERE entry_id = ?", (entry_id,)
            ).fetchone()
        return 0 if row is None else int(row["attempts"])

    def counts(self, base_url: str | None = None) -> dict[str, int]:
        """How many entries are in each state (states with none are left out)."""
        query = "SELECT state, COUNT(*) AS n FROM entries"
        params: tuple[str, ...] = ()
        if base_url is not None:
            query += " WHERE base_url = ?"
            params = (base_url,)
        with self._lock:
            rows = self._conn.execute(query + " GROUP BY state ORDER BY state", params).fetchall()
        return {row["state"]: int(row["n"]) for row in rows}

    def entries(self, state: str | None = None) -> list[Entry]:
        """Entries in order, all or those in `state`."""
        query = "SELECT * FROM entries"
        params: tuple[str, ...] = ()
        if state is not None:
            query += " WHERE state = ?"
            params = (state,)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY seq", params).fetchall()
        return [_entry(row) for row in rows]

    def drop(self, entry_ids: Sequence[str]) -> int:
        """Delete entries (and their kept files) by id; returns how many were deleted."""
        with self._transaction() as conn:
            ids = (_dumps(list(entry_ids)),)
            files = [
                row["file"]
                for row in conn.execute(
                    "SELECT file FROM entries WHERE entry_id IN (SELECT value FROM json_each(?))",
                    ids,
                )
                if row["file"]
            ]
            deleted = conn.execute(
                "DELETE FROM entries WHERE entry_id IN (SELECT value FROM json_each(?))", ids
            ).rowcount
        for file in files:
            with contextlib.suppress(OSError):
                os.unlink(file)
        return int(deleted)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        seq=row["seq"],
        entry_id=row["entry_id"],
        base_url=row["base_url"],
        group=row["grp"],
        operation=row["operation"],
        job_name=row["job_name"],
        run_id=row["run_id"],
        method=row["method"],
        url=row["url"],
        params=json.loads(row["params"]),
        headers=json.loads(row["headers"]),
        body=None if row["body"] is None else json.loads(row["body"]),
        file=row["file"],
        state=row["state"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=row["created_at"],
    )
