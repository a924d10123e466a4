"""datlake-sdk: run lineage-tracked data jobs against Datlake.

`DatlakeClient` connects; `datlake_sdk.functional` holds the operations, each returning
`Ok` or `Err`; `JobContext` wraps them in a `with` block that raises instead.

>>> from datlake_sdk import DatlakeClient, JobContext
>>> from datlake_sdk.functional import start_run, complete_run
"""

from typing import TYPE_CHECKING, Any

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
from ._policy import ErrorStrategy, OnError, Policy, RetryPolicy

if TYPE_CHECKING:
    from ._delivery import FlushReport
    from ._job import JobContext, JobTerminated

__all__ = [
    "AuthError",
    "ConfigError",
    "Conflict",
    "DatlakeClient",
    "ErrorStrategy",
    "FlushReport",
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


def __getattr__(name: str) -> Any:
    # `JobContext` pulls in every operation and the generated models: import it on first use,
    # so that `import datlake_sdk` stays about as cheap as `import httpx`.
    if name in ("JobContext", "JobTerminated"):
        from . import _job

        return getattr(_job, name)
    if name == "FlushReport":  # the outbox (and sqlite3) load only when it is on
        from ._delivery import FlushReport

        return FlushReport
    raise AttributeError(f"module 'datlake_sdk' has no attribute {name!r}")
