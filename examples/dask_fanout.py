"""A Dask job whose workers record on the driver's run: the driver starts `regional_totals`,
two worker processes each total the orders of some regions (reading `orders.<region>`,
writing `totals.<region>`), and the driver writes `totals.all` from what they return. Every
read and write is an edge of the one run, so the job's lineage is one connected graph.

    DATLAKE_URL=http://127.0.0.1:8765 DATLAKE_API_KEY=dev python examples/dask_fanout.py

The workers take the API key from their own environment (`DATLAKE_API_KEY`), never from the
task graph; a `LocalCluster`'s workers inherit the driver's.
"""

from __future__ import annotations

import os

import polars as pl
from distributed import Client, LocalCluster
from users_data import data_dir, print_run

from datlake_sdk import DatlakeClient, JobContext
from datlake_sdk.dask import DatlakeWorkerPlugin, SharedRun
from datlake_sdk.functional import get_lineage, unwrap

REGIONS = ["eu", "us", "apac", "latam"]


def region_totals(region: str, shared: SharedRun) -> pl.DataFrame:
    """A task, run on a worker: read one region's orders, write its daily totals."""
    part = shared.join()  # this worker's client and the driver's run
    orders = part.read(f"orders.{region}")  # an input edge of the run
    totals = (
        orders.group_by("day")
        .agg(pl.col("amount").sum().alias("total"), pl.len().alias("orders"))
        .with_columns(pl.lit(region).alias("region"), pl.lit(os.getpid()).alias("worker_pid"))
        .sort("day")
    )
    part.write(f"totals.{region}", totals, bucket="lake")  # an output edge of the run
    return totals


def ensure_orders(client: DatlakeClient) -> None:
    """The upstream job `ingest_orders` registers one table of orders per region."""
    with JobContext(client, "ingest_orders", heartbeat_every=None) as ingest:
        for number, region in enumerate(REGIONS):
            path = data_dir() / f"orders_{region}.parquet"
            pl.DataFrame(
                {
                    "day": ["2026-12-01", "2026-12-01", "2026-12-02"],
                    "amount": [10.0 * (number + 1), 5.0, 7.5],
                }
            ).write_parquet(path)
            ingest.output(f"orders.{region}", path.as_uri(), format="parquet")


def main() -> int:
    with DatlakeClient(
        base_url=os.environ.get("DATLAKE_URL", "http://127.0.0.1:8765"),
        api_key=os.environ.get("DATLAKE_API_KEY"),
    ) as client:
        ensure_orders(client)
        with (
            # distributed leaves these two constructors unannotated
            LocalCluster(n_workers=2, processes=True) as cluster,  # type: ignore[no-untyped-call]
            Client(cluster) as dask,  # type: ignore[no-untyped-call]
            JobContext(client, "regional_totals") as job,
        ):
            dask.register_plugin(DatlakeWorkerPlugin())
            shared = SharedRun.of(client, job.run)  # plain data: the run's ids and the URL
            futures = dask.map(region_totals, REGIONS, shared=shared)
            totals = pl.concat([future.result() for future in futures])
            job.write("totals.all", totals.drop("worker_pid"), bucket="lake")
            job.extra["worker_pids"] = sorted(set(totals["worker_pid"].to_list()))
        print_run(client, job.run)  # the workers' reads and writes, all on this one run
        print(f"worker processes: {job.extra['worker_pids']} (driver {os.getpid()})")
        print("lineage of totals.all, upstream:")
        graph = unwrap(get_lineage(client, "totals.all", direction="upstream", depth=2))
        for edge in sorted(graph.edges, key=lambda e: (e.kind, e.source, e.target)):
            print(f"  {edge.source} --{edge.kind}--> {edge.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
