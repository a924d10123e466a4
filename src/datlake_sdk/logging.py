"""Live logs: ship a job's log to its run while it runs, so a job that dies leaves its log up
to the crash on the server (`get_run_log`), not nothing.

`DatlakeLogHandler` is a `logging.Handler` for your loggers; `tee_output` copies what the job
writes to `sys.stdout` and `sys.stderr` (it still appears there). Both hand the text to the
run's telemetry batcher, which ships it in chunks (at most 2 s late, in bounded memory, never
blocking the job). `JobContext(..., capture_output=True)` sets up the tee for you.

>>> import logging
>>> from datlake_sdk import JobContext
>>> from datlake_sdk.logging import DatlakeLogHandler
>>> with JobContext(client, "daily_users", log_bucket="artifacts") as job:  # doctest: +SKIP
...     logging.getLogger().addHandler(DatlakeLogHandler(job))
...     logging.getLogger("daily").warning("3 rows without an email")
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import Iterator
from typing import Any, Protocol, TextIO

from ._telemetry import Telemetry

__all__ = ["DatlakeLogHandler", "tee_output"]

DEFAULT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _HasTelemetry(Protocol):
    @property
    def telemetry(self) -> Telemetry | None: ...


Target = Telemetry | _HasTelemetry


def _telemetry_of(target: Target) -> Telemetry | None:
    return target if isinstance(target, Telemetry) else target.telemetry


class DatlakeLogHandler(logging.Handler):
    """A `logging.Handler` that appends each record to a run's live log.

    `target` is a `JobContext` (records before its block starts or after it ends are left
    out) or a `Telemetry` batcher. Records are formatted with `DEFAULT_FORMAT` unless you set
    a formatter. The SDK's own records about sending the log are left out (no feedback loop).
    """

    def __init__(self, target: Target, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.target = target
        self.setFormatter(logging.Formatter(DEFAULT_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        telemetry = _telemetry_of(self.target)
        if telemetry is None or telemetry.is_sender():
            return
        try:
            telemetry.log(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


class _Tee(io.TextIOBase):
    """A text stream that writes to `stream` and to the live log."""

    def __init__(self, stream: TextIO, telemetry: Telemetry) -> None:
        self.stream = stream
        self.telemetry = telemetry

    def write(self, text: str) -> int:
        written = self.stream.write(text)
        if not self.telemetry.is_sender():
            self.telemetry.log(text)
        return written

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty, buffer, ...
        return getattr(self.stream, name)


@contextlib.contextmanager
def tee_output(target: Target, *, stdout: bool = True, stderr: bool = True) -> Iterator[None]:
    """Copy what is written to `sys.stdout` and `sys.stderr` to the run's live log while the
    block runs; both are restored on exit.

    The tee sees Python's writes (print, tracebacks, logging to a stream handler); output a
    C extension or a subprocess writes to the file descriptors directly bypasses it (`datlake
    run` captures a whole command's output).

    >>> with tee_output(job):  # doctest: +SKIP
    ...     print("shipped live, and shown")
    """
    telemetry = _telemetry_of(target)
    if telemetry is None:
        raise RuntimeError("tee_output needs a started run (inside the `with JobContext` block)")
    saved = sys.stdout, sys.stderr
    if stdout:
        sys.stdout = _Tee(sys.stdout, telemetry)
    if stderr:
        sys.stderr = _Tee(sys.stderr, telemetry)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
