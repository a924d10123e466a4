"""The functional SDK: every operation returns `Ok(value)` or `Err(SDKError)` and never raises for
an expected failure, so a job is a chain of steps on two tracks.

>>> from datlake_sdk import DatlakeClient
>>> from datlake_sdk.functional import start_run, fetch_latest_uri, and_then
>>> client = DatlakeClient(base_url="http://127.0.0.1:8765", api_key="dev")
>>> r0 = start_run(client, "daily_users", metadata={"source": "s3"})  # doctest: +SKIP
>>> r1 = and_then(r0, lambda run: fetch_latest_uri(client, run, "users_raw"))  # doctest: +SKIP
>>> client.close()
"""

from typing import TYPE_CHECKING

from ._lazy import homes as _homes
from ._lazy import names_on_first_use as _names_on_first_use

if TYPE_CHECKING:
    from ._artifacts import download_artifact, list_artifacts
    from ._catalog import iter_jobs, iter_tables, list_jobs, list_tables
    from ._errors import (
        AuthError,
        Conflict,
        NotFound,
        SDKError,
        ServerError,
        Transient,
        ValidationError,
    )
    from ._events import heartbeat, iter_events, list_events, post_event
    from ._join import current_run
    from ._leases import keep_alive
    from ._objects import download_object, make_log_artifact, upload_file, upload_object
    from ._operations import health
    from ._reporting import get_run_log, list_metrics, post_metric, post_progress, post_telemetry
    from ._result import (
        Err,
        Ok,
        Result,
        UnwrapError,
        and_then,
        is_err,
        is_ok,
        map,
        map_err,
        recover,
        tee,
        unwrap,
        unwrap_err,
        unwrap_or,
    )
    from ._runs import complete_run, get_run, iter_runs, list_runs, start_run
    from ._tables import (
        fetch_latest_uri,
        get_lineage,
        iter_snapshots,
        list_snapshots,
        register_snapshot,
    )
    from ._telemetry import Telemetry, telemetry
    from ._types import (
        ARTIFACT_TYPES,
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
    "ARTIFACT_TYPES",
    "Artifact",
    "AuthError",
    "Conflict",
    "Err",
    "Event",
    "Health",
    "JobInfo",
    "Lease",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "MetricPoint",
    "MetricSeries",
    "NotFound",
    "ObjectInfo",
    "Ok",
    "Page",
    "Progress",
    "Result",
    "Run",
    "RunLog",
    "SDKError",
    "ServerError",
    "SnapshotInfo",
    "TableInfo",
    "Telemetry",
    "TelemetryReceipt",
    "Transient",
    "UnwrapError",
    "UriInfo",
    "ValidationError",
    "and_then",
    "complete_run",
    "current_run",
    "download_artifact",
    "download_object",
    "fetch_latest_uri",
    "get_lineage",
    "get_run",
    "get_run_log",
    "health",
    "heartbeat",
    "is_err",
    "is_ok",
    "iter_events",
    "iter_jobs",
    "iter_runs",
    "iter_snapshots",
    "iter_tables",
    "keep_alive",
    "list_artifacts",
    "list_events",
    "list_jobs",
    "list_metrics",
    "list_runs",
    "list_snapshots",
    "list_tables",
    "make_log_artifact",
    "map",
    "map_err",
    "post_event",
    "post_metric",
    "post_progress",
    "post_telemetry",
    "recover",
    "register_snapshot",
    "start_run",
    "tee",
    "telemetry",
    "unwrap",
    "unwrap_err",
    "unwrap_or",
    "upload_file",
    "upload_object",
]


# Each name loads on first use, from the module that defines it: `import datlake_sdk.functional`
# costs next to nothing, and `from datlake_sdk.functional import start_run` only what runs need
# (not the object transfers, telemetry or lineage). The `if TYPE_CHECKING:` imports above are
# what type checkers read; a test checks that every name resolves.
_HOMES = _homes(
    {
        "_artifacts": (
            "download_artifact",
            "list_artifacts",
        ),
        "_catalog": (
            "iter_jobs",
            "iter_tables",
            "list_jobs",
            "list_tables",
        ),
        "_errors": (
            "AuthError",
            "Conflict",
            "NotFound",
            "SDKError",
            "ServerError",
            "Transient",
            "ValidationError",
        ),
        "_events": (
            "heartbeat",
            "iter_events",
            "list_events",
            "post_event",
        ),
        "_join": ("current_run",),
        "_leases": ("keep_alive",),
        "_objects": (
            "download_object",
            "make_log_artifact",
            "upload_file",
            "upload_object",
        ),
        "_operations": ("health",),
        "_reporting": (
            "get_run_log",
            "list_metrics",
            "post_metric",
            "post_progress",
            "post_telemetry",
        ),
        "_result": (
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
        ),
        "_runs": (
            "complete_run",
            "get_run",
            "iter_runs",
            "list_runs",
            "start_run",
        ),
        "_tables": (
            "fetch_latest_uri",
            "get_lineage",
            "iter_snapshots",
            "list_snapshots",
            "register_snapshot",
        ),
        "_telemetry": (
            "Telemetry",
            "telemetry",
        ),
        "_types": (
            "ARTIFACT_TYPES",
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
