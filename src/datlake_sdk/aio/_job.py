"""`AsyncJobContext`: `JobContext` for async code. Entering starts the run, leaving completes
it (succeeded, or failed with the error in `extra`, the exception propagating), and a task
keeps its lease alive meanwhile.

>>> from datlake_sdk.aio import AsyncDatlakeClient, AsyncJobContext
>>> async def daily_users(client: AsyncDatlakeClient) -> None:
...     async with AsyncJobContext(client, "daily_users") as job:
...         src = await job.input("users_raw")
...         job.metric("rows", 1200)
...         await job.output("users_curated", src.uri + ".out", format="csv")
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

from .._errors import SDKError
from .._job import Completion, _value, deliver_waiting, log_to_ship, logger, side_value
from .._join import run_to_join
from .._leases import DEFAULT_HEARTBEAT_EVERY
from .._objects import StrPath, file_artifact
from .._reporting_types import Event, Lease
from .._result import Ok, Result
from .._types import Artifact, Run, SnapshotInfo, UriInfo
from ._client import AsyncDatlakeClient
from ._leases import AsyncLeaseKeeper
from ._objects import make_log_artifact, upload_file
from ._operations import fetch_latest_uri, heartbeat, post_event, register_snapshot, start_run
from ._telemetry import AsyncTelemetry

__all__ = ["AsyncJobContext"]

T = TypeVar("T")


class AsyncJobContext:
    """Run a lineage-tracked job as an `async with` block: the methods of `JobContext`, the
    ones that talk to Datlake awaited, with its log shipping (`log_bucket`: the file at
    `log_path`, else the live log, is uploaded and attached when the block ends) and
    `attach_file`. Not here yet: the DataFrame methods (`read`, `write`).

    `input` and `output` raise the `SDKError` whatever the policy; the side methods (`event`,
    `heartbeat`, `metric`, `progress`) only under `on_error=raise` (else the failure is logged
    and the job goes on). `metric` and `progress` queue (they never wait) for `job.telemetry`,
    the run's batcher, made on first use inside the block, which `DatlakeLogHandler(job)` and
    `capture_output=True` (a tee of `sys.stdout` and `sys.stderr`) feed as well; what is
    queued is sent before the run completes. The lease is kept by a task: a heartbeat at the
    start, then every `heartbeat_every` seconds (`None`: off). Cancelling the block (a
    timeout, Ctrl-C) completes the run as failed.

    `AsyncJobContext.current()` joins the run of a parent process (`datlake run`), as
    `JobContext.current()` does: leaving the block neither completes the run nor keeps its
    lease.

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
        capture_output: bool = False,
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
        self.capture_output = capture_output
        self.extra: dict[str, Any] = {}
        self.artifacts: list[Artifact] = []
        self._run: Run | None = None
        self._entered = False
        self._inside = False  # between entering and leaving: telemetry may be made
        self._loop: asyncio.AbstractEventLoop | None = None
        self._telemetry: AsyncTelemetry | None = None
        self._telemetry_lock = threading.Lock()  # log handlers call from any thread
        self._beats: AsyncLeaseKeeper | None = None
        self._tee: contextlib.ExitStack | None = None
        self._joined: Run | None = None
        self._own_client = False

    @classmethod
    def current(
        cls, client: AsyncDatlakeClient | None = None, *, capture_output: bool = False
    ) -> AsyncJobContext:
        """Join the run this process was started in (`DATLAKE_RUN_ID` and `DATLAKE_JOB_NAME`);
        without `client`, one from the environment's settings, closed when the block ends.
        Raises `ConfigError` when the process was not started to join a run.

        >>> async with AsyncJobContext.current() as job:  # doctest: +SKIP
        ...     await job.output("users_curated", uri, format="csv")   # on the parent's run
        """
        run = run_to_join("AsyncJobContext.current()")
        joined = client or AsyncDatlakeClient()
        job = cls(joined, run.job_name, heartbeat_every=None, capture_output=capture_output)
        job._joined, job._own_client = run, client is None
        return job

    @property
    def joined(self) -> bool:
        """Whether this block joined another process's run (it will not complete it)."""
        return self._joined is not None

    @property
    def run(self) -> Run:
        """The run: started on entering, the finished run after a completed exit."""
        if self._run is None:
            raise RuntimeError("the run starts when `async with AsyncJobContext(...)` is entered")
        return self._run

    @property
    def telemetry(self) -> AsyncTelemetry | None:
        """The run's batcher of metrics, progress and live log, started on first use inside
        the block (`None` outside it)."""
        with self._telemetry_lock:
            if self._telemetry is None and self._inside:
                assert self._loop is not None
                self._telemetry = AsyncTelemetry(
                    self.client, self.run, loop=self._loop, spool=self._ships_live_log
                )
                self._telemetry.start()
            return self._telemetry

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

    @property
    def _ships_live_log(self) -> bool:
        """Whether the live log is kept in a spool, to be shipped to `log_bucket` at the end."""
        return self.log_bucket is not None and self.log_path is None and self._joined is None

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

    def metric(
        self, name: str, value: float, *, step: int | None = None, unit: str | None = None
    ) -> None:
        """Record a metric point (queued for the batcher; a side method)."""
        self._side(self._batcher().metric(name, value, step=step, unit=unit), "metric")

    def progress(self, done: float, total: float | None = None, message: str | None = None) -> None:
        """Record how far the run got (queued: the latest one is sent; a side method)."""
        self._side(self._batcher().progress(done, total, message), "progress")

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
        if self._joined is not None:
            self._run = self._joined
        else:
            self._run = _value(
                await start_run(
                    self.client, self.job_name, self.metadata, parent_run_id=self.parent_run_id
                )
            )
        self._loop = asyncio.get_running_loop()
        self._inside = True
        if self._ships_live_log:
            _ = self.telemetry  # the spool starts with the block
        if self.heartbeat_every is not None:
            self._beats = AsyncLeaseKeeper(self.client, self.run, self.heartbeat_every)
            self._beats.start()
        if self.capture_output:
            from ..logging import tee_output

            self._tee = contextlib.ExitStack()
            self._tee.enter_context(tee_output(self._batcher()))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._beats is not None:
                await self._beats.stop()
            await self._stop_telemetry()
            if self._joined is None:
                await self._complete(exc, await self._ship_log())
            else:  # the parent completes the run; the block's exception propagates
                await self._deliver_waiting()
        finally:
            if self._own_client:
                await self.client.aclose()

    async def _complete(self, exc: BaseException | None, shipping_error: SDKError | None) -> None:
        completion = Completion(self.run, self.extra, self.artifacts, exc or shipping_error)
        completed = await self.client.perform(completion.plan(self.client))
        rejected = completion.rejection(completed)
        if rejected is not None:
            completed = await self.client.perform(completion.without_extra(self.client, rejected))
        if isinstance(completed, Ok):
            self._run = completed.value
        await self._deliver_waiting()
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

    async def _ship_log(self) -> SDKError | None:
        """Upload the log (the file, else the live log's spool) and attach it; the error to
        raise under `on_error=raise`."""
        with log_to_ship(self.log_path, self.log_bucket, self._telemetry) as log_path:
            if log_path is None or self.log_bucket is None:
                return None
            try:
                shipped = await make_log_artifact(self.client, self.log_bucket, self.run, log_path)
                artifact = self._side(shipped, "log shipping")
            except SDKError as error:
                return error
        if artifact is not None:
            self.attach(artifact)
        return None

    async def _deliver_waiting(self) -> None:
        if self.client.outbox is not None:
            await asyncio.to_thread(deliver_waiting, self.client, self.job_name, self.run)

    async def _stop_telemetry(self) -> None:
        """Stop the tee and send what the batcher queued (bounded), before the completion."""
        if self._tee is not None:
            self._tee.close()
            self._tee = None
        with self._telemetry_lock:
            self._inside = False
            batcher = self._telemetry
        if batcher is not None:
            await batcher.aclose()

    def _batcher(self) -> AsyncTelemetry:
        batcher = self.telemetry
        if batcher is None:
            raise RuntimeError("metrics and progress are recorded inside the `async with` block")
        return batcher

    def _side(self, result: Result[T, SDKError], what: str) -> T | None:
        return side_value(result, self.client.policy, self.job_name, what)
