"""The async SDK: `AsyncDatlakeClient`, `AsyncJobContext`, and the functional operations as
coroutines (the `iter_*` helpers as async iterators, `keep_alive` and `telemetry` as async
context managers). They carry out the same plans as `datlake_sdk.functional` (the same checks,
ids, retries, policies, outbox and translator) and return the same `Ok`/`Err`.

>>> import asyncio
>>> from datlake_sdk.aio import AsyncDatlakeClient, AsyncJobContext
>>> async def main() -> None:
...     async with AsyncDatlakeClient() as client:
...         async with AsyncJobContext(client, "daily_users") as job:
...             await job.output("users_curated", "file:///out.csv", format="csv")
>>> asyncio.run(main())  # doctest: +SKIP
"""

from .._join import current_run
from ._client import AsyncDatlakeClient
from ._job import AsyncJobContext
from ._leases import AsyncLeaseKeeper, keep_alive
from ._objects import (
    download_artifact,
    download_object,
    make_log_artifact,
    upload_file,
    upload_object,
)
from ._operations import (
    complete_run,
    fetch_latest_uri,
    get_lineage,
    get_run,
    get_run_log,
    health,
    heartbeat,
    list_artifacts,
    list_events,
    list_jobs,
    list_metrics,
    list_runs,
    list_snapshots,
    list_tables,
    post_event,
    post_metric,
    post_progress,
    post_telemetry,
    register_snapshot,
    start_run,
)
from ._paging import iter_events, iter_jobs, iter_runs, iter_snapshots, iter_tables
from ._telemetry import AsyncTelemetry, telemetry

__all__ = [
    "AsyncDatlakeClient",
    "AsyncJobContext",
    "AsyncLeaseKeeper",
    "AsyncTelemetry",
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
    "post_event",
    "post_metric",
    "post_progress",
    "post_telemetry",
    "register_snapshot",
    "start_run",
    "telemetry",
    "upload_file",
    "upload_object",
]

# public as `datlake_sdk.aio.<Name>`, wherever they are defined
for _public in (AsyncDatlakeClient, AsyncJobContext, AsyncLeaseKeeper, AsyncTelemetry):
    _public.__module__ = __name__
del _public
