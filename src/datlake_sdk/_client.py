"""`DatlakeClient`: one pooled connection to a Datlake, and the place every call goes through.

>>> with DatlakeClient(base_url="http://127.0.0.1:8765", api_key="secret") as client:
...     client
DatlakeClient(base_url='http://127.0.0.1:8765', api_key='***')
"""

from __future__ import annotations

import atexit
import os
import time
import weakref
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._call import Call, Chain, Plan, Refusal
from ._config import load_settings
from ._errors import NotFound, SDKError, ValidationError, detach
from ._http import HttpClient
from ._log import call_fields, logger, new_request_id
from ._policy import ErrorStrategy, OnError, Policy, RetryPolicy
from ._reactions import ErrorListeners, apply_strategy, emit_error_event, log_error
from ._result import Err, Ok, Result
from ._retry import run_attempts
from ._streams import FileBody
from ._translate import translate

if TYPE_CHECKING:
    from ._delivery import FlushReport, Outbox
    from ._store import SnapshotCache
    from ._streams import Sink
    from ._types import Run

__all__ = ["DatlakeClient", "Exchange", "Session"]

M = TypeVar("M")
T = TypeVar("T")

# What sending (or reading a streamed error body) may raise; each becomes an `Err`.
_SEND_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError)


# Statuses after which the request may have been carried out (a gateway gave up waiting).
_MAYBE_DONE_STATUSES = frozenset({499, 502, 504, 520, 521, 522, 523, 524})


def _may_have_landed(error: SDKError) -> bool:
    """Whether the failed attempt may have reached the server and been carried out."""
    if error.code is None:
        return not isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout)
    return error.code in _MAYBE_DONE_STATUSES or 200 <= error.code < 300


def _shorter(timeout: float | httpx.Timeout, seconds: float) -> httpx.Timeout | None:
    """`timeout` with no phase longer than `seconds`; `None` when it has none already."""
    seconds = max(seconds, 0.001)
    if not isinstance(timeout, httpx.Timeout):
        return None if timeout <= seconds else httpx.Timeout(seconds)
    phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    if all(phase is not None and phase <= seconds for phase in phases):
        return None
    return httpx.Timeout(
        connect=_min(timeout.connect, seconds),
        read=_min(timeout.read, seconds),
        write=_min(timeout.write, seconds),
        pool=_min(timeout.pool, seconds),
    )


def _min(phase: float | None, seconds: float) -> float:
    return seconds if phase is None else min(phase, seconds)


def _with_request_id(headers: Mapping[str, str] | None, request_id: str) -> dict[str, str]:
    """`headers` with exactly one `X-Request-Id`: this attempt's."""
    merged = {k: v for k, v in (headers or {}).items() if k.lower() != "x-request-id"}
    merged["X-Request-Id"] = request_id
    return merged


# How many absolute URLs a client keeps made (a job's runs path, its latest runs' paths, ...).
_URLS_KEPT = 256

X = TypeVar("X")  # the transport type: httpx.BaseTransport, or httpx.AsyncBaseTransport


class Session(Generic[X]):
    """What `DatlakeClient` and `datlake_sdk.aio.AsyncDatlakeClient` share: the settings, the
    outbox and cache, the error reactions, and every decision about sending a `Call` (before
    it, between attempts and after them). The two clients only send; nothing is decided twice.
    """

    _http: httpx.Client | httpx.AsyncClient
    _asynchronous = False  # whether `_http` is an `httpx.AsyncClient`

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        policy: Policy | None = None,
        error_strategy: ErrorStrategy | str | None = None,
        retry: RetryPolicy | str | None = None,
        on_error: OnError | str | None = None,
        config_file: str | os.PathLike[str] | None = None,
        allow_insecure_http: bool = False,
        user_agent: str | None = None,
        outbox: str | os.PathLike[str] | None = None,
        outbox_exit_timeout: float | None = None,
        cache: bool | str | None = None,
        cache_max_age: float | str | None = None,
        pool_size: int | None = None,
        pool_idle_timeout: float | str | None = None,
        transport: X | None = None,
    ) -> None:
        self._settings = load_settings(
            base_url,
            api_key,
            timeout=timeout,
            policy=policy,
            error_strategy=error_strategy,
            retry=retry,
            on_error=on_error,
            config_file=config_file,
            allow_insecure_http=allow_insecure_http,
            user_agent=user_agent,
            outbox=outbox,
            outbox_exit_timeout=outbox_exit_timeout,
            cache=cache,
            cache_max_age=cache_max_age,
            pool_size=pool_size,
            pool_idle_timeout=pool_idle_timeout,
        )
        self._has_key = self._settings.api_key is not None
        self._listeners = ErrorListeners()
        self._outbox: Outbox | None = None
        self._cache: SnapshotCache | None = None
        self._urls: dict[str, httpx.URL] = {}
        self._open(transport)

    def _open(self, transport: X | None) -> None:
        """Make the pooled httpx client (and the stores, `_open_stores`)."""
        raise NotImplementedError

    def _url(self, url: str) -> httpx.URL:
        """`url` (relative, as the generated layer writes it) merged with the base URL as httpx
        merges it; kept, since each costs httpx two URL parses, a third of a call's own time."""
        merged = self._urls.get(url)
        if merged is None:
            if len(self._urls) >= _URLS_KEPT:  # paths with run ids come and go
                self._urls.clear()
            merged = self._urls[url] = self._http.build_request("GET", url).url
        return merged

    def _client_options(self) -> dict[str, Any]:
        """The arguments of the pooled httpx client (sync or async)."""
        settings = self._settings
        headers = {"User-Agent": settings.user_agent}
        if settings.api_key is not None:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        return {
            "base_url": settings.base_url,
            "headers": headers,
            "timeout": settings.timeout,
            "limits": settings.limits(),
        }

    def _open_stores(self, http: httpx.Client) -> None:
        """The outbox (delivering through `http`) and the detached cache, when they are on."""
        settings = self._settings
        if settings.outbox is not None:
            self._outbox = _open_outbox(self, settings.outbox, settings.outbox_exit_timeout, http)
        if settings.outbox is not None and settings.cache:
            from ._store import SnapshotCache

            self._cache = SnapshotCache(settings.outbox)

    @property
    def base_url(self) -> str:
        """The Datlake's root URL (no trailing slash)."""
        return self._settings.base_url

    @property
    def policy(self) -> Policy:
        """The error strategy, retry policy and `on_error` reaction this client applies."""
        return self._settings.policy

    def add_error_listener(self, listener: Callable[[str, SDKError], None]) -> Callable[[], None]:
        """Call `listener(operation, error)` for every `Err` this client returns; the result
        unsubscribes it. A listener that raises is logged and never breaks the call.

        >>> client = DatlakeClient("http://127.0.0.1:8765")
        >>> unsubscribe = client.add_error_listener(lambda op, err: print(op, err.code))
        >>> unsubscribe()
        """
        return self._listeners.add(listener)

    @property
    def outbox(self) -> Outbox | None:
        """The outbox journal of writes not yet delivered, when the outbox is on."""
        return self._outbox

    @property
    def snapshot_cache(self) -> SnapshotCache | None:
        """The detached cache of the newest snapshot seen per table, when it is on."""
        return self._cache

    @property
    def cache_max_age(self) -> float:
        """Seconds after which a cached snapshot is too old to serve."""
        return self._settings.cache_max_age

    def refuse(self, operation: str, error: SDKError, run: Run | None = None) -> Err[SDKError]:
        """`Err(error)` for a call refused before sending (a bad name, an unreadable file),
        after the reactions every `Err` gets: the listeners, the WARNING and, with
        `on_error=emit_event` and a valid `run`, the error event.

        >>> client = DatlakeClient("http://127.0.0.1:8765")
        >>> client.refuse("get_run", ValidationError("run_id: 'r 1' is not valid"))
        Err(error=ValidationError(code=None, message="run_id: 'r 1' is not valid", ...))
        """
        from ._names import bad_run

        run_ref = None if run is None or bad_run("run", run) else (run.job_name, run.run_id)
        self._react(operation, error, run_ref)
        return Err(error)

    def flush_outbox(self, timeout: float | None = None) -> FlushReport:
        """Deliver what the outbox holds for this Datlake, for at most `timeout` seconds
        (`None`: until done or Datlake stops answering).

        >>> client.flush_outbox(timeout=30)  # doctest: +SKIP
        FlushReport(delivered=12, pending=0, dead=0)
        """
        if self._outbox is None:
            raise RuntimeError("the outbox is off: pass outbox='on' or set DATLAKE_SDK_OUTBOX")
        return self._outbox.flush(timeout)

    # sending: the decisions, shared

    def _concluded(self, call: Call[M, T], result: Result[T, SDKError]) -> Result[T, SDKError]:
        """The policies applied to a delivered call's outcome, and the reactions to an `Err`."""
        if isinstance(result, Err):
            result = apply_strategy(
                result,
                self._settings.policy.error_strategy,
                operation=call.operation,
                on_not_found=call.on_not_found,
                on_transient=call.on_transient,
                not_found_type=call.not_found_type,
            )
        if isinstance(result, Err):
            self._react(call.operation, result.error, call.run_ref)
        return result

    def _kept_at_once(self, call: Call[M, T]) -> Result[T, SDKError] | None:
        """The outbox's answer when the write must wait without a try: the circuit is open,
        or the run's earlier writes still wait."""
        outbox = self._outbox
        deferral = None if outbox is None else call.defer
        if (
            deferral is not None
            and outbox is not None
            and (outbox.circuit.open or outbox.queued_behind(deferral.group))
        ):
            return self._defer(call)
        return None

    def _defer(self, call: Call[M, T]) -> Result[T, SDKError]:
        """Keep `call` in the outbox; a journal that cannot take it is an `Err`, not a raise."""
        assert self._outbox is not None
        try:
            return self._outbox.defer(call)
        except Exception as ex:  # a full disk, a broken journal: the write was not kept
            error = SDKError(
                f"{call.operation}: could not keep the write in the outbox"
                f" ({type(ex).__name__}: {ex})",
                operation=call.operation,
            )
            error.__cause__ = ex
            return Err(detach(error))

    def _settle(
        self, call: Call[M, T], exchange: Exchange, result: Result[T, SDKError]
    ) -> Result[T, SDKError] | Call[Any, T | None]:
        """What the retries' outcome becomes: itself, a write kept in the outbox, a cached read,
        or (returned as a `Call` to deliver, then passed to `_resolved`) a check of whether an
        earlier attempt landed."""
        if not (isinstance(result, Err) and result.error.retryable):
            return result
        error = result.error
        if exchange.attempts > 1 or error.code is None:
            plural = "attempt" if exchange.attempts == 1 else "attempts"
            took = time.monotonic() - exchange.started
            error.message += f" after {exchange.attempts} {plural} in {took:.1f} s"
        if self._outbox is not None and call.defer is not None:
            return self._defer(call)  # replayed with the same ids: exactly once either way
        if call.cached is not None and self._cache is not None:
            kept = call.cached(result.error)
            if kept is not None:
                return Ok(kept)
        if exchange.landed and call.resolve is not None:
            return call.resolve()
        return result

    def _resolved(
        self, check: Call[Any, T | None], found: Result[T | None, SDKError], failed: Err[SDKError]
    ) -> Result[T, SDKError]:
        """The answer of the check `_settle` asked for: an earlier attempt landed, or not."""
        if isinstance(found, Ok) and found.value is not None:
            logger.info(
                "%s: an earlier attempt was recorded after all (%s)",
                failed.error.operation,
                failed.error.message,
                extra=call_fields(check.operation, failed.error.request_id),
            )
            return Ok(found.value)
        if not (isinstance(found, Ok) or isinstance(found.error, NotFound)):
            failed.error.maybe_recorded = True
        return failed

    def _retries(self, call: Call[M, T]) -> bool:
        """Whether `call` may be tried more than once (an open circuit sends it to the outbox)."""
        return call.retry_safe and not (self._outbox is not None and self._outbox.circuit.open)

    def _give_up(self, call: Call[M, T]) -> Callable[[SDKError], bool] | None:
        # with an outbox, an unreachable Datlake sends the write to the journal at once
        return None if self._outbox is None or call.defer is None else _unreachable

    def _request(
        self, call: Call[M, T], deadline: float, request_id: str
    ) -> httpx.Request | Err[SDKError]:
        """The attempt's request, with its fresh `X-Request-Id`; besides the timeout, the call's
        deadline bounds the wait (file transfers are bounded by the timeout alone)."""
        try:
            kwargs: dict[str, Any] = call.request(request_id)
            kwargs["headers"] = _with_request_id(kwargs.get("headers"), request_id)
            content = kwargs.get("content")
            if isinstance(content, FileBody) and self._asynchronous:
                kwargs["content"] = content.asynchronous()  # httpx's async clients need one
            if isinstance(url := kwargs.get("url"), str):
                kwargs["url"] = self._url(url)
            shorter = _shorter(self._settings.timeout, deadline - time.monotonic())
            if _bounded(call) and shorter is not None:
                kwargs["timeout"] = shorter
            return self._http.build_request(**kwargs)
        except Exception as ex:  # what the checks before sending missed: the encoder refused it
            error = ValidationError(
                f"{call.operation}: the request cannot be sent: {type(ex).__name__}: {ex}",
                operation=call.operation,
            )
            error.__cause__ = ex
            return Err(detach(error))

    def _sent(self) -> None:
        if self._outbox is not None:
            self._outbox.circuit.reset()

    def _not_sent(self, ex: BaseException) -> None:
        if self._outbox is not None and isinstance(ex, httpx.ConnectError | httpx.ConnectTimeout):
            self._outbox.circuit.trip()

    def _translated(
        self,
        call: Call[M, T],
        outcome: httpx.Response | BaseException,
        request: httpx.Request,
        request_id: str,
        parse: Callable[..., object] | None = None,
    ) -> Result[T, SDKError]:
        """The translator's `Result` of an attempt; `parse`, when given, reads the 2xx body
        instead of `call.parse` (a sink's drain)."""
        result = translate(
            outcome,
            call.parse if parse is None else parse,
            call.expect,
            call.convert,
            request_id,
            call.operation,
            retry_broken_body=call.retry_safe,
            fast=call.fast,
        )
        if isinstance(result, Err) and result.error.code is None and result.error.retryable:
            # a transport failure says where it went: the method and URL (never the headers)
            result.error.message = f"{request.method} {request.url}: {result.error.message}"
        return result

    def _react(self, operation: str, error: SDKError, run_ref: tuple[str, str] | None) -> None:
        """What every `Err` the client returns gets, found before sending or after: the
        listeners, the WARNING, and the error event under `on_error=emit_event`."""
        if error.operation is None:
            error.operation = operation
        self._listeners.notify(operation, error)
        log_error(operation, error)
        on_error = self._settings.policy.on_error
        if on_error is OnError.EMIT_EVENT and run_ref is not None:
            self._emit_error_event(run_ref, operation, error)
        elif on_error is OnError.EMIT_EVENT:
            logger.debug(
                "%s: no run to post an error event on",
                operation,
                extra=call_fields(operation, error.request_id),
            )

    def _emit_error_event(self, run_ref: tuple[str, str], operation: str, error: SDKError) -> None:
        emit_error_event(self._event_http(), run_ref, operation, error)

    def _event_http(self) -> httpx.Client:
        raise NotImplementedError

    def _close_stores(self) -> None:
        """Deliver what the outbox holds (bounded), then close the outbox and the cache."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None
        if self._outbox is not None:
            outbox, self._outbox = self._outbox, None
            report = outbox.close()
            if report.pending:
                logger.warning(
                    "outbox: %d write(s) not delivered yet stay in %s; `datlake outbox flush`"
                    " delivers them",
                    report.pending,
                    outbox.journal.path,
                )

    def __repr__(self) -> str:
        key = "'***'" if self._has_key else "None"
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key={key})"


class Exchange:
    """One logical call's bookkeeping across its attempts."""

    __slots__ = ("attempts", "deadline", "landed", "started")

    def __init__(self, deadline: float, started: float | None = None) -> None:
        self.deadline = deadline
        self.started = time.monotonic() if started is None else started
        self.attempts = 0
        self.landed = False  # an attempt may have reached the server and been carried out

    @classmethod
    def within(cls, retry: RetryPolicy) -> Exchange:
        started = time.monotonic()
        return cls(deadline=started + retry.deadline_s, started=started)

    def record(self, outcome: Result[T, SDKError]) -> Result[T, SDKError]:
        self.attempts += 1
        if isinstance(outcome, Err) and _may_have_landed(outcome.error):
            self.landed = True
        return outcome


def _bounded(call: Call[Any, Any]) -> bool:
    """Whether the call's deadline bounds reading its answer (not for file transfers)."""
    return call.rewind is None and not call.stream


class DatlakeClient(Session[httpx.BaseTransport]):
    """Settings, the pooled httpx client, and `execute`, which sends a `Call`.

    Settings come from the arguments, then `DATLAKE_URL`, `DATLAKE_API_KEY` and the
    `DATLAKE_SDK_*` variables, then a TOML config file (see `datlake_sdk._config`);
    `policy=` replaces `error_strategy=`, `retry=`, `on_error=` and their sources.
    A malformed setting raises `ConfigError`. `transport` takes any `httpx.BaseTransport`.
    One client is safe to share between threads.
    """

    _http: httpx.Client

    def _open(self, transport: httpx.BaseTransport | None) -> None:
        options = self._client_options()
        if transport is None:  # httpx's own transport, reading big bodies in big steps
            from ._transport import sync_transport

            transport = sync_transport(options["limits"])
        self._http = HttpClient(**options, transport=transport)
        self._open_stores(self._http)

    def execute(self, call: Call[M, T]) -> Result[T, SDKError]:
        """Send `call` (retrying it when it is retry-safe), translate the outcome, then apply
        the policies; never raises for an expected failure."""
        return self._concluded(call, self._deliver(call))

    def perform(self, plan: Plan[T]) -> Result[T, SDKError]:
        """Carry out what an operation planned: refuse it, send it, or send it in steps."""
        if isinstance(plan, Refusal):
            return self.refuse(plan.operation, plan.error, plan.run)
        if isinstance(plan, Chain):
            first = self.perform(plan.first)
            return first if isinstance(first, Err) else self.perform(plan.then(first.value))
        if isinstance(plan, Ok):
            return plan
        return self.execute(plan)

    def _deliver(self, call: Call[M, T]) -> Result[T, SDKError]:
        """The call's outcome after retries, the outbox and, where an attempt may have landed,
        a check of what the server has."""
        kept = self._kept_at_once(call)
        if kept is not None:
            return kept
        exchange = Exchange.within(self._settings.policy.retry)

        def attempt() -> Result[T, SDKError]:
            return exchange.record(self._attempt(call, exchange.deadline))

        if self._retries(call):
            result = run_attempts(
                attempt,
                self._settings.policy.retry,
                operation=call.operation,
                run_id=None if call.run_ref is None else call.run_ref[1],
                rewind=call.rewind,
                give_up=self._give_up(call),
            )
        else:
            result = attempt()
        settled = self._settle(call, exchange, result)
        if isinstance(settled, Call):
            assert isinstance(result, Err)
            return self._resolved(settled, self._deliver(settled), result)
        return settled

    def _attempt(self, call: Call[M, T], deadline: float) -> Result[T, SDKError]:
        """One HTTP request with a fresh `X-Request-Id`, translated."""
        request_id = new_request_id()
        request = self._request(call, deadline, request_id)
        if isinstance(request, Err):
            return request
        outcome: httpx.Response | BaseException
        response: httpx.Response | None = None
        try:
            response = self._http.send(request, stream=True)
            self._sent()
            if _bounded(call):
                _read_by(response, deadline)
            elif not call.stream or not response.is_success:
                response.read()  # the translator reads a problem document from it
            outcome = response
        except _SEND_ERRORS as ex:
            self._not_sent(ex)
            outcome = ex
        parse = None
        if call.sink is not None and response is not None and response.is_success:
            parse = _drained(call.sink, response)
        try:
            return self._translated(call, outcome, request, request_id, parse)
        finally:
            if response is not None:
                response.close()

    def _event_http(self) -> httpx.Client:
        return self._http

    def close(self) -> None:
        """Deliver what the outbox holds (for at most `outbox_exit_timeout` seconds, 5 by
        default; the rest stays in the journal), then close the pooled connections."""
        self._close_stores()
        self._http.close()

    def __enter__(self) -> DatlakeClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _unreachable(error: SDKError) -> bool:
    from ._delivery import unreachable

    return unreachable(error)


def _drained(
    sink: Callable[[httpx.Response], Sink], response: httpx.Response
) -> Callable[..., object]:
    """The `parse` that writes a streamed 2xx body into `sink(response)` (see `_streams`)."""
    from ._streams import drain

    return lambda **_: drain(sink(response), response)


def _read_by(response: httpx.Response, deadline: float) -> None:
    """Read the whole body of `response` as `response.read()` does, but raise
    `httpx.ReadTimeout` once `deadline` has passed, however slowly the bytes trickle in."""
    chunks: list[bytes] = []
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the call's deadline passed while the body arrived")
    response._content = b"".join(chunks)  # what `Response.read()` itself stores


def _open_outbox(
    client: Session[Any], path: os.PathLike[str], exit_timeout: float, http: httpx.Client
) -> Outbox:
    from ._delivery import Outbox
    from ._store import Journal

    outbox = Outbox(Journal(path), base_url=client.base_url, http=http, exit_timeout=exit_timeout)
    # at interpreter exit, a client nobody closed still delivers (bounded) what it holds
    atexit.register(_close_at_exit, weakref.ref(client))
    return outbox


def _close_at_exit(ref: weakref.ref[Session[Any]]) -> None:
    client = ref()
    if client is not None and client._outbox is not None:
        client._close_stores()


DatlakeClient.__module__ = "datlake_sdk"  # public as `datlake_sdk.DatlakeClient`
