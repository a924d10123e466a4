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
from ._result import Err, Ok, Result

if TYPE_CHECKING:
    from ._delivery import FlushReport
    from ._job import JobContext, JobTerminated
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

# Public classes say `datlake_sdk.Run`, not `datlake_sdk._types.Run` (as httpx does): the
# private modules are free to move, and pickles find the class here. The classes loaded on
# first use say so where they are defined.
_DOMAIN_TYPES = (
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
)
_LAZY = ("FlushReport", "JobContext", "JobTerminated", "JoinedRun", "SharedRun", *_DOMAIN_TYPES)
_RENAMED = frozenset(__all__) - {"Result", *_LAZY}
for _name in _RENAMED:
    globals()[_name].__module__ = __name__
del _name


def __getattr__(name: str) -> Any:
    # `JobContext` pulls in every operation and the generated models: import it on first use,
    # so that `import datlake_sdk` stays about as cheap as `import httpx`.
    if name in ("JobContext", "JobTerminated"):
        from . import _job

        value = getattr(_job, name)
    elif name == "FlushReport":  # the outbox (and sqlite3) load only when it is on
        from ._delivery import FlushReport

        value = FlushReport
    elif name in ("JoinedRun", "SharedRun"):  # for distributed jobs only
        from . import _shared_run

        value = getattr(_shared_run, name)
    elif name in _DOMAIN_TYPES:  # a dozen attrs classes: built when first asked for
        from . import _types

        value = getattr(_types, name)
    else:
        raise AttributeError(f"module 'datlake_sdk' has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value
