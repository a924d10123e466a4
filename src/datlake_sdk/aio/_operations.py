"""The async operations: each awaits the very plan its `datlake_sdk.functional` namesake
carries out (`plan_start_run`, ...), so names, checks, ids and conversions are the same.

>>> import asyncio
>>> from datlake_sdk.aio import AsyncDatlakeClient, start_run, complete_run
>>> async def job(client: AsyncDatlakeClient) -> None:
...     run = (await start_run(client, "daily_users")).value
...     await complete_run(client, run, success=True)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from .._artifacts import plan_list_artifacts
from .._call import Plan
from .._catalog import plan_list_jobs, plan_list_tables
from .._client import Session
from .._errors import SDKError
from .._events import plan_heartbeat, plan_list_events, plan_post_event
from .._operations import plan_health
from .._reporting import (
    plan_get_run_log,
    plan_list_metrics,
    plan_post_metric,
    plan_post_progress,
    plan_post_telemetry,
)
from .._result import Result, map
from .._runs import plan_finish_run, plan_get_run, plan_list_runs, plan_start_run
from .._tables import (
    plan_fetch_latest_uri,
    plan_get_lineage,
    plan_list_snapshots,
    plan_register_snapshot,
)
from .._types import Artifact, Run
from ._client import AsyncDatlakeClient

__all__ = [
    "async_operation",
    "complete_run",
    "fetch_latest_uri",
    "finish_run",
    "get_lineage",
    "get_run",
    "get_run_log",
    "health",
    "heartbeat",
    "list_artifacts",
    "list_events",
    "list_jobs",
    "list_metrics",
    "list_runs",
    "list_snapshots",
    "list_tables",
    "post_event",
    "post_metric",
    "post_progress",
    "post_telemetry",
    "register_snapshot",
    "start_run",
    "twin_of",
]

F = TypeVar("F", bound=Callable[..., object])
P = ParamSpec("P")
T = TypeVar("T")


def async_operation(
    plan: Callable[Concatenate[Session[Any], P], Plan[T]],
) -> Callable[Concatenate[AsyncDatlakeClient, P], Coroutine[Any, Any, Result[T, SDKError]]]:
    """The async operation that carries out `plan` through an `AsyncDatlakeClient`."""

    @functools.wraps(plan)
    async def perform(
        client: AsyncDatlakeClient, /, *args: P.args, **kwargs: P.kwargs
    ) -> Result[T, SDKError]:
        return await client.perform(plan(client, *args, **kwargs))

    return twin_of(perform, plan.__name__.removeprefix("plan_"), "awaited", plan.__doc__)


def twin_of(function: F, name: str, how: str, doc: str | None) -> F:
    """`function`, named and documented as the async twin of `datlake_sdk.functional.<name>`."""
    function.__name__ = function.__qualname__ = name
    function.__module__ = "datlake_sdk.aio"
    function.__doc__ = f"`datlake_sdk.functional.{name}`, {how}.\n\n{doc or ''}"
    return function


start_run = async_operation(plan_start_run)
finish_run = async_operation(plan_finish_run)
get_run = async_operation(plan_get_run)
list_runs = async_operation(plan_list_runs)
list_jobs = async_operation(plan_list_jobs)
list_tables = async_operation(plan_list_tables)
fetch_latest_uri = async_operation(plan_fetch_latest_uri)
register_snapshot = async_operation(plan_register_snapshot)
list_snapshots = async_operation(plan_list_snapshots)
get_lineage = async_operation(plan_get_lineage)
heartbeat = async_operation(plan_heartbeat)
post_event = async_operation(plan_post_event)
list_events = async_operation(plan_list_events)
health = async_operation(plan_health)


async def complete_run(
    client: AsyncDatlakeClient,
    run: Run,
    success: bool,
    extra: Mapping[str, Any] | None = None,
    artifacts: Sequence[Artifact] | None = None,
) -> Result[None, SDKError]:
    """`datlake_sdk.functional.complete_run`, awaited: `Ok(None)` once the run is finished."""
    return map(await finish_run(client, run, success, extra, artifacts), lambda _: None)


list_artifacts = async_operation(plan_list_artifacts)
get_run_log = async_operation(plan_get_run_log)
list_metrics = async_operation(plan_list_metrics)
post_metric = async_operation(plan_post_metric)
post_progress = async_operation(plan_post_progress)
post_telemetry = async_operation(plan_post_telemetry)
