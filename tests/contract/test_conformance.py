"""The conformance suite passes against the local Datlake and catches broken servers.

Broken servers are the real one behind a proxying transport that breaks one promise.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from datlake_sdk import cli
from datlake_sdk.conformance import CHECKS, CheckResult, main, run_conformance

datlake_server = pytest.importorskip("datlake_server", reason="the local Datlake is not installed")

API_KEY = "k"
RUN_PATH = re.compile(r"^/api/v1/jobs/[^/]+/runs/[^/]+$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # one server for the module: every conformance run uses names of its own
    data_dir: Path = tmp_path_factory.mktemp("datlake")
    with datlake_server.serve_in_thread(data_dir, api_key=API_KEY) as url:
        yield url


class FaultyProxy(httpx.HTTPTransport):
    """Forwards to the real server, changing requests and responses on the way."""

    def __init__(
        self,
        on_request: Callable[[httpx.Request], None] = lambda request: None,
        on_response: Callable[[httpx.Request, httpx.Response], httpx.Response] = (
            lambda request, response: response
        ),
    ) -> None:
        super().__init__()
        self.on_request = on_request
        self.on_response = on_response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.on_request(request)
        response = super().handle_request(request)
        response.read()
        return self.on_response(request, response)


def rewritten(response: httpx.Response, body: object) -> httpx.Response:
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-length", "content-encoding")
    ]
    return httpx.Response(response.status_code, headers=headers, content=json.dumps(body).encode())


def outcomes(results: list[CheckResult]) -> dict[str, str]:
    return {r.name: r.outcome for r in results}


def failing(results: list[CheckResult]) -> dict[str, str]:
    return {r.name: r.reason for r in results if r.outcome == "FAIL"}


def test_the_local_datlake_passes_every_check(server: str) -> None:
    results = run_conformance(server, api_key=API_KEY)
    assert outcomes(results) == {name: "PASS" for name, _ in CHECKS}


def _runs_by_status(data_dir: Path) -> dict[str, int]:
    """The stored status of every run in the server's SQLite (`lost` is computed on read,
    so a run `running` here is running or lost to a reader)."""
    with sqlite3.connect(data_dir / "datlake.db") as conn:
        rows = conn.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall()
    conn.close()
    return dict(rows)


def _cleaned_up(data_dir: Path) -> int:
    """How many runs the conformance cleanup completed (rather than their check)."""
    with sqlite3.connect(data_dir / "datlake.db") as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM runs WHERE json_extract(extra, '$.conformance') IS NOT NULL"
        ).fetchone()
    conn.close()
    return int(count)


def test_checking_a_server_leaves_no_running_run(tmp_path: Path) -> None:
    with datlake_server.serve_in_thread(tmp_path, api_key=API_KEY) as url:
        results = run_conformance(url, api_key=API_KEY)
        with httpx.Client(
            base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {API_KEY}"}
        ) as api:
            jobs = [row[0] for row in _jobs(tmp_path)]
            statuses = {
                run["status"]
                for job in jobs
                for run in api.get(f"/jobs/{job}/runs", params={"limit": 200}).json()["items"]
            }
    assert failing(results) == {}
    counts = _runs_by_status(tmp_path)
    assert "running" not in counts, counts
    assert sum(counts.values()) >= 12
    assert statuses <= {"succeeded", "failed"}
    # the checks complete their own runs: the cleanup step had nothing left to do
    assert _cleaned_up(tmp_path) == 0


def _jobs(data_dir: Path) -> list[tuple[str]]:
    with sqlite3.connect(data_dir / "datlake.db") as conn:
        jobs: list[tuple[str]] = conn.execute("SELECT DISTINCT job_name FROM runs").fetchall()
    conn.close()
    return jobs


def test_checks_failing_midway_leave_no_running_run_either(tmp_path: Path) -> None:
    # without its Idempotency-Key a replay starts a second run, and the check stops there
    def drop_key(request: httpx.Request) -> None:
        request.headers.pop("Idempotency-Key", None)

    with datlake_server.serve_in_thread(tmp_path, api_key=API_KEY) as url:
        failed = failing(run_conformance(url, API_KEY, transport=FaultyProxy(on_request=drop_key)))
    assert "start_run_idempotent_replay" in failed
    counts = _runs_by_status(tmp_path)
    assert "running" not in counts, counts
    assert _cleaned_up(tmp_path) >= 2  # the first start and the replay that made another run


def test_without_a_key_the_auth_checks_are_skipped_with_a_reason(
    tmp_path: Path,
) -> None:
    with datlake_server.serve_in_thread(tmp_path) as url:
        results = run_conformance(url)
    skipped = {r.name: r.reason for r in results if r.outcome == "SKIP"}
    assert skipped == {
        "missing_key_rejected": "skipped: server runs without auth (no --api-key given)",
        "wrong_key_rejected": "skipped: server runs without auth (no --api-key given)",
    }
    assert failing(results) == {}


def test_a_server_ignoring_idempotency_keys_fails_the_replay_checks(server: str) -> None:
    def drop_key(request: httpx.Request) -> None:
        request.headers.pop("Idempotency-Key", None)

    failed = failing(run_conformance(server, API_KEY, transport=FaultyProxy(on_request=drop_key)))
    assert set(failed) == {
        "start_run_idempotent_replay",
        "register_snapshot_idempotent_replay",
        "post_event_idempotent_replay",
    }
    assert "same Idempotency-Key created run" in failed["start_run_idempotent_replay"]
    assert "created snapshot" in failed["register_snapshot_idempotent_replay"]
    assert "recorded event" in failed["post_event_idempotent_replay"]


def test_a_server_dropping_input_edges_fails_the_lineage_checks(server: str) -> None:
    def drop_inputs(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and RUN_PATH.match(path) and response.status_code == 200:
            return rewritten(response, {**response.json(), "inputs": []})
        if path == "/api/v1/lineage" and response.status_code == 200:
            graph = response.json()
            edges = [e for e in graph["edges"] if e["kind"] != "read"]
            return rewritten(response, {**graph, "edges": edges})
        return response

    proxy = FaultyProxy(on_response=drop_inputs)
    failed = failing(run_conformance(server, API_KEY, transport=proxy))
    assert set(failed) == {
        "run_edges_in_get_run",
        "lineage_edges",
        "input_edge_set_semantics",
        "fetch_named_snapshot_records_its_edge",
    }
    assert failed["run_edges_in_get_run"].startswith("get_run inputs are [], expected [")
    assert "lacks edges: read table:conf-lin-a-" in failed["lineage_edges"]
    assert failed["input_edge_set_semantics"] == (
        "reading one snapshot twice left 0 inputs, expected 1"
    )


def _without_ids(request: httpx.Request) -> None:
    """What a server ignoring client-chosen ids sees: no run_id or snapshot_id of the
    client's in start_run and register_snapshot bodies, no snapshot_id in the query."""
    if "snapshot_id" in request.url.params:
        request.url = request.url.copy_remove_param("snapshot_id")
    if request.method != "POST" or not request.url.path.startswith("/api/v1/jobs/"):
        return
    body = json.loads(request.read() or b"{}")
    if request.url.path.endswith("/runs"):
        body.pop("run_id", None)
    elif request.url.path.endswith("/register-snapshot"):
        body.pop("snapshot_id", None)
    else:
        return
    content = json.dumps(body).encode()
    request.stream = httpx.ByteStream(content)
    request._content = content
    request.headers["Content-Length"] = str(len(content))


def test_a_server_ignoring_client_ids_fails_the_id_checks(server: str) -> None:
    failed = failing(run_conformance(server, API_KEY, transport=FaultyProxy(_without_ids)))
    assert set(failed) == {
        "start_run_client_id_replay",
        "register_snapshot_client_id_replay",
        "fetch_named_snapshot_records_its_edge",
    }
    assert "start_run with run_id" in failed["start_run_client_id_replay"]
    assert "register_snapshot with snapshot_id" in failed["register_snapshot_client_id_replay"]
    assert "fetch_latest_uri with snapshot_id" in failed["fetch_named_snapshot_records_its_edge"]


def test_a_server_not_echoing_request_ids_fails_that_check(server: str) -> None:
    def own_request_id(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        response.headers["X-Request-Id"] = "server-made"
        return response

    proxy = FaultyProxy(on_response=own_request_id)
    failed = failing(run_conformance(server, API_KEY, transport=proxy))
    assert set(failed) == {"request_id_echoed"}
    assert "echoed X-Request-Id 'server-made'" in failed["request_id_echoed"]


def test_a_server_accepting_any_key_fails_the_auth_checks(server: str) -> None:
    def authorize_everything(request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {API_KEY}"

    proxy = FaultyProxy(on_request=authorize_everything)
    failed = failing(run_conformance(server, API_KEY, transport=proxy))
    assert set(failed) == {"missing_key_rejected", "wrong_key_rejected"}
    assert failed["wrong_key_rejected"].startswith("list_runs with a wrong API key answered 200")


def test_a_server_ignoring_checksums_fails_that_check(server: str) -> None:
    def drop_checksum(request: httpx.Request) -> None:
        request.headers.pop("X-Checksum-Sha256", None)

    failed = failing(run_conformance(server, API_KEY, transport=FaultyProxy(drop_checksum)))
    assert set(failed) == {"checksum_mismatch_rejected"}
    assert "wrong checksum answered 201, expected 422" in failed["checksum_mismatch_rejected"]


def test_the_command_prints_a_table_and_exits_by_outcome(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", server, "--api-key", API_KEY]) == 0
    assert f"{len(CHECKS)} passed, 0 failed, 0 skipped" in capsys.readouterr().out
    assert main(["--base-url", server, "--api-key", "wrong"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"start_run_idempotent_replay +FAIL +start_run answered 401", out)


def test_the_datlake_command_runs_conformance(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["conformance", "--base-url", server, "--api-key", API_KEY]) == 0
    assert f"{len(CHECKS)} passed, 0 failed, 0 skipped" in capsys.readouterr().out
    assert cli.main(["conformance", "--help"]) == 0
    assert "--base-url" in capsys.readouterr().out
    assert cli.main(["conformance"]) == 2  # --base-url is required
