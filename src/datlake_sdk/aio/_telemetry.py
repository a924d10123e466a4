"""Telemetry for async jobs: the batcher of `datlake_sdk.functional.telemetry` (the same
queue, limits and batches), whose sender thread hands each batch to the client's event loop.

>>> async def train(client: AsyncDatlakeClient, run: Run) -> None:
...     async with telemetry(client, run) as t:
...         t.metric("loss", 0.42, step=1)      # queued: never waits
...         t.progress(1, 1, "trained")
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator

from .._call import Plan
from .._errors import SDKError
from .._result import Err, Result
from .._telemetry import DEFAULT_CLOSE_TIMEOUT, DEFAULT_FLUSH_EVERY, Telemetry
from .._types import Run, TelemetryReceipt
from ._client import AsyncDatlakeClient

__all__ = ["AsyncTelemetry", "telemetry"]

# the batcher whose batch the current task sends (its own log records stay out of its log)
_sending: contextvars.ContextVar[Telemetry | None] = contextvars.ContextVar(
    "datlake_telemetry_sending", default=None
)


class AsyncTelemetry(Telemetry):
    """A `Telemetry` of an `AsyncDatlakeClient`: recording (`metric`, `progress`, `log`) is
    the same and never waits, from any thread; `await aflush()` and `await aclose()` wait for
    the batches, which the event loop `loop` (the running one by default) sends.
    """

    def __init__(
        self,
        client: AsyncDatlakeClient,
        run: Run,
        *,
        every: float = DEFAULT_FLUSH_EVERY,
        spool: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._client = client
        self._loop = loop or asyncio.get_running_loop()
        super().__init__(client, run, every=every, spool=spool, perform=self._on_loop)

    async def aflush(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT) -> bool:
        """`flush`, awaited."""
        return await asyncio.to_thread(self.flush, timeout)

    async def aclose(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT) -> bool:
        """`close`, awaited."""
        return await asyncio.to_thread(self.close, timeout)

    def flush(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT) -> bool:
        if _running_loop() is self._loop:
            raise RuntimeError("in async code, `await telemetry.aflush()`: flush() blocks the loop")
        return super().flush(timeout)

    def is_sender(self) -> bool:
        return super().is_sender() or _sending.get() is self

    def _on_loop(
        self, plan: Plan[TelemetryReceipt | None]
    ) -> Result[TelemetryReceipt | None, SDKError]:
        _sending.set(self)  # in the sender thread's context, which the loop's task copies
        coroutine = self._client.perform(plan)
        try:
            future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        except RuntimeError:  # the loop is closed: nothing can send the batch any more
            coroutine.close()
            closed = SDKError("the event loop of the async client is closed")
            return Err(closed)
        return future.result()


@contextlib.asynccontextmanager
async def telemetry(
    client: AsyncDatlakeClient,
    run: Run,
    *,
    every: float = DEFAULT_FLUSH_EVERY,
    close_timeout: float | None = DEFAULT_CLOSE_TIMEOUT,
) -> AsyncIterator[AsyncTelemetry]:
    """`datlake_sdk.functional.telemetry` for async code: batch `run`'s metrics, progress and
    log while the block runs; what is queued is sent on the way out (for at most
    `close_timeout` seconds)."""
    batcher = AsyncTelemetry(client, run, every=every)
    batcher.start()
    try:
        yield batcher
    finally:
        await batcher.aclose(close_timeout)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
