"""Read runs from a Datlake and turn them into OpenLineage RunEvents, oldest first.

>>> from datlake_sdk import DatlakeClient
>>> with DatlakeClient(base_url="http://127.0.0.1:8765", api_key="dev") as client:  # doctest: +SKIP
...     for event in export_events(client, namespace="prod"):      # every job
...         print(json.dumps(unwrap(event)))
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from .._catalog import iter_jobs
from .._client import DatlakeClient
from .._errors import SDKError
from .._result import Err, Ok, Result
from .._runs import iter_runs
from .._types import Run
from ._mapping import DEFAULT_NAMESPACE, run_events

__all__ = ["export_events"]


def export_events(
    client: DatlakeClient,
    jobs: Iterable[str] | None = None,
    *,
    since: datetime.datetime | None = None,
    namespace: str = DEFAULT_NAMESPACE,
) -> Iterator[Result[dict[str, Any], SDKError]]:
    """The RunEvents of every run of `jobs` (every job, when `None`) started at or after
    `since` (when given), as `Ok(event)` in the order of their `eventTime`; a listing that
    fails yields its `Err` and ends the export. A run's `parent` facet names its parent's job
    when the parent is one of the runs exported (the `datlake_run` facet keeps the parent's id
    in any case).
    """
    runs: list[Run] = []
    for job in _job_names(client, jobs):
        if isinstance(job, Err):
            yield job
            return
        for listed in iter_runs(client, job.value):
            if isinstance(listed, Err):
                yield listed
                return
            run = listed.value
            if since is not None and run.created_at is not None and run.created_at < since:
                break  # newest first: every further run is older
            runs.append(run)
    job_of = {run.run_id: run.job_name for run in runs}
    events = [
        event
        for run in runs
        for event in run_events(
            run,
            namespace=namespace,
            parent_job=None if run.parent_run_id is None else job_of.get(run.parent_run_id),
        )
    ]
    events.sort(key=lambda event: (event["eventTime"], event["eventType"] != "START"))
    yield from (Ok(event) for event in events)


def _job_names(
    client: DatlakeClient, jobs: Iterable[str] | None
) -> Iterator[Result[str, SDKError]]:
    if jobs is not None:
        yield from (Ok(job) for job in jobs)
        return
    for listed in iter_jobs(client):
        yield listed if isinstance(listed, Err) else Ok(listed.value.job_name)
