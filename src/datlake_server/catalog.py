"""What exists: the jobs that have runs and the tables that have snapshots, by name.

The `jobs` and `tables` tables of `db.py` hold one row per name with its newest run or
snapshot, kept by triggers on every insert: a page of names is a range of their primary key
(a prefix is a range too), never a scan of every run or snapshot.

>>> import tempfile, pathlib
>>> from datlake_server.db import Database
>>> from datlake_server.store import Store
>>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db")
>>> store = Store(db)
>>> for job in ("ingest", "daily_users", "daily_orders"):
...     _ = store.start_run(job, {}, None)
>>> [job["job_name"] for job in list_jobs(db, "daily", 10, None)["items"]]
['daily_orders', 'daily_users']
"""

from __future__ import annotations

import time
from typing import Any

from datlake_server.db import Database
from datlake_server.pages import decode_name_cursor, encode_cursor
from datlake_server.store import run_docs, snapshot_doc

Doc = dict[str, Any]

# above every character a name may hold: `name < prefix || END` bounds a prefix's range
END = "\x7f"


def list_jobs(db: Database, prefix: str | None, limit: int, cursor: str | None) -> Doc:
    """A `JobPage`: jobs in name order, each with its run count and newest run."""
    with db.snapshot() as conn:
        now = time.time()
        rows = conn.execute(
            "SELECT j.job_name AS listed, j.run_count, r.* FROM jobs j"
            " JOIN runs r ON r.seq = j.latest_seq"
            " WHERE j.job_name >= ? AND j.job_name > ? AND j.job_name < ?"
            " ORDER BY j.job_name LIMIT ?",
            (*_bounds("jobs", prefix, cursor), limit + 1),
        ).fetchall()
        page = rows[:limit]
        runs = run_docs(conn, page, now)
        items = [
            {"job_name": row["listed"], "run_count": row["run_count"], "latest_run": run}
            for row, run in zip(page, runs, strict=True)
        ]
    return _page("jobs", items, "job_name", more=len(rows) > limit)


def list_tables(db: Database, prefix: str | None, limit: int, cursor: str | None) -> Doc:
    """A `TablePage`: tables in name order, each with its snapshot count and newest snapshot."""
    with db.snapshot() as conn:
        rows = conn.execute(
            "SELECT t.snapshot_count, s.* FROM tables t"
            " JOIN snapshots s ON s.seq = t.latest_seq"
            " WHERE t.table_name >= ? AND t.table_name > ? AND t.table_name < ?"
            " ORDER BY t.table_name LIMIT ?",
            (*_bounds("tables", prefix, cursor), limit + 1),
        ).fetchall()
    items = [
        {
            "table_name": row["table_name"],
            "snapshot_count": row["snapshot_count"],
            "latest_snapshot": snapshot_doc(row),
        }
        for row in rows[:limit]
    ]
    return _page("tables", items, "table_name", more=len(rows) > limit)


def _bounds(kind: str, prefix: str | None, cursor: str | None) -> tuple[str, str, str]:
    """`(first, after, below)`: a page holds the names `>= first`, `> after` and `< below`
    (the prefix's range, past the cursor)."""
    after = "" if cursor is None else decode_name_cursor(kind, cursor)
    return prefix or "", after, (prefix or "") + END


def _page(kind: str, items: list[Doc], name: str, *, more: bool) -> Doc:
    return {
        "items": items,
        "next_cursor": encode_cursor(kind, items[-1][name]) if more and items else None,
    }
