"""Delivery of what the outbox keeps: journaling a write that cannot be sent now, the circuit
that sends later writes straight to the journal while Datlake is unreachable, and the replay of
journaled entries, in order per run, by a background thread and by `flush`.

An entry is replayed with the ids, idempotency key and body it was made with, so the server's
replay rules make its effect exactly once however often it is sent.

>>> report = FlushReport(delivered=3, pending=0, dead=1)
>>> report.ok, str(report)
(True, '3 delivered, 0 pending, 1 dead')
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import threading
import time
from typing import Any, TypeVar

import attrs
import httpx

from ._call import Call
from ._errors import SDKError, ValidationError, error_for_status
from ._ids import new_id
from ._log import logger, new_request_id
from ._result import Err, Ok, Result
from ._store import Entry, Journal, NewEntry, owner_token

__all__ = ["Circuit", "FlushReport", "Outbox", "unreachable"]

T = TypeVar("T")

# A server error on replay is tried this many times before the entry is dead.
MAX_SERVER_ERRORS = 20
_BACKOFF_FIRST_S = 0.5
_BACKOFF_CAP_S = 30.0


def unreachable(error: SDKError) -> bool:
    """Whether `error` says Datlake could not be reached at all (nothing was sent)."""
    return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout)


class Circuit:
    """Open after a connection to Datlake failed, closed again when Datlake answers; while it
    is open, lineage writes go to the journal without trying the network first."""

    def __init__(self) -> None:
        self._open = threading.Event()

    @property
    def open(self) -> bool:
        return self._open.is_set()

    def trip(self) -> None:
        self._open.set()

    def reset(self) -> None:
        self._open.clear()


@attrs.frozen
class FlushReport:
    """What a flush did: entries delivered now, and those still pending or dead afterwards."""

    delivered: int
    pending: int
    dead: int

    @property
    def ok(self) -> bool:
        """Nothing is left pending (dead entries are shown, not retried)."""
        return self.pending == 0

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.pending} pending, {self.dead} dead"


class Outbox:
    """The journal of one client, with its circuit and its background flusher."""

    def __init__(
        self,
        journal: Journal,
        *,
        base_url: str,
        http: httpx.Client,
        exit_timeout: float,
    ) -> None:
        self.journal = journal
        self.base_url = base_url
        self.exit_timeout = exit_timeout
        self.circuit = Circuit()
        self._http = http
        self._owner = owner_token()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()

    # journaling

    def queued_behind(self, group: str) -> bool:
        """Whether the run has writes still waiting: a later write must queue behind them."""
        return self.journal.has_pending(group)

    def defer(self, call: Call[Any, T]) -> Result[T, SDKError]:
        """Journal `call` and return `Ok` of its pending value (WARNING logged)."""
        deferral = call.defer
        if deferral is None:
            raise ValueError(f"{call.operation} cannot wait in the outbox")
        kwargs = call.request("")
        headers = {
            key: str(value)
            for key, value in (kwargs.get("headers") or {}).items()
            if key.lower() not in ("x-request-id", "content-type", "content-length")
        }
        kept: str | None = None
        if deferral.file is not None:
            kept_or_error = self._keep_file(deferral.file, headers.get("X-Checksum-Sha256"))
            if isinstance(kept_or_error, SDKError):
                return Err(kept_or_error)
            kept, digest = kept_or_error
            # the copy's digest travels with it: the server stores these bytes or nothing
            headers.setdefault("X-Checksum-Sha256", digest)
        entry_id = self.journal.append(
            NewEntry(
                base_url=self.base_url,
                group=deferral.group,
                operation=call.operation,
                job_name=deferral.job_name,
                run_id=deferral.run_id,
                method=str(kwargs["method"]),
                url=str(kwargs["url"]),
                params=dict(kwargs.get("params") or {}),
                headers=headers,
                body=kwargs.get("json"),
                file=kept,
            )
        )
        logger.warning(
            "%s: Datlake cannot be reached; kept in the outbox (entry %s, run %s) for delivery",
            call.operation,
            entry_id,
            deferral.run_id,
            extra={"operation": call.operation, "entry_id": entry_id, "run_id": deferral.run_id},
        )
        self._start_flusher()
        self._wake.set()
        return Ok(deferral.pending())

    def _keep_file(self, source: str, digest: str | None) -> tuple[str, str] | SDKError:
        """Copy the file the write ships into the outbox, so deleting it loses nothing; the
        copy's path and SHA-256."""
        self.journal.files.mkdir(parents=True, exist_ok=True, mode=0o700)
        kept = self.journal.files / new_id()
        hasher = hashlib.sha256()
        try:
            with open(source, "rb") as src, open(kept, "wb") as out:
                while chunk := src.read(1024 * 1024):
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as ex:
            with contextlib.suppress(OSError):
                os.unlink(kept)
            return ValidationError(f"cannot keep {source!r} in the outbox: {ex.strerror or ex}")
        if digest is not None and hasher.hexdigest() != digest:
            os.unlink(kept)
            return ValidationError(f"{source!r} changed while it was being uploaded")
        return str(kept), hasher.hexdigest()

    # delivery

    def flush(self, timeout: float | None = None, *, group: str | None = None) -> FlushReport:
        """Deliver what can be delivered now, oldest run first and in order within a run,
        for at most `timeout` seconds; returns what was done and what is left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delivered = 0
        # another flush of this outbox (the background one) may hold the lock: wait no longer
        # than the bound, then report what is left
        if self._flushing.acquire(timeout=-1 if timeout is None else timeout):
            try:
                delivered = self._flush_locked(deadline, group)
            finally:
                self._flushing.release()
        counts = self.journal.counts(self.base_url)
        return FlushReport(delivered, counts.get("pending", 0), counts.get("dead", 0))

    def _flush_locked(self, deadline: float | None, group: str | None) -> int:
        delivered = 0
        skip: list[str] = []
        while deadline is None or time.monotonic() < deadline:
            entries = self.journal.claim_group(self.base_url, self._owner, group=group, skip=skip)
            if not entries:
                break
            done, stop = self._deliver_group(entries, deadline)
            delivered += done
            if stop:
                break
            skip.append(entries[0].group)  # once per flush; entries added meanwhile wait
        return delivered

    def _deliver_group(self, entries: list[Entry], deadline: float | None) -> tuple[int, bool]:
        """Send a claimed group in order; stops at the first entry that must wait. Returns
        how many were delivered and whether the whole flush should stop (Datlake is away)."""
        delivered = 0
        try:
            for entry in entries:
                outcome = self._send(entry, deadline)
                if outcome == "delivered":
                    self.journal.mark_delivered(entry.entry_id)
                    delivered += 1
                    continue
                if outcome == "dead":
                    continue  # later entries of the run are tried: the server judges each
                return delivered, outcome == "away"
            return delivered, False
        finally:
            self.journal.release(self._owner, entries[0].group)

    def _send(self, entry: Entry, deadline: float | None) -> str:
        """One delivery attempt: `delivered`, `dead`, `later` (try again) or `away`."""
        request_id = new_request_id()
        headers = {**entry.headers, "X-Request-Id": request_id}
        content: Any = None
        if entry.file is not None:
            try:
                content = open(entry.file, "rb")  # noqa: SIM115 - closed below
            except OSError as ex:
                self.journal.mark_dead(entry.entry_id, f"the kept file is gone: {ex}")
                return "dead"
            headers["Content-Type"] = "application/octet-stream"
        timeout: Any = httpx.USE_CLIENT_DEFAULT
        if deadline is not None:
            timeout = max(0.1, deadline - time.monotonic())
        try:
            response = self._http.request(
                entry.method,
                entry.url,
                params=entry.params or None,
                headers=headers,
                json=entry.body,
                content=content,
                timeout=timeout,
            )
        except (httpx.HTTPError, OSError) as ex:
            if isinstance(ex, httpx.ConnectError | httpx.ConnectTimeout):
                self.circuit.trip()
                self.journal.record_failure(entry.entry_id, f"{type(ex).__name__}: {ex}")
                return "away"
            self.journal.record_failure(entry.entry_id, f"{type(ex).__name__}: {ex}")
            return "later"
        finally:
            if content is not None:
                content.close()
        self.circuit.reset()
        return self._judge(entry, response, request_id)

    def _judge(self, entry: Entry, response: httpx.Response, request_id: str) -> str:
        status = response.status_code
        if response.is_success:
            logger.info(
                "outbox: delivered %s of run %s (entry %s)",
                entry.operation,
                entry.run_id,
                entry.entry_id,
                extra={"operation": entry.operation, "request_id": request_id},
            )
            return "delivered"
        error = error_for_status(status, request_id=request_id)
        note = f"HTTP {status}: {response.text[:200]}"
        if error.retryable or status in (401, 403):
            # a wrong key is this process's setting, not the entry's fault: keep it for another
            self.journal.record_failure(entry.entry_id, note)
            return "later"
        if status >= 500 and self.journal.record_failure(entry.entry_id, note) < MAX_SERVER_ERRORS:
            return "later"
        self.journal.mark_dead(entry.entry_id, note)
        logger.error(
            "outbox: Datlake refused %s of run %s for good (entry %s is dead): %s",
            entry.operation,
            entry.run_id,
            entry.entry_id,
            note,
            extra={"operation": entry.operation, "request_id": request_id},
        )
        return "dead"

    # the background flusher

    def _start_flusher(self) -> None:
        with self._thread_lock:
            if self._thread is not None or self._stopping.is_set():
                return
            self._thread = threading.Thread(
                target=self._flush_in_background, name="datlake-outbox", daemon=True
            )
            self._thread.start()

    def _flush_in_background(self) -> None:
        delay = _BACKOFF_FIRST_S
        while not self._stopping.is_set():
            try:
                report = self.flush(timeout=_BACKOFF_CAP_S)
            except Exception:  # a broken journal must not kill the thread silently
                if self._stopping.is_set():
                    return  # closed under it
                logger.exception("outbox: the background flush failed")
                report = None
            if report is not None and report.ok:
                delay = _BACKOFF_FIRST_S
                self._wake.wait()  # until a write is journaled
            else:
                self._wake.wait(delay * (0.5 + random.random() / 2))  # noqa: S311 - jitter
                delay = min(delay * 2, _BACKOFF_CAP_S)
            self._wake.clear()

    def close(self, timeout: float | None = None) -> FlushReport:
        """Deliver for at most `timeout` (default: `exit_timeout`) seconds, then stop."""
        report = self.flush(self.exit_timeout if timeout is None else timeout)
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        self.journal.close()
        return report


FlushReport.__module__ = "datlake_sdk"  # public as `datlake_sdk.FlushReport`
