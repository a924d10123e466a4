"""Leases by default: `JobContext` and `keep_alive` heartbeat at once and then periodically, so a
job killed with `kill -9` shows `lost` within its lease; against a real local Datlake."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import get_run, keep_alive, start_run, unwrap

from .test_outbox import API_KEY, datlake, free_port, unique


def wait_for(predicate: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_keep_alive_beats_at_once_not_a_period_late(tmp_path: Path) -> None:
    with datlake(tmp_path / "d", free_port()) as url, DatlakeClient(url, API_KEY) as client:
        run = unwrap(start_run(client, unique("alive")))
        with keep_alive(client, run, every=3600) as keeper:
            assert keeper.lease_seconds == 3600  # three periods, capped by the contract
            assert wait_for(
                lambda: unwrap(get_run(client, run.job_name, run.run_id)).last_heartbeat_at
            )
        assert unwrap(get_run(client, run.job_name, run.run_id)).status == "running"


def test_a_job_killed_with_sigkill_shows_lost_within_its_lease(tmp_path: Path) -> None:
    job = unique("killed")
    with datlake(tmp_path / "d", free_port()) as url:
        script = (
            "import time\n"
            "from datlake_sdk import DatlakeClient, JobContext\n"
            f"client = DatlakeClient({url!r}, {API_KEY!r})\n"
            f"with JobContext(client, {job!r}, heartbeat_every=0.3) as ctx:\n"
            "    print(ctx.run.run_id, flush=True)\n"
            "    time.sleep(600)\n"
        )
        process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                   text=True, env=dict(os.environ))  # fmt: skip
        try:
            assert process.stdout is not None
            run_id = process.stdout.readline().strip()
            with DatlakeClient(url, API_KEY) as client:
                # the job's own first heartbeat (a 1 s lease), not the server's default
                assert wait_for(lambda: unwrap(get_run(client, job, run_id)).last_heartbeat_at)
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                # a lease of three periods (1 s) runs out: the run is lost, not running
                assert wait_for(lambda: unwrap(get_run(client, job, run_id)).status == "lost")
        finally:
            process.kill()
