"""Client-side batching of what a run reports while it runs: metric points, its latest
progress and its live log, sent by a daemon thread through `post_telemetry` (so the client's
retries, policies and outbox apply).

A batch goes out when 1000 points or 32 log chunks are waiting, when `every` seconds passed
since the last one (2 by default: the longest a point or a log line waits), on `flush()`, and
on `close()` (at the end of a `JobContext` block, or at interpreter exit for a batcher nobody
closed), each of those waits bounded. Recording never blocks the job and memory stays
bounded: past 100,000 waiting points or 1 MiB of waiting log text (a server that cannot keep
up), the oldest are dropped and counted (`dropped_points`, `dropped_log`), and the live log
says how much it missed. So 10,000 points recorded in a loop cost about a dozen requests.

>>> from datlake_sdk.functional import telemetry
>>> with telemetry(client, run) as t:  # doctest: +SKIP
...     for step, loss in enumerate(train()):
...         t.metric("loss", loss, step=step)
...     t.progress(1, 1, "trained")
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import datetime
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeAlias

import attrs

from ._call import Plan
from ._client import DatlakeClient, Session
from ._errors import SDKError
from ._reporting import (
    MAX_LOG_CHUNKS,
    MAX_METRIC_POINTS,
    LogChunk,
    bad_metrics,
    bad_progress,
    plan_post_telemetry,
)
from ._result import Err, Ok, Result
from ._types import MetricPoint, Progress, Run, TelemetryReceipt

__all__ = ["DEFAULT_FLUSH_EVERY", "Perform", "Telemetry", "telemetry"]

# How the sender thread carries out a batch's plan: `DatlakeClient.perform`, or for the async
# client a hop onto its event loop (`datlake_sdk.aio.telemetry`).
Perform: TypeAlias = (
    "Callable[[Plan[TelemetryReceipt | None]], Result[TelemetryReceipt | None, SDKError]]"
)

logger = logging.getLogger("datlake_sdk.telemetry")

DEFAULT_FLUSH_EVERY = 2.0
DEFAULT_CLOSE_TIMEOUT = 10.0
MAX_PENDING_POINTS = 100_000
MAX_PENDING_LOG = 1024 * 1024
LOG_CHUNK = 16 * 1024


@attrs.frozen
class _Batch:
    metrics: tuple[MetricPoint, ...]
    progress: Progress | None
    log: tuple[LogChunk, ...]


class Telemetry:
    """Batches `run`'s metric points, progress and live log; `start()` it, `close()` it.

    With `spool=True` every log text recorded is also written to a local file
    (`spool_path`), whatever the live shipping dropped: the complete log, to upload at the end.
    `perform` carries out each batch's plan (`client.perform` of a `DatlakeClient` by default).
    """

    def __init__(
        self,
        client: Session[Any],
        run: Run,
        *,
        every: float = DEFAULT_FLUSH_EVERY,
        spool: bool = False,
        perform: Perform | None = None,
    ) -> None:
        if not every > 0:
            raise ValueError(f"every: {every!r} must be a positive number of seconds")
        if perform is None:
            if not isinstance(client, DatlakeClient):
                raise TypeError("an async client's batcher comes from datlake_sdk.aio.telemetry")
            perform = client.perform
        self.client = client
        self._perform = perform
        self.run = run
        self.every = every
        self.dropped_points = 0
        self.dropped_log = 0
        self.requests = 0
        self.log_source = uuid.uuid4().hex[:16]  # this writer's chunks, among the run's log's
        self._changed = threading.Condition()
        self._points: collections.deque[MetricPoint] = collections.deque()
        self._progress: Progress | None = None
        self._log: collections.deque[str] = collections.deque()
        self._log_size = 0
        self._unshipped = 0  # log characters dropped since the last chunk went out
        self._next_seq = 0
        self._sending = False
        self._flush_wanted = False
        self._closed = False
        self._thread = threading.Thread(
            target=self._send_loop, name=f"datlake-telemetry-{run.run_id}", daemon=True
        )
        self.spool_path: Path | None = None
        self._spool: TextIO | None = None
        if spool:
            descriptor, name = tempfile.mkstemp(prefix=f"datlake-{run.run_id}-", suffix=".log")
            self.spool_path = Path(name)
            self._spool = os.fdopen(descriptor, "w", encoding="utf-8", errors="replace")

    def start(self) -> Telemetry:
        self._thread.start()
        atexit.register(self._close_at_exit)
        return self

    def metric(
        self, name: str, value: float, *, step: int | None = None, unit: str | None = None
    ) -> Result[None, SDKError]:
        """Queue one point (stamped now); `Err(ValidationError)` for a value the contract
        refuses (NaN, a negative step, a bad name), found at once."""
        now = datetime.datetime.now(datetime.UTC)
        point = MetricPoint(name, value, step, unit, recorded_at=now)
        invalid = bad_metrics([point])
        if invalid is not None:
            return self.client.refuse("post_telemetry", invalid, self.run)
        with self._changed:
            if len(self._points) >= MAX_PENDING_POINTS:
                self._points.popleft()
                self.dropped_points += 1
            self._points.append(point)
            if len(self._points) >= MAX_METRIC_POINTS:
                self._changed.notify_all()
        return Ok(None)

    def progress(
        self, done: float, total: float | None = None, message: str | None = None
    ) -> Result[None, SDKError]:
        """Queue the run's progress (it replaces any not sent yet)."""
        progress = Progress(done, total, message)
        invalid = bad_progress(progress)
        if invalid is not None:
            return self.client.refuse("post_telemetry", invalid, self.run)
        with self._changed:
            self._progress = progress
        return Ok(None)

    def log(self, text: str) -> None:
        """Append `text` to the run's live log (and to the spool). Never fails, never waits
        on the network; text UTF-8 cannot carry (lone surrogates) is replaced."""
        if not text:
            return
        text = text.encode("utf-8", "replace").decode("utf-8")
        with self._changed:
            if self._spool is not None:
                with contextlib.suppress(OSError, ValueError):  # a full disk or a closed spool
                    self._spool.write(text)
            if len(text) > MAX_PENDING_LOG:  # one huge write: only its end goes out live
                self._unshipped += len(text) - MAX_PENDING_LOG
                self.dropped_log += len(text) - MAX_PENDING_LOG
                text = text[-MAX_PENDING_LOG:]
            self._log.append(text)
            self._log_size += len(text)
            while self._log_size > MAX_PENDING_LOG and len(self._log) > 1:
                dropped = self._log.popleft()
                self._log_size -= len(dropped)
                self._unshipped += len(dropped)
                self.dropped_log += len(dropped)
            if self._log_size >= LOG_CHUNK * MAX_LOG_CHUNKS:
                self._changed.notify_all()

    @property
    def queued_points(self) -> int:
        """Metric points recorded and not sent yet."""
        return len(self._points)

    @property
    def queued_log(self) -> int:
        """Characters of log recorded and not sent yet."""
        return self._log_size

    def is_sender(self) -> bool:
        """Whether the calling thread is the one sending batches (its own logging must not
        feed the live log back)."""
        return threading.current_thread() is self._thread

    def flush(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT) -> bool:
        """Send everything queued now; `True` once nothing is left queued (sent, kept in the
        outbox, or refused and counted in `dropped_*`), `False` when `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            if not self._thread.is_alive():
                return not self._has_pending()
            self._flush_wanted = True
            self._changed.notify_all()
            while self._has_pending() or self._sending or self._flush_wanted:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def close(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT) -> bool:
        """Flush (for at most `timeout` seconds), stop the sender and close the spool.
        Returns what `flush` does."""
        sent = self.flush(timeout)
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        if self._thread.is_alive() and not self.is_sender():
            self._thread.join(1.0)
        with self._changed:
            if self._spool is not None:
                with contextlib.suppress(OSError):
                    self._spool.close()
        atexit.unregister(self._close_at_exit)
        if not sent:
            logger.warning(
                "%s: telemetry of run %s not all sent in time (%d points waiting)",
                self.run.job_name,
                self.run.run_id,
                len(self._points),
            )
        return sent

    def _close_at_exit(self) -> None:
        self.close()

    def _has_pending(self) -> bool:
        return bool(self._points or self._progress is not None or self._log)

    def _due(self) -> bool:
        return (
            self._closed
            or self._flush_wanted
            or len(self._points) >= MAX_METRIC_POINTS
            or self._log_size >= LOG_CHUNK * MAX_LOG_CHUNKS
        )

    def _send_loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(self._due, timeout=self.every)
                batch = self._take()
                if batch is None:
                    self._flush_wanted = False
                    self._changed.notify_all()
                    if self._closed:
                        return
                    continue
                self._sending = True
            try:
                self._send(batch)
            finally:
                with self._changed:
                    self._sending = False
                    self._changed.notify_all()

    def _take(self) -> _Batch | None:
        """The next batch, taken out of the queue (`None`: nothing waits)."""
        if not self._has_pending():
            return None
        points = tuple(
            self._points.popleft() for _ in range(min(MAX_METRIC_POINTS, len(self._points)))
        )
        progress, self._progress = self._progress, None
        chunks: list[LogChunk] = []
        while self._log and len(chunks) < MAX_LOG_CHUNKS:
            text = self._cut_chunk()
            chunks.append((self._next_seq, text))
            self._next_seq += 1
        return _Batch(points, progress, tuple(chunks))

    def _cut_chunk(self) -> str:
        parts: list[str] = []
        size = 0
        if self._unshipped:
            parts.append(f"[datlake: {self._unshipped} characters of log not shipped live]\n")
            size = len(parts[0])
            self._unshipped = 0
        while self._log and size < LOG_CHUNK:
            text = self._log.popleft()
            room = LOG_CHUNK - size
            if len(text) > room:
                self._log.appendleft(text[room:])
                text = text[:room]
            parts.append(text)
            size += len(text)
            self._log_size -= len(text)
        return "".join(parts)

    def _send(self, batch: _Batch) -> None:
        self.requests += 1
        sent = self._perform(
            plan_post_telemetry(
                self.client,
                self.run,
                metrics=batch.metrics,
                progress=batch.progress,
                log=batch.log,
                log_source=self.log_source,
            )
        )
        # The client logged the failure (and posted an error event under emit_event); a lost
        # batch is worth a count, not the job.
        if isinstance(sent, Err) or sent.value is None:
            self.dropped_points += len(batch.metrics)
            self.dropped_log += sum(len(text) for _, text in batch.log)


@contextlib.contextmanager
def telemetry(
    client: DatlakeClient,
    run: Run,
    *,
    every: float = DEFAULT_FLUSH_EVERY,
    close_timeout: float | None = DEFAULT_CLOSE_TIMEOUT,
) -> Iterator[Telemetry]:
    """Batch `run`'s metrics, progress and log while the block runs; what is queued is sent
    on the way out (for at most `close_timeout` seconds).

    >>> with telemetry(client, run) as t:  # doctest: +SKIP
    ...     t.metric("rows", 1200, unit="rows")
    ...     t.progress(1, 3, "first of three files")
    """
    batcher = Telemetry(client, run, every=every).start()
    try:
        yield batcher
    finally:
        batcher.close(close_timeout)
