"""Name rules the server enforces itself, whatever reached it through the URL.

uvicorn percent-decodes the path before routing, so `..%2F..%2Fx` would arrive as `../../x`:
the decoded object name is checked here before it ever touches the file system.

>>> check_object_name("jobs/daily_users/r1/run.log")
'jobs/daily_users/r1/run.log'
>>> check_object_name("../etc/passwd")
Traceback (most recent call last):
...
datlake_server.problems.Problem: object name: '..' segment not allowed
"""

from __future__ import annotations

import re

from datlake_server.problems import INVALID_REQUEST, Problem

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
OBJECT_MAX_BYTES = 1024


def check_bucket(bucket: str) -> str:
    """Return `bucket` when it is a valid bucket name, else raise a 400 problem."""
    if not BUCKET.fullmatch(bucket):
        raise Problem(INVALID_REQUEST, f"bucket: {bucket!r} does not match the bucket pattern")
    return bucket


def check_object_name(name: str) -> str:
    """Return `name` when it is a safe object name, else raise a 400 problem naming the rule."""
    reason = _object_name_violation(name)
    if reason:
        raise Problem(INVALID_REQUEST, f"object name: {reason}")
    return name


def _object_name_violation(name: str) -> str | None:
    if not name:
        return "empty"
    if len(name.encode("utf-8", "surrogatepass")) > OBJECT_MAX_BYTES:
        return f"longer than {OBJECT_MAX_BYTES} bytes of UTF-8"
    if "\x00" in name:
        return "NUL not allowed"
    if "\\" in name:
        return "backslash not allowed"
    if name.startswith("/"):
        return "leading '/' not allowed"
    for segment in name.split("/"):
        if not segment:
            return "empty segment not allowed"
        if segment in (".", ".."):
            return f"{segment!r} segment not allowed"
    return None
