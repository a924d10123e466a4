"""`AsyncDatlakeClient`: the async twin of `DatlakeClient`. It shares the settings, policies,
retry decisions, outbox, cache and translator (`datlake_sdk._client.Session`); only sending
is its own, with `httpx.AsyncClient`.

>>> import asyncio
>>> async def main() -> None:
...     async with AsyncDatlakeClient("http://127.0.0.1:8765", "secret") as client:
...         print(client)
>>> asyncio.run(main())
AsyncDatlakeClient(base_url='http://127.0.0.1:8765', api_key='***')
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import httpx

from .._call import Call, Chain, Plan, Refusal
from .._client import _SEND_ERRORS, Exchange, Session, _bounded
from .._errors import SDKError
from .._http import AsyncHttpClient
from .._log import new_request_id
from .._reactions import emit_error_event
from .._result import Err, Ok, Result
from .._retry import run_attempts_async
from .._streams import Sink, adrain
from .._transport import async_transport

if TYPE_CHECKING:
    from .._delivery import FlushReport

__all__ = ["AsyncDatlakeClient"]

M = TypeVar("M")
T = TypeVar("T")


class AsyncDatlakeClient(Session[httpx.AsyncBaseTransport]):
    """The settings and keywords of `DatlakeClient` (`transport` takes an
    `httpx.AsyncBaseTransport`); `await client.execute(call)` sends a `Call`. One client serves
    any number of concurrent tasks; close it with `await client.aclose()` or `async with`.

    The outbox's writes to its SQLite journal, and its background flusher, are the sync
    client's: a write kept there is journaled from the event loop (a short local write).
    Under `on_error=emit_event` the error event goes out from a thread, off the loop.
    """

    _http: httpx.AsyncClient
    _asynchronous = True

    def _open(self, transport: httpx.AsyncBaseTransport | None) -> None:
        options = self._client_options()
        if transport is None:  # httpx's own transport, reading big bodies in big steps
            transport = async_transport(options["limits"])
        self._http = AsyncHttpClient(**options, transport=transport)
        # the outbox's flusher and the error events send from threads, with a sync client
        self._side_http: httpx.Client | None = None
        self._emitting: set[asyncio.Future[None]] = set()
        if self._settings.outbox is not None:
            self._open_stores(self._event_http())

    async def execute(self, call: Call[M, T]) -> Result[T, SDKError]:
        """Send `call` (retrying it when it is retry-safe), translate the outcome, then apply
        the policies; never raises for an expected failure."""
        # the error events on their way go first, in the sync client's order (a run's
        # completion after its error events, not before)
        if self._emitting:
            await asyncio.wait(self._emitting)
        return self._concluded(call, await self._deliver(call))

    async def perform(self, plan: Plan[T]) -> Result[T, SDKError]:
        """Carry out what an operation planned: refuse it, send it, or send it in steps."""
        if isinstance(plan, Refusal):
            return self.refuse(plan.operation, plan.error, plan.run)
        if isinstance(plan, Chain):
            first = await self.perform(plan.first)
            return first if isinstance(first, Err) else await self.perform(plan.then(first.value))
        if isinstance(plan, Ok):
            return plan
        return await self.execute(plan)

    async def _deliver(self, call: Call[M, T]) -> Result[T, SDKError]:
        kept = self._kept_at_once(call)
        if kept is not None:
            return kept
        exchange = Exchange.within(self._settings.policy.retry)

        async def attempt() -> Result[T, SDKError]:
            return exchange.record(await self._attempt(call, exchange.deadline))

        if self._retries(call):
            result = await run_attempts_async(
                attempt,
                self._settings.policy.retry,
                operation=call.operation,
                run_id=None if call.run_ref is None else call.run_ref[1],
                rewind=call.rewind,
                give_up=self._give_up(call),
            )
        else:
            result = await attempt()
        settled = self._settle(call, exchange, result)
        if isinstance(settled, Call):
            assert isinstance(result, Err)
            return self._resolved(settled, await self._deliver(settled), result)
        return settled

    async def _attempt(self, call: Call[M, T], deadline: float) -> Result[T, SDKError]:
        request_id = new_request_id()
        request = self._request(call, deadline, request_id)
        if isinstance(request, Err):
            return request
        outcome: httpx.Response | BaseException
        response: httpx.Response | None = None
        try:
            response = await self._http.send(request, stream=True)
            self._sent()
            if _bounded(call):
                await _read_by(response, deadline)
            elif not call.stream or not response.is_success:
                await response.aread()
            outcome = response
        except _SEND_ERRORS as ex:
            self._not_sent(ex)
            outcome = ex
        parse = None
        if call.sink is not None and response is not None and response.is_success:
            parse = await _drained(call.sink, response)
        try:
            return self._translated(call, outcome, request, request_id, parse)
        finally:
            if response is not None:
                await response.aclose()

    def _emit_error_event(self, run_ref: tuple[str, str], operation: str, error: SDKError) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called off the loop (a batcher fed from a thread): wait here
            emit_error_event(self._event_http(), run_ref, operation, error)
            return
        # one blocking request: sent from a thread, so the event loop goes on meanwhile
        posted = loop.run_in_executor(
            None, emit_error_event, self._event_http(), run_ref, operation, error
        )
        self._emitting.add(posted)
        posted.add_done_callback(self._emitting.discard)

    def _event_http(self) -> httpx.Client:
        if self._side_http is None:
            self._side_http = httpx.Client(**self._client_options())
        return self._side_http

    async def flush_outbox(self, timeout: float | None = None) -> FlushReport:  # type: ignore[override]
        """`DatlakeClient.flush_outbox`, awaited (the outbox delivers from a thread)."""
        return await asyncio.to_thread(Session.flush_outbox, self, timeout)

    async def aclose(self) -> None:
        """Deliver what the outbox holds (bounded by `outbox_exit_timeout`, in a thread), then
        close the pooled connections."""
        if self._emitting:  # the error events still on their way (each one bounded request)
            await asyncio.gather(*self._emitting)
        if self._outbox is not None or self._cache is not None:
            await asyncio.to_thread(self._close_stores)
        await self._http.aclose()
        if self._side_http is not None:
            self._side_http.close()

    async def __aenter__(self) -> AsyncDatlakeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _drained(
    sink: Callable[[httpx.Response], Sink], response: httpx.Response
) -> Callable[..., object]:
    """The body written into `sink(response)` now (it is read asynchronously), as the `parse`
    the translator calls: it answers what the sink made of it, or raises what went wrong."""
    try:
        answer = await adrain(sink(response), response)
    except Exception as ex:  # the translator turns it into an `Err`, as for the sync client
        failure = ex

        def failed(**_: object) -> object:
            raise failure

        return failed
    return lambda **_: answer


async def _read_by(response: httpx.Response, deadline: float) -> None:
    """`await response.aread()`, but raise `httpx.ReadTimeout` once `deadline` has passed."""
    chunks: list[bytes] = []
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the call's deadline passed while the body arrived")
    response._content = b"".join(chunks)  # what `Response.aread()` itself stores
