"""The catalog: the jobs that have runs and the tables that have snapshots, in name (byte)
order, each with its count and newest entry, searched by prefix and paged by cursor."""

from __future__ import annotations

from typing import Any

from .._probe import Probe, expect_equal
from .._registry import scenario

# created in this order, listed in byte order (`B` before `a`); the number of runs or
# snapshots each gets
NAMES = {"c": 1, "B": 2, "a": 3}
PAGE_SIZE = 2


def _check_listing(
    probe: Probe,
    path: str,
    prefix: str,
    wanted: dict[str, tuple[int, str]],
    fields: tuple[str, ...],
) -> None:
    """`wanted`: name -> (count, id of the newest entry); `fields`: the answer's name,
    count and newest-entry fields, and that entry's id field."""
    name, count, newest, newest_id = fields
    what = f"{path[1:]}?prefix={prefix}"
    for limit in (None, PAGE_SIZE):
        params: dict[str, str | int] = {"prefix": prefix, **({"limit": limit} if limit else {})}
        items: list[dict[str, Any]] = probe.all_items(path, what, **params)
        listed = {item[name]: (item[count], item[newest][newest_id]) for item in items}
        shown = f"{what}" + (f" paged by {limit}" if limit else "")
        expect_equal([item[name] for item in items], sorted(wanted), f"{shown} (by name)")
        expect_equal(listed, wanted, f"{shown}'s counts and newest")
    nothing = probe.all_items(path, what, prefix=f"{prefix}zz")
    expect_equal(nothing, [], f"{path[1:]} with a prefix nothing has")


@scenario
def catalog_by_name_prefix_cursor(probe: Probe) -> None:
    """list_jobs and list_tables answer the jobs with runs and the tables with snapshots
    whose name starts with `prefix`, in byte order, each with its run or snapshot count and
    newest run or snapshot; pages of `limit` follow `next_cursor` to each once."""
    prefix = f"conf-cat-{probe.suffix}-"
    jobs: dict[str, tuple[int, str]] = {}
    tables: dict[str, tuple[int, str]] = {}
    writer_job = f"{prefix}writer"
    writer = probe.start_run(writer_job)["run_id"]
    for letter, times in NAMES.items():
        job, table = f"{prefix}{letter}", f"{prefix}t-{letter}"
        for _ in range(times):
            run_id = probe.start_run(job)["run_id"]
            probe.finish(job, run_id)
            snapshot_id = probe.write(writer_job, writer, table)["snapshot_id"]
        jobs[job] = (times, run_id)
        tables[table] = (times, snapshot_id)
    probe.finish(writer_job, writer)
    jobs[writer_job] = (1, writer)
    _check_listing(probe, "/jobs", prefix, jobs, ("job_name", "run_count", "latest_run", "run_id"))
    _check_listing(
        probe, "/tables", f"{prefix}t-", tables,
        ("table_name", "snapshot_count", "latest_snapshot", "snapshot_id"),
    )  # fmt: skip
