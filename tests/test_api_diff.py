"""scripts/api_diff.py: every breaking and additive kind, on mutated copies of the real spec."""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "api_diff.py"
SPEC_TEXT = (ROOT / "openapi" / "datlake.yaml").read_text(encoding="utf-8")
SPEC: dict[str, Any] = yaml.safe_load(SPEC_TEXT)


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_diff", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["api_diff"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


api_diff = _load_script()

RUNS = "/api/v1/jobs/{job_name}/runs"
RUN = "/api/v1/jobs/{job_name}/runs/{run_id}"
EVENTS = "/api/v1/jobs/{job_name}/runs/{run_id}/events"
HEARTBEAT = "/api/v1/jobs/{job_name}/runs/{run_id}/heartbeat"
SCHEMAS = "components", "schemas"


def changed(mutate: Callable[[dict[str, Any]], object], old: dict[str, Any] | None = None) -> Any:
    """diff_specs(old, mutated copy of old); old defaults to the real spec."""
    old = copy.deepcopy(SPEC if old is None else old)
    new = copy.deepcopy(old)
    mutate(new)
    return api_diff.diff_specs(old, new)


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    result: dict[str, Any] = spec["components"]["schemas"][name]
    return result


def found(changes: list[Any]) -> set[tuple[str, str]]:
    return {(c.kind, c.location) for c in changes}


def test_same_spec_has_no_changes() -> None:
    report = api_diff.diff_specs(SPEC, copy.deepcopy(SPEC))
    assert report.breaking == []
    assert report.additive == []
    assert not report.is_breaking


# breaking -----------------------------------------------------------------------------------


def test_removed_operation() -> None:
    report = changed(lambda s: s["paths"][RUNS].pop("get"))
    assert found(report.breaking) == {("removed-operation", f"GET {RUNS}")}
    assert report.additive == []


def test_removed_path_removes_all_its_operations() -> None:
    report = changed(lambda s: s["paths"].pop(EVENTS))
    assert found(report.breaking) == {
        ("removed-operation", f"GET {EVENTS}"),
        ("removed-operation", f"POST {EVENTS}"),
    }


def test_operation_id_gone_is_a_removed_operation() -> None:
    def rename(s: dict[str, Any]) -> None:
        s["paths"][RUNS]["post"]["operationId"] = "begin_run"

    report = changed(rename)
    assert found(report.breaking) == {("removed-operation", f"POST {RUNS}")}
    assert "start_run" in report.breaking[0].message
    assert "begin_run" in report.breaking[0].message


def test_changed_path_is_reported_as_such() -> None:
    def move(s: dict[str, Any]) -> None:
        s["paths"]["/api/v1/healthz"] = s["paths"].pop("/api/v1/health")

    report = changed(move)
    assert found(report.breaking) == {("changed-path", "operation get_health")}
    assert "GET /api/v1/health to GET /api/v1/healthz" in report.breaking[0].message
    assert report.additive == []  # not also a new operation


def test_changed_method_is_a_changed_path() -> None:
    def move(s: dict[str, Any]) -> None:
        s["paths"][HEARTBEAT]["put"] = s["paths"][HEARTBEAT].pop("post")

    report = changed(move)
    assert found(report.breaking) == {("changed-path", "operation heartbeat")}


def test_moved_operation_is_still_compared() -> None:
    def move_and_drop_status(s: dict[str, Any]) -> None:
        s["paths"]["/api/v1/healthz"] = s["paths"].pop("/api/v1/health")
        del s["paths"]["/api/v1/healthz"]["get"]["responses"]["503"]

    report = changed(move_and_drop_status)
    assert ("removed-status-code", "GET /api/v1/healthz response 503") in found(report.breaking)


def test_removed_response_field_through_refs_and_arrays() -> None:
    report = changed(lambda s: schema(s, "Run")["properties"].pop("status"))
    locations = found(report.breaking)
    assert ("removed-response-field", f"GET {RUNS} response 200 field items[].status") in locations
    assert ("removed-response-field", f"GET {RUN} response 200 field status") in locations
    assert ("removed-response-field", f"POST {RUNS} response 201 field status") in locations
    assert {c.kind for c in report.breaking} == {"removed-response-field"}


def test_removed_nested_response_field() -> None:
    report = changed(lambda s: schema(s, "Snapshot")["properties"].pop("uri"))
    locations = found(report.breaking)
    assert ("removed-response-field", f"GET {RUNS} response 200 field items[].inputs[].uri") in (
        locations
    )
    assert ("removed-response-field", f"GET {RUN} response 200 field outputs[].uri") in locations


def test_removed_field_in_an_inline_nested_object() -> None:
    def nest(s: dict[str, Any]) -> None:
        schema(s, "Health")["properties"]["build"] = {
            "type": "object",
            "properties": {"commit": {"type": "string"}, "date": {"type": "string"}},
        }

    old = copy.deepcopy(SPEC)
    nest(old)
    report = changed(
        lambda s: schema(s, "Health")["properties"]["build"]["properties"].pop("date"), old
    )
    assert found(report.breaking) == {
        ("removed-response-field", "GET /api/v1/health response 200 field build.date")
    }


def test_new_required_request_field() -> None:
    def add(s: dict[str, Any]) -> None:
        start = schema(s, "StartRunRequest")
        start["properties"]["owner"] = {"type": "string"}
        start["required"] = ["owner"]

    report = changed(add)
    assert found(report.breaking) == {
        ("new-required-field", f"POST {RUNS} request body field owner")
    }


def test_optional_request_field_made_required() -> None:
    report = changed(lambda s: schema(s, "StartRunRequest").update(required=["parent_run_id"]))
    assert found(report.breaking) == {
        ("new-required-field", f"POST {RUNS} request body field parent_run_id")
    }


def test_optional_request_body_made_required() -> None:
    report = changed(lambda s: s["paths"][HEARTBEAT]["post"]["requestBody"].update(required=True))
    assert found(report.breaking) == {("new-required-field", f"POST {HEARTBEAT} request body")}


def test_new_required_request_body() -> None:
    old = copy.deepcopy(SPEC)
    body = old["paths"][HEARTBEAT]["post"].pop("requestBody")
    report = changed(lambda s: s["paths"][HEARTBEAT]["post"].update(requestBody=body), old)
    assert report.breaking == []  # the body is optional
    assert found(report.additive) == {("new-optional-field", f"POST {HEARTBEAT} request body")}

    body = {**body, "required": True}
    report = changed(lambda s: s["paths"][HEARTBEAT]["post"].update(requestBody=body), old)
    assert found(report.breaking) == {("new-required-field", f"POST {HEARTBEAT} request body")}


def test_new_required_parameter() -> None:
    def add(s: dict[str, Any]) -> None:
        s["paths"][RUNS]["get"]["parameters"].append(
            {"name": "since", "in": "query", "required": True, "schema": {"type": "string"}}
        )

    report = changed(add)
    assert found(report.breaking) == {
        ("new-required-parameter", f"GET {RUNS} query parameter since")
    }


def test_new_required_header_parameter() -> None:
    def add(s: dict[str, Any]) -> None:
        s["paths"]["/api/v1/lineage"]["get"]["parameters"].append(
            {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}}
        )

    report = changed(add)
    assert found(report.breaking) == {
        ("new-required-parameter", "GET /api/v1/lineage header parameter X-Tenant")
    }


def test_optional_parameter_made_required() -> None:
    def require(s: dict[str, Any]) -> None:
        params = s["paths"]["/api/v1/tables/{table}/snapshots/latest"]["get"]["parameters"]
        params[1]["required"] = True  # job_name

    report = changed(require)
    assert found(report.breaking) == {
        (
            "new-required-parameter",
            "GET /api/v1/tables/{table}/snapshots/latest query parameter job_name",
        )
    }


def test_narrowed_enum_in_request_and_response() -> None:
    # RunStatus is the list_runs `status` query parameter and every run's `status`
    report = changed(lambda s: schema(s, "RunStatus")["enum"].remove("lost"))
    locations = found(report.breaking)
    assert ("narrowed-enum", f"GET {RUNS} query parameter status") in locations
    assert ("narrowed-enum", f"GET {RUNS} response 200 field items[].status") in locations
    assert ("narrowed-enum", f"POST {HEARTBEAT} response 200 field status") in locations
    assert {c.kind for c in report.breaking} == {"narrowed-enum"}
    assert "lost" in report.breaking[0].message


def test_narrowed_request_body_enum() -> None:
    report = changed(lambda s: schema(s, "EventKind")["enum"].remove("metric"))
    assert ("narrowed-enum", f"POST {EVENTS} request body field kind") in found(report.breaking)


def test_narrowed_response_only_enum() -> None:
    report = changed(lambda s: schema(s, "LineageEdge")["properties"]["kind"]["enum"].pop())
    assert found(report.breaking) == {
        ("narrowed-enum", "GET /api/v1/lineage response 200 field edges[].kind")
    }


def test_changed_type_of_parameter() -> None:
    def retype(s: dict[str, Any]) -> None:
        s["components"]["parameters"]["Limit"]["schema"]["type"] = "string"

    report = changed(retype)
    assert ("changed-type", f"GET {RUNS} query parameter limit") in found(report.breaking)
    assert "integer to string" in report.breaking[0].message


def test_changed_type_of_request_field() -> None:
    def retype(s: dict[str, Any]) -> None:
        schema(s, "HeartbeatRequest")["properties"]["lease_seconds"]["type"] = "number"

    report = changed(retype)
    assert found(report.breaking) == {
        ("changed-type", f"POST {HEARTBEAT} request body field lease_seconds")
    }


def test_changed_format_of_response_field() -> None:
    def reformat(s: dict[str, Any]) -> None:
        schema(s, "ObjectReceipt")["properties"]["size"]["format"] = "int32"

    report = changed(reformat)
    assert found(report.breaking) == {
        ("changed-type", "PUT /api/v1/datasets/{bucket}/{object} response 201 field size")
    }
    assert "int64" in report.breaking[0].message


def test_response_field_that_may_now_be_null_is_a_changed_type() -> None:
    report = changed(lambda s: schema(s, "Health")["properties"]["version"].update(nullable=True))
    assert found(report.breaking) == {
        ("changed-type", "GET /api/v1/health response 200 field version")
    }


def test_removed_status_code() -> None:
    report = changed(lambda s: s["paths"][RUN]["get"]["responses"].pop("404"))
    assert found(report.breaking) == {("removed-status-code", f"GET {RUN} response 404")}


def test_removed_parameter_request_field_and_media_type() -> None:
    def remove(s: dict[str, Any]) -> None:
        s["paths"][RUNS]["get"]["parameters"].pop(0)  # status
        schema(s, "CompleteRunRequest")["properties"].pop("extra")
        s["paths"][RUNS]["post"]["responses"]["201"]["content"]["application/x-ndjson"] = s[
            "paths"
        ][RUNS]["post"]["responses"]["201"]["content"].pop("application/json")

    report = changed(remove)
    complete = "PUT /api/v1/jobs/{job_name}/runs/{run_id}/complete"
    assert found(report.breaking) == {
        ("removed-parameter", f"GET {RUNS} query parameter status"),
        ("removed-request-field", f"{complete} request body field extra"),
        ("removed-media-type", f"POST {RUNS} response 201 (application/json)"),
    }
    assert found(report.additive) == {
        ("new-media-type", f"POST {RUNS} response 201 (application/x-ndjson)")
    }


def test_response_field_no_longer_required() -> None:
    report = changed(lambda s: schema(s, "Health")["required"].remove("version"))
    assert found(report.breaking) == {
        ("response-field-now-optional", "GET /api/v1/health response 200 field version")
    }


def test_widened_response_enum_breaks_older_clients() -> None:
    report = changed(
        lambda s: schema(s, "Health")["properties"]["status"]["enum"].append("degraded")
    )
    assert found(report.breaking) == {
        ("widened-response-enum", "GET /api/v1/health response 200 field status")
    }


# additive -----------------------------------------------------------------------------------


def assert_only_additive(report: Any, expected: set[tuple[str, str]]) -> None:
    assert report.breaking == []
    assert found(report.additive) == expected


def test_new_operation() -> None:
    def add(s: dict[str, Any]) -> None:
        s["paths"][RUN]["delete"] = {
            "operationId": "delete_run",
            "responses": {"204": {"description": "deleted"}},
        }

    assert_only_additive(changed(add), {("new-operation", f"DELETE {RUN}")})


def test_new_optional_parameter() -> None:
    def add(s: dict[str, Any]) -> None:
        s["paths"][RUNS]["get"]["parameters"].append(
            {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}}
        )

    assert_only_additive(
        changed(add), {("new-optional-parameter", f"GET {RUNS} query parameter since")}
    )


def test_new_optional_request_field() -> None:
    def add(s: dict[str, Any]) -> None:
        schema(s, "StartRunRequest")["properties"]["owner"] = {"type": "string"}

    assert_only_additive(
        changed(add), {("new-optional-field", f"POST {RUNS} request body field owner")}
    )


def test_new_response_field() -> None:
    def add(s: dict[str, Any]) -> None:
        schema(s, "Health")["properties"]["uptime_seconds"] = {"type": "integer"}
        schema(s, "Health")["required"].append("uptime_seconds")

    assert_only_additive(
        changed(add),
        {("new-response-field", "GET /api/v1/health response 200 field uptime_seconds")},
    )


def test_new_status_code() -> None:
    def add(s: dict[str, Any]) -> None:
        s["paths"][RUNS]["get"]["responses"]["409"] = {"$ref": "#/components/responses/Conflict"}

    assert_only_additive(changed(add), {("new-status-code", f"GET {RUNS} response 409")})


def test_widened_request_enum() -> None:
    old = copy.deepcopy(SPEC)
    # a request-only enum: the event kind as sent, not as returned
    schema(old, "EventRequest")["properties"]["kind"] = {
        "type": "string",
        "enum": ["progress", "metric", "error"],
    }

    def widen(s: dict[str, Any]) -> None:
        schema(s, "EventRequest")["properties"]["kind"]["enum"].append("warning")

    assert_only_additive(
        changed(widen, old), {("widened-enum", f"POST {EVENTS} request body field kind")}
    )


def test_widened_enum_on_a_parameter() -> None:
    def widen(s: dict[str, Any]) -> None:
        s["paths"]["/api/v1/lineage"]["get"]["parameters"][2]["schema"] = {
            "type": "string",
            "enum": ["upstream", "downstream", "both", "sideways"],
        }

    old = copy.deepcopy(SPEC)
    old["paths"]["/api/v1/lineage"]["get"]["parameters"][2]["schema"] = {
        "type": "string",
        "enum": ["upstream", "downstream", "both"],
    }
    assert_only_additive(
        changed(widen, old), {("widened-enum", "GET /api/v1/lineage query parameter direction")}
    )


# robustness ---------------------------------------------------------------------------------


# constraints, security, headers, enums both ways, bodies -----------------------------------

OBJECT = "/api/v1/datasets/{bucket}/{object}"
LIMITED = (f"GET {RUNS}", f"GET {EVENTS}", "GET /api/v1/tables/{table}/snapshots")


def test_a_tighter_maximum_on_a_parameter_breaks() -> None:
    report = changed(lambda s: s["components"]["parameters"]["Limit"]["schema"].update(maximum=100))
    # every list shares the Limit parameter
    breaking = found(report.breaking)
    assert {
        ("tighter-request-constraint", f"{op} query parameter limit") for op in LIMITED
    } <= breaking
    assert all(location.endswith("query parameter limit") for _, location in breaking)
    assert {kind for kind, _ in breaking} == {"tighter-request-constraint"}
    assert "maximum 500 -> 100" in report.breaking[0].message


def test_a_looser_request_bound_is_additive() -> None:
    def loosen(s: dict[str, Any]) -> None:
        schema(s, "EventRequest")["properties"]["message"]["maxLength"] = 8192

    assert_only_additive(
        changed(loosen),
        {("looser-request-constraint", f"POST {EVENTS} request body field message")},
    )


def test_a_tighter_length_and_a_new_minimum_in_a_request_body_break() -> None:
    def tighten(s: dict[str, Any]) -> None:
        schema(s, "EventRequest")["properties"]["message"]["maxLength"] = 100
        schema(s, "CompleteRunRequest")["properties"]["artifacts"]["minItems"] = 1

    assert found(changed(tighten).breaking) == {
        ("tighter-request-constraint", f"POST {EVENTS} request body field message"),
        ("tighter-request-constraint", f"PUT {RUN}/complete request body field artifacts"),
    }


def test_an_exclusive_bound_set_in_oas30_style_is_tighter() -> None:
    def exclusive(s: dict[str, Any]) -> None:
        s["components"]["parameters"]["Limit"]["schema"]["exclusiveMaximum"] = True

    kinds = {c.kind for c in changed(exclusive).breaking}
    assert kinds == {"tighter-request-constraint"}


def test_a_changed_pattern_breaks_and_a_dropped_request_pattern_does_not() -> None:
    tighter = changed(lambda s: schema(s, "Name").update(pattern="^[a-z][a-z0-9_]{0,63}$"))
    assert ("changed-pattern", f"GET {RUNS} path parameter job_name") in found(tighter.breaking)
    assert {c.kind for c in tighter.breaking} == {"changed-pattern"}
    dropped = changed(
        lambda s: s["components"]["parameters"]["IdempotencyKey"]["schema"].pop("pattern")
    )
    assert dropped.breaking == []
    assert ("looser-request-constraint", f"POST {RUNS} header parameter Idempotency-Key") in found(
        dropped.additive
    )


def test_a_looser_response_constraint_breaks_and_a_tighter_one_does_not() -> None:
    looser = changed(lambda s: schema(s, "ObjectReceipt")["properties"]["sha256"].pop("pattern"))
    assert found(looser.breaking) == {
        ("changed-pattern", f"PUT {OBJECT} response 201 field sha256")
    }
    unbounded = changed(lambda s: schema(s, "ObjectReceipt")["properties"]["size"].pop("minimum"))
    assert found(unbounded.breaking) == {
        ("looser-response-constraint", f"PUT {OBJECT} response 201 field size")
    }
    tighter = changed(lambda s: schema(s, "ObjectReceipt")["properties"]["size"].update(maximum=9))
    assert tighter.breaking == []
    assert found(tighter.additive) == {
        ("tighter-response-constraint", f"PUT {OBJECT} response 201 field size")
    }


def test_an_operation_that_now_requires_auth_breaks() -> None:
    report = changed(lambda s: s["paths"]["/api/v1/health"]["get"].pop("security"))
    assert found(report.breaking) == {("new-security-requirement", "GET /api/v1/health security")}
    assert report.breaking[0].message == "now requires authentication"


def test_a_changed_security_scheme_breaks_and_dropping_auth_does_not() -> None:
    def api_key_instead(s: dict[str, Any]) -> None:
        s["components"]["securitySchemes"]["apiKey"] = {
            "type": "apiKey",
            "in": "header",
            "name": "X",
        }
        s["security"] = [{"apiKey": []}]

    report = changed(api_key_instead)
    assert ("new-security-requirement", f"POST {RUNS} security") in found(report.breaking)
    assert "no longer accepts bearerAuth" in report.breaking[0].message
    open_api = changed(lambda s: s.pop("security"))
    assert open_api.breaking == []
    assert ("removed-security-requirement", f"POST {RUNS} security") in found(open_api.additive)


def test_a_removed_response_header_breaks_and_a_new_one_does_not() -> None:
    def drop(s: dict[str, Any]) -> None:
        s["paths"][OBJECT]["get"]["responses"]["200"]["headers"].pop("X-Checksum-Sha256")

    assert found(changed(drop).breaking) == {
        ("removed-response-header", f"GET {OBJECT} response 200 header X-Checksum-Sha256")
    }

    def add(s: dict[str, Any]) -> None:
        headers = s["paths"]["/api/v1/health"]["get"]["responses"]["200"]["headers"]
        headers["X-Server"] = {"schema": {"type": "string"}}

    assert_only_additive(
        changed(add), {("new-response-header", "GET /api/v1/health response 200 header X-Server")}
    )


def test_a_response_header_schema_is_compared() -> None:
    def loosen(s: dict[str, Any]) -> None:
        header = s["paths"][OBJECT]["get"]["responses"]["200"]["headers"]["X-Checksum-Sha256"]
        header["schema"].pop("pattern")

    assert found(changed(loosen).breaking) == {
        ("changed-pattern", f"GET {OBJECT} response 200 header X-Checksum-Sha256")
    }


def test_a_response_enum_dropped_breaks_a_request_enum_dropped_does_not() -> None:
    def drop(s: dict[str, Any]) -> None:
        schema(s, "LineageEdge")["properties"]["kind"].pop("enum")

    assert found(changed(drop).breaking) == {
        ("widened-response-enum", "GET /api/v1/lineage response 200 field edges[].kind")
    }

    def drop_request_only(s: dict[str, Any]) -> None:
        schema(s, "EventRequest")["properties"]["kind"] = {"type": "string"}

    old = copy.deepcopy(SPEC)
    schema(old, "EventRequest")["properties"]["kind"] = {
        "type": "string",
        "enum": ["progress", "metric", "error"],
    }
    assert_only_additive(
        changed(drop_request_only, old),
        {("widened-enum", f"POST {EVENTS} request body field kind")},
    )


def test_a_removed_request_body_breaks() -> None:
    report = changed(lambda s: s["paths"][HEARTBEAT]["post"].pop("requestBody"))
    assert found(report.breaking) == {("removed-request-body", f"POST {HEARTBEAT} request body")}


def test_recursive_schemas_terminate() -> None:
    old = copy.deepcopy(SPEC)
    node = schema(old, "LineageNode")
    node["properties"]["children"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/LineageNode"},
    }
    report = changed(lambda s: schema(s, "LineageNode")["properties"].pop("run_id"), old)
    assert ("removed-response-field", "GET /api/v1/lineage response 200 field nodes[].run_id") in (
        found(report.breaking)
    )


def test_unresolvable_ref_is_a_spec_error() -> None:
    with pytest.raises(api_diff.SpecError, match="unresolvable"):
        changed(lambda s: s["paths"][RUNS]["get"]["parameters"].append({"$ref": "#/nope/x"}))
    with pytest.raises(api_diff.SpecError, match="local"):
        changed(lambda s: s["paths"][RUNS]["get"]["parameters"].append({"$ref": "other.yaml#/x"}))


def test_format_report_lists_breaking_apart_from_additive() -> None:
    def mutate(s: dict[str, Any]) -> None:
        s["paths"][RUN]["get"]["responses"].pop("404")
        s["paths"][RUNS]["get"]["responses"]["409"] = {"$ref": "#/components/responses/Conflict"}

    text = api_diff.format_report(changed(mutate), "main")
    breaking, additive = text.split("Additive changes since main: 1")
    assert "Breaking changes since main: 1" in breaking
    assert f"GET {RUN} response 404" in breaking
    assert f"GET {RUNS} response 409" in additive


# command line -------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_cli_against_a_git_repository(tmp_path: Path) -> None:
    spec_file = tmp_path / "openapi" / "datlake.yaml"
    spec_file.parent.mkdir()
    spec_file.write_text(SPEC_TEXT, encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "openapi/datlake.yaml")
    git(tmp_path, "commit", "-q", "-m", "spec")

    # unchanged: 0, with the default --spec relative to the working directory
    result = run_cli(tmp_path, "--base", "HEAD")
    assert result.returncode == 0, result.stderr
    assert "Breaking changes since HEAD: 0" in result.stdout

    # additive only: 0
    spec = copy.deepcopy(SPEC)
    spec["paths"][RUNS]["get"]["responses"]["409"] = {"$ref": "#/components/responses/Conflict"}
    spec_file.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = run_cli(tmp_path, "--base", "HEAD", "--spec", str(spec_file))
    assert result.returncode == 0, result.stderr
    assert "Additive changes since HEAD: 1" in result.stdout

    # breaking: 1, run from elsewhere with --spec
    del spec["paths"][RUN]["get"]["responses"]["404"]
    spec_file.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = run_cli(ROOT, "--base", "HEAD", "--spec", str(spec_file))
    assert result.returncode == 1, result.stderr
    assert "removed-status-code" in result.stdout
    assert f"GET {RUN} response 404" in result.stdout


def test_cli_usage_errors(tmp_path: Path) -> None:
    spec_file = tmp_path / "datlake.yaml"
    spec_file.write_text(SPEC_TEXT, encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "datlake.yaml")
    git(tmp_path, "commit", "-q", "-m", "spec")

    result = run_cli(tmp_path, "--base", "no-such-ref", "--spec", "datlake.yaml")
    assert result.returncode == 2
    assert "unknown git ref 'no-such-ref'" in result.stderr

    other = tmp_path / "other.yaml"
    other.write_text(SPEC_TEXT, encoding="utf-8")
    result = run_cli(tmp_path, "--base", "HEAD", "--spec", "other.yaml")
    assert result.returncode == 2
    assert "other.yaml does not exist at HEAD" in result.stderr

    result = run_cli(tmp_path, "--base", "HEAD", "--spec", "missing.yaml")
    assert result.returncode == 2
    assert "cannot read missing.yaml" in result.stderr

    result = run_cli(tmp_path)  # --base is required
    assert result.returncode == 2
