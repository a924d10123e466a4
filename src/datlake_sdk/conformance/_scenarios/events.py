"""Events: recorded as posted; a run's events are listed oldest first, paged by cursor."""

from __future__ import annotations

from .._probe import Probe, expect_equal, expect_json
from .._registry import scenario

EVENTS = [
    {"kind": "progress", "message": "half way", "data": {"done": 50, "total": 100}},
    {"kind": "metric", "data": {"rows": 1200, "ratio": 0.25}},
    {"kind": "error", "message": "partition 7 skipped", "data": {"partition": 7}},
    {"kind": "progress", "message": "done", "data": {"done": 100, "total": 100}},
    {"kind": "metric", "message": "é", "data": {"nested": {"list": [1, None, True]}}},
]
PAGE_SIZE = 2


@scenario
def event_fields_and_order(probe: Probe) -> None:
    """post_event records kind, message and data as sent; list_events answers them oldest
    first, and pages of `limit` follow `next_cursor` to every event once."""
    job = probe.name("conf-events")
    run_id = probe.start_run(job)["run_id"]
    path = f"/jobs/{job}/runs/{run_id}/events"
    recorded = []
    for event in EVENTS:
        answer = expect_json(probe.send("POST", path, json=event), 201, "post_event")
        sent = {"message": None, **event, "job_name": job, "run_id": run_id}
        for name, value in sent.items():
            expect_equal(answer.get(name), value, f"post_event's event: {name}")
        recorded.append(answer["event_id"])
    listed = probe.all_items(path, "list_events")
    expect_equal([e["event_id"] for e in listed], recorded, "list_events (oldest first)")
    expect_equal([e["data"] for e in listed], [e["data"] for e in EVENTS], "list_events' data")
    paged = [e["event_id"] for e in probe.all_items(path, "list_events", limit=PAGE_SIZE)]
    expect_equal(paged, recorded, f"list_events paged by {PAGE_SIZE}")
    probe.finish(job, run_id)
