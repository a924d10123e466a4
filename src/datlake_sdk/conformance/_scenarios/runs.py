"""Runs: what a start and a completion record comes back everywhere a run is shown; lists are
newest first, filtered by status, paged by cursor; a finished run is final."""

from __future__ import annotations

from typing import Any

from .._probe import (
    CheckFailed,
    Probe,
    expect_equal,
    expect_json,
    expect_problem,
    expect_status,
    moment,
)
from .._registry import scenario

# free-form fields as a job may send them: nested, unicode, every JSON type
METADATA = {"source": "s3", "owner": "équipe données", "rows": 1200, "ratio": 0.5,
            "flags": [True, False, None], "nested": {"a": {"b": [1, "two"]}}}  # fmt: skip
EXTRA = {"rows_written": 42, "warnings": ["late partition"], "timings": {"read_s": 1.5}}
ARTIFACTS = [
    {"type": "log", "uri": "datlake://conformance/jobs/x/run.log"},
    {"type": "report", "uri": "https://example.com/reports/1"},
]


def _expect_fields(run: dict[str, Any], wanted: dict[str, Any], where: str) -> None:
    for name, value in wanted.items():
        expect_equal(run.get(name), value, f"{where}: {name}")


@scenario
def run_fields_round_trip(probe: Probe) -> None:
    """metadata and parent_run_id from the start, extra and artifacts from the completion,
    come back as sent from start_run, get_run, list_runs and complete_run."""
    job = probe.name("conf-fields")
    parent = probe.start_run(job)["run_id"]
    started = probe.start_run(job, {"metadata": METADATA, "parent_run_id": parent})
    run_id = started["run_id"]
    sent = {"job_name": job, "run_id": run_id, "metadata": METADATA, "parent_run_id": parent}
    _expect_fields(started, {**sent, "status": "running", "extra": {}, "artifacts": []},
                   "start_run's run")  # fmt: skip
    _expect_fields(probe.get_run(job, run_id), sent, "get_run")
    listed = [r for r in probe.all_items(f"/jobs/{job}/runs", "list_runs") if r["run_id"] == run_id]
    if len(listed) != 1:
        raise CheckFailed(f"list_runs shows run {run_id} {len(listed)} times, expected once")
    _expect_fields(listed[0], sent, "list_runs")
    response = probe.complete_run(job, run_id, True, extra=EXTRA, artifacts=ARTIFACTS)
    finished = {**sent, "status": "succeeded", "extra": EXTRA, "artifacts": ARTIFACTS}
    _expect_fields(expect_json(response, 200, "complete_run"), finished, "complete_run's run")
    again = probe.get_run(job, run_id)
    _expect_fields(again, finished, "get_run after complete_run")
    if again["finished_at"] is None or moment(again["finished_at"]) < moment(again["created_at"]):
        raise CheckFailed(f"finished_at {again['finished_at']!r} is not after created_at")
    probe.finish(job, parent)


RUNS = 6  # started in this order; the first three succeed, the fourth fails
PAGE_SIZE = 2


@scenario
def run_lists_order_filter_cursor(probe: Probe) -> None:
    """list_runs is newest first; `status` keeps the runs in that state only; pages of
    `limit` runs follow `next_cursor` to every run once, filtered or not."""
    job = probe.name("conf-runs")
    ids = [probe.start_run(job)["run_id"] for _ in range(RUNS)]
    for run_id in ids[:3]:
        expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")
    expect_status(probe.complete_run(job, ids[3], False), 200, "complete_run")
    newest_first = list(reversed(ids))
    by_status = {
        "succeeded": [r for r in newest_first if r in ids[:3]],
        "failed": [ids[3]],
        "running": [r for r in newest_first if r in ids[4:]],
        "lost": [],
    }
    path = f"/jobs/{job}/runs"
    all_runs = [r["run_id"] for r in probe.all_items(path, "list_runs")]
    expect_equal(all_runs, newest_first, "list_runs (newest first)")
    paged = [r["run_id"] for r in probe.all_items(path, "list_runs", limit=PAGE_SIZE)]
    expect_equal(paged, newest_first, f"list_runs paged by {PAGE_SIZE}")
    for status, wanted in by_status.items():
        items = probe.all_items(path, f"list_runs?status={status}", status=status, limit=PAGE_SIZE)
        expect_equal([r["run_id"] for r in items], wanted, f"list_runs?status={status}")
        wrong = {r["status"] for r in items} - {status}
        if wrong:
            raise CheckFailed(f"list_runs?status={status} answered runs {sorted(wrong)}")
    probe.finish(job, *ids[4:])


@scenario
def complete_run_outcome_conflict(probe: Probe) -> None:
    """Completing twice with the same outcome is fine; another outcome is 409 run-finished."""
    job = probe.name("conf-complete")
    run_id = probe.start_run(job)["run_id"]
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run")
    expect_status(probe.complete_run(job, run_id, True), 200, "complete_run repeated")
    expect_problem(
        probe.complete_run(job, run_id, False), 409, "run-finished",
        "complete_run with another outcome",
    )  # fmt: skip
    expect_equal(probe.get_run(job, run_id).get("status"), "succeeded",
                 "the status after the rejected completion")  # fmt: skip


@scenario
def finished_runs_refuse_writes(probe: Probe) -> None:
    """A finished run is final: a snapshot, a heartbeat, an event or a new input edge for it
    is 409 run-finished."""
    job, table = probe.name("conf-finished"), probe.name("conf-t-finished")
    writer = probe.start_run(job)["run_id"]
    probe.write(job, writer, table)
    run_id = probe.start_run(job)["run_id"]
    probe.finish(job, writer, run_id)
    run = f"/jobs/{job}/runs/{run_id}"
    for what, response in (
        ("register_snapshot", probe.register_snapshot(job, run_id, table)),
        ("heartbeat", probe.heartbeat(job, run_id, 60)),
        ("post_event", probe.send("POST", f"{run}/events", json={"kind": "progress"})),
        ("fetch_latest_uri (a new input edge)", probe.read_snapshot(table, run_id)),
    ):
        expect_problem(response, 409, "run-finished", f"{what} for a finished run")
