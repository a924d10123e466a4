"""Fuzzing the local Datlake with schemathesis: every operation of the spec, over real HTTP.

Each operation gets positive and negative cases (schemathesis' examples, coverage and
fuzzing phases, then its stateful phase along the spec's links), sent to a real server on a
loopback socket, and every answer is held to every check schemathesis has: a documented
status, content type, headers and body, never a 5xx, every request the spec allows accepted
and every one it forbids refused, auth not ignored, methods outside the spec refused with a
true `Allow`, and so on. The server must be exactly as strict as the spec.

One rule the schema cannot state is fixed up in generated cases: an upload's
`X-Checksum-Sha256` becomes the digest of the body it travels with (a random digest is a
documented 422 `checksum-mismatch`, tested in tests/server/test_server_objects.py).

Random names would only ever meet 404s, so the server is seeded with a small world (runs, a
two-table lineage, an object, cursors of real pages), and hooks swap some generated names,
run ids and cursors for the world's: the same cases then reach the code behind the 404s.

By default a few examples per operation run, derandomized so CI never flakes;
`DATLAKE_FUZZ_EXAMPLES=<n>` (`make fuzz`) runs `n` random ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.core import NOT_SET
from schemathesis.transport.serialization import serialize_binary

from datlake_sdk._contract_check import ecma_regex
from datlake_server import serve_in_thread

SPEC = Path(__file__).resolve().parents[1] / "openapi" / "datlake.yaml"
API_KEY = "fuzz-key-5c1e"
RANDOM_EXAMPLES = os.environ.get("DATLAKE_FUZZ_EXAMPLES")
EXAMPLES = int(RANDOM_EXAMPLES) if RANDOM_EXAMPLES else 20  # per operation
load_all_checks()
CHECKS = REGISTRY.get_all()  # every check, negative and positive data included

AUTH = {"Authorization": f"Bearer {API_KEY}"}

schema = schemathesis.openapi.from_path(SPEC)
schema.config.update(headers=AUTH)
schema.config.generation.update(
    max_examples=EXAMPLES,
    deterministic=not RANDOM_EXAMPLES,
    database="none",
)


def test_every_phase_runs() -> None:
    phases = schema.config.phases
    assert all(phase.enabled for phase in (phases.examples, phases.coverage, phases.fuzzing))
    assert phases.stateful.enabled  # test_stateful_sequences


# The world's names are fixed (each module run has its own server); its run ids and cursors
# are the server's, so generated cases carry placeholders the test swaps for them.
JOB = "fuzz_job"
TABLES = ("fuzz.raw", "fuzz.curated")  # curated is made from raw
BUCKET, OBJECT = "fuzz-objects", "fuzz/part-0.csv"
RUNNING, FINISHED, CURSOR = "running-run", "finished-run", "next-cursor"


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def _start(api: httpx.Client) -> str:
    return str(_created(api.post(f"/jobs/{JOB}/runs", json={}))["run_id"])


def _register(api: httpx.Client, run_id: str, table: str) -> None:
    body = {"job_name": JOB, "run_id": run_id, "table_name": table, "uri": "file:///x"}
    _created(api.post("/jobs/register-snapshot", json={**body, "format": "csv"}))


def _cursor(api: httpx.Client, path: str) -> str:
    cursor = api.get(path, params={"limit": 1}).json()["next_cursor"]
    assert cursor, path
    return str(cursor)


def _seed(api: httpx.Client) -> dict[str, Any]:
    """Two runs, raw -> curated with two snapshots each, two events and an object; the
    placeholders' values (but for the running run, made per operation)."""
    raw, curated = TABLES
    ingest, transform = _start(api), _start(api)
    for _ in range(2):
        _register(api, ingest, raw)
    response = api.get(f"/tables/{raw}/snapshots/latest", params={"run_id": transform})
    assert response.status_code == 200, response.text
    for _ in range(2):
        _register(api, transform, curated)
    for kind in ("progress", "metric"):
        _created(api.post(f"/jobs/{JOB}/runs/{transform}/events", json={"kind": kind}))
    for run_id in (ingest, transform):
        response = api.put(f"/jobs/{JOB}/runs/{run_id}/complete", json={"success": True})
        assert response.status_code == 200, response.text
    _created(api.put(f"/datasets/{BUCKET}/{quote(OBJECT, safe='')}", content=b"id\n1\n"))
    cursors = {
        "list_runs": _cursor(api, f"/jobs/{JOB}/runs"),
        "list_snapshots": _cursor(api, f"/tables/{raw}/snapshots"),
        "list_events": _cursor(api, f"/jobs/{JOB}/runs/{transform}/events"),
    }
    return {FINISHED: transform, CURSOR: cursors}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """A fresh server with an API key, seeded: its base URL and the placeholders' values."""
    with (
        serve_in_thread(tmp_path_factory.mktemp("fuzz"), api_key=API_KEY) as url,
        httpx.Client(base_url=f"{url}/api/v1", headers=AUTH) as api,
    ):
        yield url, _seed(api)


@pytest.fixture
def world(server: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The server, with a running run made afresh for this operation (fuzzing may end it)."""
    url, values = server
    with httpx.Client(base_url=f"{url}/api/v1", headers=AUTH) as api:
        return url, {**values, RUNNING: _start(api)}


def _resolve(case: schemathesis.Case, values: dict[str, Any]) -> None:
    """Swap the placeholders the hooks put into `case` for the server's values, and make a
    well-formed checksum the body's own."""
    operation_id = _operation_id(case.operation)
    checksum = (case.headers or {}).get("X-Checksum-Sha256")
    if isinstance(checksum, str) and re.fullmatch("[0-9a-f]{64}", checksum):
        digest = hashlib.sha256(serialize_binary(case.body) if case.body is not NOT_SET else b"")
        case.headers["X-Checksum-Sha256"] = digest.hexdigest()
    for container in (case.path_parameters, case.query, case.body):
        if not isinstance(container, dict):
            continue
        for name, value in container.items():
            if value in (RUNNING, FINISHED):
                container[name] = values[value]
            elif value == CURSOR and operation_id in values[CURSOR]:
                container[name] = values[CURSOR][operation_id]


# Hooks: each generated value is kept, or swapped for one of the world's.


def _operation_id(operation: schemathesis.APIOperation | None) -> str | None:
    return operation.definition.raw.get("operationId") if operation is not None else None


def _or(value: dict[str, Any], *alternatives: dict[str, Any]) -> st.SearchStrategy[Any]:
    """`value`, or one of the alternatives that only swap what was valid in it: a negative
    case keeps the invalid part that makes it negative (a value it lacks counts as invalid:
    it may be a required one left out on purpose)."""
    kept = [
        alternative
        for alternative in alternatives
        if all(
            _valid(key, value.get(key)) for key in alternative if alternative[key] != value.get(key)
        )
    ]
    # the world's values first: Hypothesis leans towards the first choice
    return st.sampled_from([*kept, value])


COMPONENTS = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["components"]
FIELD_SCHEMAS = {
    **dict.fromkeys(("job_name", "table", "table_name"), COMPONENTS["schemas"]["Name"]),
    **dict.fromkeys(("run_id", "parent_run_id"), COMPONENTS["schemas"]["Id"]),
    "bucket": COMPONENTS["schemas"]["BucketName"],
    "object": COMPONENTS["schemas"]["ObjectName"],
    "cursor": COMPONENTS["parameters"]["Cursor"]["schema"],
}


def _valid(key: str, value: Any) -> bool:
    """Whether `value` is a valid `key` by the spec's schema (length and pattern)."""
    schema = FIELD_SCHEMAS[key]
    return (
        isinstance(value, str)
        and schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
        and ecma_regex(schema.get("pattern", "")).search(value) is not None
    )


@schema.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    if not parameters:
        return st.just(parameters)
    if "run_id" in parameters:
        runs = ({"job_name": JOB, "run_id": run_id} for run_id in (RUNNING, FINISHED))
        return _or(parameters, *({**parameters, **run} for run in runs))
    if "job_name" in parameters:
        return _or(parameters, {**parameters, "job_name": JOB})
    if "table" in parameters:
        return _or(parameters, *({**parameters, "table": table} for table in TABLES))
    if "object" in parameters:
        known = {"bucket": BUCKET, "object": OBJECT}
        return _or(parameters, {**parameters, **known}, {**parameters, "bucket": BUCKET})
    return st.just(parameters)


@schema.hook
def flatmap_query(
    context: schemathesis.HookContext, query: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    operation_id = _operation_id(context.operation)
    if not query:
        return st.just(query)
    if "cursor" in query:
        return _or(query, {**query, "cursor": CURSOR})
    if operation_id == "fetch_latest_uri" and "run_id" in query:
        run = {"job_name": JOB, "run_id": RUNNING}
        return _or(query, {**query, "run_id": RUNNING}, {**query, **run})
    if operation_id == "get_lineage" and "table" in query:
        return _or(query, *({**query, "table": table} for table in TABLES))
    return st.just(query)


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    operation_id = _operation_id(context.operation)
    if not isinstance(body, dict):
        return st.just(body)
    if operation_id == "register_snapshot":
        run = {"job_name": JOB, "run_id": RUNNING}
        return _or(body, {**body, **run}, {**body, **run, "table_name": TABLES[0]})
    if operation_id == "start_run" and "parent_run_id" in body:
        return _or(body, {**body, "parent_run_id": FINISHED})
    return st.just(body)


@schema.parametrize()
# `world` is meant to be made once per operation, not once per example
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_server_conforms(case: schemathesis.Case, world: tuple[str, dict[str, Any]]) -> None:
    base_url, values = world
    _resolve(case, values)
    # the key passed as headers: ignored_auth then knows it for valid and probes without it
    case.call_and_validate(base_url=base_url, headers=AUTH, checks=CHECKS)


def test_stateful_sequences(tmp_path: Path) -> None:
    """Chains of calls along the links schemathesis infers from the spec (a started run's id
    flows into get_run, heartbeat, events, register_snapshot and complete_run), each answer
    held to the same checks.

    Each sequence gets a fresh server: which calls a sequence can make next depends on what
    the server answered, and Hypothesis replays a sequence expecting the same answers, which
    a server that remembers earlier sequences (a run id of the spec's examples started
    already) would not give."""
    sequences = iter(range(1_000_000))

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.stack = contextlib.ExitStack()
            data = tmp_path / str(next(sequences))
            self.base_url = self.stack.enter_context(serve_in_thread(data, api_key=API_KEY))
            with httpx.Client(base_url=f"{self.base_url}/api/v1", headers=AUTH) as api:
                self.values = {**_seed(api), RUNNING: _start(api)}

        def teardown(self) -> None:
            self.stack.close()

        def before_call(self, case: schemathesis.Case) -> None:
            _resolve(case, self.values)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": self.base_url}

        def validate_response(
            self, response: schemathesis.Response, case: schemathesis.Case, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS, headers=AUTH, transport_kwargs=kwargs)

    Workflow.run(
        settings=settings(
            max_examples=max(EXAMPLES // 2, 1),
            stateful_step_count=6,
            derandomize=not RANDOM_EXAMPLES,
            database=None,
            deadline=None,
        )
    )
