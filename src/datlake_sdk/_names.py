"""Name rules of the contract, checked before any request so a typo never costs a round trip.

Each check returns `None` for a good value and a `ValidationError` (code `None`) naming the
argument and the value otherwise; `first_invalid` picks the first failure of several.

>>> print(bad_run_id("run_id", "r 1"))
run_id: 'r 1' is not a valid run id (1-64 of A-Z a-z 0-9 _ -)
>>> bad_object_name("object_name", "jobs/daily_users/run.log") is None
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ._errors import ValidationError
from ._types import Run

__all__ = [
    "bad_bucket",
    "bad_idempotency_key",
    "bad_json",
    "bad_name",
    "bad_object_name",
    "bad_prefix",
    "bad_run",
    "bad_run_id",
    "bad_text",
    "bad_utf8",
    "first_invalid",
]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_PREFIX = re.compile(r"[A-Za-z0-9._-]{1,128}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_MAX_OBJECT_NAME_BYTES = 1024

MAX_JSON_DEPTH = 200
"""How deeply a free-form object may nest: far more than any real document, far less than
what makes an encoder (here or on the server) run out of stack."""


def bad_name(argument: str, value: str) -> ValidationError | None:
    """A job or table name: `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$` (dots make namespaces)."""
    if _matches(_NAME, argument, value):
        return None
    return _invalid(
        argument, value, "is not a valid name (1-128 of A-Z a-z 0-9 . _ -, not starting with . _ -)"
    )


def bad_prefix(argument: str, value: str | None) -> ValidationError | None:
    """An optional name prefix to search by: 1-128 of `A-Z a-z 0-9 . _ -`."""
    if value is None or _matches(_PREFIX, argument, value):
        return None
    return _invalid(argument, value, "is not a name prefix (1-128 of A-Z a-z 0-9 . _ -)")


def bad_bucket(argument: str, value: str) -> ValidationError | None:
    """A bucket: 3-63 of `a-z 0-9 . -`, starting and ending with a letter or digit."""
    if _matches(_BUCKET, argument, value):
        return None
    return _invalid(
        argument,
        value,
        "is not a valid bucket (3-63 of a-z 0-9 . -, starting and ending with a-z or 0-9)",
    )


def bad_run_id(argument: str, value: str) -> ValidationError | None:
    """A run id: `^[A-Za-z0-9_-]{1,64}$`."""
    if _matches(_RUN_ID, argument, value):
        return None
    return _invalid(argument, value, "is not a valid run id (1-64 of A-Z a-z 0-9 _ -)")


def bad_run(argument: str, run: Run) -> ValidationError | None:
    """A `Run` whose job name and run id are both valid."""
    return first_invalid(
        bad_name(f"{argument}.job_name", run.job_name), bad_run_id(f"{argument}.run_id", run.run_id)
    )


def bad_idempotency_key(argument: str, value: str) -> ValidationError | None:
    """An `Idempotency-Key`: 1-255 printable ASCII characters, no spaces."""
    if _matches(_IDEMPOTENCY_KEY, argument, value):
        return None
    return _invalid(argument, value, "is not a valid idempotency key (1-255 printable ASCII)")


def bad_object_name(argument: str, value: str) -> ValidationError | None:
    """An object name: 1-1024 bytes of UTF-8, `/` between folders, no NUL or backslash, no
    leading `/` and no empty, `.` or `..` segment."""
    _require_str(argument, value)
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return _invalid(argument, value, "is not valid UTF-8")
    if not 1 <= size <= _MAX_OBJECT_NAME_BYTES:
        return _invalid(argument, value, f"must be 1 to {_MAX_OBJECT_NAME_BYTES} bytes of UTF-8")
    if "\x00" in value or "\\" in value:
        return _invalid(argument, value, "must not contain NUL or a backslash")
    if any(segment in ("", ".", "..") for segment in value.split("/")):
        return _invalid(
            argument, value, "must not start with '/' nor have an empty, '.' or '..' segment"
        )
    return None


def bad_json(argument: str, value: Mapping[str, Any] | None) -> ValidationError | None:
    """A free-form object (metadata, extra, schema, event data) the body can carry: JSON
    values only, no NaN or infinity (JSON has no spelling for them), no text UTF-8 cannot
    carry (a lone surrogate), and at most `MAX_JSON_DEPTH` levels of nesting.

    >>> print(bad_json("extra", {"ratio": float("nan")}))  # doctest: +ELLIPSIS
    extra: cannot be sent as JSON: Out of range float values are not JSON compliant...
    >>> print(bad_json("metadata", {"note": "\\ud800"}))  # doctest: +ELLIPSIS
    metadata: cannot be sent as JSON: 'utf-8' codec can't encode character '\\ud800'...
    """
    if value is None:
        return None
    if _deeper_than(value, MAX_JSON_DEPTH):
        return ValidationError(
            f"{argument}: cannot be sent as JSON: nested more than {MAX_JSON_DEPTH} levels deep"
        )
    try:
        # exactly what httpx does with the body, later
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
            "utf-8"
        )
    except (TypeError, ValueError, RecursionError) as ex:  # UnicodeEncodeError is a ValueError
        return ValidationError(f"{argument}: cannot be sent as JSON: {ex}")
    return None


def bad_text(argument: str, value: str, max_length: int) -> ValidationError | None:
    """A required string field (a uri, a format): 1 to `max_length` characters of text UTF-8
    can carry.

    >>> print(bad_text("format", "", 64))
    format: '' must be 1 to 64 characters long
    """
    _require_str(argument, value)
    shown = value if len(value) <= 40 else value[:40] + "..."
    if not 1 <= len(value) <= max_length:
        return _invalid(argument, shown, f"must be 1 to {max_length} characters long")
    return bad_utf8(argument, value)


def bad_utf8(argument: str, value: str | None) -> ValidationError | None:
    """An optional string (a message, a cursor) that UTF-8 can carry: no lone surrogate.

    >>> print(bad_utf8("message", "half \\udc80 way"))
    message: 'half \\udc80 way' is not valid text (a lone surrogate at position 5)
    """
    if value is None:
        return None
    _require_str(argument, value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as ex:
        shown = value if len(value) <= 40 else value[:40] + "..."
        return _invalid(
            argument, shown, f"is not valid text (a lone surrogate at position {ex.start})"
        )
    return None


def _deeper_than(value: object, limit: int) -> bool:
    """Whether containers in `value` nest more than `limit` levels (walked without recursion,
    so no depth can overflow the stack; a cycle counts as too deep)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def first_invalid(*checks: ValidationError | None) -> ValidationError | None:
    """The first failed check, or `None` when every value is good."""
    return next((error for error in checks if error is not None), None)


def _matches(pattern: re.Pattern[str], argument: str, value: str) -> bool:
    _require_str(argument, value)
    return pattern.fullmatch(value) is not None


def _require_str(argument: str, value: object) -> None:
    # A wrong type is a programming error, not a bad value: it raises rather than becoming Err.
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")


def _invalid(argument: str, value: str, reason: str) -> ValidationError:
    return ValidationError(f"{argument}: {value!r} {reason}")
