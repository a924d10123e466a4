"""The `faults` scenario, small: 20 pipelines through a 20 % fault mix, outbox off, then the
audit of the server. `python -m tests.chaos` (`make chaos`) runs the big ones."""

from __future__ import annotations

import pytest

from .scenarios import ScenarioResult, run_scenario

PIPELINES = 20


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    return run_scenario("faults", PIPELINES, "off", threads=4, seed=3)


def test_every_pipeline_ran_and_the_proxy_faulted(result: ScenarioResult) -> None:
    assert result.counts["pipelines"] == PIPELINES
    faults = sum(v for k, v in result.proxy_stats.items() if k not in ("requests", "forwarded"))
    assert faults > 0, result.proxy_stats


def test_no_exception_escapes_the_sdk(result: ScenarioResult) -> None:
    assert result.counts["exceptions"] == 0, result.counts["details"]


def test_DELIVERY_no_duplicate_runs_or_snapshots(result: ScenarioResult) -> None:
    """Exactly once under faults (DESIGN.md section 8): fails until client-chosen ids and
    replays are in both the SDK and the server."""
    assert result.counts["duplicate_runs"] == 0, result.counts["details"]
    assert result.counts["duplicate_snapshots"] == 0, result.counts["details"]


def test_DELIVERY_an_err_is_the_truth_and_an_ok_is_recorded(result: ScenarioResult) -> None:
    """No false errors and nothing missing: every `Err` means "not recorded", every `Ok` is on
    the server."""
    missing = {k: v for k, v in result.counts.items() if k.startswith("missing_") and v}
    assert missing == {}, result.counts["details"]
    assert result.counts["false_errors"] == 0, result.counts["details"]
