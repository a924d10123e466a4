"""`Probe`: plain httpx calls to a Datlake server, with the few helpers scenarios share.

It deliberately avoids the SDK, so an SDK bug cannot hide (or fake) a server bug. Names get
a random suffix so several runs can share one server.

Checking a server leaves no run `running` in it: the probe notes every run a request started
and every completion, and `finish_open_runs` (after each check) completes those still open as
failed, with the reason in `extra`: a check that failed midway leaves nothing behind either.

>>> probe = Probe("http://127.0.0.1:8765", api_key="k", suffix="abc123")
>>> probe.name("conf-job")
'conf-job-abc123'
"""

from __future__ import annotations

import contextlib
import re
import secrets
import uuid
from typing import Any
from urllib.parse import quote

import httpx

API = "/api/v1"
STARTED = re.compile(r"/jobs/([^/?]+)/runs")
COMPLETED = re.compile(r"/jobs/([^/?]+)/runs/([^/?]+)/complete")
OPEN_STATUSES = ("running", "lost")
CLEANUP_EXTRA = {"conformance": "left open by a check; completed as failed by its cleanup"}


class CheckFailed(Exception):
    """The server broke the contract; the message says how."""


class CheckSkipped(Exception):
    """The scenario does not apply to this server; the message says why."""


class Probe:
    """An httpx client for one conformance run: base URL, API key, unique names."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        suffix: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.api_key = api_key
        self.suffix = suffix or secrets.token_hex(4)
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"), transport=transport, timeout=timeout
        )
        # (job, run_id) of the runs started and not completed yet, in start order
        self.open_runs: dict[tuple[str, str], None] = {}

    def close(self) -> None:
        self.http.close()

    def name(self, stem: str) -> str:
        """A job, table or object name unique to this run."""
        return f"{stem}-{self.suffix}"

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def send(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One request to `/api/v1{path}` with the API key (unless `headers` overrides it)."""
        response = self.http.request(
            method, API + path, headers={**self.auth(), **(headers or {})}, **kwargs
        )
        self._note_runs(method, path, response)
        return response

    def _note_runs(self, method: str, path: str, response: httpx.Response) -> None:
        """Note a run a start created (or answered open), forget one a completion finished."""
        started, completed = STARTED.fullmatch(path), COMPLETED.fullmatch(path)
        if method == "POST" and started and response.status_code == 201:
            try:
                run = response.json()
            except ValueError:
                return
            if not isinstance(run, dict) or not isinstance(run.get("run_id"), str):
                return
            if run.get("status", "running") in OPEN_STATUSES:
                self.open_runs[(started.group(1), run["run_id"])] = None
        elif method == "PUT" and completed and response.status_code == 200:
            self.open_runs.pop((completed.group(1), completed.group(2)), None)

    def finish_open_runs(self) -> None:
        """Complete as failed every run started and not completed: best effort (a server that
        refuses, or cannot be reached, keeps them open; no check fails for it)."""
        for job, run_id in list(self.open_runs):
            with contextlib.suppress(httpx.HTTPError):
                self.send(
                    "PUT",
                    f"/jobs/{job}/runs/{run_id}/complete",
                    json={"success": False, "extra": CLEANUP_EXTRA},
                )
            self.open_runs.pop((job, run_id), None)

    # the scenarios' building blocks: each fails the check on an unexpected status

    def start_run(
        self, job: str, body: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else {}
        response = self.send("POST", f"/jobs/{job}/runs", json=body or {}, headers=headers)
        return expect_json(response, 201, "start_run")

    def register_snapshot(
        self,
        job: str,
        run_id: str,
        table: str,
        *,
        uri: str | None = None,
        key: str | None = None,
        snapshot_id: str | None = None,
    ) -> httpx.Response:
        body = {
            "job_name": job,
            "run_id": run_id,
            "table_name": table,
            "uri": uri or f"file:///conformance/{table}/{uuid.uuid4().hex}.csv",
            "format": "csv",
        }
        if snapshot_id is not None:
            body["snapshot_id"] = snapshot_id
        headers = {"Idempotency-Key": key} if key else {}
        return self.send("POST", "/jobs/register-snapshot", json=body, headers=headers)

    def complete_run(self, job: str, run_id: str, success: bool) -> httpx.Response:
        return self.send("PUT", f"/jobs/{job}/runs/{run_id}/complete", json={"success": success})

    def finish(self, job: str, *run_ids: str) -> None:
        """Complete the runs as succeeded, failing the check unless each answers 200."""
        for run_id in run_ids:
            expect_status(self.complete_run(job, run_id, True), 200, "complete_run")

    def get_run(self, job: str, run_id: str) -> dict[str, Any]:
        return expect_json(self.send("GET", f"/jobs/{job}/runs/{run_id}"), 200, "get_run")

    def fetch_latest(
        self, table: str, run_id: str, *, snapshot_id: str | None = None
    ) -> dict[str, Any]:
        response = self.read_snapshot(table, run_id, snapshot_id=snapshot_id)
        return expect_json(response, 200, "fetch_latest_uri")

    def read_snapshot(
        self, table: str, run_id: str, *, snapshot_id: str | None = None
    ) -> httpx.Response:
        """fetch_latest_uri for `run_id`; with `snapshot_id`, of that very snapshot."""
        params = {"run_id": run_id}
        if snapshot_id is not None:
            params["snapshot_id"] = snapshot_id
        return self.send("GET", f"/tables/{table}/snapshots/latest", params=params)

    def object_path(self, bucket: str, name: str) -> str:
        """The object's path, its `/` sent as `%2F` inside one segment."""
        return f"/datasets/{bucket}/{quote(name, safe='')}"


def expect_status(response: httpx.Response, status: int, what: str) -> None:
    """Fail the check unless `response` has `status`, quoting the server's problem detail."""
    if response.status_code != status:
        raise CheckFailed(
            f"{what} answered {response.status_code}, expected {status}{_detail(response)}"
        )


def expect_json(response: httpx.Response, status: int, what: str) -> dict[str, Any]:
    expect_status(response, status, what)
    try:
        body = response.json()
    except ValueError as ex:
        raise CheckFailed(f"{what} answered a body that is not JSON") from ex
    if not isinstance(body, dict):
        raise CheckFailed(f"{what} answered {type(body).__name__}, expected an object")
    return body


def expect_problem(response: httpx.Response, status: int, kind: str, what: str) -> dict[str, Any]:
    """Fail unless `response` is a problem+json of `status` with type `/problems/<kind>`."""
    expect_status(response, status, what)
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media != "application/problem+json":
        raise CheckFailed(f"{what}: content type {media!r}, expected application/problem+json")
    body = expect_json(response, status, what)
    if body.get("type") != f"/problems/{kind}":
        raise CheckFailed(f"{what}: problem type {body.get('type')!r}, expected '/problems/{kind}'")
    if not body.get("request_id"):
        raise CheckFailed(f"{what}: the problem has no request_id")
    return body


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") or body.get("title") if isinstance(body, dict) else None
    return f" ({detail})" if detail else ""
