"""Metrics, progress and live logs over real HTTP against a local Datlake: batched (10,000
points in a few requests, counted), on a timer, through the outbox, bounded, and read back."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from datlake_sdk import DatlakeClient, JobContext, Run
from datlake_sdk import _telemetry as telemetry_module
from datlake_sdk.functional import (
    Err,
    Ok,
    ValidationError,
    download_artifact,
    get_run,
    get_run_log,
    list_artifacts,
    list_metrics,
    post_metric,
    post_progress,
    start_run,
    telemetry,
    unwrap,
)
from datlake_sdk.logging import DatlakeLogHandler

from .test_outbox import API_KEY, client_for, datlake, free_port, unique


class CountingTransport(httpx.BaseTransport):
    """A real HTTP transport that counts the requests it sends, by path ending."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def wait_for(found: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found():
            return True
        time.sleep(0.05)
    return found()


def test_ten_thousand_points_cost_at_most_sixty_requests(datlake_url: str) -> None:
    counting = CountingTransport()
    with (
        DatlakeClient(datlake_url, API_KEY, transport=counting) as client,
        JobContext(client, unique("trained")) as job,
    ):
        for step in range(10_000):
            job.metric("loss", 1 / (step + 1), step=step)
        job.progress(10_000, 10_000, "trained")

    # the whole run: its start, a heartbeat or two, the batches and its completion
    assert len(counting.paths) <= 60, counting.paths
    assert sum(path.endswith("/telemetry") for path in counting.paths) <= 20
    with DatlakeClient(datlake_url, API_KEY) as client:
        (loss,) = unwrap(list_metrics(client, job.run))
        assert [point.step for point in loss.points] == list(range(10_000))
        assert loss.last == 1 / 10_000
        progress = unwrap(get_run(client, job.run.job_name, job.run.run_id)).progress
        assert progress is not None
        assert (progress.done, progress.total, progress.message) == (10_000, 10_000, "trained")
        assert progress.fraction == 1


def test_a_batch_goes_out_on_the_timer_while_the_job_runs(datlake_url: str) -> None:
    with DatlakeClient(datlake_url, API_KEY) as client:
        run = unwrap(start_run(client, unique("timed")))
        with telemetry(client, run, every=0.2) as batcher:
            assert batcher.metric("rows", 1200, unit="rows") == Ok(None)
            assert batcher.progress(1, 3, "first file") == Ok(None)
            # nothing forces a flush: the timer does
            assert wait_for(lambda: bool(unwrap(list_metrics(client, run))))
            assert wait_for(lambda: unwrap(get_run(client, run.job_name, run.run_id)).progress)
        (rows,) = unwrap(list_metrics(client, run, name="rows"))
        assert (rows.unit, rows.values) == ("rows", (1200,))


def test_functional_metric_and_progress_are_one_request_each(datlake_url: str) -> None:
    with DatlakeClient(datlake_url, API_KEY) as client:
        run = unwrap(start_run(client, unique("direct")))
        receipt = unwrap(post_metric(client, run, "rows", 3, step=0))
        assert receipt is not None
        assert (receipt.metrics, receipt.log_chunks, receipt.progress) == (1, 0, None)
        receipt = unwrap(post_progress(client, run, 2, None, "two files, total unknown"))
        assert receipt is not None
        assert receipt.progress is not None
        assert (receipt.progress.total, receipt.progress.fraction) == (None, None)
        nan = post_metric(client, run, "rows", float("nan"))
        assert isinstance(nan, Err)
        assert isinstance(nan.error, ValidationError)
        assert "not a finite number" in str(nan.error)
        assert len(unwrap(list_metrics(client, run))[0].points) == 1


def test_bad_values_in_a_job_are_side_failures(
    datlake_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with DatlakeClient(datlake_url, API_KEY) as client, JobContext(client, unique("bad")) as job:
        job.metric("loss", float("inf"))  # logged, the job goes on
        job.progress(-1)
    assert "metric failed" in caplog.text
    assert "progress failed" in caplog.text
    with (
        DatlakeClient(datlake_url, API_KEY, on_error="raise") as client,
        pytest.raises(ValidationError, match="not a finite number"),
        JobContext(client, unique("strict")) as job,
    ):
        job.metric("loss", float("nan"))
    assert job.run.status == "failed"


def test_the_live_log_and_the_complete_log_artifact(datlake_url: str, tmp_path: Path) -> None:
    logger = logging.getLogger(unique("joblog"))
    logger.setLevel(logging.INFO)
    with (
        DatlakeClient(datlake_url, API_KEY) as client,
        JobContext(client, unique("logged"), log_bucket="artifacts", capture_output=True) as job,
    ):
        logger.addHandler(DatlakeLogHandler(job))
        logger.info("read %d rows", 3)
        print("printed, and shipped")
        assert wait_for(lambda: "printed" in unwrap(get_run_log(client, job.run)).text)
    with DatlakeClient(datlake_url, API_KEY) as client:
        live = unwrap(get_run_log(client, job.run)).text
        (artifact,) = unwrap(list_artifacts(client, job.run))
        assert (artifact.type, artifact.name) == ("log", "run.log")
        assert artifact.content_type == "text/plain; charset=utf-8"
        unwrap(download_artifact(client, artifact, tmp_path / "run.log"))
    assert "INFO" in live
    assert "read 3 rows" in live
    assert "printed, and shipped\n" in live
    assert (tmp_path / "run.log").read_text() == live  # the complete log, as one artifact
    assert artifact.size == len(live.encode())


CRASHING_JOB = """
import logging, os, sys, time
from datlake_sdk import DatlakeClient, JobContext
from datlake_sdk.logging import DatlakeLogHandler

client = DatlakeClient(sys.argv[1], sys.argv[2])
job = JobContext(client, sys.argv[3], capture_output=True).__enter__()
print(job.run.run_id, file=sys.__stdout__, flush=True)
logging.getLogger().addHandler(DatlakeLogHandler(job))
logging.getLogger().warning("step 1 of 2 done")
print("about to fail")
time.sleep(3)  # the timer ships the log meanwhile
os._exit(1)  # no cleanup at all: the process is gone
"""


def test_a_job_that_dies_leaves_its_log_up_to_the_crash(datlake_url: str) -> None:
    job_name = unique("crashed")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CRASHING_JOB), datlake_url, API_KEY, job_name],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    run = Run(job_name, done.stdout.split()[0])
    with DatlakeClient(datlake_url, API_KEY) as client:
        log = unwrap(get_run_log(client, run)).text
        assert "step 1 of 2 done" in log
        assert "about to fail" in log
        assert unwrap(get_run(client, job_name, run.run_id)).status == "running"  # never completed


def test_recording_stays_bounded_when_datlake_cannot_keep_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(telemetry_module, "MAX_PENDING_POINTS", 500)
    monkeypatch.setattr(telemetry_module, "MAX_PENDING_LOG", 64 * 1024)
    # a Datlake that never answers: nothing can be sent, yet recording goes on
    with DatlakeClient(f"http://127.0.0.1:{free_port()}", API_KEY, retry="max=1") as client:
        batcher = telemetry_module.Telemetry(client, Run("stalled", "r1"), every=60).start()
        with batcher._changed:  # hold the sender back: everything recorded now waits
            for step in range(2000):
                assert batcher.metric("loss", 0.5, step=step) == Ok(None)
            for _ in range(100):
                batcher.log("x" * 4096)
            batcher.log("y" * 200_000)  # one write larger than the whole queue
            assert batcher.queued_points == 500
            assert batcher.queued_log <= 64 * 1024
            assert batcher.dropped_points == 1500
            assert batcher.dropped_log >= 100 * 4096 + 200_000 - 64 * 1024
        # the sends fail: the queue drains all the same (counted), nothing hangs
        assert batcher.close(timeout=30)
        assert (batcher.queued_points, batcher.queued_log) == (0, 0)
        assert batcher.dropped_points == 2000
        assert batcher.dropped_log >= 100 * 4096 + 200_000


def test_telemetry_waits_in_the_outbox_while_datlake_is_down(tmp_path: Path) -> None:
    port, outbox, job_name = free_port(), tmp_path / "outbox.sqlite3", unique("kept")
    with (
        client_for(port, outbox, outbox_exit_timeout=0) as client,
        JobContext(client, job_name, heartbeat_every=None) as job,
    ):
        for step in range(1500):
            job.metric("loss", 0.1, step=step)
        job.progress(1, 1, "done while Datlake was down")
    with datlake(tmp_path / "data", port), client_for(port, outbox) as flusher:
        report = flusher.flush_outbox(timeout=30)
        assert (report.pending, report.dead) == (0, 0)
        (loss,) = unwrap(list_metrics(flusher, job.run))
        assert len(loss.points) == 1500
        stored = unwrap(get_run(flusher, job_name, job.run.run_id))
        assert stored.status == "succeeded"
        assert stored.progress is not None
        assert stored.progress.message == ("done while Datlake was down")
