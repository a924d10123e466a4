"""Shared pieces of the operation tests: a mock Datlake's answers and a client pointed at it."""

from __future__ import annotations

import json
from typing import Any

import httpx

from datlake_sdk import DatlakeClient

BASE_URL = "http://127.0.0.1:8765"
API_KEY = "test-key"
RUN_ID = "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b"
SHA_OF_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

RUN_JSON: dict[str, Any] = {
    "job_name": "daily_users",
    "run_id": RUN_ID,
    "status": "running",
    "created_at": "2026-11-27T01:00:00Z",
    "finished_at": None,
    "last_heartbeat_at": None,
    "lease_expires_at": None,
    "parent_run_id": None,
    "metadata": {"source": "s3"},
    "extra": {},
    "artifacts": [],
    "inputs": [],
    "outputs": [],
}

RAW_SNAPSHOT_JSON: dict[str, Any] = {
    "table_name": "users_raw",
    "snapshot_id": "9d1c7e2a4b6f4c8e9a0b1c2d3e4f5a6b",
    "uri": "file:///data/users_raw/part-0.csv",
    "format": "csv",
    "schema": None,
    "job_name": "ingest_users",
    "run_id": "0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d",
    "created_at": "2026-11-27T00:50:00Z",
}

CURATED_SNAPSHOT_JSON: dict[str, Any] = {
    "table_name": "users_curated",
    "snapshot_id": "1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5d",
    "uri": "file:///data/users_curated/part-0.parquet",
    "format": "parquet",
    "schema": {"id": "int64", "email": "string"},
    "job_name": "daily_users",
    "run_id": RUN_ID,
    "created_at": "2026-11-27T01:04:00Z",
}

FINISHED_RUN_JSON: dict[str, Any] = {
    **RUN_JSON,
    "status": "succeeded",
    "finished_at": "2026-11-27T01:05:00Z",
    "extra": {"rows": 1200},
    "artifacts": [{"type": "log", "uri": "datlake://artifacts/jobs/daily_users/r1/run.log"}],
    "inputs": [RAW_SNAPSHOT_JSON],
    "outputs": [CURATED_SNAPSHOT_JSON],
}

EVENT_JSON: dict[str, Any] = {
    "event_id": "7e8f9a0b1c2d4e3f8a5b6c7d8e9f0a1b",
    "job_name": "daily_users",
    "run_id": RUN_ID,
    "kind": "progress",
    "message": "half way",
    "data": {"done": 50, "total": 100},
    "created_at": "2026-11-27T01:02:00Z",
}

LEASE_JSON: dict[str, Any] = {
    "job_name": "daily_users",
    "run_id": RUN_ID,
    "status": "running",
    "last_heartbeat_at": "2026-11-27T01:00:00Z",
    "lease_expires_at": "2026-11-27T01:01:00Z",
}

LINEAGE_JSON: dict[str, Any] = {
    "root": "users_curated",
    "direction": "both",
    "depth": 3,
    "nodes": [
        {"id": "table:users_raw", "kind": "table", "name": "users_raw"},
        {
            "id": f"run:daily_users/{RUN_ID}",
            "kind": "run",
            "name": "daily_users",
            "job_name": "daily_users",
            "run_id": RUN_ID,
            "status": "succeeded",
        },
        {"id": "table:users_curated", "kind": "table", "name": "users_curated"},
    ],
    "edges": [
        {
            "source": "table:users_raw",
            "target": f"run:daily_users/{RUN_ID}",
            "kind": "read",
            "snapshot_id": RAW_SNAPSHOT_JSON["snapshot_id"],
        },
        {
            "source": f"run:daily_users/{RUN_ID}",
            "target": "table:users_curated",
            "kind": "wrote",
            "snapshot_id": CURATED_SNAPSHOT_JSON["snapshot_id"],
        },
    ],
}


def receipt_json(bucket: str, object_name: str, size: int, sha256: str) -> dict[str, Any]:
    return {
        "bucket": bucket,
        "object": object_name,
        "uri": f"datlake://{bucket}/{object_name}",
        "size": size,
        "sha256": sha256,
    }


def problem(status: int, kind: str, *, request_id: str = "srv-req-1") -> httpx.Response:
    """An RFC 9457 answer as the server sends it."""
    return httpx.Response(
        status,
        json={
            "type": f"/problems/{kind}",
            "title": kind.replace("-", " ").capitalize(),
            "status": status,
            "detail": f"{kind} (test)",
            "request_id": request_id,
        },
        headers={"Content-Type": "application/problem+json", "X-Request-Id": request_id},
    )


def make_client(**settings: Any) -> DatlakeClient:
    """A client of the mock Datlake: three attempts, no backoff, unless told otherwise."""
    settings.setdefault("retry", "max=3,base_ms=0")
    return DatlakeClient(BASE_URL, API_KEY, **settings)


def json_body(request: httpx.Request) -> Any:
    return json.loads(request.content)
