"""The contract itself: openapi/datlake.yaml states what DESIGN.md section 3 promises."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi" / "datlake.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# DESIGN.md section 3 (and list_jobs, list_tables of v1.3): operationId -> (method, path)
OPERATIONS = {
    "list_jobs": ("get", "/api/v1/jobs"),
    "start_run": ("post", "/api/v1/jobs/{job_name}/runs"),
    "list_runs": ("get", "/api/v1/jobs/{job_name}/runs"),
    "get_run": ("get", "/api/v1/jobs/{job_name}/runs/{run_id}"),
    "complete_run": ("put", "/api/v1/jobs/{job_name}/runs/{run_id}/complete"),
    "heartbeat": ("post", "/api/v1/jobs/{job_name}/runs/{run_id}/heartbeat"),
    "post_event": ("post", "/api/v1/jobs/{job_name}/runs/{run_id}/events"),
    "list_events": ("get", "/api/v1/jobs/{job_name}/runs/{run_id}/events"),
    "post_telemetry": ("post", "/api/v1/jobs/{job_name}/runs/{run_id}/telemetry"),
    "list_metrics": ("get", "/api/v1/jobs/{job_name}/runs/{run_id}/metrics"),
    "get_run_log": ("get", "/api/v1/jobs/{job_name}/runs/{run_id}/log"),
    "register_snapshot": ("post", "/api/v1/jobs/register-snapshot"),
    "fetch_latest_uri": ("get", "/api/v1/tables/{table}/snapshots/latest"),
    "list_snapshots": ("get", "/api/v1/tables/{table}/snapshots"),
    "list_tables": ("get", "/api/v1/tables"),
    "get_lineage": ("get", "/api/v1/lineage"),
    "ingest_openlineage": ("post", "/api/v1/openlineage"),
    "upload_object": ("put", "/api/v1/datasets/{bucket}/{object}"),
    "download_object": ("get", "/api/v1/datasets/{bucket}/{object}"),
    "get_health": ("get", "/api/v1/health"),
}


def resolve(node: Any) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(method, path, operation, path item) for every operation in the spec."""
    for path, item in SPEC["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method], item


def op_id(params: tuple[str, str, dict[str, Any], dict[str, Any]]) -> str:
    return str(params[2]["operationId"])


OPS = list(operations())


def parameters(op: Mapping[str, Any], item: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [resolve(p) for p in [*item.get("parameters", []), *op.get("parameters", [])]]


def validator(schema: Mapping[str, Any]) -> OAS30Validator:
    """An OAS 3.0 validator for a schema taken from the spec, its `#/components` refs included."""
    return OAS30Validator(
        {**schema, "components": SPEC["components"]}, format_checker=oas30_format_checker
    )


def test_spec_validates() -> None:
    spec_dict, base_uri = read_from_filename(str(SPEC_PATH))
    validate(spec_dict, base_uri=base_uri)


def test_every_design_operation_exists_at_its_method_and_path() -> None:
    found = {op["operationId"]: (method, path) for method, path, op, _ in OPS}
    assert found == OPERATIONS


@pytest.mark.parametrize("operation", OPS, ids=op_id)
def test_operation_has_request_and_success_examples(operation: Any) -> None:
    _, _, op, _ = operation
    body = resolve(op.get("requestBody"))
    if body is not None:
        for media_type, media in body["content"].items():
            assert "example" in media or "examples" in media, f"request body {media_type}"
    success = sorted(s for s in map(str, op["responses"]) if s.startswith("2"))
    assert success, "no success response"
    response = resolve(op["responses"][success[0]])
    for media_type, media in response.get("content", {}).items():
        assert "example" in media or "examples" in media, f"response {success[0]} {media_type}"


def examples(node: Any, where: str = "") -> Iterator[tuple[str, Mapping[str, Any], Any]]:
    """(where, schema, example) for every example written in the spec.

    Parameter, header and media type objects carry `schema` beside `example`/`examples`;
    a schema may carry its own `example`. The shared `x-examples` values are only used
    through YAML aliases, so they are checked where they are used.
    """
    if isinstance(node, list):
        for i, child in enumerate(node):
            yield from examples(child, f"{where}/{i}")
        return
    if not isinstance(node, Mapping):
        return
    if "schema" in node and isinstance(node["schema"], Mapping):
        if "example" in node:
            yield where, node["schema"], node["example"]
        for name, ex in (node.get("examples") or {}).items():
            yield f"{where}/examples/{name}", node["schema"], resolve(ex)["value"]
    elif "example" in node and ("type" in node or "properties" in node):
        yield where, {k: v for k, v in node.items() if k != "example"}, node["example"]
    for key, child in node.items():
        if key not in ("example", "examples", "x-examples"):
            yield from examples(child, f"{where}/{key}")


EXAMPLES = list(examples(SPEC))


def test_the_example_walk_finds_the_spec_examples() -> None:
    # every operation's success body, the request bodies, the error responses, the parameters
    assert len(EXAMPLES) > 30


@pytest.mark.parametrize(("where", "schema", "example"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_validates_against_its_schema(
    where: str, schema: Mapping[str, Any], example: Any
) -> None:
    validator(schema).validate(example)


def test_the_validator_used_for_examples_catches_a_bad_example() -> None:
    run_schema = {"$ref": "#/components/schemas/Run"}
    bad = copy.deepcopy(SPEC["x-examples"]["RunningRun"]["value"])
    validator(run_schema).validate(bad)
    bad["status"] = "sleeping"
    with pytest.raises(ValidationError):
        validator(run_schema).validate(bad)
    del bad["inputs"]
    bad["status"] = "running"
    with pytest.raises(ValidationError):
        validator(run_schema).validate(bad)


def test_bearer_auth_everywhere_but_health() -> None:
    scheme = SPEC["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for _, _, op, _ in OPS:
        security = op.get("security", SPEC.get("security"))
        if op["operationId"] == "get_health":
            assert security == [], "get_health must need no auth"
        else:
            assert security == [{"bearerAuth": []}], op["operationId"]
            assert "401" in op["responses"], op["operationId"]


def test_every_error_response_is_problem_json() -> None:
    problem = SPEC["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "request_id"} <= set(problem["required"])
    for _, _, op, _ in OPS:
        for status, raw in op["responses"].items():
            if str(status) == "default" or int(status) >= 400:
                content = resolve(raw)["content"]
                assert set(content) == {"application/problem+json"}, (op["operationId"], status)
                schema = content["application/problem+json"]["schema"]
                assert resolve(schema) is problem, (op["operationId"], status)


@pytest.mark.parametrize("operation_id", ["start_run", "register_snapshot"])
def test_idempotency_key_header(operation_id: str) -> None:
    method, path = OPERATIONS[operation_id]
    item = SPEC["paths"][path]
    headers = {p["name"] for p in parameters(item[method], item) if p["in"] == "header"}
    assert "Idempotency-Key" in headers


@pytest.mark.parametrize("operation", OPS, ids=op_id)
def test_request_id_in_every_request_and_response(operation: Any) -> None:
    _, _, op, item = operation
    headers = {p["name"] for p in parameters(op, item) if p["in"] == "header"}
    assert "X-Request-Id" in headers
    for status, raw in op["responses"].items():
        assert "X-Request-Id" in resolve(raw).get("headers", {}), f"response {status}"


GOOD_NAMES = ["sales.daily_users", "a", "daily_users", "users-raw.v2", "A1"]
GOOD_OBJECTS = ["jobs/x/run.log", "a", "run.log", ".hidden/x", "a/...", "a..b/c", "x" * 1024]
GOOD_BUCKETS = ["artifacts", "abc", "my-bucket.v1", "0ab"]
BAD_COMMON = ["", "..", "a/../b", "/abs", "a\\b", "a\x00b", "a//b", "a/", "./a", "a/./b", "."]
BAD_NAMES = [*BAD_COMMON, "_a", "a b", "a" * 129, "-a"]
BAD_OBJECTS = [*BAD_COMMON, "x" * 1025, "a/..", "../a"]
BAD_BUCKETS = [*BAD_COMMON, "Bad_Bucket", "ab", "-ab", "ab-", "a" * 64, "UPPER"]


def schema_of(name: str) -> OAS30Validator:
    return validator({"$ref": f"#/components/schemas/{name}"})


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ("Name", GOOD_NAMES, BAD_NAMES),
        ("ObjectName", GOOD_OBJECTS, BAD_OBJECTS),
        ("BucketName", GOOD_BUCKETS, BAD_BUCKETS),
    ],
)
def test_name_patterns(schema: str, good: list[str], bad: list[str]) -> None:
    check = schema_of(schema)
    assert [n for n in good if not check.is_valid(n)] == []
    assert [n for n in bad if check.is_valid(n)] == []


def test_path_parameters_use_the_name_schemas() -> None:
    params = SPEC["components"]["parameters"]
    assert params["JobName"]["schema"] == {"$ref": "#/components/schemas/Name"}
    assert params["Table"]["schema"] == {"$ref": "#/components/schemas/Name"}
    assert params["Bucket"]["schema"] == {"$ref": "#/components/schemas/BucketName"}
    assert params["ObjectName"]["schema"] == {"$ref": "#/components/schemas/ObjectName"}
