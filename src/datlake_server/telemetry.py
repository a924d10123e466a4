"""What a running job reports besides its lineage: metric points, its latest progress and its
live log, recorded from typed batches (`post_telemetry`) and read back per run.

A log chunk is kept under its writer (`source`) and its number there (`seq`): a chunk sent
again (a retry, an outbox replay, a batch whose answer was lost) is recorded once, so the log
never doubles, and a parent and its child can both write a run's log. The log reads in the
order the chunks arrived.

>>> import tempfile, pathlib
>>> from datlake_server.db import Database
>>> store = Store(Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db"))
>>> ledger = TelemetryLedger(store)
>>> run, _ = store.start_run("train", {}, None)
>>> receipt, _ = ledger.record("train", run["run_id"], {
...     "metrics": [{"name": "loss", "value": 0.5, "step": 1}],
...     "progress": {"done": 1, "total": 4}, "log": [{"seq": 0, "text": "epoch 1\\n"}]})
>>> receipt["metrics"], receipt["log_chunks"], receipt["progress"]["total"]
(1, 1, 4)
>>> ledger.log("train", run["run_id"], 0)
{'text': 'epoch 1\\n', 'next_chunk': 1}
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from datlake_server.problems import INVALID_BODY, RUN_FINISHED, Problem
from datlake_server.store import (
    FINISHED,
    Answer,
    Doc,
    Idempotency,
    Store,
    iso,
    progress_doc,
    run_row,
)

# what one read of a run's log returns at most; `next_seq` tells where to go on
MAX_LOG_READ = 4 * 1024 * 1024


def _moment(text: str | None, default: float) -> float:
    return default if text is None else datetime.fromisoformat(text).timestamp()


def _storable(value: float | None, where: str) -> float | None:
    """A JSON number SQLite can store: an integer beyond 64 bits becomes a float (a 422 when
    even a float cannot hold it)."""
    if value is None or isinstance(value, float) or -(2**63) <= value < 2**63:
        return value
    try:
        return float(value)
    except OverflowError:
        raise Problem(INVALID_BODY, f"{where}: {str(value)[:20]}... is too large") from None


class TelemetryLedger:
    """Metric points, progress and log chunks of runs, in the store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(
        self, job_name: str, run_id: str, batch: Doc, idempotency: Idempotency | None = None
    ) -> Answer:
        """Record a batch on a running (or lost) run; returns the receipt and whether it is a
        replay. A finished run is `run-finished`."""

        def create(conn: sqlite3.Connection, now: float) -> Answer:
            run = run_row(conn, run_id, job_name)
            if run["status"] in FINISHED:
                raise Problem(RUN_FINISHED, f"run {run_id} is {run['status']}")
            points = batch.get("metrics") or []
            conn.executemany(
                "INSERT INTO metrics (run_id, name, value, step, unit, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        point["name"],
                        _storable(point["value"], "metrics[].value"),
                        point.get("step"),
                        point.get("unit"),
                        _moment(point.get("recorded_at"), now),
                    )
                    for point in points
                ],
            )
            chunks = 0
            for chunk in batch.get("log") or []:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO log_chunks (run_id, source, seq, text)"
                    " VALUES (?, ?, ?, ?)",
                    (run_id, chunk.get("source", ""), chunk["seq"], chunk["text"]),
                )
                chunks += cursor.rowcount
            progress = batch.get("progress")
            if progress is not None:
                conn.execute(
                    "INSERT INTO progress (run_id, done, total, message, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET"
                    " done = excluded.done, total = excluded.total,"
                    " message = excluded.message, updated_at = excluded.updated_at",
                    (
                        run_id,
                        _storable(progress["done"], "progress.done"),
                        _storable(progress.get("total"), "progress.total"),
                        progress.get("message"),
                        now,
                    ),
                )
            latest = conn.execute("SELECT * FROM progress WHERE run_id = ?", (run_id,)).fetchone()
            receipt: Doc = {"metrics": len(points), "log_chunks": chunks}
            if latest is not None:
                receipt["progress"] = progress_doc(latest)
            return receipt, False

        return self.store._once(idempotency, create)

    def metrics(self, job_name: str, run_id: str, name: str | None) -> Doc:
        """The run's metric series by name, each point in the order it was recorded."""
        with self.store.db.transaction() as conn:
            run_row(conn, run_id, job_name)
            where, params = "run_id = ?", [run_id]
            if name is not None:
                where, params = where + " AND name = ?", [run_id, name]
            series: dict[str, dict[str, Any]] = {}
            for row in conn.execute(
                f"SELECT * FROM metrics WHERE {where} ORDER BY name, seq",  # noqa: S608 - fixed text
                params,
            ):
                one = series.setdefault(
                    row["name"], {"name": row["name"], "unit": None, "points": []}
                )
                if row["unit"] is not None:
                    one["unit"] = row["unit"]
                one["points"].append(
                    {
                        "value": row["value"],
                        "step": row["step"],
                        "recorded_at": iso(row["recorded_at"]),
                    }
                )
            return {"series": list(series.values())}

    def log(self, job_name: str, run_id: str, from_chunk: int) -> Doc:
        """The run's log text from its chunk `from_chunk` on (0: its first, in the order they
        arrived; at most `MAX_LOG_READ` characters past the first one) and the chunk to read
        next."""
        with self.store.db.transaction() as conn:
            run_row(conn, run_id, job_name)
            parts: list[str] = []
            size = 0
            for row in conn.execute(
                "SELECT text FROM log_chunks WHERE run_id = ? ORDER BY position LIMIT -1 OFFSET ?",
                (run_id, from_chunk),
            ):
                if parts and size + len(row["text"]) > MAX_LOG_READ:
                    break
                parts.append(row["text"])
                size += len(row["text"])
            return {"text": "".join(parts), "next_chunk": from_chunk + len(parts)}
