"""Helpers of the end-to-end server tests: spec-checked servers, clients, and a few calls."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from datlake_server import create_app, serve_app

API_KEY = "server-test-key-3b9d"


@contextmanager
def checked_server(data_dir: Path, api_key: str | None = API_KEY, **options: Any) -> Iterator[str]:
    """A server over `data_dir` whose responses must all conform to the spec; `options` go
    to `create_app` (`default_lease_seconds=...`)."""
    app = create_app(data_dir, api_key, validate_responses=True, **options)
    with serve_app(app) as url:
        yield url
    violations = app.state.response_violations
    assert not violations, "responses broke the spec:\n" + "\n".join(violations)


def make_client(url: str, api_key: str | None = API_KEY, **options: Any) -> httpx.Client:
    """A client whose base URL ends in `/api/v1`."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(base_url=f"{url}/api/v1", headers=headers, timeout=60, **options)


def unique(prefix: str) -> str:
    """A job or table name no other test uses (the shared server keeps everything)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def start(api: httpx.Client, job: str, **body: Any) -> dict[str, Any]:
    response = api.post(f"/jobs/{job}/runs", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def register(
    api: httpx.Client, run: dict[str, Any], table: str, uri: str = "file:///x", **extra: Any
) -> dict[str, Any]:
    body = {
        "job_name": run["job_name"],
        "run_id": run["run_id"],
        "table_name": table,
        "uri": uri,
        "format": "parquet",
        **extra,
    }
    response = api.post("/jobs/register-snapshot", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def read(api: httpx.Client, run: dict[str, Any], table: str) -> dict[str, Any]:
    """fetch_latest_uri on behalf of `run` (records an input edge)."""
    response = api.get(
        f"/tables/{table}/snapshots/latest",
        params={"run_id": run["run_id"], "job_name": run["job_name"]},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def complete(api: httpx.Client, run: dict[str, Any], success: bool = True) -> dict[str, Any]:
    response = api.put(
        f"/jobs/{run['job_name']}/runs/{run['run_id']}/complete", json={"success": success}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def get_run(api: httpx.Client, run: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"/jobs/{run['job_name']}/runs/{run['run_id']}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def moment(timestamp: str) -> datetime:
    """A `date-time` field of the API as an aware datetime."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def all_pages(api: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list, following `next_cursor`."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def assert_problem(
    response: httpx.Response, status: int, kind: str | None = None
) -> dict[str, Any]:
    """The response is an `application/problem+json` document of `status` (and `kind`)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = dict(response.json())
    assert problem["status"] == status
    assert problem["request_id"] == response.headers["x-request-id"]
    assert problem["title"]
    assert problem["detail"]
    assert "Traceback" not in response.text
    if kind is not None:
        assert problem["type"] == f"/problems/{kind}"
    return problem
