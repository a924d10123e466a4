"""Telemetry: a batch records its metric points, the run's progress and live log chunks; the
series, the progress and the log read back as sent; a resent chunk never doubles the log."""

from __future__ import annotations

import uuid
from typing import Any

from .._probe import Probe, expect_equal, expect_json, expect_problem
from .._registry import scenario

POINTS: list[dict[str, Any]] = [
    {"name": "loss", "value": 0.5, "step": 1, "recorded_at": "2026-11-27T01:02:00Z"},
    {"name": "loss", "value": 0.25, "step": 2, "recorded_at": "2026-11-27T01:03:00Z"},
    {"name": "rows", "value": 1200, "unit": "rows", "recorded_at": "2026-11-27T01:03:00Z"},
]
CHUNKS: list[dict[str, Any]] = [
    {"source": "main", "seq": 0, "text": "reading users_raw\n"},
    {"source": "main", "seq": 1, "text": "wrote 3 rows, é\n"},
]
PROGRESS: dict[str, Any] = {"done": 3, "total": 4, "message": "three of four"}


@scenario
def telemetry_round_trip(probe: Probe) -> None:
    """post_telemetry records metric points, progress and log chunks (a resent chunk is not
    counted twice); list_metrics answers each series in order, get_run shows the progress,
    get_run_log the log in arrival order; a finished or unknown run is refused."""
    job = probe.name("conf-telemetry")
    run_id = probe.start_run(job)["run_id"]
    path = f"/jobs/{job}/runs/{run_id}"
    batch = {"metrics": POINTS, "progress": PROGRESS, "log": CHUNKS[:1]}
    receipt = expect_json(
        probe.send("POST", f"{path}/telemetry", json=batch), 200, "post_telemetry"
    )
    expect_equal(
        (receipt.get("metrics"), receipt.get("log_chunks")), (3, 1), "post_telemetry's receipt"
    )
    again = {"log": CHUNKS}  # the first chunk resent, the second new
    receipt = expect_json(
        probe.send("POST", f"{path}/telemetry", json=again), 200, "post_telemetry"
    )
    expect_equal(receipt.get("log_chunks"), 1, "post_telemetry's receipt of a resent chunk")

    listed = expect_json(probe.send("GET", f"{path}/metrics"), 200, "list_metrics")
    series = {s["name"]: s for s in listed.get("series", [])}
    expect_equal(sorted(series), ["loss", "rows"], "list_metrics' series")
    expect_equal([(p["value"], p["step"]) for p in series["loss"]["points"]], [(0.5, 1), (0.25, 2)],
                 "list_metrics' loss points, in order")  # fmt: skip
    expect_equal(series["rows"]["unit"], "rows", "list_metrics' rows unit")
    progress = probe.get_run(job, run_id).get("progress") or {}
    expect_equal({k: progress.get(k) for k in PROGRESS}, PROGRESS, "get_run's progress")
    log = expect_json(probe.send("GET", f"{path}/log"), 200, "get_run_log")
    expect_equal(log.get("text"), "".join(c["text"] for c in CHUNKS), "get_run_log's text")

    bad = {"metrics": [{"name": "loss"}]}  # a point without its value
    response = probe.send("POST", f"{path}/telemetry", json=bad)
    expect_problem(response, 422, "invalid-body", "post_telemetry of a point without a value")
    probe.finish(job, run_id)
    response = probe.send("POST", f"{path}/telemetry", json={"progress": PROGRESS})
    expect_problem(response, 409, "run-finished", "post_telemetry to a finished run")

    unknown = f"/jobs/{job}/runs/{uuid.uuid4().hex}"
    for response, what in (
        (probe.send("POST", f"{unknown}/telemetry", json={"progress": PROGRESS}), "post_telemetry"),
        (probe.send("GET", f"{unknown}/metrics"), "list_metrics"),
        (probe.send("GET", f"{unknown}/log"), "get_run_log"),
    ):
        expect_problem(response, 404, "run-not-found", f"{what} of an unknown run")
