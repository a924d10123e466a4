"""Typed errors: what went wrong, in categories a caller can act on.

>>> err = error_for_status(404, problem_type="/problems/table-not-found", detail="no snapshot")
>>> isinstance(err, NotFound), err.code, err.retryable
(True, 404, False)
"""

from __future__ import annotations

from typing import ClassVar

import httpx

__all__ = [
    "AuthError",
    "ConfigError",
    "Conflict",
    "NotFound",
    "SDKError",
    "ServerError",
    "Transient",
    "ValidationError",
    "detach",
    "error_for_status",
]

# Statuses worth another try: the request may well succeed later, unchanged.
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 499, 502, 503, 504, 520, 521, 522, 523, 524, 529})


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the setting and the bad value
    (never an API key). Raised when a `DatlakeClient` or a policy is built, not returned."""


class SDKError(Exception):
    """Any failure an operation reports in `Err`.

    `code` is the HTTP status (an int, `None` for transport failures); `problem_type`,
    `detail` and `request_id` come from the server's problem document when it sent one;
    `retry_after` is the server's `Retry-After` in seconds. `maybe_recorded` is `True` on the
    rare failure of a write that may have landed although the SDK could not confirm it (the
    server stopped answering); calling again is safe, since the write keeps its id.
    """

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        problem_type: str | None = None,
        detail: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.problem_type = problem_type
        self.detail = detail
        self.request_id = request_id
        self.retry_after = retry_after
        self.operation = operation
        self.maybe_recorded = False

    @classmethod
    def from_exception(cls, ex: BaseException) -> SDKError:
        """Wrap any exception (a user's step failing, a transport error) as an `SDKError`.

        >>> SDKError.from_exception(ValueError("bad row")).message
        'ValueError: bad row'
        """
        if isinstance(ex, SDKError):
            return ex
        error = _from_transport(ex)
        if error is None:
            error = SDKError(f"{type(ex).__name__}: {ex}")
            error.__cause__ = ex
        else:
            # an httpx exception holds its request, whose headers hold the API key
            error.__cause__ = _detached(ex)
        return error

    def __str__(self) -> str:
        parts = [self.message]
        if self.problem_type:
            parts.append(f"[{self.problem_type}]")
        if self.request_id:
            parts.append(f"(request_id={self.request_id})")
        if self.maybe_recorded:
            parts.append("(it may have been recorded: calling again is safe)")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"problem_type={self.problem_type!r}, request_id={self.request_id!r})"
        )


class AuthError(SDKError):
    """401 or 403: the API key is missing, wrong or not allowed to do this."""


class NotFound(SDKError):
    """404: the run, table or object does not exist."""


class Conflict(SDKError):
    """409 or 412: the run is finished, an idempotency key was reused with another body, or
    a run or snapshot id already names other content."""


class ValidationError(SDKError):
    """Bad input: rejected by the SDK before sending (`code is None`), or a 400, 413, 414,
    415 or 422."""


class Transient(SDKError):
    """A failure that may pass: timeouts, connection errors, 408, 425, 429, 499, 502-504,
    520-524 and 529."""

    retryable: ClassVar[bool] = True


class ServerError(SDKError):
    """The server failed (500 and other 5xx) or answered outside the contract."""


def error_for_status(
    status: int,
    *,
    problem_type: str | None = None,
    detail: str | None = None,
    request_id: str | None = None,
    retry_after: float | None = None,
    operation: str | None = None,
    message: str | None = None,
) -> SDKError:
    """The typed error for an HTTP status the operation did not expect."""
    kind = _category(status)
    text = message or f"HTTP {status}" + (f": {detail}" if detail else "")
    return kind(
        text,
        code=status,
        problem_type=problem_type,
        detail=detail,
        request_id=request_id,
        retry_after=retry_after,
        operation=operation,
    )


def _category(status: int) -> type[SDKError]:
    if status in _TRANSIENT_STATUSES:
        return Transient
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFound
    if status in (409, 412):
        return Conflict
    if status in (400, 413, 414, 415, 422):
        return ValidationError
    if status >= 500:
        return ServerError
    return SDKError


def detach(error: SDKError) -> SDKError:
    """Cut what ties `error` to the request that failed, so that nothing reachable from an
    `Err` leads to the request's headers (and the API key in them): its traceback (whose
    frames hold the request), and its cause and context, replaced by copies of the same type
    and message without theirs. Returns `error` itself.

    >>> error = detach(SDKError.from_exception(httpx.ConnectError("refused")))
    >>> type(error.__cause__).__name__, str(error.__cause__), error.__cause__.__traceback__
    ('ConnectError', 'refused', None)
    """
    error.__traceback__ = None
    if error.__cause__ is not None:
        error.__cause__ = _detached(error.__cause__)
    if error.__context__ is not None:
        error.__context__ = _detached(error.__context__)
    return error


def _detached(ex: BaseException) -> BaseException:
    """A copy of `ex` with its type and arguments only: no traceback, cause, context, nor
    attributes such as an httpx exception's `request`."""
    if isinstance(ex, SDKError):
        return detach(ex)
    try:
        copy = type(ex)(*ex.args)
    except Exception:  # a constructor that wants other arguments
        copy = Exception(f"{type(ex).__name__}: {ex}")
    copy.__traceback__ = None
    copy.__suppress_context__ = True
    return copy


def _from_transport(ex: BaseException) -> SDKError | None:
    if isinstance(ex, httpx.TimeoutException):
        return Transient(f"timed out ({type(ex).__name__})")
    if isinstance(ex, httpx.ConnectError):
        text = str(ex)
        for known in ("connection refused", "name or service not known", "network is unreachable"):
            if known in text.lower():
                return Transient(known)
        return Transient(f"connection failed ({type(ex).__name__}: {text})")
    if isinstance(ex, httpx.TransportError):
        return Transient(f"transport failed ({type(ex).__name__}: {ex})")
    return None


# public as `datlake_sdk.NotFound` and so on (see `datlake_sdk`)
for _public in (name for name in __all__ if name[0].isupper()):  # the classes
    globals()[_public].__module__ = "datlake_sdk"
del _public
