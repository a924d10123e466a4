"""Checking events against OpenLineage: the JSON schemas of the spec (copied in schema/) and
the official `openlineage-python` models."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import referencing
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    error_message_run,
    parent_run,
    schema_dataset,
    storage_dataset,
)
from openlineage.client.serde import Serde

SCHEMA_DIR = Path(__file__).parent / "schema"
RUN_EVENT = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def _registry() -> referencing.Registry[Any]:
    documents = [json.loads(path.read_text()) for path in sorted(SCHEMA_DIR.glob("*.json"))]
    shipped = resources.files("datlake_sdk.openlineage").joinpath("schemas")
    documents += [
        json.loads(item.read_text()) for item in shipped.iterdir() if item.name.endswith(".json")
    ]
    resources_ = [referencing.Resource.from_contents(document) for document in documents]
    return referencing.Registry().with_resources((r.id(), r) for r in resources_)  # type: ignore[misc]


REGISTRY = _registry()


def schema_errors(document: Any, url: str) -> list[str]:
    """What keeps `document` from being valid against the schema at `url` (with formats)."""
    validator = jsonschema.Draft202012Validator(
        {"$ref": url}, registry=REGISTRY, format_checker=jsonschema.FormatChecker()
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def openlineage_errors(event: dict[str, Any]) -> list[str]:
    """The event against the RunEvent schema, and every facet against its own `_schemaURL`."""
    errors = schema_errors(event, RUN_EVENT)
    facets = [("run", event["run"].get("facets", {}))]
    for side in ("inputs", "outputs"):
        facets += [(f"{side}/{d['name']}", d.get("facets", {})) for d in event.get(side, [])]
    for where, named in facets:
        for name, facet in named.items():
            errors += [f"{where} {name} {e}" for e in schema_errors(facet, facet["_schemaURL"])]
    return errors


# the official facet classes of the standard facets the export writes
OFFICIAL_FACETS: dict[str, Any] = {
    "parent": lambda f: parent_run.ParentRunFacet(
        run=parent_run.Run(runId=f["run"]["runId"]),
        job=parent_run.Job(namespace=f["job"]["namespace"], name=f["job"]["name"]),
    ),
    "errorMessage": lambda f: error_message_run.ErrorMessageRunFacet(
        message=f["message"], programmingLanguage=f["programmingLanguage"]
    ),
    "schema": lambda f: schema_dataset.SchemaDatasetFacet(
        fields=[
            schema_dataset.SchemaDatasetFacetFields(name=x["name"], type=x["type"])
            for x in f["fields"]
        ]
    ),
    "version": lambda f: dataset_version_dataset.DatasetVersionDatasetFacet(
        datasetVersion=f["datasetVersion"]
    ),
    "storage": lambda f: storage_dataset.StorageDatasetFacet(
        storageLayer=f["storageLayer"], fileFormat=f.get("fileFormat")
    ),
}


def official_model(event: dict[str, Any]) -> RunEvent:
    """The event built with the official models (their validators check ids, times and URLs);
    each standard facet must carry the very `_schemaURL` the official class gives it."""

    def facets(named: dict[str, Any]) -> dict[str, Any]:
        built = {}
        for name, facet in named.items():
            if name in OFFICIAL_FACETS:
                model = OFFICIAL_FACETS[name](facet)
                assert facet["_schemaURL"] == model._schemaURL, name
                assert _without_empty(Serde.to_dict(model), facet), name
                built[name] = model
        return built

    return RunEvent(
        eventType=RunState(event["eventType"]),
        eventTime=event["eventTime"],
        producer=event["producer"],
        run=Run(runId=event["run"]["runId"], facets=facets(event["run"]["facets"])),
        job=Job(namespace=event["job"]["namespace"], name=event["job"]["name"]),
        inputs=[
            InputDataset(d["namespace"], d["name"], facets=facets(d["facets"]))
            for d in event["inputs"]
        ],
        outputs=[
            OutputDataset(d["namespace"], d["name"], facets=facets(d["facets"]))
            for d in event["outputs"]
        ],
    )


def _without_empty(official: Any, ours: Any) -> bool:
    """Whether the official serialisation says what ours says (the producer aside; the
    official one adds empty lists and objects for nested fields it does not use)."""
    if isinstance(official, dict):
        keys = {k for k, v in official.items() if v not in ([], {}) and k != "_producer"}
        theirs = {k for k in ours if k != "_producer"}
        return keys == theirs and all(_without_empty(official[k], ours[k]) for k in keys)
    if isinstance(official, list):
        return len(official) == len(ours) and all(map(_without_empty, official, ours))
    return bool(official == ours)
