"""The official OpenLineage client pointed at a local Datlake: its RunEvents become runs,
snapshots and input edges that the SDK and the lineage graph show, recorded once however
often an event is sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    error_message_run,
    parent_run,
    schema_dataset,
)
from openlineage.client.serde import Serde

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import Conflict, Err, Ok, ValidationError, get_lineage, get_run
from datlake_sdk.openlineage import EXTERNAL_JOB, ingest_openlineage

from ..server.datlake_e2e import API_KEY, assert_problem, checked_server, make_client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with checked_server(tmp_path_factory.mktemp("openlineage")) as url:
        yield url


@pytest.fixture(scope="module")
def official(server: str) -> OpenLineageClient:
    """The official client, configured as the README says."""
    return OpenLineageClient(
        config={
            "transport": {
                "type": "http",
                "url": server,
                "endpoint": "api/v1/openlineage",
                "auth": {"type": "api_key", "apiKey": API_KEY},
            }
        }
    )


@pytest.fixture(scope="module")
def sdk(server: str) -> Iterator[DatlakeClient]:
    with DatlakeClient(base_url=server, api_key=API_KEY, outbox="off") as client:
        yield client


def now() -> str:
    return datetime.now(UTC).isoformat()


def event(kind: str, run_id: str, job: str, **fields: Any) -> RunEvent:
    return RunEvent(
        eventType=RunState(kind),
        eventTime=now(),
        run=Run(runId=run_id, facets=fields.pop("facets", {})),
        job=Job(namespace="airflow", name=job),
        **fields,
    )


def schema(**types: str) -> dict[str, Any]:
    fields = [schema_dataset.SchemaDatasetFacetFields(name=k, type=v) for k, v in types.items()]
    return {"schema": schema_dataset.SchemaDatasetFacet(fields=fields)}


def test_the_official_clients_events_show_in_runs_and_lineage(
    official: OpenLineageClient, sdk: DatlakeClient
) -> None:
    tag = uuid.uuid4().hex[:8]
    load, clean = str(uuid.uuid4()), str(uuid.uuid4())
    raw = OutputDataset("s3://lake", f"raw/{tag}/users.csv", facets=schema(email="string"))
    official.emit(event("START", load, f"etl_{tag}.load"))
    official.emit(event("COMPLETE", load, f"etl_{tag}.load", outputs=[raw]))
    read = InputDataset("s3://lake", f"raw/{tag}/users.csv")
    out = OutputDataset("postgres://db:5432", f"public.users_{tag}")
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=load), job=parent_run.Job(namespace="airflow", name="etl.load")
    )
    official.emit(
        event("START", clean, f"etl_{tag}.clean", inputs=[read], facets={"parent": parent})
    )
    official.emit(event("COMPLETE", clean, f"etl_{tag}.clean", inputs=[read], outputs=[out]))

    loaded = get_run(sdk, f"etl_{tag}.load", uuid.UUID(load).hex)
    assert isinstance(loaded, Ok), loaded
    assert loaded.value.status == "succeeded"
    (written,) = loaded.value.outputs
    assert written.table_name == f"raw.{tag}.users.csv"
    assert written.uri == f"s3://lake/raw/{tag}/users.csv"
    assert written.schema == {"email": "string"}
    cleaned = get_run(sdk, f"etl_{tag}.clean", uuid.UUID(clean).hex)
    assert isinstance(cleaned, Ok), cleaned
    assert cleaned.value.parent_run_id == uuid.UUID(load).hex
    assert [s.snapshot_id for s in cleaned.value.inputs] == [written.snapshot_id]
    assert [s.uri for s in cleaned.value.outputs] == [f"postgres://db:5432/public.users_{tag}"]

    graph = get_lineage(sdk, f"public.users_{tag}", direction="upstream")
    assert isinstance(graph, Ok), graph
    edges = {(e.source, e.kind, e.target) for e in graph.value.edges}
    load_node = f"run:etl_{tag}.load/{uuid.UUID(load).hex}"
    clean_node = f"run:etl_{tag}.clean/{uuid.UUID(clean).hex}"
    assert edges == {
        (load_node, "wrote", f"table:raw.{tag}.users.csv"),
        (f"table:raw.{tag}.users.csv", "read", clean_node),
        (clean_node, "wrote", f"table:public.users_{tag}"),
    }


def test_the_same_event_twice_records_once(official: OpenLineageClient, sdk: DatlakeClient) -> None:
    tag = uuid.uuid4().hex[:8]
    run_id = str(uuid.uuid4())
    complete = event(
        "COMPLETE", run_id, f"job_{tag}",
        inputs=[InputDataset("file", f"/in/{tag}.csv")],
        outputs=[OutputDataset("file", f"/out/{tag}.csv")],
    )  # fmt: skip
    for _ in range(3):
        official.emit(complete)
    found = get_run(sdk, f"job_{tag}", uuid.UUID(run_id).hex)
    assert isinstance(found, Ok), found
    assert len(found.value.inputs) == 1
    assert len(found.value.outputs) == 1
    # the source nobody was seen writing got a snapshot written by a finished external run
    (source,) = found.value.inputs
    assert (source.table_name, source.job_name) == (f"in.{tag}.csv", EXTERNAL_JOB)
    external = get_run(sdk, EXTERNAL_JOB, str(source.run_id))
    assert isinstance(external, Ok)
    assert external.value.status == "succeeded"


def test_versions_link_a_reader_to_the_snapshot_written(
    official: OpenLineageClient, sdk: DatlakeClient
) -> None:
    tag = uuid.uuid4().hex[:8]
    writer, reader = str(uuid.uuid4()), str(uuid.uuid4())

    def version(v: str) -> dict[str, Any]:
        return {"version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=v)}

    name = f"warehouse.orders_{tag}"
    # the reader reports first: version 1 is a source until its writer reports it
    official.emit(event("COMPLETE", reader, f"read_{tag}",
                        inputs=[InputDataset("iceberg", name, facets=version("1"))]))  # fmt: skip
    official.emit(event("COMPLETE", writer, f"write_{tag}",
                        outputs=[OutputDataset("iceberg", name, facets=version("1")),
                                 OutputDataset("iceberg", name, facets=version("2"))]))  # fmt: skip
    read = get_run(sdk, f"read_{tag}", uuid.UUID(reader).hex)
    wrote = get_run(sdk, f"write_{tag}", uuid.UUID(writer).hex)
    assert isinstance(read, Ok)
    assert isinstance(wrote, Ok)
    (snapshot,) = read.value.inputs
    assert snapshot.snapshot_id == wrote.value.outputs[0].snapshot_id
    assert snapshot.job_name == f"write_{tag}"


def test_a_failed_run_keeps_its_error(official: OpenLineageClient, sdk: DatlakeClient) -> None:
    run_id = str(uuid.uuid4())
    error = error_message_run.ErrorMessageRunFacet(message="boom", programmingLanguage="python")
    official.emit(event("FAIL", run_id, "failing_job", facets={"errorMessage": error}))
    failed = get_run(sdk, "failing_job", uuid.UUID(run_id).hex)
    assert isinstance(failed, Ok)
    assert (failed.value.status, failed.value.extra) == ("failed", {"error": "boom"})
    # a COMPLETE contradicting it is refused; the same FAIL again is not
    again = ingest_openlineage(sdk, Serde.to_dict(event("FAIL", run_id, "failing_job")))
    assert isinstance(again, Ok)
    contradicts = ingest_openlineage(sdk, Serde.to_dict(event("COMPLETE", run_id, "failing_job")))
    assert isinstance(contradicts, Err)
    assert isinstance(contradicts.error, Conflict)
    assert contradicts.error.problem_type == "/problems/run-finished"


def test_the_sdk_sends_events_and_refuses_what_is_not_one(sdk: DatlakeClient) -> None:
    run_id = str(uuid.uuid4())
    sent = ingest_openlineage(sdk, Serde.to_dict(event("START", run_id, "sdk_sent")))
    assert isinstance(sent, Ok)
    assert (sent.value.run_id, sent.value.status) == (uuid.UUID(run_id).hex, "running")
    assert sent.value.metadata == {"openlineage": {"namespace": "airflow", "job": "sdk_sent"}}
    refused = ingest_openlineage(sdk, {"eventType": "START"})
    assert isinstance(refused, Err)
    assert isinstance(refused.error, ValidationError)
    other_job = ingest_openlineage(sdk, Serde.to_dict(event("START", run_id, "another_job")))
    assert isinstance(other_job, Err)
    assert other_job.error.problem_type == "/problems/id-conflict"


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (lambda e: e["run"].update(runId="not-a-uuid"), "runId"),
        (lambda e: e.pop("job"), "job"),
        (lambda e: e.update(eventType="FINISHED"), "eventType"),
        (lambda e: e["run"].update(facets={"datlake_run": {"run_id": "a b"}}), "run_id"),
    ],
)
def test_bad_events_are_problems(server: str, change: Any, detail: str) -> None:
    body = Serde.to_dict(event("START", str(uuid.uuid4()), "bad_events"))
    change(body)
    with make_client(server) as api:
        problem = assert_problem(api.post("/openlineage", json=body), 422, "invalid-body")
    assert detail in problem["detail"]


def test_ingest_needs_the_api_key(server: str) -> None:
    body = Serde.to_dict(event("START", str(uuid.uuid4()), "anonymous"))
    response = httpx.post(f"{server}/api/v1/openlineage", json=body)
    assert_problem(response, 401, "unauthorized")


ODD_FACETS: list[dict[str, Any]] = [
    {"datlake_run": "not an object", "parent": {"run": "x"}},
    {"datlake_run": {"metadata": [1], "extra": "x", "artifacts": [{"type": 1}, "x", {}]}},
    {"parent": {"run": {"runId": 7}, "job": {}}},
    {"errorMessage": {"message": ["not text"]}},
]
ODD_DATASETS: list[dict[str, Any]] = [
    {"datlake_snapshot": {"schema": [1, 2], "format": 3, "uri": ""}},
    {"schema": {"fields": [{"name": "a"}, {"type": "x"}, "junk"]}, "version": {}},
    {"version": {"datasetVersion": 12}, "storage": {"fileFormat": ""}},
    {"datlake_snapshot": {"snapshot_id": "bad id!"}},
]


@pytest.mark.parametrize("run_facets", ODD_FACETS)
@pytest.mark.parametrize("dataset_facets", ODD_DATASETS)
def test_odd_facets_are_recorded_or_refused_never_a_failure(
    server: str, run_facets: dict[str, Any], dataset_facets: dict[str, Any]
) -> None:
    dataset = {"namespace": "odd", "name": f"odd/{uuid.uuid4().hex[:6]}", "facets": dataset_facets}
    body = Serde.to_dict(event("FAIL", str(uuid.uuid4()), "odd_job"))
    body["run"]["facets"] = run_facets
    body["inputs"] = [dataset]
    body["outputs"] = [dataset]
    with make_client(server) as api:
        response = api.post("/openlineage", json=body)
    if response.status_code != 200:
        problem = assert_problem(response, 422, "invalid-body")
        assert "not a valid Datlake id" in problem["detail"]
