"""Leases kept alive from a task: `datlake_sdk.functional.keep_alive` for async code (the same
lease of three periods, a heartbeat at once and then every `every` seconds).

>>> async def work(client: AsyncDatlakeClient, run: Run) -> None:
...     async with keep_alive(client, run, every=20):
...         await asyncio.sleep(60)     # the run stays `running`, not `lost`
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from .._leases import DEFAULT_HEARTBEAT_EVERY, lease_for
from .._types import Run
from ._client import AsyncDatlakeClient
from ._operations import heartbeat

__all__ = ["AsyncLeaseKeeper", "keep_alive"]


class AsyncLeaseKeeper:
    """Heartbeats `run` every `every` seconds from a task, with a lease of three periods,
    until `await stop()`. A failed beat is logged by the client; the next one tries again."""

    def __init__(self, client: AsyncDatlakeClient, run: Run, every: float) -> None:
        self.lease_seconds = lease_for(every)
        self._client = client
        self._run = run
        self._every = every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._beat(), name=f"datlake-heartbeat-{self._run.run_id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _beat(self) -> None:
        while True:
            await heartbeat(self._client, self._run, lease_seconds=self.lease_seconds)
            await asyncio.sleep(self._every)


@contextlib.asynccontextmanager
async def keep_alive(
    client: AsyncDatlakeClient, run: Run, *, every: float = DEFAULT_HEARTBEAT_EVERY
) -> AsyncIterator[AsyncLeaseKeeper]:
    """Keep `run`'s lease alive while the block runs, from a task; stopped on exit."""
    keeper = AsyncLeaseKeeper(client, run, every)
    keeper.start()
    try:
        yield keeper
    finally:
        await keeper.stop()
