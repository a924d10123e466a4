"""The async SDK: `AsyncDatlakeClient`, `AsyncJobContext`, and the functional operations as
coroutines. They carry out the same plans as `datlake_sdk.functional` (the same checks, ids,
retries, policies, outbox and translator) and return the same `Ok`/`Err`.

>>> import asyncio
>>> from datlake_sdk.aio import AsyncDatlakeClient, AsyncJobContext
>>> async def main() -> None:
...     async with AsyncDatlakeClient() as client:
...         async with AsyncJobContext(client, "daily_users") as job:
...             await job.output("users_curated", "file:///out.csv", format="csv")
>>> asyncio.run(main())  # doctest: +SKIP
"""

from ._client import AsyncDatlakeClient
from ._job import AsyncJobContext
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

__all__ = [
    "AsyncDatlakeClient",
    "AsyncJobContext",
    "complete_run",
    "download_artifact",
    "download_object",
    "fetch_latest_uri",
    "get_lineage",
    "get_run",
    "get_run_log",
    "health",
    "heartbeat",
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
    "upload_file",
    "upload_object",
]

# public as `datlake_sdk.aio.<Name>`, wherever they are defined
AsyncDatlakeClient.__module__ = AsyncJobContext.__module__ = __name__
