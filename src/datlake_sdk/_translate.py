"""The one translator: an HTTP outcome (a response, or the exception sending raised) becomes
`Ok` or `Err`. Nothing else in the SDK decides what a status code means.

>>> import httpx
>>> from datlake_api.api.system import get_health
>>> from datlake_api.models.health import Health
>>> response = httpx.Response(200, json={"status": "ok", "version": "1.0"})
>>> translate(response, get_health._parse_response, Health, lambda h: h.version, "req-1")
Ok(value='1.0')
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from ._errors import SDKError, ServerError, Transient, detach, error_for_status
from ._result import Err, Ok, Result

__all__ = ["error_from_response", "retry_after_seconds", "translate"]

M = TypeVar("M")
T = TypeVar("T")

_PROBLEM_KEYS = ("type", "title", "detail")


class _NoClient:
    """Stands in for the generated client in `_parse_response`, which only reads this flag."""

    raise_on_unexpected_status = False


def translate(
    outcome: httpx.Response | BaseException,
    parse: Callable[..., object],
    expect: type[M],
    convert: Callable[[M], T],
    request_id: str,
    operation: str | None = None,
    *,
    retry_broken_body: bool = False,
    fast: Callable[[httpx.Response], T | None] | None = None,
) -> Result[T, SDKError]:
    """Turn what sending produced into a `Result`: 2xx bodies are parsed by the generated
    `parse`, checked to be an `expect` and converted; everything else is a typed `Err`.

    A 2xx whose body is outside the contract is a `ServerError`; with `retry_broken_body`
    (retry-safe calls) one that is not JSON at all is a `Transient`: a body cut off on the way
    is worth another try.

    `fast` (see `Call.fast`) may read a 2xx body first; what it leaves, `parse` reads.

    No `Err` keeps a way back to the request (see `detach`): its headers carry the API key."""
    if fast is not None and isinstance(outcome, httpx.Response):
        value = _fast(fast, outcome)
        if value is not None:
            return Ok(value)
    result = _translate(
        outcome, parse, expect, convert, request_id, operation, retry_broken_body=retry_broken_body
    )
    if isinstance(result, Err):
        detach(result.error)
    return result


def _fast(fast: Callable[[httpx.Response], T | None], response: httpx.Response) -> T | None:
    try:
        return fast(response)
    except Exception:  # what is wrong with the body, the generated model says
        return None


def _translate(
    outcome: httpx.Response | BaseException,
    parse: Callable[..., object],
    expect: type[M],
    convert: Callable[[M], T],
    request_id: str,
    operation: str | None,
    *,
    retry_broken_body: bool,
) -> Result[T, SDKError]:
    if isinstance(outcome, BaseException):
        return Err(_from_exception(outcome, request_id, operation))
    response = outcome
    if not 200 <= response.status_code < 300:
        return Err(error_from_response(response, _echoed(response, request_id), operation))
    try:
        # Generated parsers raise on non-JSON or incomplete bodies (JSONDecodeError, KeyError,
        # TypeError, ValueError): a broken answer is the server's failure, not ours.
        parsed = parse(client=_NoClient(), response=response)
        if not isinstance(parsed, expect):
            raise TypeError(f"status {response.status_code} is not a documented success")
        return Ok(convert(parsed))
    except httpx.TransportError as ex:  # a streamed body broke off while `parse` read it
        return Err(_from_exception(ex, _echoed(response, request_id), operation))
    except SDKError as known:  # a parser that streams (downloads) says what went wrong itself
        known.request_id = known.request_id or _echoed(response, request_id)
        known.operation = known.operation or operation
        return Err(known)
    except Exception as ex:  # every parsing failure becomes an Err
        rid = _echoed(response, request_id)
        # only a body that is not JSON at all may have been cut off on the way
        cut_off = isinstance(ex, json.JSONDecodeError) and retry_broken_body
        kind = Transient if cut_off else ServerError
        error = kind(
            f"HTTP {response.status_code} with a body outside the contract: "
            f"{type(ex).__name__}: {ex}",
            code=response.status_code,
            request_id=rid,
            operation=operation,
        )
        error.__cause__ = ex
        return Err(error)


def error_from_response(
    response: httpx.Response, request_id: str | None, operation: str | None = None
) -> SDKError:
    """The typed error for a non-2xx response; reads a problem+json body when there is one and
    tolerates anything else (a proxy's HTML page, an empty body, broken JSON)."""
    problem = _problem(response)
    title = problem.get("title")
    detail = problem.get("detail")
    message = f"HTTP {response.status_code}"
    if title or detail:
        message += ": " + " - ".join(str(part) for part in (title, detail) if part)
    return error_for_status(
        response.status_code,
        problem_type=problem.get("type"),
        detail=detail,
        request_id=problem.get("request_id") or request_id,
        retry_after=retry_after_seconds(response.headers),
        operation=operation,
        message=message,
    )


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` as seconds, when it is a non-negative number (HTTP dates are ignored)."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _echoed(response: httpx.Response, request_id: str) -> str:
    """The request id the server echoed, else the one sent."""
    return response.headers.get("X-Request-Id") or request_id


def _from_exception(ex: BaseException, request_id: str, operation: str | None) -> SDKError:
    error = SDKError.from_exception(ex)
    error.request_id = error.request_id or request_id
    error.operation = operation
    return error


def _problem(response: httpx.Response) -> dict[str, str]:
    try:
        body: Any = json.loads(response.content)
    except (ValueError, RecursionError):  # also UnicodeDecodeError; deep nesting recurses
        return {}
    if not isinstance(body, dict):
        return {}
    return {
        key: value
        for key in (*_PROBLEM_KEYS, "request_id")
        if isinstance(value := body.get(key), str) and value
    }
