"""Dask jobs whose workers record on the driver's run, on a `LocalCluster` of two worker
processes against a local Datlake over loopback: one run, one connected lineage graph."""

from __future__ import annotations

import os
import pickle
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from distributed import Client, LocalCluster

import datlake_server
from datlake_sdk import ConfigError, DatlakeClient, JobContext, NotFound, Run, SharedRun
from datlake_sdk._shared_run import close_worker_clients
from datlake_sdk.dask import DatlakeWorkerPlugin
from datlake_sdk.functional import (
    LineageGraph,
    get_lineage,
    get_run,
    list_runs,
    register_snapshot,
    start_run,
    unwrap,
)

API_KEY = "dask-key"
PARTS = 4


@pytest.fixture(scope="module")
def datlake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with datlake_server.serve_in_thread(tmp_path_factory.mktemp("datlake"), api_key=API_KEY) as url:
        yield url


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Client]:
    # the workers take the key from their environment, inherited when they start
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATLAKE_API_KEY", API_KEY)
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True)
    with cluster, Client(cluster) as client:
        client.register_plugin(DatlakeWorkerPlugin())
        yield client


def part_totals(part: int, shared: SharedRun, prefix: str) -> dict[str, object]:
    """A task: read one part's table, write its totals, say where it ran."""
    job = shared.join()
    orders = job.read(f"{prefix}.orders.{part}")
    totals = orders.select(pl.col("amount").sum().alias("total"))
    written = job.write(f"{prefix}.totals.{part}", totals, bucket="lake")
    return {"pid": os.getpid(), "snapshot_id": written.snapshot_id, "total": totals["total"][0]}


def publish_parts(client: DatlakeClient, prefix: str, folder: Path) -> None:
    run = unwrap(start_run(client, f"{prefix}.ingest"))
    for part in range(PARTS):
        path = folder / f"orders-{part}.parquet"
        pl.DataFrame({"amount": [float(part), 1.0]}).write_parquet(path)
        unwrap(
            register_snapshot(
                client, run, f"{prefix}.orders.{part}", path.as_uri(), format="parquet"
            )
        )


def components(*graphs: LineageGraph) -> list[set[str]]:
    """The connected parts of the union of `graphs`, edges taken both ways."""
    neighbours: dict[str, set[str]] = {}
    for graph in graphs:
        for node in graph.nodes:
            neighbours.setdefault(node.id, set())
        for edge in graph.edges:
            neighbours.setdefault(edge.source, set()).add(edge.target)
            neighbours.setdefault(edge.target, set()).add(edge.source)
    parts: list[set[str]] = []
    for start in neighbours:
        if any(start in part for part in parts):
            continue
        part, todo = {start}, [start]
        while todo:
            for near in neighbours[todo.pop()] - part:
                part.add(near)
                todo.append(near)
        parts.append(part)
    return parts


def test_workers_record_on_the_drivers_run_and_the_lineage_is_one_graph(
    datlake: str, dask_client: Client, tmp_path: Path
) -> None:
    prefix = f"fan{uuid.uuid4().hex[:8]}"
    with DatlakeClient(datlake, API_KEY) as client:
        publish_parts(client, prefix, tmp_path)
        with JobContext(client, f"{prefix}.job", heartbeat_every=None) as job:
            shared = SharedRun.of(client, job.run)
            futures = dask_client.map(part_totals, range(PARTS), shared=shared, prefix=prefix)
            results = [future.result() for future in futures]
            total = pl.DataFrame({"total": [float(sum(r["total"] for r in results))]})  # type: ignore[misc]
            job.write(f"{prefix}.totals.all", total, bucket="lake")

        assert {r["pid"] for r in results}.isdisjoint({os.getpid()})  # they ran on the workers
        recorded = unwrap(get_run(client, job.run.job_name, job.run.run_id))
        assert recorded.status == "succeeded"
        assert sorted(s.table_name for s in recorded.inputs) == [
            f"{prefix}.orders.{part}" for part in range(PARTS)
        ]
        assert {s.snapshot_id for s in recorded.outputs} >= {r["snapshot_id"] for r in results}
        assert len(recorded.outputs) == PARTS + 1
        assert [run.run_id for run in unwrap(list_runs(client, job.run.job_name)).items] == [
            job.run.run_id
        ]  # no worker started a run of its own
        upstream = unwrap(get_lineage(client, f"{prefix}.totals.all", direction="upstream"))
        downstream = unwrap(get_lineage(client, f"{prefix}.orders.0", direction="both"))
    graph_parts = components(upstream, downstream)
    assert len(graph_parts) == 1
    (graph,) = graph_parts
    runs = {node for node in graph if node.startswith("run:")}
    assert len(runs) == 2  # the ingest run and the one run of the whole Dask job
    assert {f"table:{prefix}.totals.{part}" for part in range(PARTS)} <= graph


def test_a_failing_task_fails_the_run_with_its_typed_error(
    datlake: str, dask_client: Client
) -> None:
    prefix = f"fail{uuid.uuid4().hex[:8]}"
    with DatlakeClient(datlake, API_KEY) as client:
        job = JobContext(client, f"{prefix}.job", heartbeat_every=None)

        def fan_out() -> None:
            with job:
                shared = SharedRun.of(client, job.run)
                dask_client.submit(part_totals, 0, shared, prefix).result()  # no such table

        with pytest.raises(NotFound):
            fan_out()
        recorded = unwrap(get_run(client, job.run.job_name, job.run.run_id))
    assert recorded.status == "failed"
    assert recorded.extra is not None
    assert recorded.extra["error"]["type"] == "NotFound"


def test_a_shared_run_travels_without_the_api_key(datlake: str) -> None:
    with DatlakeClient(datlake, API_KEY) as client:
        run = unwrap(start_run(client, "shared"))
        shared = SharedRun.of(client, run)

    wire = pickle.dumps(shared)

    assert API_KEY.encode() not in wire
    assert pickle.loads(wire) == shared
    assert (shared.job_name, shared.run_id, shared.base_url) == (run.job_name, run.run_id, datlake)


def test_workers_may_use_plain_http_only_where_the_driver_was_allowed_to() -> None:
    remote = "http://datlake.internal:8765"
    with DatlakeClient(remote, API_KEY, allow_insecure_http=True) as client:
        shared = SharedRun.of(client, Run("job", "r1"))
    try:
        assert shared.client().base_url == remote
    finally:
        close_worker_clients()
    with pytest.raises(ConfigError, match="allow_insecure_http"):
        SharedRun("job", "r1", remote).client()


def test_a_worker_process_has_one_client_per_datlake_until_its_plugin_closes_them(
    datlake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATLAKE_API_KEY", API_KEY)
    shared = SharedRun("job", "r1", datlake)
    client = shared.client()

    assert shared.client() is client
    assert SharedRun("other", "r2", datlake).client() is client
    DatlakeWorkerPlugin().teardown(worker=None)
    assert shared.client() is not client
    DatlakeWorkerPlugin().teardown(worker=None)
