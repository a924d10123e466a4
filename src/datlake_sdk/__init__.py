"""datlake-sdk: run lineage-tracked data jobs against Datlake.

`DatlakeClient` connects; `datlake_sdk.functional` holds the operations, each returning
`Ok` or `Err`; `JobContext` wraps them in a `with` block that raises instead. The domain
types the operations return (`Run`, `UriInfo`, `SnapshotInfo`, ...), `Ok`/`Err` and the
errors are importable from here too, and they call themselves `datlake_sdk.<Name>` in reprs,
docs, tracebacks and pickles, wherever in the package they are defined.

>>> from datlake_sdk import DatlakeClient, JobContext, Run
>>> from datlake_sdk.functional import start_run, complete_run
>>> Run
<class 'datlake_sdk.Run'>
"""

from typing import TYPE_CHECKING

from ._lazy import homes as _homes
from ._lazy import names_on_first_use as _names_on_first_use

if TYPE_CHECKING:
    from ._client import DatlakeClient
    from ._delivery import FlushReport
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
    from ._result import Err, Ok, Result
    from ._shared_run import JoinedRun, SharedRun
    from ._types import (
        Artifact,
        Event,
        Health,
        JobInfo,
        Lease,
        LineageEdge,
        LineageGraph,
        LineageNode,
        MetricPoint,
        MetricSeries,
        ObjectInfo,
        Page,
        Progress,
        Run,
        RunLog,
        SnapshotInfo,
        TableInfo,
        TelemetryReceipt,
        UriInfo,
    )

__all__ = [
    "Artifact",
    "AuthError",
    "ConfigError",
    "Conflict",
    "DatlakeClient",
    "Err",
    "ErrorStrategy",
    "Event",
    "FlushReport",
    "Health",
    "JobContext",
    "JobInfo",
    "JobTerminated",
    "JoinedRun",
    "Lease",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "MetricPoint",
    "MetricSeries",
    "NotFound",
    "ObjectInfo",
    "Ok",
    "OnError",
    "Page",
    "Policy",
    "Progress",
    "Result",
    "RetryPolicy",
    "Run",
    "RunLog",
    "SDKError",
    "ServerError",
    "SharedRun",
    "SnapshotInfo",
    "TableInfo",
    "TelemetryReceipt",
    "Transient",
    "UriInfo",
    "ValidationError",
]

# Every name loads on first use, from the private module that defines it (the table below):
# `import datlake_sdk` costs next to nothing, and `from datlake_sdk import DatlakeClient` only
# what the client needs; `JobContext` pulls in every operation. Public classes say
# `datlake_sdk.Run`, not `datlake_sdk._types.Run` (as httpx does; each module renames its own),
# so the private modules are free to move, and pickles find the class here.
_HOMES = _homes(
    {
        "_client": ("DatlakeClient",),
        "_delivery": ("FlushReport",),  # the outbox (and sqlite3) load only when it is on
        "_errors": (
            "AuthError",
            "ConfigError",
            "Conflict",
            "NotFound",
            "SDKError",
            "ServerError",
            "Transient",
            "ValidationError",
        ),
        "_job": ("JobContext", "JobTerminated"),
        "_policy": ("ErrorStrategy", "OnError", "Policy", "RetryPolicy"),
        "_result": ("Err", "Ok", "Result"),
        "_shared_run": ("JoinedRun", "SharedRun"),  # for distributed jobs only
        "_types": (
            "Artifact",
            "Event",
            "Health",
            "JobInfo",
            "Lease",
            "LineageEdge",
            "LineageGraph",
            "LineageNode",
            "MetricPoint",
            "MetricSeries",
            "ObjectInfo",
            "Page",
            "Progress",
            "Run",
            "RunLog",
            "SnapshotInfo",
            "TableInfo",
            "TelemetryReceipt",
            "UriInfo",
        ),
    }
)


if not TYPE_CHECKING:  # type checkers read the imports above: a misspelt name stays an error
    __getattr__, __dir__ = _names_on_first_use(__name__, globals(), _HOMES)
