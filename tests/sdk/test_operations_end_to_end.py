"""The functional operations, `JobContext` and the examples against a real local Datlake over
loopback, whose every response is checked against the spec."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from datlake_sdk import DatlakeClient, JobContext, ObjectInfo
from datlake_sdk._streams import BATCH
from datlake_sdk.aio import AsyncDatlakeClient
from datlake_sdk.aio import download_object as adownload_object
from datlake_sdk.aio import upload_file as aupload_file
from datlake_sdk.functional import (
    Conflict,
    Err,
    NotFound,
    Ok,
    complete_run,
    download_object,
    fetch_latest_uri,
    get_lineage,
    get_run,
    health,
    heartbeat,
    iter_runs,
    list_events,
    list_snapshots,
    make_log_artifact,
    post_event,
    register_snapshot,
    start_run,
    unwrap,
    upload_file,
)
from datlake_server import create_app, serve_app

API_KEY = "sdk-e2e-key"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(tmp_path_factory.mktemp("datlake"), API_KEY, validate_responses=True)
    with serve_app(app) as url:
        yield url
    assert not app.state.response_violations, app.state.response_violations


@pytest.fixture
def client(server_url: str) -> Iterator[DatlakeClient]:
    with DatlakeClient(server_url, API_KEY) as client:
        yield client


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def test_a_run_reads_writes_ships_its_log_and_shows_in_the_lineage(
    client: DatlakeClient, tmp_path: Path
) -> None:
    raw, curated, job = unique("raw"), unique("curated"), unique("job")
    upstream = unwrap(start_run(client, unique("upstream")))
    unwrap(register_snapshot(client, upstream, raw, "file:///raw.csv", format="csv"))
    unwrap(complete_run(client, upstream, success=True))
    log = tmp_path / "run.log"
    log.write_text("line 1\nline 2\n")

    run = unwrap(start_run(client, job, metadata={"source": "e2e"}))
    src = unwrap(fetch_latest_uri(client, run, raw))
    out = unwrap(
        register_snapshot(
            client, run, curated, "file:///out.csv", format="csv", schema={"id": "int"}
        )
    )
    artifact = unwrap(make_log_artifact(client, "artifacts", run, log))
    assert unwrap(complete_run(client, run, success=True, artifacts=[artifact])) is None

    recorded = unwrap(get_run(client, job, run.run_id))
    assert recorded.status == "succeeded"
    assert recorded.metadata == {"source": "e2e"}
    assert [s.snapshot_id for s in recorded.inputs] == [src.snapshot_id]
    assert [s.snapshot_id for s in recorded.outputs] == [out.snapshot_id]
    assert recorded.outputs[0].schema == {"id": "int"}
    assert recorded.artifacts == (artifact,)
    assert artifact.uri == f"datlake://artifacts/jobs/{job}/{run.run_id}/run.log"
    graph = unwrap(get_lineage(client, curated, direction="upstream"))
    edges = {(e.source, e.kind, e.target) for e in graph.edges}
    assert (f"table:{raw}", "read", f"run:{job}/{run.run_id}") in edges
    assert (f"run:{job}/{run.run_id}", "wrote", f"table:{curated}") in edges
    assert graph.truncated is False
    # bounded: only the newest writer of `raw` is followed, and the fold is marked
    again = unwrap(start_run(client, unique("upstream")))
    unwrap(register_snapshot(client, again, raw, "file:///raw2.csv", format="csv"))
    folded = unwrap(get_lineage(client, raw, direction="upstream", history=1, limit=10))
    assert folded.truncated is True
    assert [n.name for n in folded.nodes if n.history_truncated] == [raw]
    assert {n.run_id for n in folded.nodes if n.kind == "run"} == {again.run_id}


def test_objects_round_trip_with_slashes_in_their_names(
    client: DatlakeClient, tmp_path: Path
) -> None:
    data = os.urandom(2 * 1024 * 1024 + 17)
    source = tmp_path / "part-0.bin"
    source.write_bytes(data)
    name = f"{unique('ds')}/nested dir/part 0.bin"

    stored = unwrap(upload_file(client, "datasets", name, source))
    fetched = unwrap(download_object(client, "datasets", name, tmp_path / "copy.bin"))

    assert stored.sha256 == hashlib.sha256(data).hexdigest() == fetched.sha256
    assert stored.size == len(data) == fetched.size
    assert (tmp_path / "copy.bin").read_bytes() == data
    missing = download_object(client, "datasets", f"{name}.nope", tmp_path / "nope.bin")
    assert isinstance(missing, Err)
    assert isinstance(missing.error, NotFound)
    assert not (tmp_path / "nope.bin").exists()


def test_both_clients_round_trip_a_big_object_with_the_datlake(
    server_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    data = os.urandom(2 * BATCH + 12345)  # read past h11 by both clients
    source.write_bytes(data)
    name = f"direct/{uuid.uuid4().hex}.bin"

    with DatlakeClient(server_url, API_KEY) as client:
        unwrap(upload_file(client, "datasets", name, source))
        fetched = unwrap(download_object(client, "datasets", name, tmp_path / "sync.bin"))
        again = unwrap(download_object(client, "datasets", name, tmp_path / "sync.bin"))

    async def main() -> ObjectInfo:
        async with AsyncDatlakeClient(server_url, API_KEY) as client:
            unwrap(await aupload_file(client, "datasets", name, source))
            return unwrap(await adownload_object(client, "datasets", name, tmp_path / "aio.bin"))

    fetched_async = asyncio.run(main())

    digest = hashlib.sha256(data).hexdigest()
    assert fetched.sha256 == again.sha256 == fetched_async.sha256 == digest
    assert (tmp_path / "sync.bin").read_bytes() == (tmp_path / "aio.bin").read_bytes() == data


def test_heartbeats_events_paging_and_conflicts(client: DatlakeClient) -> None:
    job, table = unique("job"), unique("table")
    runs = [unwrap(start_run(client, job)) for _ in range(3)]
    run = runs[-1]

    lease = unwrap(heartbeat(client, run, lease_seconds=30))
    assert lease is not None
    assert lease.status == "running"
    unwrap(post_event(client, run, "progress", message="half way", data={"done": 1}))
    events = unwrap(list_events(client, run))
    assert [(e.kind, e.message, dict(e.data)) for e in events.items] == [
        ("progress", "half way", {"done": 1})
    ]
    listed = [unwrap(result).run_id for result in iter_runs(client, job, page_size=2)]
    assert listed == [r.run_id for r in reversed(runs)]

    unwrap(complete_run(client, run, success=True))
    assert isinstance(complete_run(client, run, success=True), Ok)  # same outcome: idempotent
    again = complete_run(client, run, success=False)
    assert isinstance(again, Err)
    assert isinstance(again.error, Conflict)
    late = register_snapshot(client, run, table, "file:///x", format="csv")
    assert isinstance(late, Err)
    assert isinstance(late.error, Conflict)
    assert unwrap(list_snapshots(client, table)).items == ()
    assert unwrap(health(client)).status == "ok"


def test_start_run_replays_with_the_same_idempotency_key(client: DatlakeClient) -> None:
    job = unique("job")

    first = unwrap(start_run(client, job, metadata={"a": 1}, idempotency_key="key-1"))
    replay = unwrap(start_run(client, job, metadata={"a": 1}, idempotency_key="key-1"))
    other = unwrap(start_run(client, job, metadata={"a": 1}))

    assert replay == first
    assert other != first


def test_job_context_records_a_success_and_a_failure(client: DatlakeClient, tmp_path: Path) -> None:
    raw, job = unique("raw"), unique("job")
    seed = unwrap(start_run(client, unique("upstream")))
    unwrap(register_snapshot(client, seed, raw, "file:///raw.csv", format="csv"))
    log = tmp_path / "job.log"
    log.write_text("working\n")

    with JobContext(client, job, log_path=log, log_bucket="artifacts") as good:
        good.input(raw)
        good.output(unique("out"), "file:///out.csv", format="csv")
    with pytest.raises(ZeroDivisionError), JobContext(client, job) as bad:  # noqa: PT012
        bad.input(raw)
        _ = 1 / 0

    assert good.run.status == "succeeded"
    assert [a.type for a in good.run.artifacts] == ["log"]
    failed = unwrap(get_run(client, job, bad.run.run_id))
    assert failed.status == "failed"
    assert failed.extra == {"error": {"type": "ZeroDivisionError", "message": "division by zero"}}
    assert [s.table_name for s in failed.inputs] == [raw]


@pytest.mark.parametrize("example", ["pipeline.py", "log_shipping.py", "job_context.py"])
def test_the_examples_run_as_written(example: str, server_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATLAKE_URL": server_url,
        "DATLAKE_API_KEY": API_KEY,
        "DATLAKE_EXAMPLE_DATA": str(tmp_path),
    }

    done = subprocess.run(
        [sys.executable, str(EXAMPLES / example)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert ": succeeded" in done.stdout
    assert "read   users_raw" in done.stdout
    assert "wrote  users_curated" in done.stdout
    if example != "pipeline.py":
        assert "artifact log datlake://artifacts/jobs/daily_users/" in done.stdout
    assert (tmp_path / "users_curated.csv").read_text().splitlines() == [
        "id,email,country",
        "1,ada@example.com,UK",
        "2,grace@example.com,US",
        "4,linus@example.org,FI",
    ]
