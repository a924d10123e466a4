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

import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from ._errors import SDKError
from ._log import call_fields, logger
from ._policy import RetryPolicy
from ._result import Err, Result

__all__ = ["backoff_seconds", "run_attempts", "run_attempts_async", "wait_before_retry"]

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
    import stamina  # only a call that failed needs it (it imports slowly)

    loop = _Retries(first, policy, operation, run_id, give_up, clock, started)
    with loop.running():
        try:
            for stamina_attempt in loop.attempts(stamina):
                with stamina_attempt:
                    result = loop.replay() or loop.rewound(rewind) or attempt()
                    return loop.checked(result)
        except _RetryableFailure as failure:
            return Err(failure.error)
    raise AssertionError("unreachable: stamina yields at least one attempt")


async def run_attempts_async(
    attempt: Callable[[], Awaitable[Result[T, SDKError]]],
    policy: RetryPolicy,
    *,
    operation: str,
    run_id: str | None = None,
    rewind: Callable[[], None] | None = None,
    give_up: Callable[[SDKError], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Result[T, SDKError]:
    """`run_attempts` for a coroutine `attempt`: the same decisions, with stamina's async loop
    (its waits do not block the event loop)."""
    started = clock()
    first = await attempt()
    if not (isinstance(first, Err) and first.error.retryable) or policy.max_attempts < 2:
        return first
    import stamina

    loop = _Retries(first, policy, operation, run_id, give_up, clock, started)
    with loop.running():
        try:
            async for stamina_attempt in loop.attempts(stamina):
                with stamina_attempt:
                    result = loop.replay() or loop.rewound(rewind) or await attempt()
                    return loop.checked(result)
        except _RetryableFailure as failure:
            return Err(failure.error)
    raise AssertionError("unreachable: stamina yields at least one attempt")


class _Retries:
    """The decisions of one call's retry loop, for the sync and the async loop alike: whether
    and how long to wait, what is logged, and what ends the loop."""

    def __init__(
        self,
        first: Err[SDKError],
        policy: RetryPolicy,
        operation: str,
        run_id: str | None,
        give_up: Callable[[SDKError], bool] | None,
        clock: Callable[[], float],
        started: float,
    ) -> None:
        self.policy, self.operation, self.run_id = policy, operation, run_id
        self.give_up, self.clock, self.started = give_up, clock, started
        self.pending: Err[SDKError] | None = first
        self.last_error = first.error
        self.waits: list[float] = []

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        _quiet_stamina()
        token = _retrying.set(True)
        try:
            yield
        finally:
            _retrying.reset(token)

    def attempts(self, stamina: Any) -> Any:
        """stamina's loop (iterate it with `for` or `async for`)."""
        return stamina.retry_context(
            on=self.wait_or_stop, attempts=self.policy.max_attempts, timeout=None
        )

    def wait_or_stop(self, exc: Exception) -> bool | float:
        # stamina asks this before it checks its own stop conditions, so the retry it
        # schedules may still not happen: it is logged when the next attempt starts.
        if not isinstance(exc, _RetryableFailure):
            return False
        error = exc.error
        if self.give_up is not None and self.give_up(error):
            return False
        wait = wait_before_retry(self.policy, error, len(self.waits) + 1)
        if self.clock() - self.started + wait > self.policy.deadline_s:
            logger.info(
                "%s: not retrying after %s: the %.1fs deadline would pass",
                self.operation,
                error.message,
                self.policy.deadline_s,
                extra=call_fields(
                    self.operation, error.request_id, wait_s=wait, run_id=self.run_id
                ),
            )
            return False
        self.waits.append(wait)
        return wait

    def replay(self) -> Err[SDKError] | None:
        """The first attempt's outcome (it ran before the loop) the first time; then `None`,
        after logging the retry about to be made."""
        if self.pending is not None:
            first, self.pending = self.pending, None
            return first
        retry = len(self.waits)
        last = self.last_error
        logger.info(
            "%s: retry %d after %s, backoff %.3fs (run_id=%s, previous request_id=%s)",
            self.operation,
            retry,
            last.message,
            self.waits[-1],
            self.run_id,
            last.request_id,
            extra=call_fields(
                self.operation,
                last.request_id,
                wait_s=self.waits[-1],
                retry=retry,
                run_id=self.run_id,
            ),
        )
        return None

    def rewound(self, rewind: Callable[[], None] | None) -> Err[SDKError] | None:
        """`None` once the body is readable again; an `Err` (ending the retries) if it is not."""
        if rewind is None:
            return None
        try:
            rewind()
        except Exception as ex:  # a body that cannot be re-read ends the retries
            error = SDKError(
                f"could not rewind the request body for a retry: {type(ex).__name__}: {ex}",
                operation=self.operation,
            )
            error.__cause__ = ex
            return Err(error)
        return None

    def checked(self, result: Result[T, SDKError]) -> Result[T, SDKError]:
        """`result`, or a raise that asks stamina for another attempt."""
        if isinstance(result, Err) and result.error.retryable:
            self.last_error = result.error
            raise _RetryableFailure(result.error)
        return result
