"""The outbox: writes that cannot be delivered are journaled and answered `Ok(pending)`, then
replayed exactly once, in order, by the client, by `flush_outbox` or by another process; all
against real local Datlakes over loopback (down: nothing listens on the port)."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from datlake_sdk import DatlakeClient, JobContext
from datlake_sdk._store import Journal, NewEntry
from datlake_sdk.functional import (
    Err,
    Ok,
    ValidationError,
    complete_run,
    fetch_latest_uri,
    get_run,
    iter_runs,
    iter_snapshots,
    make_log_artifact,
    post_event,
    register_snapshot,
    start_run,
    unwrap,
)
from datlake_server import create_app, serve_app

API_KEY = "outbox-test-key"
FAST = "max=3,base_ms=1,cap_ms=5,deadline_s=5"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def datlake(data: Path, port: int) -> Iterator[str]:
    app = create_app(data, API_KEY, validate_responses=True)
    with serve_app(app, port=port) as url:
        yield url
    assert not app.state.response_violations, app.state.response_violations


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "datlake"


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "state" / "outbox.sqlite3"


def client_for(port: int, outbox: Path | str, **options: object) -> DatlakeClient:
    return DatlakeClient(
        f"http://127.0.0.1:{port}",
        API_KEY,
        outbox=outbox,
        retry=FAST,
        timeout=5,
        **options,  # type: ignore[arg-type]
    )


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def seed_table(url: str, table: str) -> str:
    with DatlakeClient(url, API_KEY) as client:
        run = unwrap(start_run(client, unique("seed")))
        snapshot = unwrap(register_snapshot(client, run, table, f"file:///{table}", format="csv"))
        unwrap(complete_run(client, run, success=True))
        return snapshot.snapshot_id


def pipeline(client: DatlakeClient, job: str, log: Path) -> dict[str, object]:
    """start, output, event, log artifact, completion: what a job writes."""
    run = unwrap(start_run(client, job, metadata={"k": "v"}))
    snapshot = unwrap(register_snapshot(client, run, f"{job}_out", f"file:///{job}", format="csv"))
    event = unwrap(post_event(client, run, "progress", message="half"))
    artifact = unwrap(make_log_artifact(client, "logs", run, log))
    unwrap(complete_run(client, run, success=True, artifacts=[artifact]))
    return {"run": run, "snapshot": snapshot, "event": event, "artifact": artifact}


def test_down_for_the_whole_job_every_write_is_kept_then_delivered_once(
    port: int, data: Path, outbox: Path, tmp_path: Path
) -> None:
    log = tmp_path / "run.log"
    log.write_text("line 1\n")
    job = unique("down")
    with client_for(port, outbox, outbox_exit_timeout=0) as client:
        started = time.monotonic()
        facts = pipeline(client, job, log)
        elapsed = time.monotonic() - started
        assert all(facts[name].pending for name in ("run", "snapshot", "event"))  # type: ignore[attr-defined]
        assert client.outbox is not None
        assert client.outbox.circuit.open
        assert client.outbox.journal.counts() == {"pending": 5}
        (upload,) = [e for e in client.outbox.journal.entries() if e.file is not None]
        # the kept copy's digest travels with it: the server stores those bytes or nothing
        assert upload.headers["X-Checksum-Sha256"] == hashlib.sha256(b"line 1\n").hexdigest()
        assert "Content-Length" not in upload.headers
    # the circuit sent the writes after the first to the journal without their retries
    assert elapsed < 5
    log.unlink()  # the outbox kept its own copy of the log
    with datlake(data, port) as url, client_for(port, outbox) as flusher:
        report = flusher.flush_outbox(timeout=30)
        assert (report.delivered, report.pending, report.dead) == (5, 0, 0)
        assert flusher.flush_outbox(timeout=30).delivered == 0  # nothing twice
        with DatlakeClient(url, API_KEY) as direct:
            run = facts["run"]
            assert isinstance(run, type(facts["run"]))
            runs = [unwrap(res) for res in iter_runs(direct, job)]
            assert [r.run_id for r in runs] == [run.run_id]  # type: ignore[attr-defined]
            stored = runs[0]
            assert stored.status == "succeeded"
            assert [o.snapshot_id for o in stored.outputs] == [
                facts["snapshot"].snapshot_id  # type: ignore[attr-defined]
            ]
            assert [a.uri for a in stored.artifacts] == [facts["artifact"].uri]  # type: ignore[attr-defined]
            assert len(list(iter_snapshots(direct, f"{job}_out"))) == 1


def test_later_writes_queue_behind_and_the_input_edge_names_the_snapshot_read(
    port: int, data: Path, outbox: Path
) -> None:
    job, table = unique("mid"), unique("input")
    with client_for(port, outbox, outbox_exit_timeout=0) as client:
        run = unwrap(start_run(client, job))  # Datlake is down: kept
        assert run.pending
        assert client.outbox is not None
        # the flusher is held from before Datlake is back, so the run's start still waits:
        # the read happens then, and its input edge queues behind the start
        client.outbox._flushing.acquire()
        with datlake(data, port) as url:
            try:
                read_snapshot = seed_table(url, table)
                read = fetch_latest_uri(client, run, table)
                assert isinstance(read, Ok)
                assert read.value.pending
                assert read.value.snapshot_id == read_snapshot
                unwrap(complete_run(client, run, success=True))
                edge = [e for e in client.outbox.journal.entries() if e.url.endswith("latest")]
                assert edge[0].params["snapshot_id"] == read_snapshot
            finally:
                client.outbox._flushing.release()
            newer = seed_table(url, table)  # the table moves on before the edge is delivered
            report = client.flush_outbox(timeout=30)
            assert report.pending == 0
            with DatlakeClient(url, API_KEY) as direct:
                stored = unwrap(get_run(direct, job, run.run_id))
    assert [s.snapshot_id for s in stored.inputs] == [read_snapshot] != [newer]
    assert stored.status == "succeeded"


def test_writes_are_delivered_directly_when_datlake_answers(
    port: int, data: Path, outbox: Path
) -> None:
    with datlake(data, port), client_for(port, outbox) as client:
        run = unwrap(start_run(client, unique("up")))
        assert not run.pending
        assert client.outbox is not None
        assert client.outbox.journal.counts() == {}


def test_a_refused_entry_is_dead_kept_and_shown_never_retried(
    port: int, data: Path, outbox: Path
) -> None:
    job = unique("dead")
    with client_for(port, outbox, outbox_exit_timeout=0) as client:
        run = unwrap(start_run(client, job))
    with datlake(data, port) as url:
        with DatlakeClient(url, API_KEY) as direct:
            # the same id taken by other content: the server refuses the replay for good
            unwrap(start_run(direct, job, metadata={"other": True}, run_id=run.run_id))
        with client_for(port, outbox) as flusher:
            report = flusher.flush_outbox(timeout=30)
            assert (report.delivered, report.pending, report.dead) == (0, 0, 1)
            assert flusher.flush_outbox(timeout=30).dead == 1  # still there, not retried
            dead = Journal(outbox).entries("dead")
            assert [e.operation for e in dead] == ["start_run"]
            assert "409" in (dead[0].last_error or "")


def test_bad_input_is_still_an_err_with_the_outbox_on(port: int, outbox: Path) -> None:
    with client_for(port, outbox) as client:
        res = start_run(client, "bad name")
        assert isinstance(res, Err)
        assert isinstance(res.error, ValidationError)
        assert client.outbox is not None
        assert client.outbox.journal.counts() == {}


def test_two_flushers_never_deliver_one_entry_twice(
    port: int, data: Path, outbox: Path, tmp_path: Path
) -> None:
    job = unique("race")
    with client_for(port, outbox, outbox_exit_timeout=0) as client:
        runs = [unwrap(start_run(client, job, metadata={"i": i})) for i in range(30)]
        for run in runs:
            unwrap(complete_run(client, run, success=True))
    with datlake(data, port) as url:
        seen: list[int] = []

        def flush() -> None:
            with client_for(port, outbox) as flusher:
                seen.append(flusher.flush_outbox(timeout=60).delivered)

        threads = [threading.Thread(target=flush) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(seen) == 60  # each entry delivered by exactly one of them
        with sqlite3.connect(outbox) as conn:
            states = dict(conn.execute("SELECT state, COUNT(*) FROM entries GROUP BY state"))
        assert states == {"delivered": 60}
        with DatlakeClient(url, API_KEY) as direct:
            stored = [unwrap(res) for res in iter_runs(direct, job)]
        assert len(stored) == 30
        assert {r.status for r in stored} == {"succeeded"}


def test_a_dead_processs_claim_is_taken_over(port: int, data: Path, outbox: Path) -> None:
    journal = Journal(outbox)
    base = f"http://127.0.0.1:{port}"
    job, run_id = unique("claimed"), uuid.uuid4().hex
    journal.append(
        NewEntry(
            base_url=base,
            group=run_id,
            operation="start_run",
            job_name=job,
            run_id=run_id,
            method="POST",
            url=f"/api/v1/jobs/{job}/runs",
            headers={"Idempotency-Key": uuid.uuid4().hex},
            body={"run_id": run_id, "metadata": {}},
        )
    )
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    owner = f"{socket.gethostname()}:{dead.stdout.strip()}:cafe"
    assert journal.claim_group(base, owner)
    journal.close()
    with datlake(data, port), client_for(port, outbox) as flusher:
        assert flusher.flush_outbox(timeout=30).delivered == 1


def test_the_flush_command_delivers_from_a_process_that_never_ran_the_job(
    port: int, data: Path, outbox: Path
) -> None:
    job = unique("cli")
    with client_for(port, outbox, outbox_exit_timeout=0) as client:
        run = unwrap(start_run(client, job))
        unwrap(complete_run(client, run, success=False, extra={"error": "x"}))
    env = {
        **os.environ,
        "DATLAKE_SDK_OUTBOX": str(outbox),
        "DATLAKE_URL": f"http://127.0.0.1:{port}",
        "DATLAKE_API_KEY": API_KEY,
    }
    command = [sys.executable, "-m", "datlake_sdk.cli", "outbox"]
    down = subprocess.run([*command, "flush", "--timeout", "5"], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert down.returncode == 1, down.stdout + down.stderr
    assert "2 pending" in down.stdout
    status = subprocess.run([*command, "status"], env=env, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert "pending    2" in status.stdout
    assert API_KEY not in status.stdout + down.stdout + down.stderr
    with datlake(data, port) as url:
        up = subprocess.run([*command, "flush"], env=env, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
        assert up.returncode == 0, up.stdout + up.stderr
        assert "2 delivered, 0 pending, 0 dead" in up.stdout
        with DatlakeClient(url, API_KEY) as direct:
            assert unwrap(get_run(direct, job, run.run_id)).status == "failed"
    listing = subprocess.run([*command, "list"], env=env, capture_output=True, text=True,
                             timeout=60)  # fmt: skip
    assert listing.stdout.count("delivered") == 2


def test_drop_asks_first(outbox: Path, port: int) -> None:
    with client_for(port, outbox, outbox_exit_timeout=0) as client:
        unwrap(start_run(client, unique("drop")))
    env = {**os.environ, "DATLAKE_SDK_OUTBOX": str(outbox)}
    command = [sys.executable, "-m", "datlake_sdk.cli", "outbox", "drop"]
    entry = Journal(outbox).entries()[0].entry_id
    refused = subprocess.run([*command, entry], env=env, input="n\n", capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert refused.returncode == 1
    assert Journal(outbox).counts() == {"pending": 1}
    agreed = subprocess.run([*command, entry], env=env, input="y\n", capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert agreed.returncode == 0
    assert Journal(outbox).counts() == {}


def test_job_context_runs_through_an_outage_and_its_exit_is_bounded(
    port: int, data: Path, outbox: Path, tmp_path: Path
) -> None:
    log = tmp_path / "job.log"
    log.write_text("started\n")
    job = unique("ctx")
    with client_for(port, outbox, outbox_exit_timeout=1) as client:
        started = time.monotonic()
        with JobContext(client, job, log_path=log, log_bucket="logs") as ctx:
            ctx.output(f"{job}_out", "file:///out", format="csv")
            ctx.event("progress", "working")
        assert time.monotonic() - started < 10
        assert ctx.run.pending
        assert ctx.run.status == "succeeded"
    with datlake(data, port) as url, client_for(port, outbox) as flusher:
        assert flusher.flush_outbox(timeout=30).pending == 0
        with DatlakeClient(url, API_KEY) as direct:
            stored = unwrap(get_run(direct, job, ctx.run.run_id))
    assert stored.status == "succeeded"
    assert len(stored.outputs) == 1
    assert [a.type for a in stored.artifacts] == ["log"]


def test_an_unclosed_client_delivers_at_interpreter_exit(
    port: int, data: Path, outbox: Path, tmp_path: Path
) -> None:
    job, go = unique("atexit"), tmp_path / "go"
    script = (
        "import pathlib, time\n"
        "from datlake_sdk import DatlakeClient\n"
        "from datlake_sdk.functional import start_run, unwrap\n"
        f"client = DatlakeClient('http://127.0.0.1:{port}', {API_KEY!r}, outbox={str(outbox)!r},"
        f" retry={FAST!r})\n"
        f"assert unwrap(start_run(client, {job!r})).pending\n"
        "print('kept', flush=True)\n"
        f"while not pathlib.Path({str(go)!r}).exists(): time.sleep(0.05)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "kept\n"
        with datlake(data, port) as url:
            go.touch()  # the script ends without closing its client
            assert process.wait(timeout=60) == 0
            with DatlakeClient(url, API_KEY) as direct:
                assert len([unwrap(r) for r in iter_runs(direct, job)]) == 1
    finally:
        process.kill()
    assert Journal(outbox).counts() == {"delivered": 1}
