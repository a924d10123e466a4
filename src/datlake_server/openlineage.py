"""`POST /api/v1/openlineage`: an OpenLineage RunEvent recorded as a run, its snapshots and its
input edges, in one transaction.

What an event means is decided by the SDK's mapping (`datlake_sdk.openlineage.plan_event`, the
same mapping the export uses the other way round); this module only records the plan. Every
id is derived from the event, and every write is "create, or find the same": the same event
twice records once, and events of one run may arrive in any order.

>>> import tempfile, pathlib, uuid
>>> from datlake_server.db import Database
>>> ingest = OpenLineageIngest(Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db"))
>>> event = {"eventType": "COMPLETE", "run": {"runId": str(uuid.UUID(int=7))},
...          "job": {"namespace": "airflow", "name": "load_users"},
...          "outputs": [{"namespace": "s3://lake", "name": "users"}]}
>>> run = ingest.record(event)
>>> run["status"], [s["uri"] for s in run["outputs"]], ingest.record(event) == run
('succeeded', ['s3://lake/users'], True)
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from typing import Any

from datlake_sdk.openlineage import EXTERNAL_JOB, RunPlan, SnapshotPlan, plan_event
from datlake_server.db import Database
from datlake_server.problems import ID_CONFLICT, INVALID_BODY, RUN_FINISHED, Problem
from datlake_server.store import (
    DEFAULT_LEASE_SECONDS,
    FINISHED,
    Doc,
    canonical,
    run_docs,
    run_row,
    snapshot_doc,
)

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class OpenLineageIngest:
    """Records RunEvents in the ledger of one data folder."""

    def __init__(self, db: Database, default_lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.db = db
        self.default_lease_seconds = default_lease_seconds

    def record(self, event: Doc) -> Doc:
        """Record `event` (already valid against the contract's schema); returns the `Run`."""
        try:
            plan = plan_event(event)
        except ValueError as ex:
            raise Problem(INVALID_BODY, f"body.run.runId: not a UUID ({ex})") from None
        _check(plan)
        with self.db.transaction() as conn:
            now = time.time()
            self._run(conn, plan.job_name, plan.run_id, plan.metadata, plan.parent_run_id, now)
            for output in plan.outputs:
                self._snapshot(conn, output, now)
            for read in plan.inputs:
                snapshot_id = self._input(conn, read.snapshot_id, read.writer, read.table_name)
                if snapshot_id is None:
                    snapshot_id = self._external(conn, read.external, now)
                conn.execute(
                    "INSERT OR IGNORE INTO inputs (run_id, snapshot_id, read_at) VALUES (?, ?, ?)",
                    (plan.run_id, snapshot_id, now),
                )
            if plan.outcome is not None:
                self._complete(conn, plan, now)
            return run_docs(conn, [run_row(conn, plan.run_id)], now)[0]

    def _run(
        self,
        conn: sqlite3.Connection,
        job_name: str,
        run_id: str,
        metadata: Doc,
        parent_run_id: str | None,
        now: float,
    ) -> None:
        """Create the run, or find it: a run of another job with this id is `id-conflict`."""
        row = conn.execute("SELECT job_name FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is not None:
            if row["job_name"] != job_name:
                raise Problem(ID_CONFLICT, f"run {run_id} is a run of job {row['job_name']}")
            return
        conn.execute(
            "INSERT INTO runs (run_id, job_name, status, created_at, lease_expires_at,"
            " parent_run_id, metadata, extra, artifacts)"
            " VALUES (?, ?, 'running', ?, ?, ?, ?, '{}', '[]')",
            (
                run_id, job_name, now, now + self.default_lease_seconds, parent_run_id,
                _json(metadata),
            ),
        )  # fmt: skip

    def _snapshot(self, conn: sqlite3.Connection, plan: SnapshotPlan, now: float) -> None:
        """Create the snapshot (and its writer run, if new), or find the same one. A snapshot
        first seen read (written by `openlineage.external`) takes its real writer."""
        row = conn.execute(
            "SELECT * FROM snapshots WHERE snapshot_id = ?", (plan.snapshot_id,)
        ).fetchone()
        self._run(conn, plan.job_name, plan.run_id, {}, None, now)
        content = (plan.table_name, plan.uri, plan.format, plan.schema, plan.job_name, plan.run_id)
        if row is None:
            conn.execute(
                "INSERT INTO snapshots (snapshot_id, table_name, uri, format, schema, job_name,"
                " run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (plan.snapshot_id, *content[:3], _json(plan.schema), *content[4:], now),
            )
            return
        if row["job_name"] == EXTERNAL_JOB and plan.job_name != EXTERNAL_JOB:
            conn.execute(
                "UPDATE snapshots SET job_name = ?, run_id = ? WHERE snapshot_id = ?",
                (plan.job_name, plan.run_id, plan.snapshot_id),
            )
            return
        found = snapshot_doc(row)
        recorded = (found["table_name"], found["uri"], found["format"], found["schema"],
                    found["job_name"], found["run_id"])  # fmt: skip
        if canonical(*recorded) != canonical(*content):
            raise Problem(ID_CONFLICT, f"snapshot {plan.snapshot_id} exists with other content")

    def _input(
        self,
        conn: sqlite3.Connection,
        snapshot_id: str | None,
        writer: SnapshotPlan | None,
        table_name: str,
    ) -> str | None:
        """The snapshot an input reads, when it exists or can be recorded from the event."""
        if snapshot_id is not None:
            row = conn.execute(
                "SELECT snapshot_id FROM snapshots WHERE snapshot_id = ?", (snapshot_id,)
            ).fetchone()
            if row is not None:
                return snapshot_id
            if writer is not None:
                self._snapshot(conn, writer, time.time())
                return snapshot_id
            return None
        row = conn.execute(
            "SELECT snapshot_id FROM snapshots WHERE table_name = ? ORDER BY seq DESC LIMIT 1",
            (table_name,),
        ).fetchone()
        return None if row is None else str(row["snapshot_id"])

    def _external(self, conn: sqlite3.Connection, plan: SnapshotPlan, now: float) -> str:
        """A snapshot of a table read before any run was seen writing it, written by a
        (finished) run of `openlineage.external`."""
        self._snapshot(conn, plan, now)
        conn.execute(
            "UPDATE runs SET status = 'succeeded', finished_at = ? WHERE run_id = ?"
            " AND status = 'running'",
            (now, plan.run_id),
        )
        return plan.snapshot_id

    def _complete(self, conn: sqlite3.Connection, plan: RunPlan, now: float) -> None:
        row = run_row(conn, plan.run_id)
        if row["status"] in FINISHED:
            if row["status"] != plan.outcome:
                detail = f"run {plan.run_id} is {row['status']}, not {plan.outcome}"
                raise Problem(RUN_FINISHED, detail)
            return
        conn.execute(
            "UPDATE runs SET status = ?, finished_at = ?, extra = ?, artifacts = ?"
            " WHERE run_id = ?",
            (plan.outcome, now, _json(plan.extra), _json(plan.artifacts), plan.run_id),
        )


def _check(plan: RunPlan) -> None:
    """Ids and names an event's Datlake facets carry must be valid ones (422 otherwise)."""
    ids = [("run_id", plan.run_id), ("parent_run_id", plan.parent_run_id)]
    names = [("job", plan.job_name)]
    for snapshot in [*plan.outputs, *(i.writer for i in plan.inputs if i.writer)]:
        ids += [("snapshot_id", snapshot.snapshot_id), ("run_id", snapshot.run_id)]
        names += [("job_name", snapshot.job_name), ("table", snapshot.table_name)]
    for read in plan.inputs:
        ids.append(("snapshot_id", read.snapshot_id))
    for what, value in ids:
        if value is not None and not _ID.fullmatch(value):
            raise Problem(INVALID_BODY, f"body: {what} {value!r} is not a valid Datlake id")
    for what, value in names:
        if not _NAME.fullmatch(value):
            raise Problem(INVALID_BODY, f"body: {what} {value!r} is not a valid Datlake name")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
