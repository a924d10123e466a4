"""`Ok` and `Err`: the two tracks of every operation, and the free functions that compose them.

>>> from datlake_sdk.functional import Ok, Err, map, and_then
>>> map(Ok(2), lambda n: n * 10)
Ok(value=20)
>>> and_then(Err("boom"), lambda n: Ok(n + 1))
Err(error='boom')
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Generic, NoReturn, TypeAlias, TypeGuard, TypeVar

import attrs

__all__ = [
    "Err",
    "Ok",
    "Result",
    "UnwrapError",
    "and_then",
    "is_err",
    "is_ok",
    "map",
    "map_err",
    "recover",
    "tee",
    "unwrap",
    "unwrap_err",
    "unwrap_or",
]

T = TypeVar("T")
U = TypeVar("U")
E = TypeVar("E")
F = TypeVar("F")
T_co = TypeVar("T_co", covariant=True)
E_co = TypeVar("E_co", covariant=True)


@attrs.frozen
class Ok(Generic[T_co]):
    """The success track: `Ok(value)`."""

    value: T_co


@attrs.frozen
class Err(Generic[E_co]):
    """The failure track: `Err(error)`."""

    error: E_co


Result: TypeAlias = Ok[T] | Err[E]
"""`Ok[T] | Err[E]`: match on it with `case Ok(value):` and `case Err(error):`."""


class UnwrapError(Exception):
    """Raised by `unwrap` on an `Err`; `.error` holds the error and, when it is an exception,
    it is also the `__cause__`. Raised by `unwrap_err` on an `Ok` with `.error` set to `None`."""

    def __init__(self, error: object, message: str | None = None) -> None:
        super().__init__(message or f"unwrap() called on Err: {error}")
        self.error = error


def is_ok(result: Result[T, E]) -> TypeGuard[Ok[T]]:
    """`True` for an `Ok`; narrows the type: `if is_ok(res): res.value`."""
    return isinstance(result, Ok)


def is_err(result: Result[T, E]) -> TypeGuard[Err[E]]:
    """`True` for an `Err`; narrows the type: `if is_err(res): res.error`."""
    return isinstance(result, Err)


def map(result: Result[T, E], f: Callable[[T], U]) -> Result[U, E]:
    """Apply `f` to an `Ok` value: `map(Ok(2), str) == Ok("2")`; an `Err` passes through."""
    return Ok(f(result.value)) if isinstance(result, Ok) else result


def map_err(result: Result[T, E], f: Callable[[E], F]) -> Result[T, F]:
    """Apply `f` to an `Err` error: `map_err(Err(1), str) == Err("1")`; an `Ok` passes through."""
    return Err(f(result.error)) if isinstance(result, Err) else result


def and_then(result: Result[T, E], f: Callable[[T], Result[U, E]]) -> Result[U, E]:
    """Chain a step that may fail: `and_then(Ok(run), lambda r: fetch_latest_uri(c, r, "t"))`."""
    return f(result.value) if isinstance(result, Ok) else result


def tee(result: Result[T, E], f: Callable[[T], object]) -> Result[T, E]:
    """Run `f` on an `Ok` value for its side effect and return `result` unchanged."""
    if isinstance(result, Ok):
        f(result.value)
    return result


def recover(result: Result[T, E], f: Callable[[E], Result[T, F]]) -> Result[T, F]:
    """Turn an `Err` back into a result: `recover(Err(e), lambda e: Ok(default))`."""
    return f(result.error) if isinstance(result, Err) else result


def unwrap(result: Result[T, E]) -> T:
    """The `Ok` value, or raise `UnwrapError` chained to the error (`raise ... from error`)."""
    if isinstance(result, Err):
        _raise_unwrap(result.error)
    return result.value


def unwrap_err(result: Result[T, E]) -> E:
    """The `Err` error, or raise `UnwrapError` on an `Ok`."""
    if isinstance(result, Err):
        return result.error
    raise UnwrapError(None, f"unwrap_err() called on Ok: {result.value!r}")


def unwrap_or(result: Result[T, E], default: U) -> T | U:
    """The `Ok` value, or `default` on an `Err`: `unwrap_or(Err(e), 0) == 0`."""
    return result.value if isinstance(result, Ok) else default


def _raise_unwrap(error: object) -> NoReturn:
    cause = error if isinstance(error, builtins.BaseException) else None
    raise UnwrapError(error) from cause


Ok.__module__ = Err.__module__ = "datlake_sdk"  # public as `datlake_sdk.Ok` (see `datlake_sdk`)
