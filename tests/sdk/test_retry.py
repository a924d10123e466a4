"""The retry loop and its waits, without HTTP."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import stamina

from datlake_sdk._errors import NotFound, SDKError, Transient
from datlake_sdk._policy import RetryPolicy
from datlake_sdk._result import Err, Ok, Result
from datlake_sdk._retry import backoff_seconds, run_attempts, wait_before_retry


class Attempts:
    """Outcomes in order, the last repeating; counts the calls."""

    def __init__(self, *outcomes: Result[str, SDKError]) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self) -> Result[str, SDKError]:
        self.calls += 1
        return self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]


def busy(n: int = 0, retry_after: float | None = None) -> Err[SDKError]:
    return Err(Transient("busy", code=503, request_id=f"rid-{n}", retry_after=retry_after))


class TestWaits:
    def test_full_jitter_draws_below_the_exponential_bound(self) -> None:
        policy = RetryPolicy(base_ms=100, cap_ms=10_000)
        assert [backoff_seconds(policy, n, rng=lambda: 1.0) for n in (1, 2, 3, 4)] == [
            0.1,
            0.2,
            0.4,
            0.8,
        ]
        assert backoff_seconds(policy, 3, rng=lambda: 0.25) == 0.1
        assert backoff_seconds(policy, 3, rng=lambda: 0.0) == 0.0

    def test_the_cap_bounds_the_wait(self) -> None:
        policy = RetryPolicy(base_ms=100, cap_ms=300, jitter=False)
        assert backoff_seconds(policy, 10) == 0.3
        assert backoff_seconds(policy, 10_000) == 0.3  # no overflow

    def test_real_draws_stay_in_range(self) -> None:
        policy = RetryPolicy(base_ms=200, cap_ms=5000)
        draws = [backoff_seconds(policy, 2) for _ in range(200)]
        assert all(0 <= d <= 0.4 for d in draws)
        assert len(set(draws)) > 1

    def test_retry_after_wins_and_is_capped(self) -> None:
        policy = RetryPolicy(retry_after_cap_s=10)
        assert wait_before_retry(policy, busy(retry_after=3).error, 1) == 3
        assert wait_before_retry(policy, busy(retry_after=99).error, 1) == 10
        no_header = wait_before_retry(policy, busy().error, 1, rng=lambda: 1.0)
        assert no_header == policy.base_ms / 1000


class TestRunAttempts:
    def test_ok_first_time(self) -> None:
        attempts = Attempts(Ok("v"))
        assert run_attempts(attempts, RetryPolicy(), operation="op") == Ok("v")
        assert attempts.calls == 1

    def test_a_non_retryable_err_is_not_retried(self) -> None:
        attempts = Attempts(Err(NotFound("x")))
        assert isinstance(run_attempts(attempts, RetryPolicy(), operation="op"), Err)
        assert attempts.calls == 1

    def test_retries_until_ok(self) -> None:
        attempts = Attempts(busy(1), busy(2), Ok("v"))
        assert run_attempts(attempts, RetryPolicy(max_attempts=5), operation="op") == Ok("v")
        assert attempts.calls == 3

    def test_stops_at_a_non_retryable_err(self) -> None:
        attempts = Attempts(busy(1), Err(NotFound("gone")))
        result = run_attempts(attempts, RetryPolicy(max_attempts=5), operation="op")
        assert isinstance(result, Err)
        assert isinstance(result.error, NotFound)
        assert attempts.calls == 2

    @pytest.mark.parametrize("max_attempts", [1, 2, 4])
    def test_gives_up_after_max_attempts_with_the_last_err(self, max_attempts: int) -> None:
        attempts = Attempts(*(busy(n) for n in range(1, 10)))
        result = run_attempts(attempts, RetryPolicy(max_attempts=max_attempts), operation="op")
        assert isinstance(result, Err)
        assert result.error.request_id == f"rid-{max_attempts}"
        assert attempts.calls == max_attempts

    def test_rewind_runs_before_every_retry_only(self) -> None:
        events: list[str] = []
        outcomes = iter([busy(1), busy(2), Ok("v")])

        def attempt() -> Result[str, SDKError]:
            events.append("send")
            return next(outcomes)

        run_attempts(attempt, RetryPolicy(), operation="op", rewind=lambda: events.append("rewind"))
        assert events == ["send", "rewind", "send", "rewind", "send"]

    def test_the_deadline_stops_retries(self) -> None:
        now = iter(float(t) for t in range(0, 1000, 10))  # every clock reading: 10 s later
        attempts = Attempts(busy())
        policy = RetryPolicy(max_attempts=10, base_ms=0, deadline_s=25)
        result = run_attempts(attempts, policy, operation="op", clock=lambda: next(now))
        assert isinstance(result, Err)
        # started at 0; retry checks at 10 and 20 pass, the one at 30 does not
        assert attempts.calls == 3

    def test_a_wait_that_would_pass_the_deadline_is_not_taken(self) -> None:
        attempts = Attempts(busy(retry_after=5))
        policy = RetryPolicy(deadline_s=4.9)
        assert isinstance(run_attempts(attempts, policy, operation="op"), Err)
        assert attempts.calls == 1

    def test_stamina_switched_off_means_one_attempt(self) -> None:
        attempts = Attempts(busy())
        stamina.set_active(False)
        try:
            run_attempts(attempts, RetryPolicy(), operation="op")
        finally:
            stamina.set_active(True)
        assert attempts.calls == 1

    def test_stamina_testing_mode_sets_the_attempts(self) -> None:
        attempts = Attempts(busy())
        with stamina.set_testing(True, attempts=2):
            run_attempts(attempts, RetryPolicy(max_attempts=5), operation="op")
        assert attempts.calls == 2

    def test_each_retry_is_logged_with_the_failed_request_id(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        attempts = Attempts(busy(1), busy(2), Ok("v"))
        policy = RetryPolicy(base_ms=100, jitter=False)
        with caplog.at_level(logging.INFO, logger="datlake_sdk"):
            run_attempts(attempts, policy, operation="get_run")
        records = [r for r in caplog.records if r.name == "datlake_sdk"]
        assert [(r.request_id, r.retry, r.wait_s) for r in records] == [  # type: ignore[attr-defined]
            ("rid-1", 1, 0.1),
            ("rid-2", 2, 0.2),
        ]
        assert all(r.operation == "get_run" for r in records)  # type: ignore[attr-defined]


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Outside stamina's testing mode: record the sleeps tenacity asks for instead."""
    import tenacity

    slept: list[float] = []
    monkeypatch.setattr(tenacity.nap.time, "sleep", slept.append)
    with stamina.set_testing(False):
        yield slept


def test_stamina_sleeps_the_wait_we_computed(no_sleep: list[float]) -> None:
    attempts = Attempts(busy(1, retry_after=2.5), busy(2), Ok("v"))
    policy = RetryPolicy(base_ms=400, jitter=False)
    assert run_attempts(attempts, policy, operation="op") == Ok("v")
    assert no_sleep == [2.5, 0.8]
