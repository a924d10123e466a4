"""The one mapping between Datlake and OpenLineage, both ways: a Datlake run becomes RunEvents
(`run_events`), and a RunEvent becomes what Datlake records (`plan_event`, which the local
Datlake's `POST /api/v1/openlineage` carries out). Plain JSON documents and the stdlib only.

- run ids: a 32-hex Datlake id is the UUID with those digits; any other id becomes a UUIDv5 of
  it, and the `datlake_run` run facet keeps the original (so a round trip restores it). An
  OpenLineage `runId` becomes its 32 hex digits.
- names: an OpenLineage job or dataset name becomes a valid Datlake name (`datlake_name`).
- datasets: a table exports as `(namespace, table name)` with `schema`, `version` (the snapshot
  id), `storage` (the format) and `datlake_snapshot` (everything about the snapshot) facets; a
  dataset `(namespace, name)` ingests as the table `datlake_name(name)`, its snapshot uri the
  facet's or `namespace/name`.

>>> datlake_name("raw data/users.csv")
'raw_data.users.csv'
>>> openlineage_run_id("3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b")
'3f2a9c1e-5b7d-4e0f-8a6b-2c4d6e8f0a1b'
>>> datlake_run_id("3f2a9c1e-5b7d-4e0f-8a6b-2c4d6e8f0a1b")
'3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b'
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from .._types import Run, SnapshotInfo

__all__ = [
    "DEFAULT_NAMESPACE",
    "EXTERNAL_JOB",
    "InputPlan",
    "RunPlan",
    "SnapshotPlan",
    "datlake_name",
    "datlake_run_id",
    "openlineage_run_id",
    "plan_event",
    "run_events",
]

Doc = dict[str, Any]

DEFAULT_NAMESPACE = "datlake"
# the job whose runs "wrote" the snapshots of tables read before Datlake saw them written
EXTERNAL_JOB = "openlineage.external"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FACET_SCHEMAS = {
    "parent": "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet",
    "errorMessage": (
        "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json"
        "#/$defs/ErrorMessageRunFacet"
    ),
    "schema": (
        "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
    ),
    "version": (
        "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json"
        "#/$defs/DatasetVersionDatasetFacet"
    ),
    "storage": (
        "https://openlineage.io/spec/facets/1-0-1/StorageDatasetFacet.json"
        "#/$defs/StorageDatasetFacet"
    ),
    # Datlake's own facets (their JSON schemas ship in this package, schemas/)
    "datlake_run": "urn:datlake-sdk:facets:1-0-0:DatlakeRunFacet.json#/$defs/DatlakeRunFacet",
    "datlake_snapshot": (
        "urn:datlake-sdk:facets:1-0-0:DatlakeSnapshotDatasetFacet.json"
        "#/$defs/DatlakeSnapshotDatasetFacet"
    ),
}
# UUIDv5 namespace of the ids this mapping derives (fixed: derived ids must never change)
_IDS = uuid.UUID("5b0e6f3c-0c1a-4d7e-9a51-2f3d0c8b9e47")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_TERMINAL = {"COMPLETE": "succeeded", "FAIL": "failed", "ABORT": "failed"}


def producer() -> str:
    """The `producer` URI of the events this SDK makes: `urn:datlake-sdk:<version>`."""
    try:
        return f"urn:datlake-sdk:{metadata.version('datlake-sdk')}"
    except metadata.PackageNotFoundError:
        return "urn:datlake-sdk:unknown"


# --- names and ids ---------------------------------------------------------------------------


def datlake_name(name: str) -> str:
    """A valid Datlake job or table name for an OpenLineage job or dataset name: a name that is
    valid stays as it is; otherwise a leading `/` goes, `/` becomes `.`, other characters than
    letters, digits, `.`, `_`, `-` become `_`, and a name still too long or empty ends in a
    digest of the original.

    >>> datlake_name("sales.daily_users"), datlake_name("/data/raw/users.csv")
    ('sales.daily_users', 'data.raw.users.csv')
    """
    if _NAME.fullmatch(name):
        return name
    text = re.sub(r"[^A-Za-z0-9._-]", "_", name.strip("/").replace("/", "."))
    text = text.lstrip("._-")
    if _NAME.fullmatch(text):
        return text
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{text[:111]}-{digest}" if text else f"dataset-{digest}"


def openlineage_run_id(run_id: str) -> str:
    """The OpenLineage `runId` (a UUID) of a Datlake run id."""
    if _HEX32.fullmatch(run_id):
        return str(uuid.UUID(hex=run_id))
    return str(uuid.uuid5(_IDS, f"run:{run_id}"))


def datlake_run_id(run_id: str) -> str:
    """The Datlake run id of an OpenLineage `runId`: its 32 lowercase hex digits."""
    return uuid.UUID(run_id).hex


def _derived_id(*parts: str) -> str:
    return uuid.uuid5(_IDS, "\x1f".join(parts)).hex


# --- Datlake -> OpenLineage ------------------------------------------------------------------


def run_events(
    run: Run,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    parent_job: str | None = None,
) -> list[Doc]:
    """The RunEvents of a Datlake run (as `get_run` or `list_runs` return it): `START` with its
    inputs, then `COMPLETE` or `FAIL` (a running or lost run: `RUNNING`) with its inputs and
    outputs. The job is `(namespace, run.job_name)`; the `parent` run facet needs the parent's
    job name (`parent_job`), the `datlake_run` facet keeps the parent's id in any case.

    >>> events = run_events(Run("daily", "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b", status="succeeded"))
    >>> [event["eventType"] for event in events]
    ['START', 'COMPLETE']
    """
    started = _time(run.created_at)
    terminal = {"succeeded": "COMPLETE", "failed": "FAIL"}.get(run.status or "", "RUNNING")
    ended = _time(run.finished_at) if terminal != "RUNNING" else _time(None)
    run_facets: Doc = {
        "datlake_run": _facet(
            "datlake_run",
            run_id=run.run_id,
            parent_run_id=run.parent_run_id,
            metadata=dict(run.metadata or {}),
            extra=dict(run.extra or {}),
            artifacts=[{"type": a.type, "uri": a.uri} for a in run.artifacts],
        )
    }
    if run.parent_run_id is not None and parent_job is not None:
        run_facets["parent"] = _facet(
            "parent",
            run={"runId": openlineage_run_id(run.parent_run_id)},
            job={"namespace": namespace, "name": parent_job},
        )
    inputs = [_dataset(snapshot, namespace) for snapshot in run.inputs]
    outputs = [_dataset(snapshot, namespace) for snapshot in run.outputs]
    end_facets = dict(run_facets)
    if terminal == "FAIL":
        end_facets["errorMessage"] = _facet(
            "errorMessage",
            message=_error_message((run.extra or {}).get("error")),
            programmingLanguage="python",
        )

    def event(kind: str, when: str, facets: Doc, ins: list[Doc], outs: list[Doc]) -> Doc:
        return {
            "eventType": kind,
            "eventTime": when,
            "producer": producer(),
            "schemaURL": SCHEMA_URL,
            "run": {"runId": openlineage_run_id(run.run_id), "facets": facets},
            "job": {"namespace": namespace, "name": run.job_name},
            "inputs": ins,
            "outputs": outs,
        }

    return [
        event("START", started, run_facets, inputs, []),
        event(terminal, ended, end_facets, inputs, outputs),
    ]


def _facet(name: str, **fields: Any) -> Doc:
    values = {key: value for key, value in fields.items() if value is not None}
    return {"_producer": producer(), "_schemaURL": FACET_SCHEMAS[name], **values}


def _time(moment: datetime.datetime | None) -> str:
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _error_message(error: Any) -> str:
    if isinstance(error, str) and error:
        return error
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        kind = error.get("type")
        return f"{kind}: {error['message']}" if isinstance(kind, str) else str(error["message"])
    return "the run failed" if error is None else json.dumps(error, sort_keys=True, default=str)


def _dataset(snapshot: SnapshotInfo, namespace: str) -> Doc:
    facets: Doc = {}
    if snapshot.schema:
        facets["schema"] = _facet(
            "schema",
            fields=[{"name": str(k), "type": _type_text(v)} for k, v in snapshot.schema.items()],
        )
    facets["version"] = _facet("version", datasetVersion=snapshot.snapshot_id)
    if snapshot.format:
        facets["storage"] = _facet("storage", storageLayer="datlake", fileFormat=snapshot.format)
    facets["datlake_snapshot"] = _facet(
        "datlake_snapshot",
        snapshot_id=snapshot.snapshot_id,
        uri=snapshot.uri,
        format=snapshot.format,
        schema=None if snapshot.schema is None else dict(snapshot.schema),
        job_name=snapshot.job_name,
        run_id=snapshot.run_id,
    )
    return {"namespace": namespace, "name": snapshot.table_name, "facets": facets}


def _type_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


# --- OpenLineage -> Datlake ------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotPlan:
    """A snapshot to record (or find: same id, same content) and the run that wrote it."""

    snapshot_id: str
    table_name: str
    uri: str
    format: str
    schema: Doc | None
    job_name: str
    run_id: str


@dataclass(frozen=True)
class InputPlan:
    """What an input dataset reads: the snapshot `snapshot_id` names when there is one, else
    (`writer`) a snapshot to record first, else the table's newest, else `external`."""

    table_name: str
    snapshot_id: str | None
    writer: SnapshotPlan | None
    external: SnapshotPlan


@dataclass(frozen=True)
class RunPlan:
    """What one RunEvent records: the run (created if new), its outputs, its inputs, and its
    outcome (`succeeded`, `failed`, or `None` for an event that does not end the run)."""

    job_name: str
    run_id: str
    metadata: Doc
    parent_run_id: str | None
    outputs: list[SnapshotPlan] = field(default_factory=list)
    inputs: list[InputPlan] = field(default_factory=list)
    outcome: str | None = None
    extra: Doc = field(default_factory=dict)
    artifacts: list[Doc] = field(default_factory=list)


def plan_event(event: Mapping[str, Any]) -> RunPlan:
    """What Datlake records for a RunEvent already valid against the contract's schema
    (`ValueError` for what the schema cannot say: a `runId` that is no UUID).

    >>> plan = plan_event({"eventType": "COMPLETE", "run": {"runId": str(uuid.UUID(int=1))},
    ...                    "job": {"namespace": "airflow", "name": "dag/task"},
    ...                    "outputs": [{"namespace": "s3://lake", "name": "out/users.csv"}]})
    >>> plan.job_name, plan.run_id, plan.outcome, plan.outputs[0].uri
    ('dag.task', '00000000000000000000000000000001', 'succeeded', 's3://lake/out/users.csv')
    """
    run, job = event["run"], event["job"]
    facets = _object(run.get("facets"))
    own = _object(facets.get("datlake_run"))
    run_id = _text(own.get("run_id")) or datlake_run_id(str(run["runId"]))
    parent = _object(facets.get("parent"))
    parent_run_id = _text(own.get("parent_run_id"))
    if parent_run_id is None and isinstance(_object(parent.get("run")).get("runId"), str):
        parent_run_id = datlake_run_id(parent["run"]["runId"])
    job_name = datlake_name(str(job["name"]))
    metadata = own.get("metadata")
    plan = RunPlan(
        job_name=job_name,
        run_id=run_id,
        metadata=dict(metadata)
        if isinstance(metadata, Mapping)
        else {"openlineage": {"namespace": job["namespace"], "job": job["name"]}},
        parent_run_id=parent_run_id,
        outcome=_TERMINAL.get(str(event.get("eventType"))),
    )
    plan.outputs.extend(_output(d, job_name, run_id) for d in event.get("outputs") or [])
    plan.inputs.extend(_input(d) for d in event.get("inputs") or [])
    if plan.outcome is not None:
        extra, artifacts = own.get("extra"), own.get("artifacts")
        if isinstance(extra, Mapping):
            plan.extra.update(extra)
        elif plan.outcome == "failed":
            message = _object(facets.get("errorMessage")).get("message")
            plan.extra["error"] = message if isinstance(message, str) else event["eventType"]
        if isinstance(artifacts, list):
            plan.artifacts.extend(
                {"type": a["type"], "uri": a["uri"]}
                for a in artifacts
                if isinstance(a, Mapping) and _text(a.get("type")) and _text(a.get("uri"))
            )
    return plan


def _output(dataset: Mapping[str, Any], job_name: str, run_id: str) -> SnapshotPlan:
    namespace, name = str(dataset["namespace"]), str(dataset["name"])
    own = _object(_object(dataset.get("facets")).get("datlake_snapshot"))
    version = _version(dataset)
    snapshot_id = _text(own.get("snapshot_id")) or _derived_id(
        "snapshot", namespace, name, version or f"run:{run_id}"
    )
    return _snapshot(dataset, snapshot_id, job_name, run_id)


def _input(dataset: Mapping[str, Any]) -> InputPlan:
    namespace, name = str(dataset["namespace"]), str(dataset["name"])
    own = _object(_object(dataset.get("facets")).get("datlake_snapshot"))
    version = _version(dataset)
    snapshot_id = _text(own.get("snapshot_id"))
    if snapshot_id is None and version is not None:
        snapshot_id = _derived_id("snapshot", namespace, name, version)
    writer = None
    writer_job, writer_run = _text(own.get("job_name")), _text(own.get("run_id"))
    if snapshot_id is not None and writer_job is not None and writer_run is not None:
        writer = _snapshot(dataset, snapshot_id, writer_job, writer_run)
    external_run = _derived_id("external", namespace, name, version or "")
    external = _snapshot(
        dataset, snapshot_id or _derived_id("external-snapshot", namespace, name), EXTERNAL_JOB,
        external_run,
    )  # fmt: skip
    return InputPlan(datlake_name(name), snapshot_id, writer, external)


def _snapshot(
    dataset: Mapping[str, Any], snapshot_id: str, job_name: str, run_id: str
) -> SnapshotPlan:
    namespace, name = str(dataset["namespace"]), str(dataset["name"])
    facets = _object(dataset.get("facets"))
    own = _object(facets.get("datlake_snapshot"))
    schema = _schema(own.get("schema"), _schema_of(facets.get("schema")))
    return SnapshotPlan(
        snapshot_id=snapshot_id,
        table_name=datlake_name(name),
        uri=_text(own.get("uri")) or f"{namespace.rstrip('/')}/{name.lstrip('/')}",
        format=_text(own.get("format"))
        or _text(_object(facets.get("storage")).get("fileFormat"))
        or "openlineage",
        schema=dict(schema) if isinstance(schema, Mapping) else None,
        job_name=job_name,
        run_id=run_id,
    )


def _version(dataset: Mapping[str, Any]) -> str | None:
    return _text(_object(_object(dataset.get("facets")).get("version")).get("datasetVersion"))


def _schema(exact: Any, standard: Doc | None) -> Doc | None:
    """The `datlake_snapshot` facet's schema (exact types) in the `schema` facet's column
    order (JSON serialisers that sort keys, as the official client's does, lose it)."""
    if not isinstance(exact, Mapping):
        return standard
    ordered = {name: exact[name] for name in standard or {} if name in exact}
    return {**ordered, **exact}


def _schema_of(facet: Any) -> Doc | None:
    fields = _object(facet).get("fields")
    if not isinstance(fields, list):
        return None
    schema = {
        str(f["name"]): f.get("type") for f in fields if isinstance(f, Mapping) and "name" in f
    }
    return schema or None


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
