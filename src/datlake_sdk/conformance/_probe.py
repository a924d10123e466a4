"""`Probe`: plain httpx calls to a Datlake server, each answer checked against the spec.

It deliberately avoids the SDK, so an SDK bug cannot hide (or fake) a server bug. Every
exchange goes through `Probe.send`, which checks what holds for every answer: the status,
headers and body are the ones the spec documents for the operation (openapi-core, as the
testing kit checks them), the answer echoes the request's `X-Request-Id`, and a problem
carries that id and its own HTTP status. It also notes which documented answers (operation,
status) the checks obtained, so the project can prove that every operation of the spec is
exercised. Names get a random suffix so several runs can share one server.

Checking a server leaves no run `running` in it: the probe notes every run a request started
and every completion, and `finish_open_runs` (after each check) completes those still open as
failed, with the reason in `extra`: a check that failed midway leaves nothing behind either.

>>> probe = Probe("http://127.0.0.1:8765", api_key="k", suffix="abc123")
>>> probe.name("conf-job")
'conf-job-abc123'
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from .._contract import Match, route
from ..testing._validate import response_violations
from ._spec_requests import breaks_request_id_rule

API = "/api/v1"
CLEANUP_EXTRA = {"conformance": "left open by a check; completed as failed by its cleanup"}
PROBLEM_JSON = "application/problem+json"
# the operations that answer a run, as it is after them
RUN_ANSWERS = frozenset({"start_run", "complete_run", "ingest_openlineage"})
# a list longer than this many pages is taken to loop (a cursor that never ends)
MAX_PAGES = 50


class CheckFailed(Exception):
    """The server broke the contract; the message says how."""


class CheckSkipped(Exception):
    """The scenario does not apply to this server; the message says why."""


class Unreachable(Exception):
    """The server cannot be checked at all (no connection, the API key refused); one line."""


def new_request_id() -> str:
    return f"conf-{uuid.uuid4().hex}"


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
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.suffix = suffix or uuid.uuid4().hex[:8]
        self.http = httpx.Client(base_url=self.base_url, transport=transport, timeout=timeout)
        # (job, run_id) of the runs started and not completed yet, in start order
        self.open_runs: dict[tuple[str, str], None] = {}
        # (operation id, status) of every answer obtained
        self.exercised: set[tuple[str, int]] = set()

    def close(self) -> None:
        self.http.close()

    def name(self, stem: str) -> str:
        """A job, table or object name unique to this run."""
        return f"{stem}-{self.suffix}"

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        authenticated: bool = True,
        request_id: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request to `/api/v1{path}` (`path` percent-encoded), with the API key unless
        `authenticated` is false or `headers` has its own `Authorization`, and a fresh
        `X-Request-Id` unless `request_id` is false or `headers` has one; fails the check when
        the answer breaks the spec or does not echo the request id (or has none)."""
        sent = {**(self.auth() if authenticated else {}), **(headers or {})}
        if request_id:
            sent.setdefault("X-Request-Id", new_request_id())
        response = self.http.request(method, API + path, headers=sent, **kwargs)
        found = route(method, response.request.url.raw_path.split(b"?", 1)[0])
        if not isinstance(found, Match):
            raise CheckFailed(f"{method} {API}{path} is no operation of the spec")
        self._note_runs(found, response)
        self.exercised.add((found.operation.id, response.status_code))
        sent_id = sent.get("X-Request-Id")
        if sent_id is not None and breaks_request_id_rule(sent_id):
            # refused, under an id of the server's own: never the one that broke the rule
            expect_problem(
                response, 400, "invalid-request", f"{found.operation.id} with a bad X-Request-Id"
            )
            if response.headers.get("x-request-id") == sent_id:
                raise CheckFailed(
                    f"{found.operation.id} echoed the X-Request-Id {sent_id!r} the spec refuses"
                )
            sent_id = None
        check_answer(found.operation.id, response, sent_id)
        return response

    def _note_runs(self, found: Match, response: httpx.Response) -> None:
        """Note a run an answer shows open (a start, an OpenLineage event), forget one it
        shows finished (a completion)."""
        if found.operation.id not in RUN_ANSWERS or response.status_code >= 300:
            return
        with contextlib.suppress(ValueError, KeyError, TypeError):
            run = response.json()
            key = (run["job_name"], run["run_id"])
            if run["status"] in ("running", "lost"):
                self.open_runs[key] = None
            else:
                self.open_runs.pop(key, None)

    def finish_open_runs(self) -> None:
        """Complete as failed every run started and not completed: best effort (a server that
        refuses, or cannot be reached, keeps them open; no check fails for it)."""
        for job, run_id in list(self.open_runs):
            with contextlib.suppress(httpx.HTTPError, CheckFailed, TypeError, KeyError):
                self.send(
                    "PUT",
                    f"/jobs/{job}/runs/{run_id}/complete",
                    json={"success": False, "extra": CLEANUP_EXTRA},
                )
            self.open_runs.pop((job, run_id), None)

    def preflight(self) -> None:
        """Raise `Unreachable` when the server cannot be reached, is not a Datlake, or
        refuses the API key: the checks would all fail for one reason."""
        try:
            health = self.http.get(f"{API}/health")
            if health.status_code == 404:
                raise Unreachable(
                    f"GET {self.base_url}{API}/health answered 404: is the URL a Datlake"
                    " server's root (without /api/v1)?"
                )
            listed = self.http.get(
                f"{API}/jobs/{self.name('conf-preflight')}/runs", headers=self.auth()
            )
        except httpx.HTTPError as error:
            raise Unreachable(f"cannot connect to {self.base_url}: {error}") from None
        if listed.status_code == 401:
            raise Unreachable(
                f"{self.base_url} refused the API key (401 on list_runs): pass --api-key,"
                " or set DATLAKE_API_KEY"
                if self.api_key
                else f"{self.base_url} requires an API key (401 on list_runs): pass"
                " --api-key, or set DATLAKE_API_KEY"
            )

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
        **fields: Any,
    ) -> httpx.Response:
        body = {
            "job_name": job,
            "run_id": run_id,
            "table_name": table,
            "uri": uri or f"file:///conformance/{table}/{uuid.uuid4().hex}.csv",
            "format": "csv",
            **fields,
        }
        if snapshot_id is not None:
            body["snapshot_id"] = snapshot_id
        headers = {"Idempotency-Key": key} if key else {}
        return self.send("POST", "/jobs/register-snapshot", json=body, headers=headers)

    def write(self, job: str, run_id: str, table: str, **fields: Any) -> dict[str, Any]:
        """register_snapshot, failing the check unless it answers 201; the snapshot."""
        return expect_json(
            self.register_snapshot(job, run_id, table, **fields), 201, "register_snapshot"
        )

    def complete_run(self, job: str, run_id: str, success: bool, **fields: Any) -> httpx.Response:
        body = {"success": success, **fields}
        return self.send("PUT", f"/jobs/{job}/runs/{run_id}/complete", json=body)

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
        self, table: str, run_id: str | None, *, snapshot_id: str | None = None
    ) -> httpx.Response:
        """fetch_latest_uri for `run_id`; with `snapshot_id`, of that very snapshot."""
        params = {"run_id": run_id, "snapshot_id": snapshot_id}
        present = {k: v for k, v in params.items() if v is not None}
        return self.send("GET", f"/tables/{table}/snapshots/latest", params=present)

    def heartbeat(self, job: str, run_id: str, lease_seconds: int) -> httpx.Response:
        path = f"/jobs/{job}/runs/{run_id}/heartbeat"
        return self.send("POST", path, json={"lease_seconds": lease_seconds})

    def object_path(self, bucket: str, name: str) -> str:
        """The object's path, its `/` sent as `%2F` inside one segment."""
        return f"/datasets/{bucket}/{quote(name, safe='')}"

    def pages(self, path: str, what: str, **params: str | int) -> Iterator[list[Any]]:
        """The pages of a list, following `next_cursor` until it is null."""
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            query = {**params, **({"cursor": cursor} if cursor else {})}
            page = expect_json(self.send("GET", path, params=query), 200, what)
            items = page["items"]
            limit = params.get("limit")
            if isinstance(limit, int) and len(items) > limit:
                raise CheckFailed(f"{what} with limit={limit} answered {len(items)} items")
            yield items
            cursor = page["next_cursor"]
            if cursor is None:
                return
        raise CheckFailed(f"{what} still had a next_cursor after {MAX_PAGES} pages")

    def all_items(self, path: str, what: str, **params: str | int) -> list[Any]:
        return [item for page in self.pages(path, what, **params) for item in page]


def check_answer(operation_id: str, response: httpx.Response, sent_id: str | None) -> None:
    """What every answer owes: the spec's status, headers and body, the request id echoed
    (in the header, and in a problem's `request_id`), a problem's `status` its own."""
    violations = response_violations(operation_id, response.request, response)
    if violations:
        raise CheckFailed("; ".join(violations))
    what = f"{operation_id} {response.status_code}"
    echoed = response.headers.get("x-request-id")
    if sent_id is not None and echoed != sent_id:
        raise CheckFailed(f"{what} echoed X-Request-Id {echoed!r}, expected {sent_id!r}")
    if not echoed:
        raise CheckFailed(f"{what} has no X-Request-Id")
    if _media_type(response) == PROBLEM_JSON:
        body = response.json()
        if body.get("request_id") != echoed:
            raise CheckFailed(
                f"{what}: the problem's request_id is {body.get('request_id')!r},"
                f" expected {echoed!r} (the X-Request-Id)"
            )
        if body.get("status") != response.status_code:
            raise CheckFailed(f"{what}: the problem's status is {body.get('status')!r}")


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
    media = _media_type(response)
    if media != PROBLEM_JSON:
        raise CheckFailed(f"{what}: content type {media!r}, expected {PROBLEM_JSON}")
    body = expect_json(response, status, what)
    if body.get("type") != f"/problems/{kind}":
        raise CheckFailed(f"{what}: problem type {body.get('type')!r}, expected '/problems/{kind}'")
    return body


def expect_equal(actual: object, expected: object, what: str) -> None:
    if actual != expected:
        raise CheckFailed(f"{what} is {actual!r}, expected {expected!r}")


def moment(text: str) -> datetime:
    """A `date-time` of the spec (RFC 3339), to compare times however a server writes them."""
    return datetime.fromisoformat(text)


def _media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") or body.get("title") if isinstance(body, dict) else None
    return f" ({detail})" if detail else ""
