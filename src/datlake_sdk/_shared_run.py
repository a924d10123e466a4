"""`SharedRun`: a run as plain data, sent to the workers of a distributed job (Dask, Ray,
Spark), so that what they read and write is recorded on that one run.

The run's identity and the Datlake's URL travel; the API key does not (a task graph is no
place for a secret): a worker takes it from its own settings (`DATLAKE_API_KEY` or the config
file), as every `DatlakeClient` does.

>>> shared = SharedRun("daily_users", "01a2", "http://127.0.0.1:8765")
>>> shared.run.job_name, shared.run.run_id
('daily_users', '01a2')
>>> import pickle; pickle.loads(pickle.dumps(shared)) == shared
True
"""

from __future__ import annotations

import os
import threading

import attrs

from ._client import DatlakeClient
from ._types import Run
from .frames._job_methods import FrameMethods

__all__ = ["JoinedRun", "SharedRun", "close_worker_clients"]

_text = attrs.validators.instance_of(str)

_clients: dict[tuple[int, str], DatlakeClient] = {}
_clients_lock = threading.Lock()


@attrs.frozen
class SharedRun:
    """The run a distributed job's workers record on: `SharedRun.of(client, run)` on the
    driver, then, in a task, `shared.join()` for `read` and `write` (raising the `SDKError`, as
    `JobContext` does), or `shared.client()` and `shared.run` for the functional operations
    (`read_latest(shared.client(), shared.run, table)`, `fetch_latest_uri`, ...). The driver
    starts and completes the run; workers only add its input and output edges.

    >>> shared = SharedRun.of(client, job.run)  # doctest: +SKIP
    >>> futures = dask_client.map(process_part, parts, shared=shared)  # doctest: +SKIP
    """

    job_name: str = attrs.field(validator=_text)
    run_id: str = attrs.field(validator=_text)
    base_url: str = attrs.field(validator=_text)
    allow_insecure_http: bool = attrs.field(default=False, kw_only=True)
    """Whether workers may send their key over plain http to a host that is not loopback:
    what the driver's client was allowed, when `of` made it."""

    @classmethod
    def of(cls, client: DatlakeClient, run: Run) -> SharedRun:
        """`run`, to send to workers that reach Datlake where `client` does."""
        # a client only holds an http:// URL to a host that is not loopback if it was allowed to
        insecure = client.base_url.startswith("http://")
        return cls(run.job_name, run.run_id, client.base_url, allow_insecure_http=insecure)

    @property
    def run(self) -> Run:
        """The shared run, for the functional operations."""
        return Run(self.job_name, self.run_id)

    def join(self) -> JoinedRun:
        """This worker's part of the run: `read` and `write` frames on it, with `client()`.

        >>> part = shared.join()  # doctest: +SKIP
        >>> part.write("totals.eu", part.read("orders.eu").sum(), bucket="lake")  # doctest: +SKIP
        """
        return JoinedRun(self.client(), self.run)

    def client(self) -> DatlakeClient:
        """This worker process's client of the run's Datlake, made on first use from the
        worker's settings and then shared by its threads (a forked process makes its own).
        Leave it open: `close_worker_clients()` or the interpreter's exit closes it."""
        key = (os.getpid(), self.base_url)
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = DatlakeClient(
                    base_url=self.base_url, allow_insecure_http=self.allow_insecure_http
                )
            return client


class JoinedRun(FrameMethods):
    """A worker's part of a shared run: `read(table)` and `write(table, frame, bucket=...)`
    record on the run without starting or completing it; `client` and `run` serve the
    functional operations."""

    def __init__(self, client: DatlakeClient, run: Run) -> None:
        self.client = client
        self._run = run

    @property
    def run(self) -> Run:
        """The shared run."""
        return self._run


def close_worker_clients() -> None:
    """Close the clients `SharedRun.client()` made in this process (delivering what their
    outbox holds, when it is on, for at most its exit timeout)."""
    with _clients_lock:
        clients = [c for (pid, _), c in _clients.items() if pid == os.getpid()]
        _clients.clear()
    for client in clients:
        client.close()


SharedRun.__module__ = JoinedRun.__module__ = "datlake_sdk"
