"""The chaos scenarios: each starts a fresh local Datlake (a subprocess) and the fault proxy in
front of it, runs pipelines through the proxy, makes sure nothing is left to deliver, then audits
the server directly.

- `faults`: a 20 % fault mix of every kind for the whole run.
- `outage`: the proxy down for the whole job, then up, then a flush.
- `kill-job`: a job process journaling to an outbox file while the proxy is down is killed with
  SIGKILL; another process delivers its outbox with `datlake outbox flush`.
- `kill-server`: the server is killed with SIGKILL a few times during a burst and restarted on
  the same port and data folder.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import fetch_latest_uri, iter_runs, unwrap

from .audit import audit
from .pipeline import (
    INPUT_TABLE,
    JOB,
    STEPS,
    PipelineOutcome,
    Step,
    make_client,
    outbox_supported,
    run_pipelines,
    seed_input,
)
from .proxy import FaultMix, FaultProxy
from .server import LocalDatlake

__all__ = ["SCENARIOS", "ScenarioResult", "Skipped", "run_scenario"]

FLUSH_TIMEOUT_S = 120.0
JOB_SCRIPT = Path(__file__).with_name("job.py")
KILLED_RUN_LEASE_S = 3.0


class Skipped(Exception):
    """The scenario cannot run against this SDK (yet); the message says why."""


@dataclass
class ScenarioResult:
    scenario: str
    outbox: str
    pipelines: int
    seconds: float
    counts: dict[str, Any]
    proxy_stats: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.counts["problems"] == 0


@dataclass
class _Setup:
    workdir: Path
    server: LocalDatlake
    proxy: FaultProxy
    api_key: str
    files: Path


@contextmanager
def _setup(
    workdir: Path | None, faults: FaultMix | None = None, default_lease: float | None = None
) -> Iterator[_Setup]:
    with tempfile.TemporaryDirectory(prefix="datlake-chaos-") as temp:
        root = Path(temp) if workdir is None else workdir
        root.mkdir(parents=True, exist_ok=True)
        files = root / "files"
        files.mkdir(exist_ok=True)
        api_key = "chaos-" + secrets.token_hex(8)
        with LocalDatlake(root / "data", api_key, default_lease=default_lease) as server:
            seed_input(server.url, api_key)
            with FaultProxy(server.url, faults) as proxy:
                yield _Setup(root, server, proxy, api_key, files)


def _outbox_for(setup: _Setup, outbox: str, number: int) -> Path | None:
    # one journal shared by every client, as `outbox="on"` gives them, inside the scenario's
    # folder (never the user's own outbox)
    return None if outbox == "off" else setup.workdir / "outbox.sqlite3"


def _flush_and_close(clients: list[DatlakeClient], outbox: str, notes: list[str]) -> None:
    for client in clients:
        if outbox == "on":
            try:
                report = client.flush_outbox(timeout=FLUSH_TIMEOUT_S)
                if report.pending or report.dead:
                    notes.append(f"flush left {report.pending} pending, {report.dead} dead")
            except Exception as ex:
                notes.append(f"flush raised {type(ex).__name__}: {ex}")
        try:
            client.close()
        except Exception as ex:
            notes.append(f"close raised {type(ex).__name__}: {ex}")


def _check_outbox(outbox: str) -> None:
    if outbox == "on":
        why = outbox_supported()
        if why is not None:
            raise Skipped(why)


def faults(
    pipelines: int, outbox: str, *, threads: int, seed: int, rate: float, workdir: Path | None
) -> ScenarioResult:
    _check_outbox(outbox)
    notes: list[str] = []
    with _setup(workdir, FaultMix(rate=rate, seed=seed, stall_s=1.5)) as setup:
        started = time.monotonic()
        outcomes, clients = run_pipelines(
            lambda n: make_client(setup.proxy.url, setup.api_key, _outbox_for(setup, outbox, n)),
            range(pipelines),
            "faults",
            setup.files,
            threads=threads,
        )
        setup.proxy.set_faults(FaultMix(rate=0.0))  # the network heals, then the outbox flushes
        _flush_and_close(clients, outbox, notes)
        seconds = time.monotonic() - started
        counts = audit(setup.server.url, setup.api_key, outcomes, "faults")
        return ScenarioResult(
            "faults", outbox, pipelines, seconds, counts, setup.proxy.stats, notes
        )


def outage(
    pipelines: int, outbox: str, *, threads: int, seed: int, rate: float, workdir: Path | None
) -> ScenarioResult:
    _check_outbox(outbox)
    notes: list[str] = []
    with _setup(workdir) as setup:
        if outbox == "on":
            # what a team does before an announced outage: the jobs' inputs read once
            with make_client(setup.proxy.url, setup.api_key, _outbox_for(setup, outbox, 0)) as c:
                unwrap(fetch_latest_uri(c, None, INPUT_TABLE))
        started = time.monotonic()
        setup.proxy.set_down(True)
        outcomes, clients = run_pipelines(
            lambda n: make_client(setup.proxy.url, setup.api_key, _outbox_for(setup, outbox, n)),
            range(pipelines),
            "outage",
            setup.files,
            threads=threads,
        )
        setup.proxy.set_down(False)
        _flush_and_close(clients, outbox, notes)
        seconds = time.monotonic() - started
        counts = audit(setup.server.url, setup.api_key, outcomes, "outage")
        return ScenarioResult(
            "outage", outbox, pipelines, seconds, counts, setup.proxy.stats, notes
        )


def kill_server(
    pipelines: int, outbox: str, *, threads: int, seed: int, rate: float, workdir: Path | None
) -> ScenarioResult:
    _check_outbox(outbox)
    notes: list[str] = []
    kills = 3
    marks = [pipelines * (k + 1) // (kills + 1) for k in range(kills)]
    with _setup(workdir) as setup:
        reached = threading.Condition()
        done = [0]

        def progress(count: int) -> None:
            with reached:
                done[0] = count
                reached.notify_all()

        def killer() -> None:
            for mark in marks:
                with reached:
                    if not reached.wait_for(lambda m=mark: done[0] >= m, timeout=600):
                        return
                setup.server.kill()
                time.sleep(0.3)
                setup.server.start()

        started = time.monotonic()
        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        outcomes, clients = run_pipelines(
            lambda n: make_client(setup.proxy.url, setup.api_key, _outbox_for(setup, outbox, n)),
            range(pipelines),
            "kill-server",
            setup.files,
            threads=threads,
            progress=progress,
        )
        thread.join(timeout=60)
        _flush_and_close(clients, outbox, notes)
        seconds = time.monotonic() - started
        notes.append(
            f"server started {setup.server.starts} times (killed {setup.server.starts - 1})"
        )
        counts = audit(setup.server.url, setup.api_key, outcomes, "kill-server")
        return ScenarioResult(
            "kill-server", outbox, pipelines, seconds, counts, setup.proxy.stats, notes
        )


def kill_job(
    pipelines: int, outbox: str, *, threads: int, seed: int, rate: float, workdir: Path | None
) -> ScenarioResult:
    """One job process of `min(pipelines, 8)` pipelines, killed in the middle one."""
    why = outbox_supported()
    if why is not None:
        raise Skipped(why)
    if outbox == "off":
        raise Skipped("kill-job needs the outbox (--outbox on)")
    count = max(2, min(pipelines, 8))
    notes: list[str] = []
    # a short default lease, so the killed job's run is seen to end `lost` within the run
    with _setup(workdir, default_lease=KILLED_RUN_LEASE_S) as setup:
        journal = setup.workdir / "job-outbox.sqlite3"
        env = {
            **os.environ,
            "DATLAKE_URL": setup.proxy.url,
            "DATLAKE_API_KEY": setup.api_key,
            "DATLAKE_SDK_OUTBOX": str(journal),
        }
        # the job's input is read into the detached cache first, as `datlake cache warm` does
        subprocess.run(
            [sys.executable, "-m", "datlake_sdk.cli", "cache", "warm", INPUT_TABLE],
            env=env,
            capture_output=True,
            check=True,
        )
        started = time.monotonic()
        # the first start is delivered live, then Datlake goes away for the rest of the job
        job = subprocess.Popen(
            [
                sys.executable,
                str(JOB_SCRIPT),
                "--pipelines",
                str(count),
                "--files",
                str(setup.files),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert job.stdout is not None
        lines: list[dict[str, Any]] = []
        middle = count // 2  # killed right after this pipeline's run started
        for raw in job.stdout:
            lines.append(json.loads(raw))
            if len(lines) == 1:
                setup.proxy.set_down(True)
            if lines[-1]["pipeline"] == middle and lines[-1]["step"] == "start":
                job.kill()
                break
        job.wait()
        lines += [json.loads(raw) for raw in job.stdout.read().splitlines() if raw.strip()]
        stderr = job.stderr.read() if job.stderr else ""
        if job.returncode != -9:
            notes.append(f"the job was not killed mid-way (exit {job.returncode}): {stderr[-500:]}")
        notes.append(f"job killed after {len(lines)} reported steps")
        setup.proxy.set_down(False)
        flush = subprocess.run(
            [sys.executable, "-m", "datlake_sdk.cli", "outbox", "flush", "--timeout", "120"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        notes.append(f"`datlake outbox flush` exited {flush.returncode}: {flush.stdout.strip()}")
        lost = _wait_until_none_running(setup)
        notes.append(f"{lost} run(s) lost once the {KILLED_RUN_LEASE_S:g} s default lease ran out")
        seconds = time.monotonic() - started
        outcomes = _outcomes_from_lines(lines, count)
        counts = audit(setup.server.url, setup.api_key, outcomes, "kill-job")
        if flush.returncode != 0:
            counts["flush_failed"] = 1
            counts["problems"] += 1
        return ScenarioResult("kill-job", "on", count, seconds, counts, setup.proxy.stats, notes)


def _wait_until_none_running(setup: _Setup) -> int:
    """Wait (bounded) until no run of the pipelines' job is `running`; how many are `lost`."""
    deadline = time.monotonic() + KILLED_RUN_LEASE_S * 10
    with DatlakeClient(setup.server.url, setup.api_key, outbox="off") as client:
        while True:
            runs = [unwrap(res) for res in iter_runs(client, JOB)]
            if all(run.status != "running" for run in runs) or time.monotonic() > deadline:
                return sum(run.status == "lost" for run in runs)
            time.sleep(0.2)


def _outcomes_from_lines(lines: list[dict[str, Any]], count: int) -> list[PipelineOutcome]:
    outcomes = {i: PipelineOutcome(i, "kill-job") for i in range(count)}
    for line in lines:
        outcome = outcomes[line["pipeline"]]
        step = line["step"]
        outcome.steps[step] = Step(
            line["status"], bool(line.get("pending")), line.get("detail", "")
        )
        if step == "start" and line["status"] == "ok":
            outcome.run_id = line["run_id"]
        if step == "complete" and line["status"] == "ok":
            outcome.success = True
            artifacts = line.get("artifacts") or []
            outcome.artifact_uri = artifacts[0] if artifacts else None
        if line["status"] == "err":
            # JobContext completed the run as failed; the job was not told how that went
            outcome.success = False
    for outcome in outcomes.values():
        for name in STEPS:
            outcome.steps.setdefault(name, Step("unknown"))
    return [o for o in outcomes.values() if o.step("start").status != "unknown"]


SCENARIOS: dict[str, Callable[..., ScenarioResult]] = {
    "faults": faults,
    "outage": outage,
    "kill-job": kill_job,
    "kill-server": kill_server,
}


def run_scenario(
    name: str,
    pipelines: int,
    outbox: str,
    *,
    threads: int = 8,
    seed: int = 1,
    rate: float = 0.2,
    workdir: Path | None = None,
) -> ScenarioResult:
    return SCENARIOS[name](
        pipelines, outbox, threads=threads, seed=seed, rate=rate, workdir=workdir
    )
