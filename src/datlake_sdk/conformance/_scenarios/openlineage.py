"""OpenLineage ingest: RunEvents recorded as a run with its input and output edges, once
however often they are sent; a contradicting outcome or another job's run id is a 409."""

from __future__ import annotations

import uuid
from typing import Any

from .._probe import Probe, expect_equal, expect_json, expect_problem
from .._registry import scenario

PATH = "/openlineage"
NAMESPACE = "s3://conformance"


def _event(kind: str, run_id: str, job: str, **datasets: list[str]) -> dict[str, Any]:
    return {
        "eventType": kind,
        "eventTime": "2026-11-27T01:00:00Z",
        "producer": "https://example.com/datlake-conformance",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run_id},
        "job": {"namespace": "conformance", "name": job},
        **{k: [{"namespace": NAMESPACE, "name": n} for n in v] for k, v in datasets.items()},
    }


@scenario
def openlineage_events_recorded(probe: Probe) -> None:
    """A START RunEvent records a running run (its id the runId's 32 hex digits) reading its
    inputs and writing its outputs; sent again it records nothing more; COMPLETE completes
    it; FAIL afterwards is 409 run-finished, the runId under another job 409 id-conflict, an
    event without `run` 422 invalid-body."""
    job, source, target = probe.name("conf-ol"), probe.name("conf-ol-in"), probe.name("conf-ol-out")
    run_uuid = uuid.uuid4()
    datasets = {"inputs": [source], "outputs": [target]}
    start = _event("START", str(run_uuid), job, **datasets)
    for attempt in ("", " sent again"):
        run = expect_json(
            probe.send("POST", PATH, json=start), 200, f"ingest_openlineage START{attempt}"
        )
        for name, value in (("job_name", job), ("run_id", run_uuid.hex), ("status", "running")):
            expect_equal(run.get(name), value, f"the run a START{attempt} records: {name}")
        expect_equal([s["table_name"] for s in run["inputs"]], [source], f"its inputs{attempt}")
        outputs = [(s["table_name"], s["uri"]) for s in run["outputs"]]
        expect_equal(outputs, [(target, f"{NAMESPACE}/{target}")], f"its outputs{attempt}")
    complete = _event("COMPLETE", str(run_uuid), job, **datasets)
    done = expect_json(probe.send("POST", PATH, json=complete), 200, "ingest_openlineage COMPLETE")
    expect_equal(done.get("status"), "succeeded", "the run's status after COMPLETE")
    expect_equal(probe.get_run(job, run_uuid.hex)["status"], "succeeded", "get_run's status")
    cases = [
        ("FAIL after COMPLETE", _event("FAIL", str(run_uuid), job), 409, "run-finished"),
        ("the runId under another job", _event("COMPLETE", str(run_uuid), f"{job}-other"),
         409, "id-conflict"),
        ("an event without run", {k: v for k, v in complete.items() if k != "run"},
         422, "invalid-body"),
    ]  # fmt: skip
    for what, event, status, kind in cases:
        response = probe.send("POST", PATH, json=event)
        expect_problem(response, status, kind, f"ingest_openlineage: {what}")
