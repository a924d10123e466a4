"""The app's plumbing: health, request ids, authentication, unknown routes, internal errors."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from importlib import metadata
from pathlib import Path

import httpx
import pytest
from starlette.responses import Response

from datlake_server import create_app, serve_app
from datlake_server.operations import Call, Operations
from datlake_server.serve import is_loopback

from .datlake_e2e import API_KEY, assert_problem, make_client, start, unique

JSON_CONTENT = {"Content-Type": "application/json"}


def test_health_needs_no_key(anonymous: httpx.Client) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": metadata.version("datlake-sdk")}


def test_request_ids_are_echoed_or_made(anonymous: httpx.Client) -> None:
    mine = anonymous.get("/health", headers={"X-Request-Id": "req-6f1c2d3e"})
    assert mine.headers["x-request-id"] == "req-6f1c2d3e"
    made = anonymous.get("/health")
    assert len(made.headers["x-request-id"]) == 32
    for unusable in ("has space", "x" * 129, "caf\u00e9", "tab\there"):
        # outside the spec's pattern: refused, under an id of the server's own
        response = anonymous.get("/health", headers={"X-Request-Id": unusable.encode()})
        problem = assert_problem(response, 400, "invalid-request")
        assert "header parameter X-Request-Id" in problem["detail"]
        assert response.headers["x-request-id"] not in (unusable, "")
        assert problem["request_id"] == response.headers["x-request-id"]
    problem = assert_problem(
        anonymous.get("/jobs/j/runs", headers={"X-Request-Id": "req-42"}), 401, "unauthorized"
    )
    assert problem["request_id"] == "req-42"


def test_the_bearer_scheme_is_case_insensitive_and_the_key_exact(server_url: str) -> None:
    with make_client(server_url, api_key=None) as client:
        path = f"/jobs/{unique('auth')}/runs"
        assert client.get(path, headers={"Authorization": f"bearer {API_KEY}"}).status_code == 200
        for header in (
            API_KEY,
            f"Basic {API_KEY}",
            f"Bearer {API_KEY}x",
            f"Bearer  {API_KEY}",
            "Bearer",
        ):
            assert_problem(client.get(path, headers={"Authorization": header}), 401)


def test_unknown_paths_and_methods(api: httpx.Client) -> None:
    missing = assert_problem(api.get("/nothing/here"), 404)
    assert missing["type"] == "about:blank"
    assert_problem(api.get("/datasets/logs"), 404)
    not_allowed = api.delete(f"/jobs/{unique('j')}/runs")
    assert_problem(not_allowed, 405)
    assert not_allowed.headers["allow"] == "GET, POST"


@pytest.mark.parametrize(
    "value",
    [
        b"NaN",
        b"Infinity",
        b"-Infinity",
        b"1e400",  # beyond a float: Python reads it as inf
        b'"\\ud800"',  # a lone surrogate: not storable as UTF-8
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the parser recurses
    ],
)
def test_a_json_body_python_reads_but_json_forbids_is_a_422(
    api: httpx.Client, value: bytes
) -> None:
    job = unique("strict")
    body = b'{"metadata": {"x": ' + value + b"}}"
    response = api.post(f"/jobs/{job}/runs", content=body, headers=JSON_CONTENT)
    assert_problem(response, 422, "invalid-body")
    assert api.get(f"/jobs/{job}/runs").json()["items"] == []


def test_a_repeated_query_parameter_is_read_as_the_validator_read_it(api: httpx.Client) -> None:
    job = unique("repeat")
    start(api, job)
    start(api, job)
    page = api.get(f"/jobs/{job}/runs?limit=1&limit=abc")
    assert page.status_code == 200, page.text
    assert len(page.json()["items"]) == 1
    assert_problem(api.get(f"/jobs/{job}/runs?limit=abc&limit=1"), 400, "invalid-request")
    missing = assert_problem(api.get(f"/lineage?table={job}&table=a%20b"), 404, "table-not-found")
    assert missing["detail"] == f"table {job} has no snapshot"


def test_a_name_with_a_trailing_newline_is_refused_as_json_schema_reads_the_pattern(
    api: httpx.Client,
) -> None:
    # Python's `$` matches before a final newline; JSON Schema's does not.
    job = unique("newline")
    assert_problem(api.post(f"/jobs/{job}%0A/runs", json={}), 400, "invalid-request")
    assert_problem(api.get(f"/tables/{job}%0A/snapshots"), 400, "invalid-request")
    assert_problem(api.get(f"/lineage?table={job}%0A"), 400, "invalid-request")
    run = start(api, job)
    body = {
        "job_name": job,
        "run_id": run["run_id"],
        "table_name": "t\n",
        "uri": "u",
        "format": "csv",
    }
    problem = assert_problem(api.post("/jobs/register-snapshot", json=body), 422, "invalid-body")
    assert "body.table_name" in problem["detail"]
    assert api.get(f"/jobs/{job}/runs").json()["items"][0]["outputs"] == []


def test_an_open_server_needs_no_key(
    served: Callable[..., AbstractContextManager[str]],
) -> None:
    with served(api_key=None) as url, make_client(url, api_key=None) as client:
        run = start(client, "open_job")
        assert client.get(f"/jobs/open_job/runs/{run['run_id']}").status_code == 200


def test_an_unexpected_failure_is_a_500_problem_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Operations, call: Call) -> Response:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Operations, "list_runs", broken)
    app = create_app(tmp_path, None, validate_responses=True)
    with serve_app(app) as url, make_client(url, api_key=None) as client:
        response = client.get("/jobs/j/runs", headers={"X-Request-Id": "req-boom"})
        problem = assert_problem(response, 500, "internal")
        assert "secret internals" not in response.text
        assert "req-boom" in problem["detail"]
        assert client.get("/health").status_code == 200  # and the server carries on
    assert app.state.response_violations == []


def test_loopback_hosts() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", ""):
        assert not is_loopback(host), host
