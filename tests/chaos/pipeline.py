"""The seed's pipeline, once per iteration, in the functional style, with each step's outcome
recorded as the SDK reported it (or the exception that escaped it).

start_run -> fetch_latest_uri("chaos_input") -> register_snapshot("chaos_output") ->
upload_object("chaos") -> make_log_artifact("chaos-logs") -> complete_run(artifacts=[log])
"""

from __future__ import annotations

import inspect
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Ok,
    complete_run,
    fetch_latest_uri,
    make_log_artifact,
    register_snapshot,
    start_run,
    upload_object,
)

__all__ = [
    "DATA_BUCKET",
    "INPUT_TABLE",
    "JOB",
    "LOG_BUCKET",
    "OUTPUT_TABLE",
    "STEPS",
    "PipelineOutcome",
    "Step",
    "make_client",
    "outbox_supported",
    "run_pipeline",
    "run_pipelines",
    "seed_input",
]

JOB = "chaos_pipeline"
INPUT_TABLE = "chaos_input"
OUTPUT_TABLE = "chaos_output"
DATA_BUCKET = "chaos"
LOG_BUCKET = "chaos-logs"
STEPS = ("start", "fetch", "register", "upload", "log", "complete")

# short enough that stalls and backoff keep 1,000 pipelines to a few minutes
CLIENT_TIMEOUT_S = 1.0
CLIENT_RETRY = "max=4,base_ms=20,cap_ms=200,deadline_s=5"


@dataclass
class Step:
    """What the SDK said about one step: `ok` (with `pending` when journaled), `err`, `exc`
    (an exception escaped the SDK), `skip` (not attempted), `unknown` (the job was killed)."""

    status: str
    pending: bool = False
    detail: str = ""


@dataclass
class PipelineOutcome:
    index: int
    scenario: str
    run_id: str | None = None
    steps: dict[str, Step] = field(default_factory=dict)
    artifact_uri: str | None = None
    success: bool | None = None  # the outcome complete_run was asked for

    @property
    def output_uri(self) -> str:
        return f"file:///chaos/{self.scenario}/{self.index}.csv"

    @property
    def object_name(self) -> str:
        return f"{self.scenario}/{self.index}.csv"

    @property
    def log_object_name(self) -> str | None:
        if self.artifact_uri is not None:
            return self.artifact_uri.removeprefix(f"datlake://{LOG_BUCKET}/")
        return None if self.run_id is None else f"jobs/{JOB}/{self.run_id}/run.log"

    def step(self, name: str) -> Step:
        return self.steps.get(name, Step("unknown"))


def outbox_supported() -> str | None:
    """`None` when the SDK has the outbox API, else why the scenario must be skipped."""
    if "outbox" not in inspect.signature(DatlakeClient.__init__).parameters:
        return "the SDK has no outbox yet (DatlakeClient(outbox=...))"
    if not hasattr(DatlakeClient, "flush_outbox"):
        return "the SDK has no DatlakeClient.flush_outbox yet"
    return None


def make_client(url: str, api_key: str, outbox: str | Path | None = None) -> DatlakeClient:
    options: dict[str, Any] = {"timeout": CLIENT_TIMEOUT_S, "retry": CLIENT_RETRY}
    if outbox is not None:
        options["outbox"] = str(outbox)
    elif outbox_supported() is None:
        options["outbox"] = "off"  # not whatever DATLAKE_SDK_OUTBOX or a config file says
    return DatlakeClient(base_url=url, api_key=api_key, **options)


def seed_input(server_url: str, api_key: str) -> None:
    """One snapshot of `chaos_input`, registered directly (not through the proxy)."""
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=f"{server_url}/api/v1", headers=headers, timeout=30) as api:
        run = api.post("/jobs/chaos_seed/runs", json={})
        run.raise_for_status()
        run_id = run.json()["run_id"]
        api.post(
            "/jobs/register-snapshot",
            json={
                "job_name": "chaos_seed",
                "run_id": run_id,
                "table_name": INPUT_TABLE,
                "uri": "file:///chaos/input.csv",
                "format": "csv",
            },
        ).raise_for_status()
        api.put(f"/jobs/chaos_seed/runs/{run_id}/complete", json={"success": True})


def _record(outcome: PipelineOutcome, name: str, call: Callable[[], Any]) -> Any:
    """Run one SDK call; record Ok/Err/exception; the Ok value, else `None`."""
    try:
        result = call()
    except Exception as ex:  # the harness counts what escapes the SDK
        outcome.steps[name] = Step("exc", detail=f"{type(ex).__name__}: {ex}"[:300])
        return None
    if isinstance(result, Ok):
        outcome.steps[name] = Step("ok", pending=bool(getattr(result.value, "pending", False)))
        return result.value if result.value is not None else True
    error = getattr(result, "error", result)
    outcome.steps[name] = Step("err", detail=f"{type(error).__name__}: {error}"[:300])
    return None


def run_pipeline(client: DatlakeClient, index: int, scenario: str, files: Path) -> PipelineOutcome:
    outcome = PipelineOutcome(index, scenario)
    for name in STEPS:
        outcome.steps[name] = Step("skip")
    metadata = {"pipeline": index, "scenario": scenario}
    run = _record(outcome, "start", lambda: start_run(client, JOB, metadata=metadata))
    if run is None:
        return outcome
    outcome.run_id = run.run_id
    read = _record(outcome, "fetch", lambda: fetch_latest_uri(client, run, INPUT_TABLE))
    written = None
    if read is not None:
        written = _record(
            outcome,
            "register",
            lambda: register_snapshot(client, run, OUTPUT_TABLE, outcome.output_uri, format="csv"),
        )
    data = files / f"{scenario}-{index}.csv"
    data.write_text(f"pipeline,value\n{index},{index * 7}\n")
    upload_options = {"run": run} if _upload_takes_run() else {}
    uploaded = _record(
        outcome,
        "upload",
        lambda: upload_object(client, DATA_BUCKET, outcome.object_name, data, **upload_options),
    )
    log = files / f"{scenario}-{index}.log"
    log.write_text(f"pipeline {index} of {scenario}: read, wrote, uploaded\n")
    artifact = _record(outcome, "log", lambda: make_log_artifact(client, LOG_BUCKET, run, log))
    if artifact is not None:
        outcome.artifact_uri = artifact.uri
    outcome.success = written is not None and uploaded is not None
    _record(
        outcome,
        "complete",
        lambda: complete_run(
            client,
            run,
            success=bool(outcome.success),
            artifacts=[artifact] if artifact is not None else [],
        ),
    )
    return outcome


def _upload_takes_run() -> bool:
    return "run" in inspect.signature(upload_object).parameters


def run_pipelines(
    make: Callable[[int], DatlakeClient],
    indices: Sequence[int],
    scenario: str,
    files: Path,
    *,
    threads: int = 8,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[PipelineOutcome], list[DatlakeClient]]:
    """Run the pipelines `indices` in `threads` threads, each with its own client (made by
    `make(thread_number)`, left open for the caller to flush and close)."""
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in indices:
        work.put(index)
    outcomes: list[PipelineOutcome] = []
    clients: list[DatlakeClient] = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        client = make(number)
        with lock:
            clients.append(client)
        while True:
            try:
                index = work.get_nowait()
            except queue.Empty:
                return
            try:
                outcome = run_pipeline(client, index, scenario, files)
            except Exception as ex:  # a bug of the harness, or something escaping the SDK
                outcome = PipelineOutcome(index, scenario)
                outcome.steps["start"] = Step("exc", detail=f"{type(ex).__name__}: {ex}")
            with lock:
                outcomes.append(outcome)
                done = len(outcomes)
            if progress is not None:
                progress(done)

    pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    outcomes.sort(key=lambda o: o.index)
    return outcomes, clients
