"""Tables: a snapshot comes back as registered wherever it is shown; a table's snapshots are
newest first and paged; reads record input edges once, to the snapshot read."""

from __future__ import annotations

import uuid

from .._probe import (
    CheckFailed,
    Probe,
    expect_equal,
    expect_json,
    expect_problem,
    expect_status,
)
from .._registry import scenario

SCHEMA = {"id": "int64", "email": "string", "tags": {"list": "string"}, "nullable": [True]}
SNAPSHOTS = 5
PAGE_SIZE = 2


@scenario
def snapshot_fields_round_trip(probe: Probe) -> None:
    """uri, format and schema come back as registered, with the table, job and run, from
    register_snapshot, fetch_latest_uri, list_snapshots and the writer's and reader's get_run."""
    job, table = probe.name("conf-snap"), probe.name("conf-t-snap")
    writer = probe.start_run(job)["run_id"]
    uri = f"file:///conformance/{table}/part-0.parquet"
    written = probe.write(job, writer, table, uri=uri, format="parquet", schema=SCHEMA)
    wanted = {"table_name": table, "uri": uri, "format": "parquet", "schema": SCHEMA,
              "job_name": job, "run_id": writer}  # fmt: skip
    reader = probe.start_run(job)["run_id"]
    listed = probe.all_items(f"/tables/{table}/snapshots", "list_snapshots")
    shown = {
        "register_snapshot": written,
        "fetch_latest_uri": probe.fetch_latest(table, reader),
        "list_snapshots": listed[0] if len(listed) == 1 else {"items": listed},
        "the writer's get_run outputs": _only(probe.get_run(job, writer)["outputs"]),
        "the reader's get_run inputs": _only(probe.get_run(job, reader)["inputs"]),
    }
    for where, snapshot in shown.items():
        for name, value in {**wanted, "snapshot_id": written["snapshot_id"]}.items():
            expect_equal(snapshot.get(name), value, f"{where}: {name}")
    probe.finish(job, writer, reader)


def _only(snapshots: list[dict[str, object]]) -> dict[str, object]:
    return snapshots[0] if len(snapshots) == 1 else {"snapshots": snapshots}


@scenario
def snapshot_list_order_cursor(probe: Probe) -> None:
    """list_snapshots is newest first, and pages of `limit` follow `next_cursor` to every
    snapshot once; fetch_latest_uri answers the newest."""
    job, table = probe.name("conf-snaps"), probe.name("conf-t-snaps")
    run_id = probe.start_run(job)["run_id"]
    ids = [probe.write(job, run_id, table)["snapshot_id"] for _ in range(SNAPSHOTS)]
    path = f"/tables/{table}/snapshots"
    newest_first = list(reversed(ids))
    listed = [s["snapshot_id"] for s in probe.all_items(path, "list_snapshots")]
    expect_equal(listed, newest_first, "list_snapshots (newest first)")
    paged = [s["snapshot_id"] for s in probe.all_items(path, "list_snapshots", limit=PAGE_SIZE)]
    expect_equal(paged, newest_first, f"list_snapshots paged by {PAGE_SIZE}")
    latest = expect_json(probe.read_snapshot(table, None), 200, "fetch_latest_uri")
    expect_equal(latest.get("snapshot_id"), ids[-1], "fetch_latest_uri's snapshot")
    probe.finish(job, run_id)


@scenario
def fetch_named_snapshot_records_its_edge(probe: Probe) -> None:
    """fetch_latest_uri with snapshot_id answers that snapshot (not the newest), records the
    input edge to it, and answers the same read again after the run finished; an unknown
    snapshot_id is 404 snapshot-not-found."""
    job, table = probe.name("conf-id-read"), probe.name("conf-t-read")
    writer = probe.start_run(job)["run_id"]
    older = expect_json(probe.register_snapshot(job, writer, table), 201, "register_snapshot")
    expect_json(probe.register_snapshot(job, writer, table), 201, "register_snapshot")
    expect_status(probe.complete_run(job, writer, True), 200, "complete_run")
    reader = probe.start_run(job)["run_id"]
    wanted = older["snapshot_id"]
    read = probe.fetch_latest(table, reader, snapshot_id=wanted)
    if read.get("snapshot_id") != wanted:
        raise CheckFailed(
            f"fetch_latest_uri with snapshot_id {wanted} answered {read.get('snapshot_id')}"
        )
    inputs = [s.get("snapshot_id") for s in probe.get_run(job, reader).get("inputs") or []]
    if inputs != [wanted]:
        raise CheckFailed(f"the reader's inputs are {inputs}, expected [{wanted!r}]")
    expect_problem(
        probe.read_snapshot(table, reader, snapshot_id=uuid.uuid4().hex),
        404,
        "snapshot-not-found",
        "fetch_latest_uri with an unknown snapshot_id",
    )
    expect_status(probe.complete_run(job, reader, True), 200, "complete_run")
    again = probe.read_snapshot(table, reader, snapshot_id=wanted)
    expect_status(again, 200, "the same read replayed after the run finished")


@scenario
def run_edges_in_get_run(probe: Probe) -> None:
    """get_run shows what the run read (`inputs`) and wrote (`outputs`), exactly."""
    job, source, target = (
        probe.name("conf-edges"),
        probe.name("conf-t-in"),
        probe.name("conf-t-out"),
    )
    writer = probe.start_run(job)["run_id"]
    read = probe.write(job, writer, source)["snapshot_id"]
    probe.finish(job, writer)
    reader = probe.start_run(job)["run_id"]
    probe.fetch_latest(source, reader)
    wrote = probe.write(job, reader, target)["snapshot_id"]
    run = probe.get_run(job, reader)
    expect_equal([s["snapshot_id"] for s in run["inputs"]], [read], "get_run inputs")
    expect_equal([s["snapshot_id"] for s in run["outputs"]], [wrote], "get_run outputs")
    probe.finish(job, reader)


@scenario
def input_edge_set_semantics(probe: Probe) -> None:
    """Reading the same snapshot twice records one input edge."""
    job, table = probe.name("conf-set"), probe.name("conf-t-set")
    writer = probe.start_run(job)["run_id"]
    expect_json(probe.register_snapshot(job, writer, table), 201, "register_snapshot")
    expect_status(probe.complete_run(job, writer, True), 200, "complete_run")
    reader = probe.start_run(job)["run_id"]
    probe.fetch_latest(table, reader)
    probe.fetch_latest(table, reader)
    count = len(probe.get_run(job, reader).get("inputs") or [])
    if count != 1:
        raise CheckFailed(f"reading one snapshot twice left {count} inputs, expected 1")
    probe.finish(job, reader)
