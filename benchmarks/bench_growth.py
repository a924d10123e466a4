"""The local Datlake as its ledger grows: every operation at 1k, 10k and 100k runs.

Each size gets a fresh data folder filled straight through SQLite (the server's own schema):
one `ingest` run wrote `raw`; then N runs of `daily`, each read `raw` and wrote a snapshot of
`daily_out` (1 in 100 failed, the newest 10 still running). A `datlake server` process then
answers each operation 30 times over one keep-alive connection; the median is shown with
the answer's size, and the last column divides the largest ledger's median by the
smallest's: flat means the cost follows the answer, not the ledger. The last rows are
`start_run`'s p99 while another client loops on a lineage query: reads never hold up the
writer. All sizes are served at once and measured in interleaved rounds
(`DATLAKE_BENCH_ROUNDS`, 5 by default): each figure is the median of the rounds, the ratio's
spread beside it.

    DATLAKE_BENCH_GROWTH=1000,1000000 python -m benchmarks growth   # `make bench-large`
"""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.bench_server import API_KEY, _percentile, server
from datlake_server.db import Database

SIZES = [int(n) for n in os.environ.get("DATLAKE_BENCH_GROWTH", "1000,10000,100000").split(",")]
CALLS = 30
BESIDE_CALLS = 200  # start_run calls per p99
ROUNDS = int(os.environ.get("DATLAKE_BENCH_ROUNDS", "5"))
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}


def populate(data: Path, runs: int) -> tuple[str, str]:
    """Fill a data folder's ledger; the id of a run in the middle and of the newest."""
    data.mkdir(parents=True)
    Database(data / "datlake.db").close()  # the schema, as the server makes it
    conn = sqlite3.connect(data / "datlake.db", isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    start = time.time() - runs - 10
    ingest, raw = uuid.uuid4().hex, uuid.uuid4().hex
    conn.execute(
        "INSERT INTO runs (run_id, job_name, status, created_at, finished_at, lease_expires_at,"
        " metadata, extra, artifacts) VALUES (?, 'ingest', 'succeeded', ?, ?, ?, '{}', '{}',"
        " '[]')",
        (ingest, start, start, start + 3600),
    )
    conn.execute(
        "INSERT INTO snapshots (snapshot_id, table_name, uri, format, job_name, run_id,"
        " created_at) VALUES (?, 'raw', 'file:///raw', 'csv', 'ingest', ?, ?)",
        (raw, ingest, start),
    )
    ids = [uuid.uuid4().hex for _ in range(runs)]

    def status(index: int) -> str:
        if index >= runs - 10:
            return "running"
        return "failed" if index % 100 == 0 else "succeeded"

    conn.executemany(
        "INSERT INTO runs (run_id, job_name, status, created_at, finished_at, lease_expires_at,"
        " metadata, extra, artifacts) VALUES (?, 'daily', ?, ?, ?, ?, '{\"n\": 1}', '{}', '[]')",
        (
            (run_id, status(i), start + i, start + i + 0.5, time.time() + 86400)
            for i, run_id in enumerate(ids)
        ),
    )
    conn.executemany(
        "INSERT INTO inputs (run_id, snapshot_id, read_at, table_name) VALUES (?, ?, ?, 'raw')",
        ((run_id, raw, start + i) for i, run_id in enumerate(ids)),
    )
    conn.executemany(
        "INSERT INTO snapshots (snapshot_id, table_name, uri, format, job_name, run_id,"
        " created_at) VALUES (?, 'daily_out', ?, 'parquet', 'daily', ?, ?)",
        (
            (uuid.uuid4().hex, f"file:///out/{i}", run_id, start + i + 0.4)
            for i, run_id in enumerate(ids)
        ),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return ids[runs // 2], ids[-1]


def _operations(middle: str, newest: str) -> dict[str, tuple[str, str, bytes | None]]:
    body = json.dumps({"metadata": {"source": "bench"}}).encode()
    return {
        "health": ("GET", "/api/v1/health", None),
        "start_run": ("POST", "/api/v1/jobs/daily/runs", body),
        "get_run": ("GET", f"/api/v1/jobs/daily/runs/{middle}", None),
        "list_runs (50)": ("GET", "/api/v1/jobs/daily/runs?limit=50", None),
        "list_runs status=failed (10)": (
            "GET", "/api/v1/jobs/daily/runs?status=failed&limit=10", None,
        ),
        "list_runs status=running": ("GET", "/api/v1/jobs/daily/runs?status=running", None),
        "list_snapshots (50)": ("GET", "/api/v1/tables/daily_out/snapshots?limit=50", None),
        "fetch_latest_uri": ("GET", "/api/v1/tables/daily_out/snapshots/latest", None),
        "get_lineage daily_out": ("GET", "/api/v1/lineage?table=daily_out", None),
        "get_lineage raw downstream": (
            "GET", "/api/v1/lineage?table=raw&direction=downstream", None,
        ),
        "get_lineage raw, limit 10000": (
            "GET", "/api/v1/lineage?table=raw&limit=10000&history=1000", None,
        ),
    }  # fmt: skip


def _call(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None) -> int:
    conn.request(method, path, body=body, headers=HEADERS)
    response = conn.getresponse()
    answer = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {answer[:200]!r}")
    return len(answer)


def _connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)


def measure(url: str, middle: str, newest: str) -> dict[str, tuple[float, int]]:
    """Per operation: the median seconds and the answer's bytes; and start_run's p99 while a
    lineage query loops."""
    conn = _connection(url)
    found: dict[str, tuple[float, int]] = {}
    for name, (method, path, body) in _operations(middle, newest).items():
        _call(conn, method, path, body)  # warm
        times, size = [], 0
        for _ in range(CALLS):
            started = time.perf_counter()
            size = _call(conn, method, path, body)
            times.append(time.perf_counter() - started)
        found[name] = (statistics.median(times), size)
    for label, query in BESIDE.items():
        found[f"start_run p99, {label}"] = (_writes_beside_reads(url, conn, query), 0)
    conn.close()
    return found


# what another client asks for over and over while start_run is measured
BESIDE = {
    "alone": None,
    "lineage (default bounds) looping": "/api/v1/lineage?table=raw",
    "lineage (10,000 nodes) looping": "/api/v1/lineage?table=raw&limit=10000&history=1000",
}


def _writes_beside_reads(url: str, conn: http.client.HTTPConnection, query: str | None) -> float:
    stop = threading.Event()

    def loop_lineage() -> None:
        reader = _connection(url)
        while query is not None and not stop.is_set():
            _call(reader, "GET", query, None)
        reader.close()

    thread = threading.Thread(target=loop_lineage)
    thread.start()
    time.sleep(0.2)
    method, path, body = _operations("", "")["start_run"]
    times: list[float] = []
    for _ in range(BESIDE_CALLS):
        started = time.perf_counter()
        _call(conn, method, path, body)
        times.append(time.perf_counter() - started)
    stop.set()
    thread.join()
    return _percentile(times, 0.99)


def _cell(seconds: float, size: int) -> str:
    shown = f"{seconds * 1000:.2f} ms"
    return f"{shown} ({size / 1024:.1f} KiB)" if size else shown


def _rounds(urls: dict[int, tuple[str, str, str]]) -> dict[int, list[dict[str, tuple[float, int]]]]:
    """Each size's figures, round after round; the order of the sizes turns every round."""
    found: dict[int, list[dict[str, tuple[float, int]]]] = {size: [] for size in urls}
    order = list(urls)
    for index in range(ROUNDS):
        for size in order if index % 2 == 0 else order[::-1]:
            found[size].append(measure(*urls[size]))
    return found


def run() -> str:
    """The markdown section for BENCHMARKS.md."""
    fill: dict[int, float] = {}
    with ExitStack() as stack:
        urls: dict[int, tuple[str, str, str]] = {}
        for size in SIZES:
            data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="datlake-growth-")))
            started = time.perf_counter()
            middle, newest = populate(data / "data", size)
            fill[size] = time.perf_counter() - started
            url, _pid = stack.enter_context(server(data / "data"))
            urls[size] = (url, middle, newest)
        rounds = _rounds(urls)
    small, large = min(SIZES), max(SIZES)

    def median(size: int, name: str) -> tuple[float, int]:
        seconds = statistics.median(figures[name][0] for figures in rounds[size])
        return seconds, rounds[size][-1][name][1]

    header = " | ".join(f"{size:,} runs" for size in SIZES)
    lines = [
        "## Growth: the same operations as the ledger grows",
        "",
        "A fresh data folder per size, filled through SQLite: N runs of `daily`, each read",
        "`raw` and wrote a `daily_out` snapshot (1 in 100 failed, the newest 10 running). All",
        f"sizes are served at once (a server each) and measured in {ROUNDS} interleaved rounds.",
        f"In a round each operation is the median of {CALLS} calls over one keep-alive",
        "connection (answer size in brackets); each cell is the median of the rounds, and the",
        f"last column the {large:,}-run figure over the {small:,}-run one, per round: the median",
        "(lowest to highest). Lineage answers are bounded by the contract (default `limit` 1,000",
        "nodes, `history` 20 per table), listings by their page size. Filled in "
        + ", ".join(f"{fill[size]:.1f} s" for size in SIZES)
        + ".",
        "",
        f"| operation | {header} | ratio |",
        "|---|" + "---:|" * (len(SIZES) + 1),
    ]
    for name in rounds[small][0]:
        cells = " | ".join(_cell(*median(size, name)) for size in SIZES)
        ratios = [
            big[name][0] / little[name][0]
            for big, little in zip(rounds[large], rounds[small], strict=True)
        ]
        spread = f"{min(ratios):.2f} to {max(ratios):.2f}"
        lines.append(f"| {name} | {cells} | {statistics.median(ratios):.2f}x ({spread}) |")
    lines += [
        "",
        f"`start_run p99, ...`: the p99 of {BESIDE_CALLS} `start_run` calls alone, then while a",
        "second client asks for a lineage graph over and over: the default-bounded one, and",
        "the largest the contract allows (10,000 nodes). The graph is read on its own SQLite",
        "connection (WAL, the file mapped), so the writer never waits for SQLite's lock, and",
        "no commit waits for a checkpoint (a thread of its own makes them). The interpreter",
        "is shared: the graph is encoded a batch of nodes at a time and the server switches",
        "threads every millisecond, so the event loop, where `start_run` runs, gets its turn.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
