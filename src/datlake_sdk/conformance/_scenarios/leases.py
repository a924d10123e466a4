"""Leases: every run holds one from its start; a heartbeat sets it; a run whose lease ran out
is `lost` until it heartbeats again or completes."""

from __future__ import annotations

import time
from typing import Any

from .._probe import CheckFailed, Probe, expect_equal, expect_json, moment
from .._registry import scenario

SHORT_LEASE = 1  # seconds: the shortest lease the spec allows
# how long past its end a lease may still hold before the server reports the run lost
LOST_WITHIN = 5.0


def _lease(probe: Probe, job: str, run_id: str, seconds: int) -> dict[str, Any]:
    lease = expect_json(probe.heartbeat(job, run_id, seconds), 200, "heartbeat")
    expect_equal(lease.get("status"), "running", "the status a heartbeat answers")
    granted = moment(lease["lease_expires_at"]) - moment(lease["last_heartbeat_at"])
    if abs(granted.total_seconds() - seconds) > 0.5:
        raise CheckFailed(
            f"heartbeat with lease_seconds={seconds} granted {granted.total_seconds():g} s"
        )
    return lease


def _status(probe: Probe, job: str, run_id: str) -> str:
    return str(probe.get_run(job, run_id)["status"])


@scenario
def leases_and_lost(probe: Probe) -> None:
    """A run starts with a lease; a heartbeat with `lease_seconds` sets it that far ahead;
    once it ran out the run is `lost` (get_run, list_runs?status=lost) until a heartbeat
    makes it running again; completing a lost run records its outcome."""
    job = probe.name("conf-lease")
    runs = [probe.start_run(job) for _ in range(2)]
    for run in runs:
        expires = run.get("lease_expires_at")
        if expires is not None and moment(expires) <= moment(run["created_at"]):
            raise CheckFailed(f"run {run['run_id']} starts with a lease that already ended")
    revived, abandoned = (run["run_id"] for run in runs)
    for run_id in (revived, abandoned):
        _lease(probe, job, run_id, SHORT_LEASE)
    time.sleep(SHORT_LEASE)
    deadline = time.monotonic() + LOST_WITHIN
    while _status(probe, job, abandoned) != "lost":
        if time.monotonic() > deadline:
            raise CheckFailed(
                f"a run whose {SHORT_LEASE} s lease ended is still"
                f" {_status(probe, job, abandoned)!r} {LOST_WITHIN:g} s later, expected 'lost'"
            )
        time.sleep(0.1)
    expect_equal(_status(probe, job, revived), "lost", "the status of the other expired run")
    path = f"/jobs/{job}/runs"
    lost = {r["run_id"] for r in probe.all_items(path, "list_runs?status=lost", status="lost")}
    expect_equal(lost, {revived, abandoned}, "the runs list_runs?status=lost answers")
    running = probe.all_items(path, "list_runs?status=running", status="running")
    expect_equal(running, [], "the runs list_runs?status=running answers")
    _lease(probe, job, revived, 600)
    expect_equal(_status(probe, job, revived), "running", "a lost run's status after a heartbeat")
    failed = expect_json(probe.complete_run(job, abandoned, False), 200, "complete_run")
    expect_equal(failed.get("status"), "failed", "a lost run's status once completed")
    probe.finish(job, revived)
