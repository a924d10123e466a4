"""Group commit: the short writes of requests that arrive together share one transaction.

Every COMMIT appends the pages a write touched to the WAL (a run touches five: the row, three
indexes and its job in the catalog); requests that reach the event loop in the same turn
touch the same pages. Each short write is queued, and the queue runs as one
`Database.batch` (one COMMIT, each write in a savepoint of its own, no answer before that
COMMIT) once a turn of the loop has added nothing to it: under load the requests reach the
loop staggered, one per turn, and flushing at the first turn would commit each alone. A
queue waits at most `MAX_TURNS` turns. A lone request makes a batch of one, a plain
transaction. Waiting for the loop's turn costs a lone request a little: after `QUIET` batches
of one in a row, writes run at once, but for one in `PROBE`, which queues again to find out
whether others now come along.

>>> import asyncio, tempfile, pathlib
>>> from datlake_server.db import Database
>>> db = Database(pathlib.Path(tempfile.mkdtemp()) / "meta.db")
>>> writes = GroupCommit(db)
>>> async def two() -> list[int]:
...     return await asyncio.gather(writes.submit(lambda: 1), writes.submit(lambda: 2))
>>> asyncio.run(two())
[1, 2]
>>> db.close()
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from datlake_server.db import Database, Outcome

T = TypeVar("T")
QUIET = 8
PROBE = 8
MAX_TURNS = 8
_Queued = tuple[Callable[[], Any], "asyncio.Future[Any]"]


class GroupCommit:
    """The queue of one database's short writes, run by its event loop."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._queue: list[_Queued] = []
        self._threads: set[asyncio.Task[None]] = set()
        self._lone = 0  # batches of one in a row (and writes run at once since)
        self._seen = 0  # how many writes the queue held at the last turn
        self._turns = 0  # turns of the loop the queue has waited

    async def submit(self, write: Callable[[], T]) -> T:
        """What `write` (which makes its own `db.transaction()`s) returns once committed, or
        the exception it raised."""
        if self._lone >= QUIET and self._lone % PROBE and not self._queue and not self._db.busy:
            self._lone += 1
            return write()  # the last ones came alone: this one has no one to wait for
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((write, future))
        if len(self._queue) == 1:
            self._seen, self._turns = 0, 0
            # after the callbacks already ready: the requests that came in with this one
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        if len(self._queue) > self._seen and self._turns < MAX_TURNS:
            # a write came in since the last turn: one more turn, in case others follow
            self._seen = len(self._queue)
            self._turns += 1
            asyncio.get_running_loop().call_soon(self._flush)
            return
        queued, self._queue = self._queue, []
        self._lone = self._lone + 1 if len(queued) == 1 else 0
        if self._db.busy:
            # a thread holds the writer: waiting for it is a thread's job, not the loop's
            task = asyncio.get_running_loop().create_task(self._flush_in_thread(queued))
            self._threads.add(task)
            task.add_done_callback(self._threads.discard)
            return
        try:
            outcomes = self._db.batch([write for write, _ in queued])
        except Exception as error:  # the batch could not even begin
            outcomes = [(False, error)] * len(queued)
        _settle(queued, outcomes)

    async def _flush_in_thread(self, queued: list[_Queued]) -> None:
        try:
            outcomes = await run_in_threadpool(self._db.batch, [write for write, _ in queued])
        except Exception as error:
            outcomes = [(False, error)] * len(queued)
        _settle(queued, outcomes)


def _settle(queued: list[_Queued], outcomes: list[Outcome[Any]]) -> None:
    for (_, future), (ok, value) in zip(queued, outcomes, strict=True):
        if future.cancelled():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
