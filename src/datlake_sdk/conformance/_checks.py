"""The conformance scenarios: each a small function that raises `CheckFailed` on a violation.

A check gets a `Probe` and uses names unique to the run. `CHECKS` lists them in report order.
A check completes the runs it starts (a server checked keeps no `running` run); whatever a
check leaves open, failing midway say, the probe completes as failed after it.

>>> [name for name, _ in CHECKS][:2]
['health_without_auth', 'start_run_idempotent_replay']
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from ._probe import CheckFailed, CheckSkipped, Probe, expect_json, expect_problem, expect_status

Check = Callable[[Probe], None]
PAGINATION_RUNS = 5
PAGE_SIZE = 2
BUCKET = "conformance"


def health_without_auth(probe: Probe) -> None:
    """GET /health answers 200 `{"status": "ok", "version": ...}` without an API key."""
    body = expect_json(probe.http.get("/api/v1/health"), 200, "get_health without auth")
    if body.get("status") != "ok" or not isinstance(body.get("version"), str):
        raise CheckFailed(f"get_health answered {body}, expected status 'ok' and a version")


def start_run_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the same run; same key, another body: 409 idempotency-key-reused."""
    job, key = probe.name("conf-idem"), f"conf-{uuid.uuid4()}"
    first = probe.start_run(job, {"metadata": {"n": 1}}, key=key)
    replay = probe.start_run(job, {"metadata": {"n": 1}}, key=key)
    if replay["run_id"] != first["run_id"]:
        raise CheckFailed(
            f"a replay with the same Idempotency-Key created run {replay['run_id']}, "
            f"expected {first['run_id']}"
        )
    other = probe.send(
        "POST", f"/jobs/{job}/runs", json={"metadata": {"n": 2}}, headers={"Idempotency-Key": key}
    )
    expect_problem(
        other, 409, "idempotency-key-reused", "start_run reusing a key with another body"
    )
    probe.finish(job, first["run_id"])


def register_snapshot_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the same snapshot, and the table has one snapshot."""
    job, table, key = (
        probe.name("conf-idem-snap"),
        probe.name("conf-t-idem"),
        f"conf-{uuid.uuid4()}",
    )
    run = probe.start_run(job)
    uri = f"file:///conformance/{table}/part-0.csv"
    responses = [
        probe.register_snapshot(job, run["run_id"], table, uri=uri, key=key) for _ in range(2)
    ]
    first, replay = (expect_json(r, 201, "register_snapshot") for r in responses)
    if replay["snapshot_id"] != first["snapshot_id"]:
        raise CheckFailed(
            f"a replay with the same Idempotency-Key created snapshot {replay['snapshot_id']}, "
            f"expected {first['snapshot_id']}"
        )
    page = expect_json(probe.send("GET", f"/tables/{table}/snapshots"), 200, "list_snapshots")
    if len(page.get("items", [])) != 1:
        raise CheckFailed(
            f"the table has {len(page.get('items', []))} snapshots after a replay, expected 1"
        )
    probe.finish(job, run["run_id"])


def _client_id() -> str:
    """An id as the SDK makes them: 32 lowercase hex digits."""
    return uuid.uuid4().hex


def _expect_replayed(response: httpx.Response, what: str) -> None:
    if response.headers.get("idempotent-replayed") != "true":
        raise CheckFailed(f"{what} did not answer Idempotent-Replayed: true")


def start_run_client_id_replay(probe: Probe) -> None:
    """A start with a chosen run_id creates that run; sent again (even after the run
    completed) it answers the same run; with other content it is 409 id-conflict."""
    job, run_id = probe.name("conf-id-run"), _client_id()
    body = {"run_id": run_id, "metadata": {"n": 1}}
    first = probe.start_run(job, body)
    if first.get("run_id") != run_id:
        raise CheckFailed(f"start_run with run_id {run_id} created run {first.get('run_id')}")
    path = f"/jobs/{job}/runs"
    replay = probe.send("POST", path, json=body)
    replayed = expect_json(replay, 201, "start_run replayed with its run_id")
    if replayed.get("run_id") != run_id:
        raise CheckFailed(f"a replayed start answered run {replayed.get('run_id')}, not {run_id}")
    _expect_replayed(replay, "start_run replayed with its run_id")
    runs = expect_json(probe.send("GET", path), 200, "list_runs").get("items") or []
    if len(runs) != 1:
        raise CheckFailed(f"the job has {len(runs)} runs after a replayed start, expected 1")
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")
    late = expect_json(probe.send("POST", path, json=body), 201, "start_run replayed late")
    if late.get("status") != "succeeded":
        raise CheckFailed(
            f"a start replayed after completion answered status {late.get('status')!r}, "
            "expected the completed run ('succeeded')"
        )
    other = probe.send("POST", path, json={"run_id": run_id, "metadata": {"n": 2}})
    expect_problem(other, 409, "id-conflict", "start_run reusing a run_id with other metadata")


def register_snapshot_client_id_replay(probe: Probe) -> None:
    """A registration with a chosen snapshot_id sent again (even after the run finished)
    answers the same snapshot, once in the table; with other content it is 409 id-conflict."""
    job, table, snapshot_id = probe.name("conf-id-snap"), probe.name("conf-t-id"), _client_id()
    run_id = probe.start_run(job)["run_id"]
    uri = f"file:///conformance/{table}/part-0.csv"

    def send(**changes: str) -> httpx.Response:
        fields = {"uri": uri, "snapshot_id": snapshot_id, **changes}
        return probe.register_snapshot(job, run_id, table, **fields)

    first = expect_json(send(), 201, "register_snapshot with a snapshot_id")
    if first.get("snapshot_id") != snapshot_id:
        raise CheckFailed(
            f"register_snapshot with snapshot_id {snapshot_id} created {first.get('snapshot_id')}"
        )
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")
    replay = send()
    replayed = expect_json(replay, 201, "register_snapshot replayed after the run finished")
    if replayed.get("snapshot_id") != snapshot_id:
        raise CheckFailed(
            f"a replayed registration answered {replayed.get('snapshot_id')}, not {snapshot_id}"
        )
    _expect_replayed(replay, "register_snapshot replayed with its snapshot_id")
    page = expect_json(probe.send("GET", f"/tables/{table}/snapshots"), 200, "list_snapshots")
    if len(page.get("items") or []) != 1:
        raise CheckFailed(
            f"the table has {len(page.get('items') or [])} snapshots after a replay, expected 1"
        )
    expect_problem(
        send(uri=f"{uri}.other"),
        409,
        "id-conflict",
        "register_snapshot reusing a snapshot_id with another uri",
    )


def fetch_named_snapshot_records_its_edge(probe: Probe) -> None:
    """fetch_latest_uri with snapshot_id answers that snapshot (not the newest), records the
    input edge to it, and answers the same read again after the run finished; an unknown
    snapshot_id is 404 snapshot-not-found."""
    job, table = probe.name("conf-id-read"), probe.name("conf-t-read")
    writer = probe.start_run(job)["run_id"]
    older = expect_json(probe.register_snapshot(job, writer, table), 201, "register_snapshot")
    expect_json(probe.register_snapshot(job, writer, table), 201, "register_snapshot")
    expect_status(probe.complete_run(job, writer, True), 200, "complete_run")
    reader = probe.start_run(job)["run_id"]
    wanted = older["snapshot_id"]
    read = probe.fetch_latest(table, reader, snapshot_id=wanted)
    if read.get("snapshot_id") != wanted:
        raise CheckFailed(
            f"fetch_latest_uri with snapshot_id {wanted} answered {read.get('snapshot_id')}"
        )
    inputs = [s.get("snapshot_id") for s in probe.get_run(job, reader).get("inputs") or []]
    if inputs != [wanted]:
        raise CheckFailed(f"the reader's inputs are {inputs}, expected [{wanted!r}]")
    expect_problem(
        probe.read_snapshot(table, reader, snapshot_id=_client_id()),
        404,
        "snapshot-not-found",
        "fetch_latest_uri with an unknown snapshot_id",
    )
    expect_status(probe.complete_run(job, reader, True), 200, "complete_run")
    again = probe.read_snapshot(table, reader, snapshot_id=wanted)
    expect_status(again, 200, "the same read replayed after the run finished")


def post_event_idempotent_replay(probe: Probe) -> None:
    """Same key and body: the same event, recorded once."""
    job, key = probe.name("conf-idem-event"), f"conf-{uuid.uuid4()}"
    run = probe.start_run(job)
    path = f"/jobs/{job}/runs/{run['run_id']}/events"
    body = {"kind": "metric", "data": {"rows": 1}}
    responses = [
        probe.send("POST", path, json=body, headers={"Idempotency-Key": key}) for _ in range(2)
    ]
    first, replay = (expect_json(r, 201, "post_event") for r in responses)
    if replay["event_id"] != first["event_id"]:
        raise CheckFailed(
            f"a replay with the same Idempotency-Key recorded event {replay['event_id']}, "
            f"expected {first['event_id']}"
        )
    page = expect_json(probe.send("GET", path), 200, "list_events")
    if len(page.get("items", [])) != 1:
        raise CheckFailed(f"the run has {len(page.get('items', []))} events after a replay")
    probe.finish(job, run["run_id"])


def complete_run_outcome_conflict(probe: Probe) -> None:
    """Completing twice with the same outcome is fine; another outcome is 409 run-finished."""
    job = probe.name("conf-complete")
    run_id = probe.start_run(job)["run_id"]
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run repeated")
    expect_problem(
        probe.complete_run(job, run_id, False),
        409,
        "run-finished",
        "complete_run with another outcome",
    )
    status = probe.get_run(job, run_id).get("status")
    if status != "succeeded":
        raise CheckFailed(
            f"the run is {status!r} after the rejected completion, expected 'succeeded'"
        )


def register_snapshot_on_finished_run(probe: Probe) -> None:
    """A finished run cannot write: register_snapshot answers 409 run-finished."""
    job, table = probe.name("conf-finished"), probe.name("conf-t-finished")
    run_id = probe.start_run(job)["run_id"]
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")
    response = probe.register_snapshot(job, run_id, table)
    expect_problem(response, 409, "run-finished", "register_snapshot for a finished run")


@dataclass(frozen=True, slots=True)
class _Chain:
    """A writer run wrote `table_a`; a reader run read it and wrote `table_b`."""

    writer_job: str
    writer: str
    reader_job: str
    reader: str
    table_a: str
    table_b: str


def _write_then_read(probe: Probe, stem: str) -> _Chain:
    chain = _Chain(
        writer_job=probe.name(f"{stem}-w"),
        writer="",
        reader_job=probe.name(f"{stem}-r"),
        reader="",
        table_a=probe.name(f"{stem}-a"),
        table_b=probe.name(f"{stem}-b"),
    )
    writer = probe.start_run(chain.writer_job)["run_id"]
    response = probe.register_snapshot(chain.writer_job, writer, chain.table_a)
    written = expect_json(response, 201, "register_snapshot")
    expect_status(probe.complete_run(chain.writer_job, writer, True), 200, "complete_run")
    reader = probe.start_run(chain.reader_job)["run_id"]
    if probe.fetch_latest(chain.table_a, reader).get("snapshot_id") != written["snapshot_id"]:
        raise CheckFailed("fetch_latest_uri did not answer the snapshot just registered")
    response = probe.register_snapshot(chain.reader_job, reader, chain.table_b)
    expect_json(response, 201, "register_snapshot")
    return replace(chain, writer=writer, reader=reader)


def run_edges_in_get_run(probe: Probe) -> None:
    """get_run shows what the run read (`inputs`) and wrote (`outputs`)."""
    chain = _write_then_read(probe, "conf-edges")
    run = probe.get_run(chain.reader_job, chain.reader)
    inputs = [s.get("table_name") for s in run.get("inputs") or []]
    outputs = [s.get("table_name") for s in run.get("outputs") or []]
    if inputs != [chain.table_a]:
        raise CheckFailed(f"get_run inputs are {inputs}, expected [{chain.table_a!r}]")
    if outputs != [chain.table_b]:
        raise CheckFailed(f"get_run outputs are {outputs}, expected [{chain.table_b!r}]")
    probe.finish(chain.reader_job, chain.reader)


def lineage_edges(probe: Probe) -> None:
    """The upstream graph has `read` (table to run) and `wrote` (run to table) edges."""
    chain = _write_then_read(probe, "conf-lin")
    params = {"table": chain.table_b, "direction": "upstream"}
    graph = expect_json(probe.send("GET", "/lineage", params=params), 200, "get_lineage")
    edges = {(e.get("kind"), e.get("source"), e.get("target")) for e in graph.get("edges") or []}
    reader_node = f"run:{chain.reader_job}/{chain.reader}"
    writer_node = f"run:{chain.writer_job}/{chain.writer}"
    wanted = {
        ("wrote", writer_node, f"table:{chain.table_a}"),
        ("read", f"table:{chain.table_a}", reader_node),
        ("wrote", reader_node, f"table:{chain.table_b}"),
    }
    missing = sorted(f"{kind} {source} -> {target}" for kind, source, target in wanted - edges)
    if missing:
        raise CheckFailed(f"the lineage of {chain.table_b} lacks edges: {', '.join(missing)}")
    probe.finish(chain.reader_job, chain.reader)


def input_edge_set_semantics(probe: Probe) -> None:
    """Reading the same snapshot twice records one input edge."""
    job, table = probe.name("conf-set"), probe.name("conf-t-set")
    writer = probe.start_run(job)["run_id"]
    expect_json(probe.register_snapshot(job, writer, table), 201, "register_snapshot")
    expect_status(probe.complete_run(job, writer, True), 200, "complete_run")
    reader = probe.start_run(job)["run_id"]
    probe.fetch_latest(table, reader)
    probe.fetch_latest(table, reader)
    count = len(probe.get_run(job, reader).get("inputs") or [])
    if count != 1:
        raise CheckFailed(f"reading one snapshot twice left {count} inputs, expected 1")
    probe.finish(job, reader)


def pagination_newest_first(probe: Probe) -> None:
    """list_runs pages with `limit`/`next_cursor`: all runs, once each, newest first."""
    job = probe.name("conf-pages")
    created = [probe.start_run(job)["run_id"] for _ in range(PAGINATION_RUNS)]
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(PAGINATION_RUNS + 2):
        params: dict[str, str | int] = {"limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        page = expect_json(probe.send("GET", f"/jobs/{job}/runs", params=params), 200, "list_runs")
        items = page.get("items") or []
        if len(items) > PAGE_SIZE:
            raise CheckFailed(f"a page with limit={PAGE_SIZE} has {len(items)} items")
        seen += [item.get("run_id") for item in items]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    if len(seen) != len(set(seen)):
        raise CheckFailed(f"paging returned duplicates: {seen}")
    if seen != list(reversed(created)):
        raise CheckFailed(
            f"paging returned {seen}, expected newest first {list(reversed(created))}"
        )
    probe.finish(job, *created)


def encoded_slash_objects(probe: Probe) -> None:
    """An object named `a/b/c.txt` travels as `a%2Fb%2Fc.txt` and comes back byte-identical."""
    name = f"{probe.name('conf')}/a/b/c.txt"
    data = b"\x00conformance\n" + uuid.uuid4().bytes
    digest = hashlib.sha256(data).hexdigest()
    path = probe.object_path(BUCKET, name)
    headers = {"Content-Type": "application/octet-stream", "X-Checksum-Sha256": digest}
    receipt = expect_json(
        probe.send("PUT", path, content=data, headers=headers), 201, "upload_object"
    )
    expected = {"uri": f"datlake://{BUCKET}/{name}", "sha256": digest, "size": len(data)}
    wrong = {k: receipt.get(k) for k, v in expected.items() if receipt.get(k) != v}
    if wrong:
        raise CheckFailed(f"the upload receipt has {wrong}, expected {expected}")
    download = probe.send("GET", path)
    expect_status(download, 200, "download_object")
    if download.content != data:
        raise CheckFailed("download_object answered other bytes than were uploaded")


def checksum_mismatch_rejected(probe: Probe) -> None:
    """A wrong X-Checksum-Sha256 is 422 checksum-mismatch and stores nothing."""
    path = probe.object_path(BUCKET, f"{probe.name('conf')}/mismatch.bin")
    headers = {
        "Content-Type": "application/octet-stream",
        "X-Checksum-Sha256": hashlib.sha256(b"other bytes").hexdigest(),
    }
    response = probe.send("PUT", path, content=b"these bytes", headers=headers)
    expect_problem(response, 422, "checksum-mismatch", "upload_object with a wrong checksum")
    expect_problem(
        probe.send("GET", path), 404, "object-not-found", "download after a rejected upload"
    )


def problem_json_errors(probe: Probe) -> None:
    """Errors are problem+json with the documented `type`, `status` and the `request_id`."""
    request_id = f"conf-{uuid.uuid4().hex}"
    response = probe.send(
        "GET",
        f"/jobs/{probe.name('conf-none')}/runs/{uuid.uuid4().hex}",
        headers={"X-Request-Id": request_id},
    )
    body = expect_problem(response, 404, "run-not-found", "get_run of an unknown run")
    if body.get("status") != 404:
        raise CheckFailed(f"the problem's status is {body.get('status')!r}, expected 404")
    if body.get("request_id") != request_id:
        raise CheckFailed(
            f"the problem's request_id is {body.get('request_id')!r}, expected {request_id!r}"
        )


def request_id_echoed(probe: Probe) -> None:
    """Every response echoes the client's X-Request-Id."""
    job = probe.name("conf-rid")
    for method, path in (("GET", "/health"), ("POST", f"/jobs/{job}/runs")):
        request_id = f"conf-{uuid.uuid4().hex}"
        response = probe.send(
            method,
            path,
            json={} if method == "POST" else None,
            headers={"X-Request-Id": request_id},
        )
        echoed = response.headers.get("x-request-id")
        if echoed != request_id:
            raise CheckFailed(
                f"{method} {path} echoed X-Request-Id {echoed!r}, expected {request_id!r}"
            )
        if method == "POST":
            probe.finish(job, expect_json(response, 201, "start_run")["run_id"])


def _require_auth(probe: Probe) -> None:
    if not probe.api_key:
        raise CheckSkipped("skipped: server runs without auth (no --api-key given)")


def missing_key_rejected(probe: Probe) -> None:
    """A request without an API key is 401 unauthorized."""
    _require_auth(probe)
    response = probe.http.get(f"/api/v1/jobs/{probe.name('conf-auth')}/runs")
    expect_problem(response, 401, "unauthorized", "list_runs without an API key")


def wrong_key_rejected(probe: Probe) -> None:
    """A request with a wrong API key is 401 unauthorized."""
    _require_auth(probe)
    response = probe.send(
        "GET",
        f"/jobs/{probe.name('conf-auth')}/runs",
        headers={"Authorization": f"Bearer wrong-{uuid.uuid4().hex}"},
    )
    expect_problem(response, 401, "unauthorized", "list_runs with a wrong API key")


CHECKS: list[tuple[str, Check]] = [
    (check.__name__, check)
    for check in (
        health_without_auth,
        start_run_idempotent_replay,
        register_snapshot_idempotent_replay,
        start_run_client_id_replay,
        register_snapshot_client_id_replay,
        fetch_named_snapshot_records_its_edge,
        post_event_idempotent_replay,
        complete_run_outcome_conflict,
        register_snapshot_on_finished_run,
        run_edges_in_get_run,
        lineage_edges,
        input_edge_set_semantics,
        pagination_newest_first,
        encoded_slash_objects,
        checksum_mismatch_rejected,
        problem_json_errors,
        request_id_echoed,
        missing_key_rejected,
        wrong_key_rejected,
    )
]
