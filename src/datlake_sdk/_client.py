"""`DatlakeClient`: one pooled connection to a Datlake, and the place every call goes through.

>>> with DatlakeClient(base_url="http://127.0.0.1:8765", api_key="secret") as client:
...     client
DatlakeClient(base_url='http://127.0.0.1:8765', api_key='***')
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ._call import Call
from ._config import load_settings
from ._errors import SDKError
from ._log import call_fields, logger, new_request_id
from ._policy import ErrorStrategy, OnError, Policy, RetryPolicy
from ._reactions import ErrorListeners, apply_strategy, emit_error_event, log_error
from ._result import Err, Result
from ._retry import run_attempts
from ._translate import translate

__all__ = ["DatlakeClient"]

M = TypeVar("M")
T = TypeVar("T")

# What sending (or reading a streamed error body) may raise; each becomes an `Err`.
_SEND_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError)


def _with_request_id(headers: Mapping[str, str] | None, request_id: str) -> dict[str, str]:
    """`headers` with exactly one `X-Request-Id`: this attempt's."""
    merged = {k: v for k, v in (headers or {}).items() if k.lower() != "x-request-id"}
    merged["X-Request-Id"] = request_id
    return merged


class DatlakeClient:
    """Settings, the pooled httpx client, and `execute`, which sends a `Call`.

    Settings come from the arguments, then `DATLAKE_URL`, `DATLAKE_API_KEY` and the
    `DATLAKE_SDK_*` variables, then a TOML config file (see `datlake_sdk._config`);
    `policy=` replaces `error_strategy=`, `retry=`, `on_error=` and their sources.
    A malformed setting raises `ConfigError`. `transport` takes any `httpx.BaseTransport`.
    """

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
        transport: httpx.BaseTransport | None = None,
        config_file: str | os.PathLike[str] | None = None,
        allow_insecure_http: bool = False,
        user_agent: str | None = None,
    ) -> None:
        settings = load_settings(
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
        )
        self._settings = settings
        self._has_key = settings.api_key is not None
        headers = {"User-Agent": settings.user_agent}
        if settings.api_key is not None:
            headers["Authorization"] = f"Bearer {settings.api_key}"
        self._http = httpx.Client(
            base_url=settings.base_url,
            headers=headers,
            timeout=settings.timeout,
            transport=transport,
        )
        self._listeners = ErrorListeners()

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

    def execute(self, call: Call[M, T]) -> Result[T, SDKError]:
        """Send `call` (retrying it when it is retry-safe), translate the outcome, then apply
        the policies; never raises for an expected failure."""
        policy = self._settings.policy

        def attempt() -> Result[T, SDKError]:
            return self._attempt(call)

        if call.retry_safe:
            result = run_attempts(
                attempt, policy.retry, operation=call.operation, rewind=call.rewind
            )
        else:
            result = attempt()
        if isinstance(result, Err):
            result = apply_strategy(
                result,
                policy.error_strategy,
                operation=call.operation,
                on_not_found=call.on_not_found,
                on_transient=call.on_transient,
                not_found_type=call.not_found_type,
            )
        if isinstance(result, Err):
            self._react(call, result.error)
        return result

    def _attempt(self, call: Call[M, T]) -> Result[T, SDKError]:
        """One HTTP request with a fresh `X-Request-Id`, translated."""
        request_id = new_request_id()
        outcome: httpx.Response | BaseException
        response: httpx.Response | None = None
        try:
            kwargs: dict[str, Any] = call.request(request_id)
            kwargs["headers"] = _with_request_id(kwargs.get("headers"), request_id)
            request = self._http.build_request(**kwargs)
            response = self._http.send(request, stream=call.stream)
            if call.stream and not response.is_success:
                response.read()  # the translator reads a problem document from it
            outcome = response
        except _SEND_ERRORS as ex:
            outcome = ex
        try:
            return translate(
                outcome, call.parse, call.expect, call.convert, request_id, call.operation
            )
        finally:
            if response is not None:
                response.close()

    def _react(self, call: Call[M, T], error: SDKError) -> None:
        if error.operation is None:
            error.operation = call.operation
        self._listeners.notify(call.operation, error)
        log_error(call.operation, error)
        on_error = self._settings.policy.on_error
        if on_error is OnError.EMIT_EVENT and call.run_ref is not None:
            emit_error_event(self._http, call.run_ref, call.operation, error)
        elif on_error is OnError.EMIT_EVENT:
            logger.debug(
                "%s: no run to post an error event on",
                call.operation,
                extra=call_fields(call.operation, error.request_id),
            )

    def close(self) -> None:
        """Close the pooled connections."""
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

    def __repr__(self) -> str:
        key = "'***'" if self._has_key else "None"
        return f"DatlakeClient(base_url={self.base_url!r}, api_key={key})"
