"""datlake-sdk: run lineage-tracked data jobs against Datlake.

`DatlakeClient` connects; `datlake_sdk.functional` holds the operations, each returning
`Ok` or `Err`; `JobContext` wraps them in a `with` block that raises instead.

>>> from datlake_sdk import DatlakeClient, JobContext
>>> from datlake_sdk.functional import start_run, complete_run
"""

from ._client import DatlakeClient
from ._errors import (
    AuthError,
    ConfigError,
    Conflict,
    NotFound,
    SDKError,
    ServerError,
    Transient,
    ValidationError,
)
from ._job import JobContext, JobTerminated
from ._policy import ErrorStrategy, OnError, Policy, RetryPolicy

__all__ = [
    "AuthError",
    "ConfigError",
    "Conflict",
    "DatlakeClient",
    "ErrorStrategy",
    "JobContext",
    "JobTerminated",
    "NotFound",
    "OnError",
    "Policy",
    "RetryPolicy",
    "SDKError",
    "ServerError",
    "Transient",
    "ValidationError",
]
