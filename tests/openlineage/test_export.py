"""Datlake runs as OpenLineage RunEvents: valid against the OpenLineage JSON schemas and the
official models, and saying what the run did."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from openlineage.client.serde import Serde

from datlake_sdk import Artifact, Run, SnapshotInfo
from datlake_sdk.openlineage import openlineage_run_id, plan_event, run_events

from .schemas import RUN_EVENT, official_model, openlineage_errors, schema_errors

START = datetime.datetime(2026, 11, 27, 1, 0, tzinfo=datetime.UTC)
END = START + datetime.timedelta(minutes=5)
RAW = SnapshotInfo(
    "users_raw", "9d1c7e2a4b6f4c8e9a0b1c2d3e4f5a6b", "file:///data/raw.csv", "csv", None,
    "ingest_users", "0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d", START,
)  # fmt: skip
CURATED = SnapshotInfo(
    "users_curated", "1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5d", "file:///data/curated.parquet",
    "parquet", {"id": "int64", "email": "string", "tags": {"list": "string"}}, "daily_users",
    "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b", END,
)  # fmt: skip


def a_run(status: str, **fields: Any) -> Run:
    return Run(
        "daily_users",
        fields.pop("run_id", "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b"),
        status=status,
        created_at=START,
        finished_at=None if status in ("running", "lost") else END,
        metadata={"source": "s3"},
        extra=fields.pop("extra", {"rows": 2}),
        artifacts=(Artifact("log", "datlake://artifacts/run.log"),),
        inputs=(RAW,),
        outputs=(CURATED,),
        **fields,
    )


RUNS = {
    "succeeded": a_run("succeeded"),
    "failed": a_run("failed", extra={"error": {"type": "ValueError", "message": "bad row 7"}}),
    "running": a_run("running"),
    "lost": a_run("lost"),
    "child": a_run("succeeded", parent_run_id="0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d"),
    "own id": a_run("succeeded", run_id="r-1"),
}


@pytest.mark.parametrize("name", RUNS)
def test_every_event_is_valid_openlineage(name: str) -> None:
    for event in run_events(RUNS[name], namespace="prod", parent_job="ingest_users"):
        assert openlineage_errors(event) == []
        official = Serde.to_dict(official_model(event))
        assert official["schemaURL"] == event["schemaURL"]
        assert official["run"]["runId"] == event["run"]["runId"]


def test_the_schema_check_catches_a_bad_event() -> None:
    event = run_events(RUNS["failed"])[1]
    event["run"]["runId"] = "not-a-uuid"
    del event["run"]["facets"]["errorMessage"]["programmingLanguage"]
    errors = openlineage_errors(event)
    assert any("is not a 'uuid'" in error for error in errors), errors
    assert any("programmingLanguage" in error for error in errors), errors
    assert any("date-time" in e for e in schema_errors({"eventTime": "yesterday"}, RUN_EVENT))


def test_a_finished_run_starts_then_completes_with_its_datasets() -> None:
    start, end = run_events(RUNS["succeeded"], namespace="prod")
    assert (start["eventType"], end["eventType"]) == ("START", "COMPLETE")
    assert (start["eventTime"], end["eventTime"]) == (
        "2026-11-27T01:00:00Z",
        "2026-11-27T01:05:00Z",
    )
    assert start["run"]["runId"] == end["run"]["runId"] == "3f2a9c1e-5b7d-4e0f-8a6b-2c4d6e8f0a1b"
    assert end["job"] == {"namespace": "prod", "name": "daily_users"}
    assert [d["name"] for d in start["inputs"]] == ["users_raw"]
    assert start["outputs"] == []
    (output,) = end["outputs"]
    assert output["namespace"] == "prod"
    assert output["facets"]["version"]["datasetVersion"] == CURATED.snapshot_id
    assert output["facets"]["storage"]["fileFormat"] == "parquet"
    fields = output["facets"]["schema"]["fields"]
    assert fields[:2] == [{"name": "id", "type": "int64"}, {"name": "email", "type": "string"}]
    assert fields[2] == {"name": "tags", "type": '{"list": "string"}'}
    assert output["facets"]["datlake_snapshot"]["uri"] == CURATED.uri


def test_a_failed_run_fails_with_its_error() -> None:
    end = run_events(RUNS["failed"])[1]
    assert end["eventType"] == "FAIL"
    assert end["run"]["facets"]["errorMessage"]["message"] == "ValueError: bad row 7"
    assert "errorMessage" not in run_events(RUNS["succeeded"])[1]["run"]["facets"]


@pytest.mark.parametrize("status", ["running", "lost"])
def test_an_unfinished_run_is_running(status: str) -> None:
    assert [e["eventType"] for e in run_events(RUNS[status])] == ["START", "RUNNING"]


def test_the_parent_facet_names_the_parent_run_and_job() -> None:
    start = run_events(RUNS["child"], namespace="prod", parent_job="ingest_users")[0]
    assert start["run"]["facets"]["parent"]["run"] == {
        "runId": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    }
    assert start["run"]["facets"]["parent"]["job"] == {"namespace": "prod", "name": "ingest_users"}
    # without the parent's job, the standard facet cannot be written; Datlake's keeps the id
    unknown = run_events(RUNS["child"])[0]["run"]["facets"]
    assert "parent" not in unknown
    assert unknown["datlake_run"]["parent_run_id"] == "0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d"


def test_run_ids_become_uuids_and_come_back() -> None:
    assert uuid.UUID(openlineage_run_id("r-1")).version == 5
    assert openlineage_run_id("r-1") == openlineage_run_id("r-1") != openlineage_run_id("r-2")
    for name, run in RUNS.items():
        for event in run_events(run, parent_job="ingest_users"):
            plan = plan_event(event)
            assert (plan.job_name, plan.run_id, plan.parent_run_id) == (
                run.job_name, run.run_id, run.parent_run_id,
            ), name  # fmt: skip


def test_the_mapping_reads_back_what_it_wrote() -> None:
    start, end = run_events(RUNS["failed"], namespace="prod")
    plan = plan_event(end)
    assert plan.outcome == "failed"
    assert plan.metadata == {"source": "s3"}
    assert plan.extra == {"error": {"type": "ValueError", "message": "bad row 7"}}
    assert plan.artifacts == [{"type": "log", "uri": "datlake://artifacts/run.log"}]
    (output,) = plan.outputs
    assert (output.snapshot_id, output.table_name, output.uri, output.format, output.schema) == (
        CURATED.snapshot_id, "users_curated", CURATED.uri, "parquet", CURATED.schema,
    )  # fmt: skip
    (read,) = plan.inputs
    assert read.snapshot_id == RAW.snapshot_id
    assert read.writer is not None
    assert (read.writer.job_name, read.writer.run_id) == (
        RAW.job_name,
        RAW.run_id,
    )
    assert plan_event(start).outcome is None
