"""Export from one Datlake, ingest into a fresh one: the same runs and the same lineage graph.
Through the command line both ways: `datlake export openlineage` to NDJSON, and `--to` the
fresh Datlake's `api/v1/openlineage` with the official client's transport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from datlake_sdk import DatlakeClient, JobContext
from datlake_sdk.cli import main
from datlake_sdk.functional import (
    LineageGraph,
    Ok,
    complete_run,
    fetch_latest_uri,
    get_lineage,
    get_run,
    register_snapshot,
    start_run,
    unwrap,
)
from datlake_sdk.openlineage import run_events

from ..server.datlake_e2e import API_KEY, checked_server
from .schemas import openlineage_errors

JOBS = ["daily_users", "ingest_users", "report"]


def pipeline(client: DatlakeClient) -> list[tuple[str, str]]:
    """Runs of every kind: a writer, a reader-writer, a child, a failure, an id of one's own."""
    with JobContext(client, "ingest_users", metadata={"source": "s3"}) as ingest:
        ingest.output("users_raw", "file:///data/raw.csv", format="csv")
    with JobContext(client, "daily_users", metadata={"day": "2026-11-27"}) as daily:
        daily.input("users_raw")
        daily.output(
            "users_curated", "file:///data/curated.parquet", format="parquet",
            schema={"id": "int64", "email": "string"},
        )  # fmt: skip
        daily.extra["rows"] = 2
    with pytest.raises(ValueError, match="no rows"), JobContext(client, "report") as failing:  # noqa: PT012
        failing.input("users_curated")
        raise ValueError("no rows")
    child = unwrap(start_run(client, "report", parent_run_id=daily.run.run_id, run_id="r-1"))
    unwrap(fetch_latest_uri(client, child, "users_curated"))
    unwrap(register_snapshot(client, child, "report.weekly", "file:///r.txt", format="txt"))
    unwrap(complete_run(client, child, success=True))
    return [
        (run.job_name, run.run_id)
        for run in (ingest.run, daily.run, failing.run, child)  # type: ignore[union-attr]
    ]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with checked_server(tmp_path / "a") as first, checked_server(tmp_path / "b") as fresh:
        yield first, fresh


def graph(client: DatlakeClient, table: str) -> tuple[set[Any], set[Any]]:
    found = get_lineage(client, table, direction="both", depth=5)
    assert isinstance(found, Ok), found
    value: LineageGraph = found.value
    return {attrs.astuple(n) for n in value.nodes}, {attrs.astuple(e) for e in value.edges}


def recorded(client: DatlakeClient, job: str, run_id: str) -> dict[str, Any]:
    """What a run is, beyond the times the ingesting Datlake gives it."""
    run = unwrap(get_run(client, job, run_id))
    snapshots = [
        (s.table_name, s.snapshot_id, s.uri, s.format, s.schema, s.job_name, s.run_id)
        for s in (*run.inputs, *run.outputs)
    ]
    return {
        "status": run.status, "metadata": run.metadata, "extra": run.extra,
        "artifacts": run.artifacts, "parent": run.parent_run_id, "snapshots": snapshots,
    }  # fmt: skip


def test_export_then_ingest_gives_the_same_lineage(
    servers: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, fresh = servers
    monkeypatch.setenv("DATLAKE_URL", first)
    monkeypatch.setenv("DATLAKE_API_KEY", API_KEY)
    with DatlakeClient() as client:
        runs = pipeline(client)
    jobs: list[str] = []  # every job: the export lists them

    exported = tmp_path / "events.ndjson"
    assert main(["export", "openlineage", *jobs, "--output", str(exported)]) == 0
    events = [json.loads(line) for line in exported.read_text().splitlines()]
    assert len(events) == 2 * len(runs)
    assert [e["eventTime"] for e in events] == sorted(e["eventTime"] for e in events)
    for event in events:
        assert openlineage_errors(event) == []
    named = tmp_path / "named.ndjson"
    listed = [arg for job in JOBS for arg in ("--job", job)]
    assert main(["export", "openlineage", *listed, "--output", str(named)]) == 0
    assert named.read_text() == exported.read_text()
    # the child names its parent in the standard facet too: the parent was exported with it
    child_start = next(e for e in events if e["run"]["facets"]["datlake_run"]["run_id"] == "r-1")
    assert child_start["run"]["facets"]["parent"]["job"]["name"] == "daily_users"

    monkeypatch.setenv("OPENLINEAGE_API_KEY", API_KEY)
    sent = ["--to", fresh, "--endpoint", "api/v1/openlineage"]
    assert main(["export", "openlineage", *jobs, *sent]) == 0

    with DatlakeClient() as a, DatlakeClient(base_url=fresh) as b:
        for table in ("users_raw", "users_curated", "report.weekly"):
            assert graph(b, table) == graph(a, table)
        for job, run_id in runs:
            assert recorded(b, job, run_id) == recorded(a, job, run_id)
        # sent again: nothing more is recorded
        assert main(["export", "openlineage", *jobs, *sent]) == 0
        assert graph(b, "users_curated") == graph(a, "users_curated")
        assert [recorded(b, *run) for run in runs] == [recorded(a, *run) for run in runs]
        # and what the fresh Datlake exports is what the first exported
        again = [e for job, run_id in runs for e in run_events(unwrap(get_run(b, job, run_id)))]
        first_events = [
            e for job, run_id in runs for e in run_events(unwrap(get_run(a, job, run_id)))
        ]
        assert [_what(e) for e in again] == [_what(e) for e in first_events]


def _what(event: dict[str, Any]) -> Any:
    """An event without its times (the ingesting Datlake records its own)."""
    return {k: v for k, v in event.items() if k != "eventTime"}


def test_since_and_a_failing_datlake(
    servers: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    first, _ = servers
    monkeypatch.setenv("DATLAKE_URL", first)
    monkeypatch.setenv("DATLAKE_API_KEY", API_KEY)
    with DatlakeClient() as client:
        pipeline(client)
    out = tmp_path / "later.ndjson"
    assert (
        main(
            [
                "export",
                "openlineage",
                "--job",
                "report",
                "--since",
                "2999-01-01",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_text() == ""
    assert main(["export", "openlineage", "--job", "report", "--since", "1h"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    assert main(["export", "openlineage", "--job", "report", "--since", "soon"]) == 2
    assert "--since" in capsys.readouterr().err
    monkeypatch.setenv("DATLAKE_API_KEY", "not-the-key-7f3a")
    assert main(["export", "openlineage", "--job", "report"]) == 1
    err = capsys.readouterr().err
    assert "reading the runs failed" in err
    assert "not-the-key-7f3a" not in err
