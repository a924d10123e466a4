"""The ledger: runs, snapshots, lineage edges and events, kept in SQLite.

Documents come out shaped as the spec's schemas (`Run`, `Snapshot`, `Event`, ...). A run's
`lost` state is never stored: it is computed when read, from its lease. Every run has one from
its start: the server's default lease (`default_lease_seconds`, an hour unless configured), then
whatever its heartbeats set. So a run whose job died without a word (`kill -9`, a crashed host)
is `lost` once that lease runs out, whichever client started it; it is not `running` forever.
Completing a `lost` run still records its outcome (the job was alive after all); `succeeded`
and `failed` are final.

Ids the server makes are UUIDv7, like the SDK's (`datlake_sdk._ids`): they sort by time, so a
new row lands at the end of the id indexes rather than on a random page of a big ledger.
Runs and snapshots may carry ids the client chose. An id that exists already is a replay when
the content is the same (compared as canonical JSON) and a 409 `id-conflict` otherwise. The
check and the insert share one `BEGIN IMMEDIATE` transaction (see `db.py`): SQLite's write
lock is held from the check on, so of two requests with the same new id one creates the row
and the other sees it.

>>> import tempfile, pathlib
>>> from datlake_server.db import Database
>>> store = Store(Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db"))
>>> run, replayed = store.start_run("daily_users", {"source": "s3"}, None)
>>> store.complete_run("daily_users", run["run_id"], True, {}, [])["status"]
'succeeded'
>>> mine, replayed = store.start_run("daily_users", {}, None, run_id="r-1")
>>> store.start_run("daily_users", {}, None, run_id="r-1")[1]
True
>>> store.start_run("other_job", {}, None, run_id="r-1")
Traceback (most recent call last):
...
datlake_server.problems.Problem: run r-1 exists with other content (job, metadata or parent)
>>> mine["lease_expires_at"] > mine["created_at"]  # the default lease, from the start
True
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from datlake_sdk._ids import new_id
from datlake_server import jsonio
from datlake_server.db import Database
from datlake_server.pages import fetch_page
from datlake_server.problems import (
    ID_CONFLICT,
    IDEMPOTENCY_KEY_REUSED,
    RUN_FINISHED,
    RUN_NOT_FOUND,
    SNAPSHOT_NOT_FOUND,
    TABLE_NOT_FOUND,
    Problem,
)

Doc = dict[str, Any]
# (key, fingerprint of operation + path + body)
Idempotency = tuple[str, str]
# a row of a table, as SQLite answers it or as about to be inserted
RowLike = sqlite3.Row | Mapping[str, Any]
# a document and whether it answers a replay
Answer = tuple[Doc, bool]

FINISHED = ("succeeded", "failed")
# the lease a run gets when it starts, until a heartbeat sets its own
DEFAULT_LEASE_SECONDS = 3600.0
# each status as a condition the (job_name, status, seq) index serves; None stands for now
STATUS_WHERE: dict[str, tuple[str, tuple[str | None, ...]]] = {
    "running": ("status = ? AND (lease_expires_at IS NULL OR lease_expires_at > ?)",
                ("running", None)),
    "lost": ("status = ? AND lease_expires_at <= ?", ("running", None)),
    "succeeded": ("status = ?", ("succeeded",)),
    "failed": ("status = ?", ("failed",)),
}  # fmt: skip


def iso(timestamp: float | None) -> str | None:
    """RFC 3339 UTC time, as the spec's `date-time` fields carry it."""
    if timestamp is None:
        return None
    # datetime's own rounding (half to even, to the microsecond), without building a datetime
    fraction, whole = math.modf(timestamp)
    micro = round(fraction * 1e6)
    seconds = int(whole)
    if micro < 0:
        micro, seconds = micro + 1_000_000, seconds - 1
    if micro >= 1_000_000:
        micro, seconds = micro - 1_000_000, seconds + 1
    return f"{_iso_second(seconds)}.{micro:06d}Z"


@functools.lru_cache(maxsize=1024)
def _iso_second(seconds: int) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def run_status(row: RowLike, now: float) -> str:
    lease = row["lease_expires_at"]
    if row["status"] == "running" and lease is not None and lease <= now:
        return "lost"
    return str(row["status"])


def run_row(conn: sqlite3.Connection, run_id: str, job_name: str | None = None) -> sqlite3.Row:
    """The run's row; 404 when it does not exist or belongs to another job."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM runs WHERE run_id = ?", (run_id,)
    ).fetchone()
    if row is None or (job_name is not None and row["job_name"] != job_name):
        of_job = f" of job {job_name}" if job_name is not None else ""
        raise Problem(RUN_NOT_FOUND, f"run {run_id}{of_job} does not exist")
    return row


def _require_open(row: sqlite3.Row) -> None:
    if row["status"] in FINISHED:
        raise Problem(RUN_FINISHED, f"run {row['run_id']} is {row['status']}")


def _has_input(conn: sqlite3.Connection, run_id: str, snapshot_id: str) -> bool:
    """Whether the run's input edge to the snapshot is recorded."""
    found = conn.execute(
        "SELECT 1 FROM inputs WHERE run_id = ? AND snapshot_id = ?", (run_id, snapshot_id)
    ).fetchone()
    return found is not None


def snapshot_doc(row: sqlite3.Row) -> Doc:
    return {
        "table_name": row["table_name"],
        "snapshot_id": row["snapshot_id"],
        "uri": row["uri"],
        "format": row["format"],
        "schema": _loads(row["schema"]),
        "job_name": row["job_name"],
        "run_id": row["run_id"],
        "created_at": iso(row["created_at"]),
    }


def progress_doc(row: sqlite3.Row) -> Doc:
    return {
        "done": row["done"],
        "total": row["total"],
        "message": row["message"],
        "updated_at": iso(row["updated_at"]),
    }


def _event_doc(row: sqlite3.Row) -> Doc:
    return {
        "event_id": row["event_id"],
        "job_name": row["job_name"],
        "run_id": row["run_id"],
        "kind": row["kind"],
        "message": row["message"],
        "data": jsonio.loads(row["data"]),
        "created_at": iso(row["created_at"]),
    }


def _loads(text: str | None) -> Any:
    return None if text is None else jsonio.loads(text)


_dumps = jsonio.dumps


def canonical(*values: Any) -> str:
    """The values as canonical JSON (sorted keys, no spaces): equal content, equal text.

    >>> canonical({"b": 1, "a": [2]}, None) == canonical({"a": [2], "b": 1}, None)
    True
    """
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _run_content(row: sqlite3.Row) -> str:
    """What a replayed start must repeat: the job, the metadata and the parent."""
    return canonical(row["job_name"], jsonio.loads(row["metadata"]), row["parent_run_id"])


def _snapshot_content(row: sqlite3.Row) -> str:
    """What a replayed registration must repeat (all but the id and the time)."""
    return canonical(
        row["table_name"], row["uri"], row["format"], _loads(row["schema"]), row["job_name"],
        row["run_id"],
    )  # fmt: skip


def _requested_snapshot(request: Doc) -> str:
    return canonical(
        request["table_name"], request["uri"], request["format"], request.get("schema"),
        request["job_name"], request["run_id"],
    )  # fmt: skip


def run_docs(conn: sqlite3.Connection, rows: list[sqlite3.Row], now: float) -> list[Doc]:
    """Full `Run` documents, with the inputs and outputs of all rows fetched in two queries."""
    ids = [row["run_id"] for row in rows]
    inputs: dict[str, list[Doc]] = {run_id: [] for run_id in ids}
    outputs: dict[str, list[Doc]] = {run_id: [] for run_id in ids}
    progress: dict[str, Doc] = {}
    if ids:
        id_list = (_dumps(ids),)
        for row in conn.execute(
            "SELECT i.run_id AS reader, s.* FROM inputs i JOIN snapshots s"
            " ON s.snapshot_id = i.snapshot_id"
            " WHERE i.run_id IN (SELECT value FROM json_each(?)) ORDER BY i.rowid",
            id_list,
        ):
            inputs[row["reader"]].append(snapshot_doc(row))
        for row in conn.execute(
            "SELECT * FROM snapshots WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
            id_list,
        ):
            outputs[row["run_id"]].append(snapshot_doc(row))
        for row in conn.execute(
            "SELECT * FROM progress WHERE run_id IN (SELECT value FROM json_each(?))", id_list
        ):
            progress[row["run_id"]] = progress_doc(row)
    return [
        run_doc(
            row, now, inputs[row["run_id"]], outputs[row["run_id"]], progress.get(row["run_id"])
        )
        for row in rows
    ]


def run_doc(
    row: RowLike, now: float, inputs: list[Doc], outputs: list[Doc], progress: Doc | None = None
) -> Doc:
    """The `Run` document of a row of `runs`, with the snapshots it read and wrote and its
    latest progress (absent when it reported none)."""
    return {
        "job_name": row["job_name"],
        "run_id": row["run_id"],
        "status": run_status(row, now),
        "created_at": iso(row["created_at"]),
        "finished_at": iso(row["finished_at"]),
        "last_heartbeat_at": iso(row["last_heartbeat_at"]),
        "lease_expires_at": iso(row["lease_expires_at"]),
        "parent_run_id": row["parent_run_id"],
        "metadata": jsonio.loads(row["metadata"]),
        "extra": jsonio.loads(row["extra"]),
        "artifacts": jsonio.loads(row["artifacts"]),
        "inputs": inputs,
        "outputs": outputs,
        **({} if progress is None else {"progress": progress}),
    }


def check_lease_seconds(seconds: float) -> float:
    """A usable default lease: a finite number of seconds above zero.

    >>> check_lease_seconds(0)
    Traceback (most recent call last):
    ...
    ValueError: the default lease must be a positive number of seconds, not 0
    """
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"the default lease must be a positive number of seconds, not {seconds}")
    return float(seconds)


class Store:
    """Every metadata operation of the API, each one transaction.

    Runs started get a lease of `default_lease_seconds`. Running runs recorded without any
    lease (by a server before leases were given at start) get one counted from their start,
    so a run orphaned long ago is `lost`, not `running`.
    """

    def __init__(self, db: Database, default_lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.db = db
        self.default_lease_seconds = check_lease_seconds(default_lease_seconds)
        with db.transaction() as conn:
            conn.execute(
                "UPDATE runs SET lease_expires_at = created_at + ?"
                " WHERE status = 'running' AND lease_expires_at IS NULL",
                (self.default_lease_seconds,),
            )

    # runs

    def start_run(
        self,
        job_name: str,
        metadata: Doc,
        parent_run_id: str | None,
        idempotency: Idempotency | None = None,
        *,
        run_id: str | None = None,
    ) -> Answer:
        """Create a `running` run (with the client's `run_id`, if given) holding the default
        lease; returns the run and whether it is a replay.

        A `run_id` that exists with the same job, metadata and parent is a replay answered
        with the run as it is now, whatever its status, its lease neither reset nor extended
        (a replay is no sign of life); with other content, `id-conflict`.
        """

        def create(conn: sqlite3.Connection, now: float) -> Answer:
            if run_id is not None:
                row = conn.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
                if row is not None:
                    if _run_content(row) != canonical(job_name, metadata, parent_run_id):
                        raise Problem(
                            ID_CONFLICT,
                            f"run {run_id} exists with other content (job, metadata or parent)",
                        )
                    return run_docs(conn, [row], now)[0], True
            new = {
                "run_id": new_id() if run_id is None else run_id,
                "job_name": job_name, "status": "running", "created_at": now,
                "finished_at": None, "last_heartbeat_at": None,
                "lease_expires_at": now + self.default_lease_seconds,
                "parent_run_id": parent_run_id, "metadata": _dumps(metadata),
                "extra": "{}", "artifacts": "[]",
            }  # fmt: skip
            conn.execute(
                "INSERT INTO runs (run_id, job_name, status, created_at, lease_expires_at,"
                " parent_run_id, metadata, extra, artifacts) VALUES (:run_id, :job_name,"
                " :status, :created_at, :lease_expires_at, :parent_run_id, :metadata, :extra,"
                " :artifacts)",
                new,
            )
            return run_doc(new, now, [], []), False  # a new run has read and written nothing

        return self._once(idempotency, create)

    def get_run(self, job_name: str, run_id: str) -> Doc:
        with self.db.snapshot() as conn:
            return run_docs(conn, [run_row(conn, run_id, job_name)], time.time())[0]

    def complete_run(
        self, job_name: str, run_id: str, success: bool, extra: Doc, artifacts: list[Doc]
    ) -> Doc:
        """Finish a running (or lost) run; the same outcome again leaves it unchanged.

        A `lost` run's lease ran out, but the job may have been alive all along (a network
        partition, a long pause): its completion is recorded. A finished run is final: its
        lease no longer matters, and another outcome is `run-finished`.
        """
        outcome = "succeeded" if success else "failed"
        with self.db.transaction() as conn:
            now = time.time()
            row = run_row(conn, run_id, job_name)
            if row["status"] in FINISHED and row["status"] != outcome:
                raise Problem(RUN_FINISHED, f"run {run_id} is {row['status']}, not {outcome}")
            if row["status"] not in FINISHED:
                conn.execute(
                    "UPDATE runs SET status = ?, finished_at = ?, extra = ?, artifacts = ?"
                    " WHERE run_id = ?",
                    (outcome, now, _dumps(extra), _dumps(artifacts), run_id),
                )
                row = run_row(conn, run_id)
            return run_docs(conn, [row], now)[0]

    def heartbeat(
        self,
        job_name: str,
        run_id: str,
        lease_seconds: int,
        idempotency: Idempotency | None = None,
    ) -> Answer:
        """Set the run's lease to end `lease_seconds` from now, replacing the one it had (the
        default lease at first, even when that ends later); a lost run is running again.
        Returns the lease and whether it is a replay."""

        def create(conn: sqlite3.Connection, now: float) -> Answer:
            _require_open(run_row(conn, run_id, job_name))
            conn.execute(
                "UPDATE runs SET last_heartbeat_at = ?, lease_expires_at = ? WHERE run_id = ?",
                (now, now + lease_seconds, run_id),
            )
            lease = {
                "job_name": job_name,
                "run_id": run_id,
                "status": "running",
                "last_heartbeat_at": iso(now),
                "lease_expires_at": iso(now + lease_seconds),
            }
            return lease, False

        return self._once(idempotency, create)

    def list_runs(self, job_name: str, status: str | None, limit: int, cursor: str | None) -> Doc:
        with self.db.snapshot() as conn:
            now = time.time()
            where = "job_name = ?"
            params: list[Any] = [job_name]
            if status is not None:
                clause, values = STATUS_WHERE[status]
                where += f" AND {clause}"
                params += [now if value is None else value for value in values]
            return fetch_page(
                conn,
                table="runs",
                where=where,
                params=params,
                cursor=cursor,
                limit=limit,
                newest_first=True,
                to_items=lambda rows: run_docs(conn, rows, now),
            )

    # snapshots

    def fetch_latest(
        self,
        table_name: str,
        run_id: str | None,
        job_name: str | None,
        snapshot_id: str | None = None,
    ) -> Doc:
        """The newest snapshot of a table, or the one `snapshot_id` names; with a run, also
        its input edge (recorded once).

        A finished run records no new edge; an edge it already has (to `snapshot_id`) is
        answered again, so a replay of the read after the run completed succeeds.
        """
        with self.db.transaction() as conn:
            if run_id is not None:
                run = run_row(conn, run_id, job_name)
                if snapshot_id is None or not _has_input(conn, run_id, snapshot_id):
                    _require_open(run)
            if snapshot_id is not None:
                row = conn.execute(
                    "SELECT * FROM snapshots WHERE snapshot_id = ? AND table_name = ?",
                    (snapshot_id, table_name),
                ).fetchone()
                if row is None:
                    raise Problem(
                        SNAPSHOT_NOT_FOUND,
                        f"snapshot {snapshot_id} is not a snapshot of table {table_name}",
                    )
            else:
                row = conn.execute(
                    "SELECT * FROM snapshots WHERE table_name = ? ORDER BY seq DESC LIMIT 1",
                    (table_name,),
                ).fetchone()
                if row is None:
                    raise Problem(TABLE_NOT_FOUND, f"table {table_name} has no snapshot")
            if run_id is not None:
                conn.execute(
                    "INSERT OR IGNORE INTO inputs (run_id, snapshot_id, read_at, table_name)"
                    " VALUES (?, ?, ?, ?)",
                    (run_id, row["snapshot_id"], time.time(), table_name),
                )
            return snapshot_doc(row)

    def register_snapshot(self, request: Doc, idempotency: Idempotency | None = None) -> Answer:
        """Record a new snapshot written by a running run (its output edge), with the client's
        `snapshot_id` if the request has one; returns it and whether it is a replay.

        A `snapshot_id` that exists with the same content is a replay, even once the run has
        finished; with other content, `id-conflict`.
        """

        def create(conn: sqlite3.Connection, now: float) -> Answer:
            chosen: str | None = request.get("snapshot_id")
            if chosen is not None:
                row = conn.execute(
                    "SELECT * FROM snapshots WHERE snapshot_id = ?", (chosen,)
                ).fetchone()
                if row is not None:
                    if _snapshot_content(row) != _requested_snapshot(request):
                        raise Problem(ID_CONFLICT, f"snapshot {chosen} exists with other content")
                    return snapshot_doc(row), True
            _require_open(run_row(conn, request["run_id"], request["job_name"]))
            snapshot_id = new_id() if chosen is None else chosen
            schema = request.get("schema")
            conn.execute(
                "INSERT INTO snapshots (snapshot_id, table_name, uri, format, schema, job_name,"
                " run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    snapshot_id,
                    request["table_name"],
                    request["uri"],
                    request["format"],
                    None if schema is None else _dumps(schema),
                    request["job_name"],
                    request["run_id"],
                    now,
                ),
            )
            row = conn.execute(
                "SELECT * FROM snapshots WHERE snapshot_id = ?", (snapshot_id,)
            ).fetchone()
            return snapshot_doc(row), False

        return self._once(idempotency, create)

    def list_snapshots(self, table_name: str, limit: int, cursor: str | None) -> Doc:
        with self.db.snapshot() as conn:
            return fetch_page(
                conn,
                table="snapshots",
                where="table_name = ?",
                params=[table_name],
                cursor=cursor,
                limit=limit,
                newest_first=True,
                to_items=lambda rows: [snapshot_doc(row) for row in rows],
            )

    # events

    def post_event(
        self,
        job_name: str,
        run_id: str,
        kind: str,
        message: str | None,
        data: Doc,
        idempotency: Idempotency | None = None,
    ) -> Answer:
        """Record an event on a running run; returns it and whether it is a replay."""

        def create(conn: sqlite3.Connection, now: float) -> Answer:
            _require_open(run_row(conn, run_id, job_name))
            event_id = new_id()
            conn.execute(
                "INSERT INTO events (event_id, job_name, run_id, kind, message, data, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event_id, job_name, run_id, kind, message, _dumps(data), now),
            )
            row = conn.execute("SELECT * FROM events WHERE event_id = ?", (event_id,)).fetchone()
            return _event_doc(row), False

        return self._once(idempotency, create)

    def list_events(self, job_name: str, run_id: str, limit: int, cursor: str | None) -> Doc:
        with self.db.snapshot() as conn:
            run_row(conn, run_id, job_name)
            return fetch_page(
                conn,
                table="events",
                where="run_id = ?",
                params=[run_id],
                cursor=cursor,
                limit=limit,
                newest_first=False,
                to_items=lambda rows: [_event_doc(row) for row in rows],
            )

    # idempotency

    def _once(
        self,
        idempotency: Idempotency | None,
        create: Callable[[sqlite3.Connection, float], Answer],
    ) -> Answer:
        """Run `create` once per idempotency key, in the transaction that records the key.

        The key is checked first; `create` may itself answer a replay (of a client-chosen
        id). Only successes are recorded: a failure (a problem, say) rolls the key back
        with everything else, so a retry of a rejected request is evaluated afresh.
        """
        with self.db.transaction() as conn:
            now = time.time()
            if idempotency is None:
                return create(conn, now)
            key, fingerprint = idempotency
            row = conn.execute(
                "SELECT fingerprint, body FROM idempotency WHERE key = ?", (key,)
            ).fetchone()
            if row is not None:
                if row["fingerprint"] != fingerprint:
                    raise Problem(
                        IDEMPOTENCY_KEY_REUSED,
                        "Idempotency-Key was already used for a different request",
                    )
                return jsonio.loads(row["body"]), True
            doc, replayed = create(conn, now)
            conn.execute(
                "INSERT INTO idempotency (key, fingerprint, body, created_at) VALUES (?, ?, ?, ?)",
                (key, fingerprint, _dumps(doc), now),
            )
            return doc, replayed
