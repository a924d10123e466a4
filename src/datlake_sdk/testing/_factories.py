"""Canned, spec-valid response bodies for each operation's success, to keep tests short.

Every factory returns a fresh `dict` with realistic defaults; keyword arguments replace
fields (unknown names are a `TypeError`, so a typo does not silently pass).

>>> run = factories.run(job_name="daily_users", status="succeeded")
>>> run["status"], sorted(run)[:3]
('succeeded', ['artifacts', 'created_at', 'extra'])
>>> factories.run(jobname="x")
Traceback (most recent call last):
...
TypeError: run() got unknown fields: jobname
"""

from __future__ import annotations

import hashlib
from typing import Any

JSON = dict[str, Any]

_RUN_ID = "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b"
_WHEN = "2026-11-27T01:00:00Z"


def _merge(kind: str, defaults: JSON, overrides: dict[str, Any]) -> JSON:
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise TypeError(f"{kind}() got unknown fields: {', '.join(unknown)}")
    return {**defaults, **overrides}


class Factories:
    """Builders of valid bodies; `factories` (and `DatlakeMock.factories`) is the instance."""

    def run(self, **fields: Any) -> JSON:
        """A `Run` (running, no edges), e.g. `run(status="succeeded", inputs=[snapshot()])`."""
        defaults: JSON = {
            "job_name": "daily_users",
            "run_id": _RUN_ID,
            "status": "running",
            "created_at": _WHEN,
            "finished_at": None,
            "last_heartbeat_at": None,
            "lease_expires_at": None,
            "parent_run_id": None,
            "metadata": {},
            "extra": {},
            "artifacts": [],
            "inputs": [],
            "outputs": [],
        }
        run = _merge("run", defaults, fields)
        if run["status"] in ("succeeded", "failed") and run["finished_at"] is None:
            run["finished_at"] = "2026-11-27T01:05:00Z"
        return run

    def snapshot(self, **fields: Any) -> JSON:
        """A `Snapshot`, e.g. `snapshot(table_name="users_raw", uri="file:///d/x.csv")`."""
        defaults: JSON = {
            "table_name": "users_raw",
            "snapshot_id": "9d1c7e2a4b6f4c8e9a0b1c2d3e4f5a6b",
            "uri": "file:///data/users_raw/part-0.csv",
            "format": "csv",
            "schema": None,
            "job_name": "ingest_users",
            "run_id": "0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d",
            "created_at": _WHEN,
        }
        return _merge("snapshot", defaults, fields)

    def run_page(self, items: list[JSON] | None = None, next_cursor: str | None = None) -> JSON:
        """A `RunPage`: one page of runs (newest first)."""
        return {"items": [self.run()] if items is None else items, "next_cursor": next_cursor}

    def snapshot_page(
        self, items: list[JSON] | None = None, next_cursor: str | None = None
    ) -> JSON:
        """A `SnapshotPage`: one page of a table's snapshots."""
        return {"items": [self.snapshot()] if items is None else items, "next_cursor": next_cursor}

    def job(self, **fields: Any) -> JSON:
        """A `Job` of `list_jobs`: a name, its run count and its newest run."""
        defaults: JSON = {"job_name": "daily_users", "run_count": 1, "latest_run": self.run()}
        return _merge("job", defaults, fields)

    def job_page(self, items: list[JSON] | None = None, next_cursor: str | None = None) -> JSON:
        """A `JobPage`: one page of jobs, by name."""
        return {"items": [self.job()] if items is None else items, "next_cursor": next_cursor}

    def table(self, **fields: Any) -> JSON:
        """A `Table` of `list_tables`: a name, its snapshot count and its newest snapshot."""
        defaults: JSON = {
            "table_name": "users_raw",
            "snapshot_count": 1,
            "latest_snapshot": self.snapshot(),
        }
        return _merge("table", defaults, fields)

    def table_page(self, items: list[JSON] | None = None, next_cursor: str | None = None) -> JSON:
        """A `TablePage`: one page of tables, by name."""
        return {"items": [self.table()] if items is None else items, "next_cursor": next_cursor}

    def lineage(self, **fields: Any) -> JSON:
        """A `LineageGraph`: `users_raw` read by a run that wrote `users_curated`."""
        run_node = f"run:daily_users/{_RUN_ID}"
        defaults: JSON = {
            "root": "users_curated",
            "direction": "both",
            "depth": 3,
            "nodes": [
                {"id": "table:users_raw", "kind": "table", "name": "users_raw"},
                {
                    "id": run_node,
                    "kind": "run",
                    "name": "daily_users",
                    "job_name": "daily_users",
                    "run_id": _RUN_ID,
                    "status": "succeeded",
                },
                {"id": "table:users_curated", "kind": "table", "name": "users_curated"},
            ],
            "edges": [
                {"source": "table:users_raw", "target": run_node, "kind": "read"},
                {"source": run_node, "target": "table:users_curated", "kind": "wrote"},
            ],
        }
        return _merge("lineage", defaults, fields)

    def receipt(
        self, bucket: str = "artifacts", object: str = "jobs/x/run.log", content: bytes = b""
    ) -> JSON:
        """An `ObjectReceipt` whose size and sha256 are those of `content`."""
        return {
            "bucket": bucket,
            "object": object,
            "uri": f"datlake://{bucket}/{object}",
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }

    def health(self, **fields: Any) -> JSON:
        """A `Health`: `{"status": "ok", "version": ...}`."""
        return _merge("health", {"status": "ok", "version": "0.1.0"}, fields)

    def lease(self, **fields: Any) -> JSON:
        """A `Lease` of a running run."""
        defaults: JSON = {
            "job_name": "daily_users",
            "run_id": _RUN_ID,
            "status": "running",
            "last_heartbeat_at": _WHEN,
            "lease_expires_at": "2026-11-27T01:01:00Z",
        }
        return _merge("lease", defaults, fields)

    def event(self, **fields: Any) -> JSON:
        """An `Event` (progress by default)."""
        defaults: JSON = {
            "event_id": "7e8f9a0b1c2d4e3f8a5b6c7d8e9f0a1b",
            "job_name": "daily_users",
            "run_id": _RUN_ID,
            "kind": "progress",
            "message": None,
            "data": {},
            "created_at": _WHEN,
        }
        return _merge("event", defaults, fields)

    def event_page(self, items: list[JSON] | None = None, next_cursor: str | None = None) -> JSON:
        """An `EventPage`, oldest first."""
        return {"items": [self.event()] if items is None else items, "next_cursor": next_cursor}

    def telemetry_receipt(self, **fields: Any) -> JSON:
        """A `TelemetryReceipt` of one metric point; `progress=factories.progress()` adds the
        run's latest progress."""
        defaults: JSON = {"metrics": 1, "log_chunks": 0, "progress": None}
        receipt = _merge("telemetry_receipt", defaults, fields)
        if receipt["progress"] is None:  # absent, not null, before any progress
            del receipt["progress"]
        return receipt

    def progress(self, **fields: Any) -> JSON:
        """A `Progress`: half way by default."""
        defaults: JSON = {"done": 50, "total": 100, "message": "half way", "updated_at": _WHEN}
        return _merge("progress", defaults, fields)

    def metric_series_list(self, series: list[JSON] | None = None) -> JSON:
        """A `MetricSeriesList`: one `loss` series of two points unless `series` says."""
        loss = {
            "name": "loss",
            "unit": None,
            "points": [
                {"value": 0.9, "step": 0, "recorded_at": _WHEN},
                {"value": 0.4, "step": 1, "recorded_at": _WHEN},
            ],
        }
        return {"series": [loss] if series is None else series}

    def run_log(self, **fields: Any) -> JSON:
        """A `RunLog`: one chunk of text."""
        return _merge("run_log", {"text": "reading users_raw\n", "next_chunk": 1}, fields)

    def problem(
        self, status: int, kind: str, detail: str = "", request_id: str = "req-test"
    ) -> JSON:
        """A problem+json body, e.g. `problem(404, "run-not-found")`."""
        title = kind.replace("-", " ").capitalize()
        body: JSON = {"type": f"/problems/{kind}", "title": title, "status": status}
        if detail:
            body["detail"] = detail
        body["request_id"] = request_id
        return body

    def success(self, operation_id: str) -> JSON | bytes:
        """The default success body of an operation (bytes for `download_object`)."""
        builders: dict[str, Any] = {
            "start_run": self.run,
            "get_run": self.run,
            "complete_run": lambda: self.run(status="succeeded"),
            "list_runs": self.run_page,
            "list_jobs": self.job_page,
            "list_tables": self.table_page,
            "fetch_latest_uri": self.snapshot,
            "register_snapshot": lambda: self.snapshot(
                table_name="users_curated", job_name="daily_users", run_id=_RUN_ID
            ),
            "list_snapshots": self.snapshot_page,
            "get_lineage": self.lineage,
            "upload_object": self.receipt,
            "get_health": self.health,
            "heartbeat": self.lease,
            "post_event": self.event,
            "list_events": self.event_page,
            "post_telemetry": self.telemetry_receipt,
            "list_metrics": self.metric_series_list,
            "get_run_log": self.run_log,
            "ingest_openlineage": lambda: self.run(status="succeeded"),
        }
        if operation_id == "download_object":
            return b"id,email\n1,a@example.com\n"
        body: JSON = builders[operation_id]()
        return body


factories = Factories()
