"""`JobContext` against a mock Datlake: how each way of leaving the block completes the run."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from datlake_sdk import (
    DatlakeClient,
    JobContext,
    JobTerminated,
    NotFound,
    SDKError,
    ServerError,
    ValidationError,
)
from datlake_sdk.functional import Artifact, Run

from .helpers import (
    BASE_URL,
    CURATED_SNAPSHOT_JSON,
    EVENT_JSON,
    FINISHED_RUN_JSON,
    LEASE_JSON,
    RAW_SNAPSHOT_JSON,
    RUN_ID,
    RUN_JSON,
    SHA_OF_ABC,
    json_body,
    make_client,
    problem,
    receipt_json,
)

RUNS = "/api/v1/jobs/daily_users/runs"
COMPLETE = f"/api/v1/jobs/daily_users/runs/{RUN_ID}/complete"
LATEST = "/api/v1/tables/users_raw/snapshots/latest"
REGISTER = "/api/v1/jobs/register-snapshot"
EVENTS = f"/api/v1/jobs/daily_users/runs/{RUN_ID}/events"
HEARTBEAT = f"/api/v1/jobs/daily_users/runs/{RUN_ID}/heartbeat"
LOG_OBJECT = f"jobs/daily_users/{RUN_ID}/run.log"
FAILED_RUN_JSON = {**FINISHED_RUN_JSON, "status": "failed"}


class Datlake:
    """The routes a job touches, answering success unless a test says otherwise."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.start = router.post(RUNS).respond(201, json=RUN_JSON)
        self.complete = router.put(COMPLETE).mock(side_effect=self._complete)
        self.latest = router.get(LATEST).respond(200, json=RAW_SNAPSHOT_JSON)
        self.register = router.post(REGISTER).respond(201, json=CURATED_SNAPSHOT_JSON)
        self.upload = router.route(method="PUT", path__startswith="/api/v1/datasets/").respond(
            201, json=receipt_json("artifacts", LOG_OBJECT, 3, SHA_OF_ABC)
        )
        self.event = router.post(EVENTS).respond(201, json=EVENT_JSON)
        self.heartbeat = router.post(HEARTBEAT).respond(200, json=LEASE_JSON)

    @staticmethod
    def _complete(request: httpx.Request) -> httpx.Response:
        success = json_body(request)["success"]
        return httpx.Response(200, json=FINISHED_RUN_JSON if success else FAILED_RUN_JSON)

    def completion(self) -> dict[str, Any]:
        assert self.complete.call_count == 1
        body: dict[str, Any] = json_body(self.complete.calls.last.request)
        return body


@pytest.fixture
def datlake() -> Iterator[Datlake]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield Datlake(router)


@pytest.fixture
def connect() -> Iterator[Callable[..., DatlakeClient]]:
    """Clients of the mock Datlake, closed after the test."""
    clients: list[DatlakeClient] = []

    def client(**settings: Any) -> DatlakeClient:
        clients.append(make_client(**settings))
        return clients[-1]

    yield client
    for made in clients:
        made.close()


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "run.log"
    path.write_bytes(b"abc")
    return path


def test_a_successful_block_records_inputs_outputs_and_completes_succeeded(
    datlake: Datlake,
) -> None:
    report = Artifact("report", "https://reports.example.com/r1")

    with make_client() as client, JobContext(client, "daily_users", metadata={"a": 1}) as job:
        assert job.run == Run("daily_users", RUN_ID)
        src = job.input("users_raw")
        out = job.output("users_curated", "s3://b/users.parquet", format="parquet")
        job.attach(report)
        job.extra["rows"] = 1200

    assert src.uri == RAW_SNAPSHOT_JSON["uri"]
    assert out.snapshot_id == CURATED_SNAPSHOT_JSON["snapshot_id"]
    sent = json_body(datlake.start.calls.last.request)
    assert sent == {"metadata": {"a": 1}, "run_id": sent["run_id"]}
    assert re.fullmatch("[0-9a-f]{32}", sent["run_id"])
    assert datlake.latest.calls.last.request.url.params["run_id"] == RUN_ID
    assert json_body(datlake.register.calls.last.request)["run_id"] == RUN_ID
    assert datlake.completion() == {
        "success": True,
        "extra": {"rows": 1200},
        "artifacts": [{"type": "report", "uri": "https://reports.example.com/r1"}],
    }
    assert job.run.status == "succeeded"  # the finished run, as the server returned it


def test_an_exception_fails_the_run_with_the_error_and_propagates(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    with pytest.raises(ValueError, match="bad row 7"), JobContext(connect(), "daily_users") as job:  # noqa: PT012
        job.extra["rows"] = 6
        raise ValueError("bad row 7")

    assert datlake.completion() == {
        "success": False,
        "extra": {"rows": 6, "error": {"type": "ValueError", "message": "bad row 7"}},
        "artifacts": [],
    }
    assert job.run.status == "failed"


def test_an_exception_whose_str_fails_still_fails_the_run(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    with pytest.raises(Unprintable), JobContext(connect(), "daily_users"):
        raise Unprintable

    completion = datlake.completion()
    assert completion["success"] is False
    assert completion["extra"]["error"]["type"] == "Unprintable"


def test_keyboard_interrupt_fails_the_run(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    with pytest.raises(KeyboardInterrupt), JobContext(connect(), "daily_users"):
        raise KeyboardInterrupt

    completion = datlake.completion()
    assert completion["success"] is False
    assert completion["extra"]["error"]["type"] == "KeyboardInterrupt"


def test_sigterm_fails_the_run_and_restores_the_previous_handler(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    def previous(signum: int, frame: object) -> None:
        raise AssertionError("the job's handler should be active inside the block")

    original = signal.signal(signal.SIGTERM, previous)
    try:
        with pytest.raises(JobTerminated) as raised, JobContext(connect(), "daily_users"):  # noqa: PT012
            os.kill(os.getpid(), signal.SIGTERM)
            pytest.fail("SIGTERM should have interrupted the block")
        assert signal.getsignal(signal.SIGTERM) is previous
    finally:
        signal.signal(signal.SIGTERM, original)

    assert raised.value.code == 143
    completion = datlake.completion()
    assert completion["success"] is False
    assert completion["extra"]["error"] == {
        "type": "JobTerminated",
        "message": "terminated by SIGTERM",
    }


def test_a_sigterm_handler_python_did_not_install_is_replaced_by_the_default_on_exit(
    datlake: Datlake, monkeypatch: pytest.MonkeyPatch
) -> None:
    # signal.getsignal() answers None for a handler installed outside Python
    real_getsignal = signal.getsignal
    monkeypatch.setattr(
        signal,
        "getsignal",
        lambda signum: None if signum == signal.SIGTERM else real_getsignal(signum),
    )
    original = real_getsignal(signal.SIGTERM)
    try:
        with make_client() as client, JobContext(client, "daily_users"):
            assert real_getsignal(signal.SIGTERM) is not original
        assert real_getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, original)


def test_an_ignored_sigterm_stays_ignored(datlake: Datlake) -> None:
    original = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with make_client() as client, JobContext(client, "daily_users"):
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, original)


def test_a_job_outside_the_main_thread_runs_without_a_sigterm_handler(datlake: Datlake) -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen: list[object] = []

    def job() -> None:
        with make_client() as client, JobContext(client, "daily_users"):
            seen.append(signal.getsignal(signal.SIGTERM))

    worker = threading.Thread(target=job)
    worker.start()
    worker.join()

    assert seen == [before]
    assert datlake.completion()["success"] is True


def test_log_shipping_uploads_the_log_and_attaches_it(datlake: Datlake, log_file: Path) -> None:
    with (
        make_client() as client,
        JobContext(client, "daily_users", log_path=log_file, log_bucket="artifacts"),
    ):
        pass

    upload = datlake.upload.calls.last.request
    assert upload.url.raw_path == (
        f"/api/v1/datasets/artifacts/jobs%2Fdaily_users%2F{RUN_ID}%2Frun.log".encode()
    )
    assert upload.content == b"abc"
    assert datlake.completion()["artifacts"] == [
        {
            "type": "log",
            "uri": f"datlake://artifacts/{LOG_OBJECT}",
            "name": "run.log",
            "content_type": "text/plain; charset=utf-8",
            "size": 3,
            "sha256": hashlib.sha256(b"abc").hexdigest(),
        }
    ]


def test_the_log_is_shipped_for_a_failed_run_too(
    datlake: Datlake, log_file: Path, connect: Callable[..., DatlakeClient]
) -> None:
    with (
        pytest.raises(RuntimeError),
        JobContext(connect(), "daily_users", log_path=log_file, log_bucket="artifacts"),
    ):
        raise RuntimeError("boom")

    completion = datlake.completion()
    assert completion["success"] is False
    assert [a["type"] for a in completion["artifacts"]] == ["log"]


def test_failed_log_shipping_under_log_only_still_succeeds(
    datlake: Datlake, log_file: Path
) -> None:
    datlake.upload.return_value = problem(500, "internal")

    with (
        make_client() as client,
        JobContext(client, "daily_users", log_path=log_file, log_bucket="artifacts"),
    ):
        pass

    assert datlake.completion() == {"success": True, "extra": {}, "artifacts": []}


def test_failed_log_shipping_under_raise_fails_the_run_and_raises(
    datlake: Datlake, log_file: Path, connect: Callable[..., DatlakeClient]
) -> None:
    datlake.upload.return_value = problem(500, "internal")

    with (
        pytest.raises(ServerError),
        JobContext(
            connect(on_error="raise"), "daily_users", log_path=log_file, log_bucket="artifacts"
        ),
    ):
        pass

    completion = datlake.completion()
    assert completion["success"] is False
    assert completion["extra"]["error"]["type"] == "ServerError"


def test_a_failing_attach_under_log_only_is_logged_and_the_job_goes_on(
    datlake: Datlake, log_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    datlake.upload.return_value = problem(500, "internal")
    caplog.set_level(logging.INFO, logger="datlake_sdk")

    with make_client(on_error="log_only") as client, JobContext(client, "daily_users") as job:
        attached = job.attach_file(log_file, bucket="reports", object_name="r1/report.html")
        job.output("users_curated", "s3://b/k", format="csv")

    assert attached is None
    assert datlake.register.call_count == 1
    assert datlake.completion()["success"] is True
    assert "attach_file failed" in caplog.text


def test_a_failing_attach_under_raise_raises_and_fails_the_run(
    datlake: Datlake, log_file: Path, connect: Callable[..., DatlakeClient]
) -> None:
    datlake.upload.return_value = problem(500, "internal")

    with pytest.raises(ServerError), JobContext(connect(on_error="raise"), "daily_users") as job:  # noqa: PT012
        job.attach_file(log_file, bucket="reports", object_name="r1/report.html")
        pytest.fail("attach_file should have raised")

    assert datlake.register.call_count == 0
    assert datlake.completion()["success"] is False


def test_attach_file_attaches_the_uploaded_object(datlake: Datlake, log_file: Path) -> None:
    with make_client() as client, JobContext(client, "daily_users") as job:
        artifact = job.attach_file(
            log_file,
            bucket="artifacts",
            object_name=LOG_OBJECT,
            type="report",
            metadata={"rows": 3},
        )

    uri = f"datlake://artifacts/{LOG_OBJECT}"
    digest = hashlib.sha256(b"abc").hexdigest()
    assert artifact == Artifact(
        "report",
        uri,
        name="run.log",
        content_type="application/octet-stream",  # nothing to tell from `.log`
        size=3,
        sha256=digest,
        metadata={"rows": 3},
    )
    assert datlake.completion()["artifacts"] == [
        {
            "type": "report",
            "uri": uri,
            "name": "run.log",
            "content_type": "application/octet-stream",
            "size": 3,
            "sha256": digest,
            "metadata": {"rows": 3},
        }
    ]


def test_input_raises_whatever_the_policy(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    datlake.latest.return_value = problem(404, "table-not-found")

    with pytest.raises(NotFound), JobContext(connect(on_error="log_only"), "daily_users") as job:
        job.input("users_raw")

    assert datlake.completion()["extra"]["error"]["type"] == "NotFound"


def test_events_and_heartbeats_are_side_methods(datlake: Datlake) -> None:
    datlake.event.return_value = problem(500, "internal")

    # no background heartbeats: the last one must be the block's own
    with make_client() as client, JobContext(client, "daily_users", heartbeat_every=None) as job:
        assert job.event("progress", "half way", data={"done": 50}) is None
        lease = job.heartbeat(lease_seconds=30)

    assert lease is not None
    assert lease.run_id == RUN_ID
    assert json_body(datlake.event.calls.last.request) == {
        "kind": "progress",
        "message": "half way",
        "data": {"done": 50},
    }
    assert json_body(datlake.heartbeat.calls.last.request) == {"lease_seconds": 30}
    assert datlake.completion()["success"] is True


def test_a_run_that_cannot_start_raises_and_completes_nothing(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    datlake.start.return_value = problem(401, "unauthorized")

    with pytest.raises(SDKError) as raised, JobContext(connect(), "daily_users"):
        pytest.fail("the block must not run")

    assert raised.value.code == 401
    assert datlake.complete.call_count == 0


def test_a_run_that_cannot_be_completed_raises_after_a_good_block(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    datlake.complete.side_effect = None
    datlake.complete.return_value = problem(409, "run-finished")

    with pytest.raises(SDKError) as raised, JobContext(connect(), "daily_users"):
        pass

    assert raised.value.code == 409


def test_a_completion_failure_does_not_mask_the_blocks_exception(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    datlake.complete.side_effect = None
    datlake.complete.return_value = problem(500, "internal")

    with pytest.raises(ValueError, match="original"), JobContext(connect(), "daily_users"):
        raise ValueError("original")


def test_extra_json_cannot_carry_still_completes_the_run_as_failed_and_raises(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    with pytest.raises(ValidationError, match="extra"), JobContext(connect(), "daily_users") as job:
        job.extra["ratio"] = float("nan")  # JSON has no NaN

    completion = datlake.completion()
    assert completion["success"] is False
    assert completion["extra"]["error"]["type"] == "ValidationError"
    assert "extra" in completion["extra"]["error"]["message"]
    assert job.run.status == "failed"


def test_extra_json_cannot_carry_does_not_mask_the_blocks_exception(
    datlake: Datlake, connect: Callable[..., DatlakeClient]
) -> None:
    with pytest.raises(ValueError, match="original"), JobContext(connect(), "daily_users") as job:  # noqa: PT012
        job.extra["when"] = object()
        raise ValueError("original")

    assert datlake.completion()["extra"] == {"error": {"type": "ValueError", "message": "original"}}


def test_sigterm_while_the_log_ships_still_fails_the_run_and_restores_the_handler(
    datlake: Datlake, connect: Callable[..., DatlakeClient], log_file: Path
) -> None:
    def terminate(request: httpx.Request) -> httpx.Response:
        os.kill(os.getpid(), signal.SIGTERM)
        return httpx.Response(201, json=receipt_json("artifacts", LOG_OBJECT, 3, SHA_OF_ABC))

    datlake.upload.side_effect = terminate
    original = signal.getsignal(signal.SIGTERM)
    job = JobContext(connect(), "daily_users", log_path=log_file, log_bucket="artifacts")

    with pytest.raises(JobTerminated), job:
        pass

    assert signal.getsignal(signal.SIGTERM) is original
    completion = datlake.completion()
    assert completion["success"] is False
    assert completion["extra"]["error"]["type"] == "JobTerminated"


def test_leases_are_kept_by_default_from_the_start(datlake: Datlake) -> None:
    with make_client() as client, JobContext(client, "daily_users"):
        # the first beat goes out at once, not a 20 s period later
        deadline = time.monotonic() + 30
        while not datlake.heartbeat.called and time.monotonic() < deadline:
            time.sleep(0.01)
    assert json_body(datlake.heartbeat.calls[0].request) == {"lease_seconds": 60}


def test_heartbeat_every_beats_in_the_background_until_exit(datlake: Datlake) -> None:
    beaten = threading.Event()

    def beat(request: httpx.Request) -> httpx.Response:
        beaten.set()
        return httpx.Response(200, json=LEASE_JSON)

    datlake.heartbeat.side_effect = beat

    with make_client() as client, JobContext(client, "daily_users", heartbeat_every=0.01):
        assert beaten.wait(timeout=30)

    assert json_body(datlake.heartbeat.calls.last.request) == {"lease_seconds": 1}
    assert not [t for t in threading.enumerate() if t.name.startswith("datlake-heartbeat")]


def test_run_before_entering_and_reuse_are_errors(datlake: Datlake) -> None:
    with make_client() as client:
        job = JobContext(client, "daily_users")
        with pytest.raises(RuntimeError, match="entered"):
            _ = job.run
        with job:
            pass
        with pytest.raises(RuntimeError, match="once"), job:
            pass


def test_log_shipping_needs_both_path_and_bucket(log_file: Path) -> None:
    with make_client() as client, pytest.raises(ValueError, match="log_bucket"):
        JobContext(client, "daily_users", log_path=log_file)
