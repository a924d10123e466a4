"""The chaos scenarios, small: a few pipelines each through the fault proxy against a real
`datlake server`, then the audit of the server. `make chaos` runs them with 1,000 pipelines."""

from __future__ import annotations

import pytest

from .scenarios import ScenarioResult, run_scenario

# (scenario, outbox, pipelines): faults without and with the outbox, a full outage, and a job
# killed with SIGKILL whose outbox another process flushes
QUICK = [
    ("faults", "off", 20),
    ("faults", "on", 20),
    ("outage", "on", 10),
    ("kill-job", "on", 6),
]


@pytest.fixture(scope="module", params=QUICK, ids=lambda case: f"{case[0]}-outbox-{case[1]}")
def result(request: pytest.FixtureRequest) -> ScenarioResult:
    name, outbox, pipelines = request.param
    return run_scenario(name, pipelines, outbox, threads=4, seed=3)


def test_every_pipeline_ran(result: ScenarioResult) -> None:
    assert result.counts["pipelines"] > 0
    if result.scenario == "faults":
        faults = sum(v for k, v in result.proxy_stats.items() if k not in ("requests", "forwarded"))
        assert faults > 0, result.proxy_stats


def test_no_exception_escapes_the_sdk(result: ScenarioResult) -> None:
    assert result.counts["exceptions"] == 0, result.counts["details"]


def test_no_duplicate_runs_or_snapshots(result: ScenarioResult) -> None:
    """Exactly once (DESIGN.md section 8), whatever the faults."""
    assert result.counts["duplicate_runs"] == 0, result.counts["details"]
    assert result.counts["duplicate_snapshots"] == 0, result.counts["details"]


def test_an_err_is_the_truth_and_an_ok_is_recorded(result: ScenarioResult) -> None:
    """No false errors and nothing missing: every `Err` means "not recorded", every `Ok`
    (pending ones after the flush) is on the server."""
    missing = {k: v for k, v in result.counts.items() if k.startswith("missing_") and v}
    assert missing == {}, result.counts["details"]
    assert result.counts["false_errors"] == 0, result.counts["details"]


def test_no_run_is_left_running(result: ScenarioResult) -> None:
    """With the outbox every completion is recorded sooner or later; without it, a completion
    that outlived its retries is a true `Err` and its run waits for its lease to run out."""
    assert result.counts["problems"] == 0, result.counts["details"]
    if result.outbox == "on":
        assert result.counts["runs_left_running"] == 0, result.counts["details"]
