"""What the client does with a call's outcome after retries: the error strategy (which
errors become `Ok`) and the `on_error` reactions (listeners, a log record, an error event).

>>> from datlake_sdk._errors import NotFound
>>> apply_strategy(Err(NotFound("no snapshot")), ErrorStrategy.CONTINUE_ON_NOT_FOUND,
...                operation="fetch_latest_uri", on_not_found=lambda: None, on_transient=None)
Ok(value=None)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import httpx

from ._errors import NotFound, SDKError
from ._log import call_fields, logger, new_request_id
from ._policy import ErrorStrategy
from ._result import Err, Ok, Result

__all__ = ["ErrorListeners", "apply_strategy", "emit_error_event", "log_error"]

T = TypeVar("T")

ErrorListener = Callable[[str, SDKError], None]


def apply_strategy(
    result: Result[T, SDKError],
    strategy: ErrorStrategy,
    *,
    operation: str,
    on_not_found: Callable[[], T] | None,
    on_transient: Callable[[], T] | None,
    not_found_type: str | None = None,
) -> Result[T, SDKError]:
    """Turn a 404 (`continue_on_not_found`) or a transient failure left after retries
    (`suppress_transient`) into `Ok` of the call's fallback, when the call has one."""
    if not isinstance(result, Err):
        return result
    error = result.error
    fields = call_fields(operation, error.request_id, code=error.code)
    if (
        strategy is ErrorStrategy.CONTINUE_ON_NOT_FOUND
        and isinstance(error, NotFound)
        and on_not_found is not None
        and (not_found_type is None or error.problem_type in (None, not_found_type))
    ):
        logger.info("%s: not found, continuing: %s", operation, error, extra=fields)
        return Ok(on_not_found())
    if (
        strategy is ErrorStrategy.SUPPRESS_TRANSIENT
        and error.retryable
        and on_transient is not None
    ):
        logger.warning("%s: transient failure suppressed: %s", operation, error, extra=fields)
        return Ok(on_transient())
    return result


def log_error(operation: str, error: SDKError) -> None:
    """The WARNING every remaining `Err` gets: operation, code, problem type, request id."""
    logger.warning(
        "%s failed: %s (code=%s, type=%s, request_id=%s)",
        operation,
        error.message,
        error.code,
        error.problem_type,
        error.request_id,
        extra=call_fields(
            operation, error.request_id, code=error.code, problem_type=error.problem_type
        ),
    )


class ErrorListeners:
    """Callbacks told about every `Err` a client returns; one that raises is logged."""

    def __init__(self) -> None:
        self._listeners: tuple[ErrorListener, ...] = ()
        self._lock = threading.Lock()

    def add(self, listener: ErrorListener) -> Callable[[], None]:
        """Register `listener`; the returned function unregisters it (twice is harmless)."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def remove() -> None:
            with self._lock:
                listeners = list(self._listeners)
                if listener in listeners:
                    listeners.remove(listener)
                self._listeners = tuple(listeners)

        return remove

    def notify(self, operation: str, error: SDKError) -> None:
        """Call every listener with `(operation, error)`."""
        for listener in self._listeners:
            try:
                listener(operation, error)
            except Exception:
                logger.exception(
                    "%s: error listener %r raised",
                    operation,
                    listener,
                    extra=call_fields(operation, error.request_id),
                )


def emit_error_event(
    http: httpx.Client, run_ref: tuple[str, str], operation: str, error: SDKError
) -> None:
    """Post an `error` event on the run (best effort: one attempt, a failure is logged)."""
    from datlake_api.api.events import post_event
    from datlake_api.models.event_kind import EventKind
    from datlake_api.models.event_request import EventRequest
    from datlake_api.models.free_form import FreeForm

    job_name, run_id = run_ref
    data = {
        "operation": operation,
        "code": error.code,
        "problem_type": error.problem_type,
        "request_id": error.request_id,
        "error": type(error).__name__,
    }
    body = EventRequest(kind=EventKind.ERROR, message=str(error), data=FreeForm.from_dict(data))
    event_request_id = new_request_id()
    fields = call_fields(operation, error.request_id, event_request_id=event_request_id)
    # Sent directly, not through `execute`: no retries, no policies, no recursion.
    try:
        response = http.request(
            **post_event._get_kwargs(job_name, run_id, body=body, x_request_id=event_request_id)
        )
    except Exception as ex:  # best effort: nothing about the event may break the call
        logger.warning(
            "%s: could not emit an error event on run %s: %s: %s",
            operation,
            run_id,
            type(ex).__name__,
            ex,
            extra=fields,
        )
        return
    if not response.is_success:
        logger.warning(
            "%s: could not emit an error event on run %s: HTTP %d",
            operation,
            run_id,
            response.status_code,
            extra=fields,
        )
