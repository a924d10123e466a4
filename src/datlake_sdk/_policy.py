"""Policies: what the client does about failures.

A `Policy` is three values: the `ErrorStrategy` (which errors become `Ok`), the `RetryPolicy`
(how idempotent requests are retried) and `OnError` (how the SDK reacts to an `Err` that
remains). Each can come from the environment or a config file:

>>> env = {"DATLAKE_SDK_RETRY": "max=5,base_ms=100,jitter=false", "DATLAKE_SDK_ON_ERROR": "raise"}
>>> policy = Policy.from_env(env)
>>> policy.retry.max_attempts, policy.retry.jitter, policy.on_error
(5, False, <OnError.RAISE: 'raise'>)
>>> RetryPolicy.parse("max=two")
Traceback (most recent call last):
...
datlake_sdk.ConfigError: DATLAKE_SDK_RETRY: 'max=two': 'two' is not a whole number
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from ._errors import ConfigError

__all__ = [
    "ENV_ERROR_STRATEGY",
    "ENV_ON_ERROR",
    "ENV_RETRY",
    "ErrorStrategy",
    "OnError",
    "Policy",
    "RetryPolicy",
]

ENV_ERROR_STRATEGY = "DATLAKE_SDK_ERROR_STRATEGY"
ENV_RETRY = "DATLAKE_SDK_RETRY"
ENV_ON_ERROR = "DATLAKE_SDK_ON_ERROR"


class ErrorStrategy(enum.StrEnum):
    """Which errors an operation turns back into `Ok`."""

    FAIL_FAST = "fail_fast"
    """Every error stays an `Err` (the default)."""
    CONTINUE_ON_NOT_FOUND = "continue_on_not_found"
    """A 404 on a lookup becomes `Ok` of the operation's default (e.g. `Ok(None)`)."""
    SUPPRESS_TRANSIENT = "suppress_transient"
    """A transient failure left after retries becomes `Ok` of the operation's default plus a
    warning, where nothing is lost by it (reads, heartbeats, events; never a lineage write)."""


class OnError(enum.StrEnum):
    """How the SDK reacts to an `Err` an operation returns (it still returns it)."""

    LOG_ONLY = "log_only"
    """Log a WARNING on the `datlake_sdk` logger (the default)."""
    RAISE = "raise"
    """Log, and make `JobContext` raise from every method."""
    EMIT_EVENT = "emit_event"
    """Log, and post an `error` event on the run of a run-scoped call (best effort)."""


E = TypeVar("E", bound=enum.StrEnum)


def parse_enum(kind: type[E], value: object, source: str) -> E:
    """`value` as a member of `kind`, or `ConfigError` naming `source` and the value."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value.strip().lower())
        except ValueError:
            pass
    choices = ", ".join(member.value for member in kind)
    raise ConfigError(f"{source}: {value!r} is not one of: {choices}")


def _non_negative(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ConfigError(f"RetryPolicy.{attribute.name}: {value!r} must be a number >= 0")


def _at_least_one(_: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"RetryPolicy.{attribute.name}: {value!r} must be a whole number >= 1")


def _a_bool(_: object, attribute: attrs.Attribute[Any], value: bool) -> None:
    if not isinstance(value, bool):
        raise ConfigError(f"RetryPolicy.{attribute.name}: {value!r} must be True or False")


# The spelling used in DATLAKE_SDK_RETRY and config files -> the attribute it sets.
_RETRY_KEYS = {
    "max": "max_attempts",
    "base_ms": "base_ms",
    "cap_ms": "cap_ms",
    "jitter": "jitter",
    "deadline_s": "deadline_s",
}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


@attrs.frozen
class RetryPolicy:
    """How idempotent requests are retried on transient failures.

    Up to `max_attempts` attempts in all; before attempt n+1 the client waits a random time
    in `[0, min(cap_ms, base_ms * 2**(n-1))]` ms (full jitter; exactly that bound with
    `jitter=False`), or the server's `Retry-After` up to `retry_after_cap_s`. No attempt
    starts once `deadline_s` seconds have passed since the first.

    The defaults ride out a restart of the server of a couple of seconds: seven waits bounded
    by 0.25, 0.5, 1, 2, 2, 2 and 2 s add up to about 5 s (at most 9.75 s, and at least 2 s
    in 99 calls of 100), and the deadline bounds the whole call whatever the server does.

    >>> RetryPolicy(max_attempts=1)  # never retry
    RetryPolicy(max_attempts=1, base_ms=250, cap_ms=2000, jitter=True, deadline_s=30.0, retry_after_cap_s=30.0)
    """  # noqa: E501

    max_attempts: int = attrs.field(default=8, validator=_at_least_one)
    base_ms: float = attrs.field(default=250, validator=_non_negative)
    cap_ms: float = attrs.field(default=2000, validator=_non_negative)
    jitter: bool = attrs.field(default=True, validator=_a_bool)
    deadline_s: float = attrs.field(default=30.0, validator=_non_negative)
    retry_after_cap_s: float = attrs.field(default=30.0, validator=_non_negative)

    @classmethod
    def parse(cls, text: str, *, source: str = ENV_RETRY) -> RetryPolicy:
        """Read `max=8,base_ms=250,cap_ms=2000,jitter=true,deadline_s=30`; keys left out keep
        their defaults. A malformed part raises `ConfigError` naming `source` and the part."""
        values: dict[str, object] = {}
        for part in text.split(","):
            if not part.strip():
                continue
            key, sep, raw = part.partition("=")
            key, raw = key.strip(), raw.strip()
            if not sep:
                raise ConfigError(f"{source}: {part.strip()!r} is not key=value")
            values[key] = _retry_value(key, raw, f"{source}: {part.strip()!r}")
        return cls._build(values, source)

    @classmethod
    def from_mapping(cls, table: Mapping[str, object], *, source: str) -> RetryPolicy:
        """Read a config file table with the keys of `parse`: `{max = 5, jitter = false}`."""
        values = {
            str(key): _retry_value(str(key), raw, f"{source}: {key} = {raw!r}")
            for key, raw in table.items()
        }
        return cls._build(values, source)

    @classmethod
    def _build(cls, values: Mapping[str, object], source: str) -> RetryPolicy:
        try:
            return cls(**{_RETRY_KEYS[key]: value for key, value in values.items()})  # type: ignore[arg-type]
        except ConfigError as ex:
            raise ConfigError(f"{source}: {ex}") from None


def _retry_value(key: str, raw: object, where: str) -> object:
    if key not in _RETRY_KEYS:
        raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(_RETRY_KEYS)})")
    if key == "jitter":
        return _boolean(raw, where)
    if key == "max":
        return _whole(raw, where)
    return _seconds_or_ms(raw, where)


def _boolean(raw: object, where: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
    raise ConfigError(f"{where}: {raw!r} is not a boolean (true or false)")


def _whole(raw: object, where: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        try:
            value = int(str(raw))
        except ValueError:
            raise ConfigError(f"{where}: {raw!r} is not a whole number") from None
    if value < 1:
        raise ConfigError(f"{where}: {value} must be at least 1")
    return value


def _seconds_or_ms(raw: object, where: str) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    else:
        try:
            value = float(str(raw))
        except ValueError:
            raise ConfigError(f"{where}: {raw!r} is not a number") from None
    if not value >= 0 or value == float("inf"):  # also rejects NaN
        raise ConfigError(f"{where}: {raw!r} must be a finite number >= 0")
    return value


@attrs.frozen
class Policy:
    """The three policies a client applies to every call; change one with `evolve`.

    >>> Policy().evolve(error_strategy=ErrorStrategy.CONTINUE_ON_NOT_FOUND).error_strategy
    <ErrorStrategy.CONTINUE_ON_NOT_FOUND: 'continue_on_not_found'>
    """

    error_strategy: ErrorStrategy = attrs.field(
        default=ErrorStrategy.FAIL_FAST, validator=attrs.validators.instance_of(ErrorStrategy)
    )
    retry: RetryPolicy = attrs.field(
        factory=RetryPolicy, validator=attrs.validators.instance_of(RetryPolicy)
    )
    on_error: OnError = attrs.field(
        default=OnError.LOG_ONLY, validator=attrs.validators.instance_of(OnError)
    )

    def evolve(
        self,
        *,
        error_strategy: ErrorStrategy | str | None = None,
        retry: RetryPolicy | str | None = None,
        on_error: OnError | str | None = None,
        source: str = "",
    ) -> Policy:
        """A copy with the given values replaced; strings are parsed (`retry="max=5"`) and a
        malformed one raises `ConfigError` naming `source` (or the argument)."""
        changes: dict[str, Any] = {}
        if error_strategy is not None:
            changes["error_strategy"] = parse_enum(
                ErrorStrategy, error_strategy, source or "error_strategy"
            )
        if retry is not None:
            changes["retry"] = (
                retry
                if isinstance(retry, RetryPolicy)
                else _retry_setting(retry, source or "retry")
            )
        if on_error is not None:
            changes["on_error"] = parse_enum(OnError, on_error, source or "on_error")
        return attrs.evolve(self, **changes)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, base: Policy | None = None
    ) -> Policy:
        """`base` (default: the defaults) with the `DATLAKE_SDK_*` variables set in `environ`
        (default: `os.environ`) applied; an empty variable counts as unset."""
        if environ is None:
            environ = os.environ
        policy = base or cls()
        if value := environ.get(ENV_ERROR_STRATEGY, "").strip():
            policy = policy.evolve(error_strategy=value, source=ENV_ERROR_STRATEGY)
        if value := environ.get(ENV_RETRY, "").strip():
            policy = policy.evolve(retry=RetryPolicy.parse(value, source=ENV_RETRY))
        if value := environ.get(ENV_ON_ERROR, "").strip():
            policy = policy.evolve(on_error=value, source=ENV_ON_ERROR)
        return policy

    @classmethod
    def from_mapping(
        cls, table: Mapping[str, object], *, source: str, base: Policy | None = None
    ) -> Policy:
        """`base` with the `error_strategy`, `retry` and `on_error` keys of a config file
        applied (other keys are ignored here); `source` names the file in errors."""
        policy = base or cls()
        for key in ("error_strategy", "on_error"):
            if key in table:
                value = table[key]
                where = f"{source}: {key}"
                if not isinstance(value, str):
                    raise ConfigError(f"{where}: {value!r} is not a string")
                policy = policy.evolve(**{key: value}, source=where)
        if "retry" in table:
            policy = policy.evolve(retry=_retry_setting(table["retry"], f"{source}: retry"))
        return policy


def _retry_setting(value: object, source: str) -> RetryPolicy:
    if isinstance(value, RetryPolicy):
        return value
    if isinstance(value, str):
        return RetryPolicy.parse(value, source=source)
    if isinstance(value, Mapping):
        return RetryPolicy.from_mapping(value, source=source)
    raise ConfigError(f"{source}: {value!r} is neither a 'max=3,...' string nor a table")


# public as `datlake_sdk.Policy` and so on (see `datlake_sdk`)
for _public in ("ErrorStrategy", "OnError", "Policy", "RetryPolicy"):
    globals()[_public].__module__ = "datlake_sdk"
del _public
