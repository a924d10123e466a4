"""Dask jobs whose workers record on the driver's run: the driver starts the run (a
`JobContext`) and sends a `SharedRun`, plain data, with each task; a task reads and writes
on it through `shared.join()` (or `shared.client()` and `shared.run`), so the job's every
input and output is an edge of that one run, and its lineage is one connected graph. Needs
the `dask` extra.

>>> from datlake_sdk.dask import DatlakeWorkerPlugin, SharedRun
>>> def totals(shared: SharedRun, region: str) -> SnapshotInfo:  # doctest: +SKIP
...     part = shared.join()                   # this worker's client, the driver's run
...     orders = part.read(f"orders.{region}")  # an input edge of the run
...     return part.write(f"totals.{region}", orders.group_by("day").sum(), bucket="lake")
>>> with JobContext(client, "regional_totals") as job:  # doctest: +SKIP
...     dask_client.register_plugin(DatlakeWorkerPlugin())
...     shared = SharedRun.of(client, job.run)
...     written = dask_client.gather(dask_client.map(totals, [shared] * 3, regions))
"""

from __future__ import annotations

from typing import Any

try:
    from distributed import WorkerPlugin
except ModuleNotFoundError as _missing:  # dask and distributed: the `dask` extra
    from .cli._manners import missing_extra

    _advice = missing_extra(_missing, "dask")
    if _advice is None:
        raise
    raise ModuleNotFoundError(f"datlake_sdk.dask: {_advice}", name=_missing.name) from _missing

from ._shared_run import JoinedRun, SharedRun, close_worker_clients

__all__ = ["DatlakeWorkerPlugin", "JoinedRun", "SharedRun"]


class DatlakeWorkerPlugin(WorkerPlugin):
    """Closes the worker's Datlake clients when the worker closes, so that what an outbox
    holds there is delivered before the worker goes away (for at most its exit timeout).

    >>> dask_client.register_plugin(DatlakeWorkerPlugin())  # doctest: +SKIP
    """

    name = "datlake"

    def teardown(self, worker: Any) -> None:
        close_worker_clients()
