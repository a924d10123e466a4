"""Requests made from the spec alone, for the scenarios that hold for every operation: auth on
each secured one, 400 for each constrained parameter. An operation the spec gains is covered
by them without a line here.

A sample request fills each path and required query parameter with a name unique to the
run when the parameter's schema accepts one (nothing a check writes can collide), else with
the spec's example, and sends the operation's request body example. `broken_requests` then
breaks one constrained parameter at a time.

>>> from datlake_sdk._contract import operation
>>> sample = sample_request(operation("get_run"), "conf-sample-abc")
>>> sample.method, sample.path
('GET', '/jobs/conf-sample-abc/runs/conf-sample-abc')
>>> [what for what, _ in broken_requests(operation("start_run"), "conf-sample-abc")]
['path parameter job_name', 'header parameter Idempotency-Key', 'header parameter X-Request-Id']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .._contract import Operation, spec_document
from .._contract_check import ecma_regex

# values that break a `pattern`, tried in turn until one does
PATTERN_BREAKERS = ("bad name!", "../x")


@dataclass(frozen=True, slots=True)
class SpecRequest:
    """A request of `operation`, `path` relative to `/api/v1` and percent-encoded."""

    operation: Operation
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)  # httpx's json= or content=


def sample_request(op: Operation, unique: str) -> SpecRequest:
    """A request of `op` that the spec calls valid, with `unique` wherever it fits."""
    values: dict[str, dict[str, str]] = {"path": {}, "query": {}, "header": {}}
    for parameter in parameters(op):
        if parameter.get("required"):
            values[parameter["in"]][parameter["name"]] = _valid_value(parameter, unique)
    body, content_type = _body(op)
    if content_type is not None:
        values["header"]["Content-Type"] = content_type
    return SpecRequest(
        op, op.method, _path(op, values["path"]), values["query"], values["header"], body
    )


def broken_requests(op: Operation, unique: str) -> Iterator[tuple[str, SpecRequest]]:
    """A sample request with one parameter broken, for each parameter the spec constrains:
    `(where, request)`, `where` as `path parameter NAME`, `query parameter NAME` or `header
    parameter NAME`."""
    sample = sample_request(op, unique)
    for parameter in parameters(op):
        name, where = parameter["name"], parameter["in"]
        bad = _invalid_value(_schema(parameter))
        if bad is None:
            continue
        if where == "path":
            values = {
                p["name"]: _valid_value(p, unique) for p in parameters(op) if p["in"] == "path"
            }
            path = _path(op, {**values, name: bad})
            yield f"path parameter {name}", dataclasses.replace(sample, path=path)
        elif where == "query":
            params = {**sample.params, name: bad}
            yield f"query parameter {name}", dataclasses.replace(sample, params=params)
        elif where == "header":
            headers = {**sample.headers, name: bad}
            yield f"header parameter {name}", dataclasses.replace(sample, headers=headers)


def breaks_request_id_rule(value: str) -> bool:
    """Whether `value` is an `X-Request-Id` outside the spec's schema (a 400, answered under
    an id of the server's own)."""
    schema = _schema(resolve({"$ref": "#/components/parameters/RequestId"}))
    fits = schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
    return not (fits and ecma_regex(str(schema["pattern"])).search(value) is not None)


def documented_statuses(op: Operation) -> set[int]:
    """The status codes the spec documents for `op`."""
    operation = spec_document()["paths"][op.template][op.method.lower()]
    return {int(code) for code in operation["responses"]}


def parameters(op: Operation) -> list[dict[str, Any]]:
    """The operation's parameters (its path's, then its own), references resolved."""
    item = spec_document()["paths"][op.template]
    found = [*item.get("parameters", []), *item[op.method.lower()].get("parameters", [])]
    return [resolve(parameter) for parameter in found]


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """`node`, or the component its `$ref` names."""
    while "$ref" in node:
        target: Any = spec_document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema(parameter: dict[str, Any]) -> dict[str, Any]:
    return resolve(parameter.get("schema", {}))


def _path(op: Operation, values: dict[str, str]) -> str:
    """The operation's path below `/api/v1`, each parameter percent-encoded (`/` too)."""
    path = op.template.removeprefix("/api/v1")
    for name, value in values.items():
        path = path.replace(f"{{{name}}}", quote(value, safe=""))
    return path


def _valid_value(parameter: dict[str, Any], unique: str) -> str:
    schema = _schema(parameter)
    if _accepts(schema, unique):
        return unique
    example = parameter.get("example", schema.get("example", schema.get("default")))
    if example is None and schema.get("enum"):
        example = schema["enum"][0]
    return str(example)


def _accepts(schema: dict[str, Any], value: str) -> bool:
    if schema.get("type", "string") != "string" or "enum" in schema:
        return False
    pattern = schema.get("pattern")
    fits = schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
    return fits and (pattern is None or ecma_regex(pattern).search(value) is not None)


def _invalid_value(schema: dict[str, Any]) -> str | None:
    """A value the schema refuses, or `None` when it refuses none we can send."""
    if "enum" in schema:
        return "not-" + "-".join(str(value) for value in schema["enum"])
    if schema.get("type") == "integer":
        if "minimum" in schema:
            return str(schema["minimum"] - 1)
        if "maximum" in schema:
            return str(schema["maximum"] + 1)
        return "not-a-number"
    if "pattern" in schema:
        pattern = ecma_regex(str(schema["pattern"]))
        return next((v for v in PATTERN_BREAKERS if not pattern.search(v)), None)
    if "maxLength" in schema:
        return "x" * (int(schema["maxLength"]) + 1)
    return None


def _body(op: Operation) -> tuple[dict[str, Any], str | None]:
    """httpx's `json=` or `content=` for the operation's body example, and its media type."""
    operation = spec_document()["paths"][op.template][op.method.lower()]
    content = resolve(operation.get("requestBody", {})).get("content", {})
    for media, spec in content.items():
        examples = [resolve(e).get("value") for e in spec.get("examples", {}).values()]
        example = spec.get("example", examples[0] if examples else None)
        if media == "application/json":
            return {"json": example if example is not None else {}}, None
        if isinstance(example, str):
            return {"content": example.encode()}, media
    return {}, None
