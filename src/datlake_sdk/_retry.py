"""Retries: try a call again while it fails transiently, as its `RetryPolicy` allows.

stamina runs the loop (so `stamina.set_testing` and `stamina.set_active` apply); this module
decides whether and how long to wait: full-jitter exponential backoff, the server's
`Retry-After` up to a cap, and a total deadline.

Each retry is logged once, by the SDK (logger `datlake_sdk`, INFO, with the operation, the run
id and the previous attempt's request id). stamina's own record of the same retry (the bare
`stamina.retry_scheduled` of its standard-library logging hook, logger `stamina`) is dropped
while, and only while, an SDK call retries: a filter on the `stamina` logger, added the first
time the SDK retries, lets every other record through, so your own stamina retries still log
and `stamina.instrumentation.set_on_retry_hooks` stays yours. With structlog installed stamina
logs through structlog instead, which the filter does not reach; silence it there with
`set_on_retry_hooks([])` if you want to.

>>> from datlake_sdk._errors import Transient
>>> from datlake_sdk._result import Err, Ok
>>> outcomes = iter([Err(Transient("busy")), Ok("done")])
>>> run_attempts(lambda: next(outcomes), RetryPolicy(base_ms=0), operation="demo")
Ok(value='done')
"""

from __future__ import annotations

import contextvars
import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from ._errors import SDKError
from ._log import call_fields, logger
from ._policy import RetryPolicy
from ._result import Err, Result

__all__ = ["backoff_seconds", "run_attempts", "wait_before_retry"]

T = TypeVar("T")

# Set while an SDK call runs stamina's loop, in that thread (or task) only.
_retrying: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "datlake_sdk_retrying", default=False
)


class _DropSDKRetries(logging.Filter):
    """Drops stamina's record of a retry the SDK already logs itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_retrying.get() and record.getMessage() == "stamina.retry_scheduled")


_STAMINA_FILTER = _DropSDKRetries()


def _quiet_stamina() -> None:
    stamina_logger = logging.getLogger("stamina")
    if _STAMINA_FILTER not in stamina_logger.filters:
        stamina_logger.addFilter(_STAMINA_FILTER)


class _RetryableFailure(Exception):
    """Carries a retryable `Err` through stamina's loop, which retries on exceptions."""

    def __init__(self, error: SDKError) -> None:
        super().__init__(repr(error))
        self.error = error


def backoff_seconds(
    policy: RetryPolicy, retry_number: int, rng: Callable[[], float] = random.random
) -> float:
    """The wait before retry `retry_number` (1 for the second attempt): a uniform draw from
    `[0, min(cap_ms, base_ms * 2**(retry_number - 1))]` ms, or that bound without jitter.

    >>> backoff_seconds(RetryPolicy(base_ms=200, cap_ms=500, jitter=False), 3)
    0.5
    """
    try:
        bound_ms = min(policy.cap_ms, policy.base_ms * 2.0 ** (retry_number - 1))
    except OverflowError:
        bound_ms = policy.cap_ms
    return (rng() * bound_ms if policy.jitter else bound_ms) / 1000


def wait_before_retry(
    policy: RetryPolicy,
    error: SDKError,
    retry_number: int,
    rng: Callable[[], float] = random.random,
) -> float:
    """The server's `Retry-After` (capped at `retry_after_cap_s`) when it sent one, else the
    backoff."""
    if error.retry_after is not None:
        return min(error.retry_after, policy.retry_after_cap_s)
    return backoff_seconds(policy, retry_number, rng)


def run_attempts(
    attempt: Callable[[], Result[T, SDKError]],
    policy: RetryPolicy,
    *,
    operation: str,
    run_id: str | None = None,
    rewind: Callable[[], None] | None = None,
    give_up: Callable[[SDKError], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Result[T, SDKError]:
    """Call `attempt` until it returns `Ok`, a non-retryable `Err`, the policy's attempts are
    used up, the deadline would pass or `give_up(error)` says so; `rewind` runs before every
    retry."""
    started = clock()
    first = attempt()
    if not (isinstance(first, Err) and first.error.retryable) or policy.max_attempts < 2:
        return first
    _quiet_stamina()
    token = _retrying.set(True)
    try:
        return _retry(first, attempt, policy, operation, run_id, rewind, give_up, clock, started)
    finally:
        _retrying.reset(token)


def _retry(
    first: Err[SDKError],
    attempt: Callable[[], Result[T, SDKError]],
    policy: RetryPolicy,
    operation: str,
    run_id: str | None,
    rewind: Callable[[], None] | None,
    give_up: Callable[[SDKError], bool] | None,
    clock: Callable[[], float],
    started: float,
) -> Result[T, SDKError]:
    # Imported here: stamina and tenacity take longer to import than the rest of the SDK,
    # and only a call that failed needs them.
    import stamina

    retries = 0
    waits: list[float] = []

    def wait_or_stop(exc: Exception) -> bool | float:
        # stamina asks this before it checks its own stop conditions, so the retry it
        # schedules may still not happen: it is logged when the next attempt starts.
        if not isinstance(exc, _RetryableFailure):
            return False
        error = exc.error
        if give_up is not None and give_up(error):
            return False
        wait = wait_before_retry(policy, error, len(waits) + 1)
        if clock() - started + wait > policy.deadline_s:
            logger.info(
                "%s: not retrying after %s: the %.1fs deadline would pass",
                operation,
                error.message,
                policy.deadline_s,
                extra=call_fields(operation, error.request_id, wait_s=wait, run_id=run_id),
            )
            return False
        waits.append(wait)
        return wait

    pending: Result[T, SDKError] | None = first
    last_error = first.error
    try:
        for stamina_attempt in stamina.retry_context(
            on=wait_or_stop, attempts=policy.max_attempts, timeout=None
        ):
            with stamina_attempt:
                if pending is not None:
                    # The first attempt already ran outside the loop: replay its outcome.
                    result, pending = pending, None
                else:
                    retries += 1
                    logger.info(
                        "%s: retry %d after %s, backoff %.3fs (run_id=%s, previous request_id=%s)",
                        operation,
                        retries,
                        last_error.message,
                        waits[-1],
                        run_id,
                        last_error.request_id,
                        extra=call_fields(
                            operation,
                            last_error.request_id,
                            wait_s=waits[-1],
                            retry=retries,
                            run_id=run_id,
                        ),
                    )
                    result = _again(attempt, rewind, operation)
                if isinstance(result, Err) and result.error.retryable:
                    last_error = result.error
                    raise _RetryableFailure(result.error)
                return result
    except _RetryableFailure as failure:
        return Err(failure.error)
    raise AssertionError("unreachable: stamina yields at least one attempt")


def _again(
    attempt: Callable[[], Result[T, SDKError]],
    rewind: Callable[[], None] | None,
    operation: str,
) -> Result[T, SDKError]:
    if rewind is not None:
        try:
            rewind()
        except Exception as ex:  # a body that cannot be re-read ends the retries
            error = SDKError(
                f"could not rewind the request body for a retry: {type(ex).__name__}: {ex}",
                operation=operation,
            )
            error.__cause__ = ex
            return Err(error)
    return attempt()
