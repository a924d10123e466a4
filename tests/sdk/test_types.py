"""Domain types: identity, immutability, the seed's sentinel, conversion from generated models."""

from __future__ import annotations

import datetime
from typing import Any

import attrs
import pytest
from datlake_api import models as api

from datlake_sdk import _convert as domain
from datlake_sdk.functional import Artifact, Page, Run, SnapshotInfo, UriInfo

from .helpers import FINISHED_RUN_JSON, LINEAGE_JSON, RAW_SNAPSHOT_JSON, RUN_ID, RUN_JSON


def test_run_keeps_the_seeds_two_positional_fields() -> None:
    run = Run("daily_users", "r1")

    assert (run.job_name, run.run_id) == ("daily_users", "r1")
    assert run.status is None
    assert run.artifacts == ()


def test_a_run_is_identified_by_job_and_id_not_by_its_state() -> None:
    started = Run("daily_users", "r1", status="running")
    finished = Run("daily_users", "r1", status="succeeded", extra={"rows": 3})

    assert started == finished
    assert hash(started) == hash(finished)
    assert {started: "x"}[finished] == "x"
    assert Run("daily_users", "r2") != started
    assert Run("other", "r1") != started


def test_state_fields_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Run("daily_users", "r1", "running")  # type: ignore[misc]


def test_domain_types_are_frozen_and_slotted() -> None:
    run = Run("daily_users", "r1")

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        run.run_id = "r2"  # type: ignore[misc]
    assert not hasattr(run, "__dict__")
    assert attrs.evolve(run, status="failed").status == "failed"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Run("daily_users", 5),
        lambda: Run("daily_users", "r1", finished_at="soon"),
        lambda: Run("daily_users", "r1", inputs=["s3://x"]),
        lambda: Artifact(type="log", uri=None),
        lambda: UriInfo("users_raw", uri=5, format="csv", schema=None),
        lambda: SnapshotInfo("users_raw", "s1", "s3://x", schema="x"),
        lambda: Page([], next_cursor=None),
    ],
)
def test_a_field_of_the_wrong_type_is_rejected_at_construction(build: Any) -> None:
    with pytest.raises(TypeError):
        build()


def test_the_seeds_sentinel_works_as_written() -> None:
    sentinel = UriInfo("users_raw", uri="", format="", schema=None)

    assert sentinel == UriInfo.missing("users_raw")
    assert sentinel.snapshot_id is None
    assert not sentinel.found
    assert UriInfo("users_raw", uri="s3://b/k", format="csv", schema=None).found


def test_artifact_and_snapshot_match_the_seed() -> None:
    assert Artifact(type="log", uri="u") == Artifact("log", "u")
    snapshot = SnapshotInfo("users", "s1", "s3://b/k")
    assert (snapshot.table_name, snapshot.snapshot_id, snapshot.uri) == ("users", "s1", "s3://b/k")
    assert snapshot.format is None


def test_page_is_generic_and_defaults_to_the_last_page() -> None:
    page: Page[int] = Page((1, 2))

    assert page.items == (1, 2)
    assert page.next_cursor is None


def test_a_finished_run_converts_with_plain_dicts_and_tuples() -> None:
    run = domain.run(api.Run.from_dict(FINISHED_RUN_JSON))

    assert run.status == "succeeded"
    assert type(run.status) is str  # not the generated enum
    assert run.finished_at == datetime.datetime(2026, 11, 27, 1, 5, tzinfo=datetime.UTC)
    assert run.metadata == {"source": "s3"}
    assert type(run.metadata) is dict
    assert run.extra == {"rows": 1200}
    assert run.artifacts == (Artifact("log", "datlake://artifacts/jobs/daily_users/r1/run.log"),)
    assert [s.table_name for s in run.inputs] == ["users_raw"]
    assert run.outputs[0].schema == {"id": "int64", "email": "string"}
    assert run.parent_run_id is None


def test_fields_the_server_left_out_read_as_none() -> None:
    minimal = {k: v for k, v in RUN_JSON.items() if v is not None}

    run = domain.run(api.Run.from_dict(minimal))

    assert run.finished_at is None
    assert run.last_heartbeat_at is None
    assert run.lease_expires_at is None
    assert run.parent_run_id is None
    assert run.run_id == RUN_ID


def test_a_snapshot_converts_to_uri_info_and_snapshot_info() -> None:
    model = api.Snapshot.from_dict(RAW_SNAPSHOT_JSON)

    assert domain.uri_info(model) == UriInfo(
        "users_raw",
        uri=RAW_SNAPSHOT_JSON["uri"],
        format="csv",
        schema=None,
        snapshot_id=RAW_SNAPSHOT_JSON["snapshot_id"],
    )
    info = domain.snapshot(model)
    assert info.job_name == "ingest_users"
    assert info.created_at == datetime.datetime(2026, 11, 27, 0, 50, tzinfo=datetime.UTC)


def test_lineage_nodes_without_run_fields_convert_to_none() -> None:
    graph = domain.lineage_graph(api.LineageGraph.from_dict(LINEAGE_JSON))

    table, run, _ = graph.nodes
    assert (table.kind, table.job_name, table.run_id, table.status) == ("table", None, None, None)
    assert (run.kind, run.status) == ("run", "succeeded")
    assert [edge.kind for edge in graph.edges] == ["read", "wrote"]


def test_a_user_dict_becomes_a_free_form_body_field() -> None:
    body = api.StartRunRequest(metadata=domain.free_form({"a": {"b": [1, 2]}}))

    assert body.to_dict() == {"metadata": {"a": {"b": [1, 2]}}}
    assert api.StartRunRequest(metadata=domain.free_form(None)).to_dict() == {}
