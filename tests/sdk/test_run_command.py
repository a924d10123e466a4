"""`datlake run -- CMD` against a real local Datlake: the run, its inputs and outputs, the
command's output shown and shipped, its exit code, forwarded signals, and a Python child that
joins its parent's run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from datlake_sdk import ConfigError, DatlakeClient, JobContext, Run
from datlake_sdk.functional import (
    complete_run,
    download_artifact,
    get_run,
    get_run_log,
    list_metrics,
    list_runs,
    register_snapshot,
    start_run,
    unwrap,
)

from .test_outbox import API_KEY, unique


def environment(datlake_url: str) -> dict[str, str]:
    return {**os.environ, "DATLAKE_URL": datlake_url, "DATLAKE_API_KEY": API_KEY}


def datlake_run(datlake_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "datlake_sdk.cli", "run", *arguments],
        env=environment(datlake_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def the_run(datlake_url: str, job: str) -> Run:
    with DatlakeClient(datlake_url, API_KEY) as client:
        (run,) = unwrap(list_runs(client, job)).items
        return run


def test_a_failing_command_leaves_a_failed_run_with_its_code_and_its_log(
    datlake_url: str, tmp_path: Path
) -> None:
    job = unique("shell")
    done = datlake_run(
        datlake_url, "--job", job, "--meta", "team=data", "--",
        "sh", "-c", "echo hello; echo 'no such file' >&2; exit 3",
    )  # fmt: skip

    assert done.returncode == 3
    assert done.stdout == "hello\n"  # shown as the command wrote it
    assert done.stderr.startswith("no such file\n")
    run = the_run(datlake_url, job)
    assert run.status == "failed"
    assert run.extra is not None
    assert (run.extra["exit_code"], run.extra["stderr_tail"]) == (3, ["no such file"])
    assert run.metadata == {
        "command": "sh -c 'echo hello; echo '\"'\"'no such file'\"'\"' >&2; exit 3'",
        "team": "data",
    }
    (artifact,) = run.artifacts
    assert artifact.type == "log"
    with DatlakeClient(datlake_url, API_KEY) as client:
        unwrap(download_artifact(client, artifact, tmp_path / "run.log"))
        assert "hello" in unwrap(get_run_log(client, run)).text
    # stdout and stderr, each in order (two pipes: which comes first between them may vary)
    assert sorted((tmp_path / "run.log").read_text().splitlines()) == ["hello", "no such file"]


CHILD = """
import os
from datlake_sdk import JobContext

with JobContext.current() as job:
    assert job.joined
    job.input("child_in")
    job.output("child_out", "file:///data/child_out.parquet", format="parquet")
    job.metric("rows", 3, unit="rows")
    print(os.environ["DATLAKE_RUN_ID"], os.environ["DATLAKE_JOB_NAME"])
"""


def test_a_python_child_joins_the_run_its_parent_completes(datlake_url: str) -> None:
    job, raw, child_in = unique("pipeline"), unique("raw"), "child_in"
    with DatlakeClient(datlake_url, API_KEY) as client:
        seed = unwrap(start_run(client, unique("seed")))
        for table in (raw, child_in):
            unwrap(register_snapshot(client, seed, table, f"file:///{table}", format="csv"))
        unwrap(complete_run(client, seed, success=True))

    done = datlake_run(
        datlake_url, "--job", job, "--input", raw, "--output", f"{job}_out=file:///data/out.csv",
        "--", sys.executable, "-c", textwrap.dedent(CHILD),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    run = the_run(datlake_url, job)
    assert done.stdout.split() == [run.run_id, job]  # the child saw its parent's run
    assert run.status == "succeeded"
    assert run.extra is not None
    assert run.extra["exit_code"] == 0
    assert sorted(s.table_name for s in run.inputs) == sorted([raw, child_in])
    assert sorted(s.table_name for s in run.outputs) == sorted(["child_out", f"{job}_out"])
    assert {s.table_name: s.format for s in run.outputs}[f"{job}_out"] == "csv"
    with DatlakeClient(datlake_url, API_KEY) as client:
        (rows,) = unwrap(list_metrics(client, run))
        assert (rows.name, rows.values) == ("rows", (3,))


def test_a_joining_block_never_completes_the_run(
    datlake_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with DatlakeClient(datlake_url, API_KEY) as client:
        parent = unwrap(start_run(client, unique("parent")))
        monkeypatch.setenv("DATLAKE_RUN_ID", parent.run_id)
        monkeypatch.setenv("DATLAKE_JOB_NAME", parent.job_name)
        with JobContext.current(client) as job:
            job.output(unique("joined"), "file:///j.csv", format="csv")
        with pytest.raises(ZeroDivisionError), JobContext.current(client):
            _ = 1 / 0  # the exception propagates; the run is still the parent's to finish
        found = unwrap(get_run(client, parent.job_name, parent.run_id))
        assert found.status == "running"
        assert len(found.outputs) == 1
        monkeypatch.delenv("DATLAKE_RUN_ID")
        with pytest.raises(ConfigError, match="DATLAKE_RUN_ID is not set"):
            JobContext.current(client)


SIGNALLED = "trap 'echo terminated; exit 7' TERM; echo ready; while :; do sleep 0.05; done"


def test_sigterm_reaches_the_command_and_the_run_fails_with_its_code(datlake_url: str) -> None:
    job = unique("stopped")
    with subprocess.Popen(
        [sys.executable, "-m", "datlake_sdk.cli", "run", "--job", job, "--", "sh", "-c", SIGNALLED],
        env=environment(datlake_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as tracker:
        assert tracker.stdout is not None
        assert tracker.stdout.readline() == "ready\n"
        tracker.send_signal(signal.SIGTERM)
        assert tracker.wait(timeout=60) == 7
    run = the_run(datlake_url, job)
    assert run.status == "failed"
    assert run.extra is not None
    assert run.extra["exit_code"] == 7
    with DatlakeClient(datlake_url, API_KEY) as client:
        assert "terminated" in unwrap(get_run_log(client, run)).text


def test_usage_errors_and_missing_inputs_stop_before_the_command(
    datlake_url: str, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    touch = ["--", "sh", "-c", f"touch {marker}"]
    assert datlake_run(datlake_url, "--job", "j").returncode == 2  # no command
    bad_output = datlake_run(datlake_url, "--job", "j", "--output", "t=s3://b/noext", *touch)
    assert bad_output.returncode == 2
    assert "name the format" in bad_output.stderr
    missing = datlake_run(datlake_url, "--job", unique("j"), "--input", unique("nothing"), *touch)
    assert missing.returncode == 2
    assert "could not read an input" in missing.stderr
    assert not marker.exists()
    assert datlake_run(datlake_url, "--job", unique("j"), *touch).returncode == 0
    assert marker.exists()
