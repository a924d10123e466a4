"""The floor the local Datlake is measured against: a bare Starlette + SQLite app, written for
the benchmark, doing what start_run, health and a download must do and nothing more.

`POST /api/v1/jobs/{job_name}/runs` parses the JSON body, inserts a row into a `runs` table
like the real one (WAL, one lock around the writing connection, on the event loop) and
answers 201 with the run; `GET /api/v1/health` answers a constant; `GET /files/{name}`
streams a file of the data folder with Starlette's `FileResponse`. Served by uvicorn with
the same settings as `datlake server`:

    python -m benchmarks.bare_server --port 0 --data DIR   # prints "listening on URL"
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL UNIQUE, job_name TEXT NOT NULL,
    status TEXT NOT NULL, created_at REAL NOT NULL, metadata TEXT NOT NULL
);
"""


def make_app(data: Path) -> Starlette:
    conn = sqlite3.connect(data / "bare.db", isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    lock = threading.Lock()

    def start_run(request: Request, body: bytes) -> Response:
        metadata = json.loads(body or b"{}").get("metadata") or {}
        run = {
            "run_id": uuid.uuid4().hex,
            "job_name": request.path_params["job_name"],
            "status": "running",
            "created_at": time.time(),
            "metadata": metadata,
        }
        with lock:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO runs (run_id, job_name, status, created_at, metadata)"
                " VALUES (?, ?, ?, ?, ?)",
                (run["run_id"], run["job_name"], "running", run["created_at"],
                 json.dumps(metadata)),
            )  # fmt: skip
            conn.execute("COMMIT")
        return JSONResponse(run, status_code=201)

    async def runs(request: Request) -> Response:
        # On the event loop, as the Datlake writes a short insert while its writer is free:
        # a hop to a thread would cost the floor more than the insert itself.
        return start_run(request, await request.body())

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": "bare"})

    async def download(request: Request) -> Response:
        return FileResponse(data / request.path_params["name"])

    return Starlette(
        routes=[
            Route("/api/v1/jobs/{job_name}/runs", runs, methods=["POST"]),
            Route("/api/v1/health", health),
            Route("/files/{name}", download),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    config = uvicorn.Config(
        make_app(args.data), host="127.0.0.1", port=args.port, log_level="warning",
        access_log=False, lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)

    original = server.startup

    async def startup(sockets: Any = None) -> None:
        await original(sockets=sockets)
        port = server.servers[0].sockets[0].getsockname()[1]
        print(f"bare listening on http://127.0.0.1:{port}", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    server.run()


if __name__ == "__main__":
    main()
