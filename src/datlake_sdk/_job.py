"""`JobContext`: the imperative wrapper. The same operations as `datlake_sdk.functional`, but
failures raise instead of coming back as `Err`, and leaving the block completes the run.

>>> from datlake_sdk import DatlakeClient, JobContext
>>> with DatlakeClient() as client, JobContext(client, "daily_users") as job:  # doctest: +SKIP
...     src = job.input("users_raw")
...     job.output("users_curated", transform(src.uri), format="parquet")
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator, Mapping
from types import FrameType, TracebackType
from typing import Any, TypeVar

import attrs

from ._call import Plan
from ._client import DatlakeClient, Session
from ._errors import SDKError, ValidationError
from ._events import heartbeat, post_event
from ._join import run_to_join
from ._leases import DEFAULT_HEARTBEAT_EVERY, LeaseKeeper
from ._objects import StrPath, file_artifact, make_log_artifact, upload_file
from ._policy import OnError, Policy
from ._reporting_types import Event, Lease
from ._result import Err, Ok, Result
from ._runs import plan_finish_run, start_run
from ._tables import fetch_latest_uri, register_snapshot
from ._telemetry import Telemetry
from ._types import Artifact, Run, SnapshotInfo, UriInfo
from .frames._job_methods import FrameMethods

__all__ = ["Completion", "JobContext", "JobTerminated", "deliver_waiting", "side_value"]

T = TypeVar("T")

logger = logging.getLogger("datlake_sdk.job")

_TERMINATED_EXIT_CODE = 128 + signal.SIGTERM


class JobTerminated(SystemExit):
    """Raised in the main thread when the process receives SIGTERM inside a `JobContext`, so
    the run is completed as failed on the way out. Uncaught, it exits with status 143."""

    def __init__(self) -> None:
        super().__init__(_TERMINATED_EXIT_CODE)

    def __str__(self) -> str:
        return "terminated by SIGTERM"


class JobContext(FrameMethods):
    """Run a lineage-tracked job as a `with` block.

    Entering starts the run (an `SDKError` is raised if it cannot start); `job.run` is the
    `Run`. `job.input(table)` returns the newest snapshot's `UriInfo` and records the input
    edge; `job.output(table, uri, format=...)` registers a snapshot and returns its
    `SnapshotInfo`; `job.read(table)` and `job.write(table, frame, bucket=...)` do the same
    with DataFrames (see `datlake_sdk.frames`). Leaving completes the run: succeeded, or failed
    with `extra={"error": {"type": ..., "message": ...}}` when the block raised (the exception
    propagates). `KeyboardInterrupt` and SIGTERM count as failures too: while the block runs in
    the main thread, SIGTERM raises `JobTerminated` (the previous handler is restored on exit).
    Anything put in `job.extra` is sent with the completion.

    `JobContext.current()` joins the run of a parent process (`datlake run`) instead of
    starting one: the block records inputs, outputs and telemetry on that run, and leaving it
    neither completes the run nor keeps its lease (the parent does both).

    Telemetry: `job.metric(name, value, step=, unit=)` and `job.progress(done, total,
    message)` are batched and sent by a background thread (see `datlake_sdk.functional.
    telemetry`); `job.telemetry` is the batcher, which `datlake_sdk.logging.DatlakeLogHandler`
    also feeds, and `capture_output=True` copies `sys.stdout` and `sys.stderr` to the run's
    live log. What is queued is sent before the run completes.

    With `log_path` and `log_bucket`, the log file is uploaded on exit as
    `jobs/{job}/{run_id}/run.log` and attached as a `log` artifact; with `log_bucket` alone,
    the live log (everything the handler and the tee saw) is. A background thread keeps
    the run's lease alive: a heartbeat as soon as the run starts, then every `heartbeat_every`
    seconds (20 by default) for a lease of three periods, so a job that dies without a word
    (`kill -9`) shows `lost` within a minute; `heartbeat_every=None` turns it off.

    Errors. `input` and `output` produce values the block needs, so they raise the `SDKError`
    whatever the policy. The side methods (`attach_file`, `event`, `heartbeat`, and the log
    shipping on exit) only raise when the client's `policy.on_error` is `raise`; under
    `log_only` and `emit_event` their failure is logged (the client posts the error event) and
    the job goes on. `attach` only records an artifact and cannot fail. A run that cannot be
    completed after a successful block raises the `SDKError`.

    >>> with JobContext(client, "daily_users", metadata={"source": "s3"}) as job:  # doctest: +SKIP
    ...     src = job.input("users_raw")
    ...     job.output("users_curated", transform(src.uri), format="parquet")
    ...     job.extra["rows"] = 1200
    """

    def __init__(
        self,
        client: DatlakeClient,
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
        self.telemetry: Telemetry | None = None
        self.extra: dict[str, Any] = {}
        self.artifacts: list[Artifact] = []
        self._run: Run | None = None
        self._entered = False
        self._previous_sigterm: Any = None
        self._heartbeats: LeaseKeeper | None = None
        self._joined: Run | None = None
        self._own_client = False
        self._tee: contextlib.ExitStack | None = None

    @classmethod
    def current(
        cls, client: DatlakeClient | None = None, *, capture_output: bool = False
    ) -> JobContext:
        """Join the run this process was started in (`DATLAKE_RUN_ID` and `DATLAKE_JOB_NAME`,
        as `datlake run` sets them); without `client`, one from the environment's settings
        (`DATLAKE_URL`, `DATLAKE_API_KEY`, ...), closed when the block ends. Raises
        `ConfigError` when the process was not started to join a run.

        >>> with JobContext.current() as job:  # doctest: +SKIP
        ...     job.output("users_curated", uri, format="csv")   # on the parent's run
        """
        run = run_to_join("JobContext.current()")
        job = cls(
            client or DatlakeClient(),
            run.job_name,
            heartbeat_every=None,
            capture_output=capture_output,
        )
        job._joined = run
        job._own_client = client is None
        return job

    @property
    def joined(self) -> bool:
        """Whether this block joined another process's run (it will not complete it)."""
        return self._joined is not None

    @property
    def run(self) -> Run:
        """The run: started on entering, the finished run after a completed exit."""
        if self._run is None:
            raise RuntimeError("the run starts when the `with JobContext(...)` block is entered")
        return self._run

    def input(self, table_name: str) -> UriInfo:
        """The newest snapshot of `table_name`, recorded as read by this run.

        >>> job.input("users_raw").uri  # doctest: +SKIP
        'file:///data/users_raw/part-0.csv'
        """
        return _value(fetch_latest_uri(self.client, self.run, table_name))

    def output(
        self,
        table_name: str,
        uri: str,
        *,
        format: str,
        schema: Mapping[str, Any] | None = None,
    ) -> SnapshotInfo:
        """Register the snapshot this run wrote to `uri` as the newest of `table_name`.

        >>> job.output("users_curated", "s3://lake/users/part-0.parquet", format="parquet")
        ... # doctest: +SKIP
        """
        return _value(
            register_snapshot(self.client, self.run, table_name, uri, format=format, schema=schema)
        )

    def attach(self, artifact: Artifact) -> None:
        """Send `artifact` with the run's completion.

        >>> job.attach(Artifact(type="report", uri="https://reports.example.com/r1"))
        ... # doctest: +SKIP
        """
        self.artifacts.append(artifact)

    def attach_file(
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
        """Upload a file and attach it as an `Artifact` of `type` with its uri, size and
        SHA-256, named after the object and typed by its extension unless `name` and
        `content_type` say otherwise; `None` when the upload failed and the policy carries on
        (see the class docstring).

        >>> job.attach_file("report.html", bucket="reports", object_name="daily/r1.html",
        ...                 type="report", metadata={"rows": 1200})  # doctest: +SKIP
        """
        info = self._side(
            upload_file(self.client, bucket, object_name, file_path, run=self.run), "attach_file"
        )
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
        """Record a metric point (batched; a side method: a bad value, a NaN say, raises only
        under `on_error=raise`).

        >>> job.metric("loss", 0.42, step=10)  # doctest: +SKIP
        """
        self._side(self._batcher().metric(name, value, step=step, unit=unit), "metric")

    def progress(self, done: float, total: float | None = None, message: str | None = None) -> None:
        """Record how far the run got (batched: the latest one is sent; a side method).

        >>> job.progress(50, 100, "half way")  # doctest: +SKIP
        """
        self._side(self._batcher().progress(done, total, message), "progress")

    def event(
        self, kind: str, message: str | None = None, *, data: Mapping[str, Any] | None = None
    ) -> Event | None:
        """Record a `progress`, `metric` or `error` event on the run (a side method).

        >>> job.event("progress", "half way", data={"done": 50, "total": 100})  # doctest: +SKIP
        """
        return self._side(
            post_event(self.client, self.run, kind, message=message, data=data), "event"
        )

    def heartbeat(self, lease_seconds: int | None = None) -> Lease | None:
        """Extend the run's lease now (a side method); see also `heartbeat_every`."""
        return self._side(
            heartbeat(self.client, self.run, lease_seconds=lease_seconds), "heartbeat"
        )

    def __enter__(self) -> JobContext:
        if self._entered:
            raise RuntimeError("a JobContext runs once; create a new one for another run")
        self._entered = True
        if self._joined is not None:
            self._run = self._joined
        else:
            self._run = _value(
                start_run(
                    self.client, self.job_name, self.metadata, parent_run_id=self.parent_run_id
                )
            )
        self._install_sigterm_handler()
        if self.heartbeat_every is not None:
            self._heartbeats = LeaseKeeper(self.client, self.run, self.heartbeat_every)
            self._heartbeats.start()
        spool = self.log_bucket is not None and self.log_path is None and not self.joined
        self.telemetry = Telemetry(self.client, self.run, spool=spool).start()
        if self.capture_output:
            from .logging import tee_output

            self._tee = contextlib.ExitStack()
            self._tee.enter_context(tee_output(self.telemetry))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._joined is not None:
            self._leave_joined()
            return  # the parent completes the run; the block's exception propagates
        interrupted: BaseException | None = None
        shipping_error: SDKError | None = None
        try:
            self._stop_telemetry()
            if self._heartbeats is not None:
                self._heartbeats.stop()
            shipping_error = self._ship_log()
        except BaseException as ex:  # SIGTERM or Ctrl-C while the log uploads: still complete
            interrupted = ex
        finally:
            self._restore_sigterm_handler()
        failure = exc if exc is not None else interrupted or shipping_error
        completed, rejected = self._complete(failure)
        if isinstance(completed, Ok):
            self._run = completed.value
        self._deliver_waiting()
        if interrupted is not None:
            raise interrupted
        if exc is not None:
            if isinstance(completed, Err):
                logger.error(
                    "%s: could not record the failed run: %s", self.job_name, completed.error
                )
            return  # the block's own exception propagates
        if shipping_error is not None:
            raise shipping_error
        if rejected is not None:
            raise rejected
        if isinstance(completed, Err):
            raise completed.error

    def _complete(
        self, failure: BaseException | None
    ) -> tuple[Result[Run, SDKError], ValidationError | None]:
        """Complete the run; when `job.extra` cannot be sent (it holds a value JSON has no
        spelling for), complete it as failed without it, and return that rejection too."""
        completion = Completion(self.run, self.extra, self.artifacts, failure)
        completed = self.client.perform(completion.plan(self.client))
        rejected = completion.rejection(completed)
        if rejected is None:
            return completed, None
        return self.client.perform(completion.without_extra(self.client, rejected)), rejected

    def _batcher(self) -> Telemetry:
        if self.telemetry is None:
            raise RuntimeError("metrics and progress are recorded inside the `with` block")
        return self.telemetry

    def _stop_telemetry(self) -> None:
        """Stop the tee and send what the batcher queued (bounded), before the completion."""
        if self._tee is not None:
            self._tee.close()
            self._tee = None
        if self.telemetry is not None:
            self.telemetry.close()

    def _leave_joined(self) -> None:
        try:
            self._stop_telemetry()
            self._deliver_waiting()
        finally:
            self._restore_sigterm_handler()
            if self._own_client:
                self.client.close()

    def _deliver_waiting(self) -> None:
        deliver_waiting(self.client, self.job_name, self.run)

    def _ship_log(self) -> SDKError | None:
        """Upload the log (the file, else the live log's spool) and attach it; the error to
        raise under `on_error=raise`."""
        with log_to_ship(self.log_path, self.log_bucket, self.telemetry) as log_path:
            if log_path is None or self.log_bucket is None:
                return None
            try:
                artifact = self._side(
                    make_log_artifact(self.client, self.log_bucket, self.run, log_path),
                    "log shipping",
                )
            except SDKError as error:
                return error
        if artifact is not None:
            self.attach(artifact)
        return None

    def _side(self, result: Result[T, SDKError], what: str) -> T | None:
        return side_value(result, self.client.policy, self.job_name, what)

    def _install_sigterm_handler(self) -> None:
        # Signal handlers can only be set from the main thread; a job elsewhere does without.
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if previous is signal.SIG_IGN:
            return  # the program chose to ignore SIGTERM: leave it so
        # None: a handler Python did not install; the default is the closest we can restore
        self._previous_sigterm = signal.SIG_DFL if previous is None else previous
        signal.signal(signal.SIGTERM, _raise_terminated)

    def _restore_sigterm_handler(self) -> None:
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None


@attrs.frozen
class Completion:
    """How a job's run is completed on leaving its block (shared by `JobContext` and
    `datlake_sdk.aio.AsyncJobContext`): succeeded, or failed with the error in `extra`."""

    run: Run
    extra: Mapping[str, Any]
    artifacts: list[Artifact]
    failure: BaseException | None

    def plan(self, client: Session[Any]) -> Plan[Run]:
        return plan_finish_run(
            client,
            self.run,
            success=self.failure is None,
            extra={**self.extra, **_error_extra(self.failure)},
            artifacts=self.artifacts,
        )

    def rejection(self, completed: Result[Run, SDKError]) -> ValidationError | None:
        """The refusal of `extra` (a value JSON cannot spell), found before sending."""
        if (
            isinstance(completed, Err)
            and isinstance(completed.error, ValidationError)
            and completed.error.code is None  # rejected before sending, so nothing was recorded
        ):
            return completed.error
        return None

    def without_extra(self, client: Session[Any], rejected: ValidationError) -> Plan[Run]:
        """Failed, with only the error: what is sent when `extra` was refused."""
        return plan_finish_run(
            client,
            self.run,
            success=False,
            extra=_error_extra(self.failure if self.failure is not None else rejected),
            artifacts=self.artifacts,
        )


@contextlib.contextmanager
def log_to_ship(
    log_path: StrPath | None, log_bucket: str | None, telemetry: Telemetry | None
) -> Iterator[StrPath | None]:
    """What log shipping uploads: the file at `log_path`, else the live log's spool (`None`:
    nothing, or no `log_bucket`). The spool is removed afterwards: the outbox keeps its own
    copy of what it still has to send."""
    spool = None if telemetry is None else telemetry.spool_path
    try:
        yield None if log_bucket is None else log_path if log_path is not None else spool
    finally:
        if spool is not None:
            with contextlib.suppress(OSError):
                os.unlink(spool)


def side_value(result: Result[T, SDKError], policy: Policy, job_name: str, what: str) -> T | None:
    """The value of a side method's `result`; its error raises under `on_error=raise`, else it
    is logged and the job goes on (`None`)."""
    if isinstance(result, Ok):
        return result.value
    if policy.on_error is OnError.RAISE:
        raise result.error
    logger.warning("%s: %s failed, the job goes on: %s", job_name, what, result.error)
    return None


def deliver_waiting(client: Session[Any], job_name: str, run: Run) -> None:
    """With the outbox on, deliver what `run` left in it, for at most the client's
    `outbox_exit_timeout`; what is left stays in the journal."""
    outbox = client.outbox
    if outbox is None or not outbox.queued_behind(run.run_id):
        return
    report = outbox.flush(outbox.exit_timeout, group=run.run_id)
    if report.pending:
        logger.warning(
            "%s: run %s is kept in the outbox %s until Datlake answers"
            " (`datlake outbox flush` delivers it)",
            job_name,
            run.run_id,
            outbox.journal.path,
        )


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise JobTerminated


def _value(result: Result[T, SDKError]) -> T:
    if isinstance(result, Err):
        raise result.error
    return result.value


def _error_extra(failure: BaseException | None) -> dict[str, Any]:
    if failure is None:
        return {}
    try:
        message = str(failure)
    except Exception:  # a broken __str__ must not keep the run from being completed
        message = f"<{type(failure).__name__} whose str() failed>"
    return {"error": {"type": type(failure).__name__, "message": message}}


# public as `datlake_sdk.JobContext` (loaded on first use from there)
JobContext.__module__ = JobTerminated.__module__ = "datlake_sdk"
