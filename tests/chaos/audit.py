"""The audit: what the server has (asked directly, never through the proxy) against what the
SDK told each pipeline.

A fact the SDK returned `Ok` for (pending or not) must be on the server (else it is *missing*);
a fact it returned `Err` for must not be (else it is a *false error*: the user was told
something false); each pipeline has at most one run and one snapshot of its output (else
*duplicates*); no exception escapes the SDK.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import httpx

from .pipeline import DATA_BUCKET, INPUT_TABLE, JOB, LOG_BUCKET, OUTPUT_TABLE, PipelineOutcome

__all__ = ["PROBLEMS", "audit", "markdown_header", "markdown_row"]

# the counts that must be 0 for a scenario to pass
PROBLEMS = (
    "duplicate_runs",
    "duplicate_snapshots",
    "missing_runs",
    "missing_inputs",
    "missing_snapshots",
    "missing_objects",
    "missing_artifacts",
    "missing_completions",
    "false_errors",
    "exceptions",
)


def _pages(api: httpx.Client, path: str) -> Iterable[dict[str, Any]]:
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, params=params)
        if response.status_code == 404:
            return
        response.raise_for_status()
        page = response.json()
        yield from page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return


def _object_exists(api: httpx.Client, bucket: str, name: str) -> bool:
    # an object name travels as one path segment (`a%2Fb.csv`)
    with api.stream("GET", f"/datasets/{bucket}/{quote(name, safe='')}") as response:
        if response.status_code == 404:
            return False
        if response.status_code == 200:
            return True
        raise RuntimeError(f"GET {bucket}/{name}: {response.status_code}")


def audit(
    server_url: str, api_key: str, outcomes: Sequence[PipelineOutcome], scenario: str
) -> dict[str, Any]:
    """Counts of each kind of finding (see `PROBLEMS`), plus the SDK's own tallies."""
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=f"{server_url}/api/v1", headers=headers, timeout=60) as api:
        runs = [
            run
            for run in _pages(api, f"/jobs/{JOB}/runs")
            if (run.get("metadata") or {}).get("scenario") == scenario
        ]
        prefix = f"file:///chaos/{scenario}/"
        snapshots = [
            s
            for s in _pages(api, f"/tables/{OUTPUT_TABLE}/snapshots")
            if s["uri"].startswith(prefix)
        ]
        wanted: list[tuple[str, str]] = []
        for outcome in outcomes:
            if outcome.step("upload").status in ("ok", "err"):
                wanted.append((DATA_BUCKET, outcome.object_name))
            log_name = outcome.log_object_name
            if outcome.step("log").status in ("ok", "err") and log_name is not None:
                wanted.append((LOG_BUCKET, log_name))
        with ThreadPoolExecutor(8) as pool:
            found = list(pool.map(lambda bn: _object_exists(api, *bn), wanted))
    objects = {key for key, exists in zip(wanted, found, strict=True) if exists}

    by_pipeline: dict[int, list[dict[str, Any]]] = {}
    for run in runs:
        by_pipeline.setdefault(run["metadata"].get("pipeline"), []).append(run)
    by_uri = Counter(s["uri"] for s in snapshots)

    counts: Counter[str] = Counter()
    false_by_step: Counter[str] = Counter()
    details: list[str] = []
    counts["pipelines"] = len(outcomes)
    counts["server_runs"] = len(runs)
    counts["server_snapshots"] = len(snapshots)
    counts["runs_left_running"] = sum(run["status"] == "running" for run in runs)

    def note(kind: str, outcome: PipelineOutcome, what: str = "") -> None:
        counts[kind] += 1
        if len(details) < 40:
            details.append(f"{kind}: pipeline {outcome.index} {what}".rstrip())

    def false_error(step: str, outcome: PipelineOutcome) -> None:
        false_by_step[step] += 1
        note("false_errors", outcome, f"{step}: {outcome.step(step).detail}")

    for outcome in outcomes:
        for name, step in outcome.steps.items():
            counts[f"steps_{step.status}"] += 1
            if step.pending:
                counts["steps_pending"] += 1
            if step.status == "exc":
                note("exceptions", outcome, f"{name}: {step.detail}")
        mine = by_pipeline.get(outcome.index, [])
        counts["duplicate_runs"] += max(0, len(mine) - 1)
        run = next((r for r in mine if r["run_id"] == outcome.run_id), mine[0] if mine else None)

        start = outcome.step("start").status
        if start == "ok" and (run is None or run["run_id"] != outcome.run_id):
            note("missing_runs", outcome, str(outcome.run_id))
        elif start == "err" and mine:
            false_error("start", outcome)

        inputs = [] if run is None else [s for s in run["inputs"] if s["table_name"] == INPUT_TABLE]
        fetch = outcome.step("fetch").status
        if fetch == "ok" and not inputs:
            note("missing_inputs", outcome)
        elif fetch == "err" and inputs:
            false_error("fetch", outcome)

        uri = outcome.output_uri
        counts["duplicate_snapshots"] += max(0, by_uri[uri] - 1)
        outputs = [] if run is None else [s for s in run["outputs"] if s["uri"] == uri]
        register = outcome.step("register").status
        if register == "ok" and not (by_uri[uri] and outputs):
            note("missing_snapshots", outcome, uri)
        elif register == "err" and by_uri[uri]:
            false_error("register", outcome)

        upload = outcome.step("upload").status
        stored = (DATA_BUCKET, outcome.object_name) in objects
        if upload == "ok" and not stored:
            note("missing_objects", outcome, outcome.object_name)
        elif upload == "err" and stored:
            false_error("upload", outcome)

        log = outcome.step("log").status
        log_stored = (LOG_BUCKET, outcome.log_object_name) in objects
        if log == "ok" and not log_stored:
            note("missing_artifacts", outcome, f"object {outcome.log_object_name}")
        elif log == "err" and log_stored:
            false_error("log", outcome)

        complete = outcome.step("complete").status
        expected = "succeeded" if outcome.success else "failed"
        finished = run is not None and run["status"] == expected
        if complete == "ok" and not finished:
            note("missing_completions", outcome, f"{None if run is None else run['status']}")
        elif complete == "err" and finished:
            false_error("complete", outcome)
        if complete == "ok" and finished and outcome.artifact_uri is not None:
            attached = [a for a in run["artifacts"] if a["uri"] == outcome.artifact_uri]
            if not attached:
                note("missing_artifacts", outcome, "not attached to the run")

    result: dict[str, Any] = {key: counts.get(key, 0) for key in PROBLEMS}
    result.update({k: v for k, v in sorted(counts.items()) if k not in PROBLEMS})
    result["false_errors_by_step"] = dict(false_by_step)
    result["problems"] = sum(counts.get(key, 0) for key in PROBLEMS)
    result["details"] = details
    return result


def markdown_header() -> str:
    return (
        "| scenario | outbox | pipelines | seconds | dup runs | dup snapshots | missing |"
        " false errors | exceptions | left running | Ok pending |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )


def markdown_row(scenario: str, outbox: str, seconds: float, counts: dict[str, Any]) -> str:
    missing = sum(v for k, v in counts.items() if k.startswith("missing_"))
    false = counts["false_errors"]
    by_step = counts.get("false_errors_by_step") or {}
    if by_step:
        false_text = f"{false} ({', '.join(f'{k} {v}' for k, v in sorted(by_step.items()))})"
    else:
        false_text = str(false)
    return (
        f"| {scenario} | {outbox} | {counts['pipelines']} | {seconds:.0f} |"
        f" {counts['duplicate_runs']} | {counts['duplicate_snapshots']} | {missing} |"
        f" {false_text} | {counts['exceptions']} | {counts['runs_left_running']} |"
        f" {counts.get('steps_pending', 0)} |"
    )
