"""Name rules the server enforces itself, whatever reached it through the URL: the SDK's rules
(one set for both sides), answered as 400 problems.

uvicorn percent-decodes the path before routing, so `..%2F..%2Fx` would arrive as `../../x`:
the decoded object name is checked here before it ever touches the file system.

>>> check_object_name("jobs/daily_users/r1/run.log")
'jobs/daily_users/r1/run.log'
>>> check_object_name("../etc/passwd")
Traceback (most recent call last):
...
datlake_server.problems.Problem: object name: '../etc/passwd' must not start with '/' nor have an empty, '.' or '..' segment
"""  # noqa: E501

from __future__ import annotations

from datlake_sdk._errors import ValidationError
from datlake_sdk._names import bad_bucket, bad_object_name
from datlake_server.problems import INVALID_REQUEST, Problem


def check_bucket(bucket: str) -> str:
    """Return `bucket` when it is a valid bucket name, else raise a 400 problem."""
    _refuse(bad_bucket("bucket", bucket))
    return bucket


def check_object_name(name: str) -> str:
    """Return `name` when it is a safe object name, else raise a 400 problem naming the rule."""
    _refuse(bad_object_name("object name", name))
    return name


def _refuse(error: ValidationError | None) -> None:
    if error is not None:
        raise Problem(INVALID_REQUEST, error.message)
