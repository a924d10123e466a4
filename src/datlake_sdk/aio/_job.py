"""`AsyncJobContext`: `JobContext` for async code. Entering starts the run, leaving completes
it (succeeded, or failed with the error in `extra`, the exception propagating), and a task
keeps its lease alive meanwhile.

>>> from datlake_sdk.aio import AsyncDatlakeClient, AsyncJobContext
>>> async def daily_users(client: AsyncDatlakeClient) -> None:
...     async with AsyncJobContext(client, "daily_users") as job:
...         src = await job.input("users_raw")
...         await job.output("users_curated", src.uri + ".out", format="csv")
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

from .._errors import SDKError
from .._events import MAX_LEASE_SECONDS
from .._job import Completion, _value, deliver_waiting, logger, side_value
from .._leases import DEFAULT_HEARTBEAT_EVERY
from .._objects import StrPath, file_artifact
from .._result import Ok, Result
from .._types import Artifact, Event, Lease, Run, SnapshotInfo, UriInfo
from ._client import AsyncDatlakeClient
from ._objects import make_log_artifact, upload_file
from ._operations import fetch_latest_uri, heartbeat, post_event, register_snapshot, start_run

__all__ = ["AsyncJobContext"]

T = TypeVar("T")


class AsyncJobContext:
    """Run a lineage-tracked job as an `async with` block; the methods of `JobContext`
    awaited, with its log shipping (`log_path` and `log_bucket`: the log is uploaded and
    attached when the block ends) and `attach_file`.

    `input` and `output` raise the `SDKError` whatever the policy; `event` and `heartbeat`
    only under `on_error=raise` (else the failure is logged and the job goes on). The lease is
    kept by a task: a heartbeat at the start, then every `heartbeat_every` seconds (`None`:
    off). Cancelling the block (a timeout, Ctrl-C) completes the run as failed.

    >>> async with AsyncJobContext(client, "daily_users") as job:  # doctest: +SKIP
    ...     src = await job.input("users_raw")
    """

    def __init__(
        self,
        client: AsyncDatlakeClient,
        job_name: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        parent_run_id: str | None = None,
        log_path: StrPath | None = None,
        log_bucket: str | None = None,
        heartbeat_every: float | None = DEFAULT_HEARTBEAT_EVERY,
    ) -> None:
        if log_path is not None and log_bucket is None:
            raise ValueError("log shipping needs a log_bucket for the log_path")
        if heartbeat_every is not None and not heartbeat_every > 0:
            raise ValueError(f"heartbeat_every: {heartbeat_every!r} must be a positive number")
        self.client = client
        self.job_name = job_name
        self.metadata = dict(metadata or {})
        self.parent_run_id = parent_run_id
        self.log_path = log_path
        self.log_bucket = log_bucket
        self.heartbeat_every = heartbeat_every
        self.extra: dict[str, Any] = {}
        self.artifacts: list[Artifact] = []
        self._run: Run | None = None
        self._entered = False
        self._beats: asyncio.Task[None] | None = None

    @property
    def run(self) -> Run:
        """The run: started on entering, the finished run after a completed exit."""
        if self._run is None:
            raise RuntimeError("the run starts when `async with AsyncJobContext(...)` is entered")
        return self._run

    async def input(self, table_name: str) -> UriInfo:
        """The newest snapshot of `table_name`, recorded as read by this run."""
        return _value(await fetch_latest_uri(self.client, self.run, table_name))

    async def output(
        self, table_name: str, uri: str, *, format: str, schema: Mapping[str, Any] | None = None
    ) -> SnapshotInfo:
        """Register the snapshot this run wrote to `uri` as the newest of `table_name`."""
        return _value(
            await register_snapshot(
                self.client, self.run, table_name, uri, format=format, schema=schema
            )
        )

    def attach(self, artifact: Artifact) -> None:
        """Send `artifact` with the run's completion."""
        self.artifacts.append(artifact)

    async def attach_file(
        self,
        file_path: StrPath,
        *,
        bucket: str,
        object_name: str,
        type: str = "file",
        name: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Artifact | None:
        """Upload a file and attach it as an `Artifact` (see `JobContext.attach_file`);
        `None` when the upload failed and the policy carries on (a side method)."""
        uploaded = await upload_file(self.client, bucket, object_name, file_path, run=self.run)
        info = self._side(uploaded, "attach_file")
        if info is None:
            return None
        artifact = file_artifact(
            info, type, name=name, content_type=content_type, metadata=metadata
        )
        self.attach(artifact)
        return artifact

    async def event(
        self, kind: str, message: str | None = None, *, data: Mapping[str, Any] | None = None
    ) -> Event | None:
        """Record a `progress`, `metric` or `error` event on the run (a side method)."""
        return self._side(
            await post_event(self.client, self.run, kind, message=message, data=data), "event"
        )

    async def heartbeat(self, lease_seconds: int | None = None) -> Lease | None:
        """Extend the run's lease now (a side method); see also `heartbeat_every`."""
        return self._side(
            await heartbeat(self.client, self.run, lease_seconds=lease_seconds), "heartbeat"
        )

    async def __aenter__(self) -> AsyncJobContext:
        if self._entered:
            raise RuntimeError("an AsyncJobContext runs once; create a new one for another run")
        self._entered = True
        self._run = _value(
            await start_run(
                self.client, self.job_name, self.metadata, parent_run_id=self.parent_run_id
            )
        )
        if self.heartbeat_every is not None:
            self._beats = asyncio.create_task(self._keep_alive(self.heartbeat_every))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._beats is not None:
            self._beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beats
        shipping_error = await self._ship_log()
        completion = Completion(self.run, self.extra, self.artifacts, exc or shipping_error)
        completed = await self.client.perform(completion.plan(self.client))
        rejected = completion.rejection(completed)
        if rejected is not None:
            completed = await self.client.perform(completion.without_extra(self.client, rejected))
        if isinstance(completed, Ok):
            self._run = completed.value
        if self.client.outbox is not None:
            await asyncio.to_thread(deliver_waiting, self.client, self.job_name, self.run)
        if exc is not None:
            if not isinstance(completed, Ok):
                logger.error(
                    "%s: could not record the failed run: %s", self.job_name, completed.error
                )
            return  # the block's own exception propagates
        if shipping_error is not None:
            raise shipping_error
        if rejected is not None:
            raise rejected
        _value(completed)

    async def _keep_alive(self, every: float) -> None:
        lease = max(1, min(MAX_LEASE_SECONDS, math.ceil(every * 3)))
        while True:
            # a failure is logged by the client; a missed beat is not worth stopping the job
            await heartbeat(self.client, self.run, lease_seconds=lease)
            await asyncio.sleep(every)

    async def _ship_log(self) -> SDKError | None:
        """Upload `log_path` and attach it; the error to raise under `on_error=raise`."""
        if self.log_path is None or self.log_bucket is None:
            return None
        try:
            shipped = await make_log_artifact(self.client, self.log_bucket, self.run, self.log_path)
            artifact = self._side(shipped, "log shipping")
        except SDKError as error:
            return error
        if artifact is not None:
            self.attach(artifact)
        return None

    def _side(self, result: Result[T, SDKError], what: str) -> T | None:
        return side_value(result, self.client.policy, self.job_name, what)
