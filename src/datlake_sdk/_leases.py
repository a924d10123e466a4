"""Leases kept alive: a daemon thread that heartbeats a run, so the server reports it `lost`
soon after its job dies (`kill -9`, a crashed machine) instead of `running` forever.

The first heartbeat goes out at once, then one every `every` seconds, each for a lease of three
periods, so two missed beats in a row are still covered. A failed beat never breaks the job:
the client logs it (WARNING) and the next beat tries again.

>>> from datlake_sdk.functional import keep_alive, start_run, unwrap
>>> run = unwrap(start_run(client, "daily_users"))  # doctest: +SKIP
>>> with keep_alive(client, run, every=20):  # doctest: +SKIP
...     do_the_work()
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator

from ._client import DatlakeClient
from ._events import MAX_LEASE_SECONDS, heartbeat
from ._types import Run

__all__ = ["DEFAULT_HEARTBEAT_EVERY", "LeaseKeeper", "keep_alive", "lease_for"]

DEFAULT_HEARTBEAT_EVERY = 20.0


def lease_for(every: float) -> int:
    """The lease of a heartbeat sent every `every` seconds: three periods (1 s to an hour).

    >>> lease_for(20), lease_for(0.05), lease_for(7200)
    (60, 1, 3600)
    """
    if not every > 0:
        raise ValueError(f"every: {every!r} must be a positive number of seconds")
    return max(1, min(MAX_LEASE_SECONDS, math.ceil(every * 3)))


class LeaseKeeper:
    """Heartbeats `run` every `every` seconds, with a lease of three periods, until stopped."""

    def __init__(self, client: DatlakeClient, run: Run, every: float) -> None:
        self.lease_seconds = lease_for(every)
        self._client = client
        self._run = run
        self._every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"datlake-heartbeat-{run.run_id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        while True:
            # The client logs a failure (and posts an error event under emit_event); a missed
            # beat is not worth stopping the job for.
            heartbeat(self._client, self._run, lease_seconds=self.lease_seconds)
            if self._stopped.wait(self._every):
                return


@contextlib.contextmanager
def keep_alive(
    client: DatlakeClient, run: Run, *, every: float = DEFAULT_HEARTBEAT_EVERY
) -> Iterator[LeaseKeeper]:
    """Keep `run`'s lease alive while the block runs: a heartbeat now, then every `every`
    seconds (a lease of three periods), from a daemon thread; stopped on exit."""
    keeper = LeaseKeeper(client, run, every)
    keeper.start()
    try:
        yield keeper
    finally:
        keeper.stop()
