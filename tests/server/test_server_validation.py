"""The compiled request validators agree with openapi-core: same verdict, same words.

openapi-core walks the spec per request; `datlake_server.validation` compiles each
operation's checks once. Hypothesis draws requests for every operation (valid and broken
path parameters, query values, headers and JSON bodies) and both must answer alike.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core.validation.request.exceptions import MissingRequestBody
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)

from datlake_sdk._contract import Operation, operations, spec_document
from datlake_sdk._contract_check import REQUEST_SCHEMAS, SpecRequest, describe_error, open_api
from datlake_server.predicates import predicate
from datlake_server.problems import Problem
from datlake_server.validation import Checker, loads_json

OPERATIONS = operations()
CHECKER = Checker()
_API = open_api()
_PARAMETERS = V30RequestParametersValidator(_API.spec, schema_validators_factory=REQUEST_SCHEMAS)
_BODY = V30RequestBodyValidator(
    _API.spec,
    schema_validators_factory=REQUEST_SCHEMAS,
    extra_media_type_deserializers={"application/json": loads_json},
)


def openapi_core_verdict(op: Operation, request: SpecRequest) -> tuple[int, str] | None:
    """What the server answered when it validated with openapi-core."""
    errors = list(_PARAMETERS.iter_errors(request))
    if errors:
        return 400, "; ".join(describe_error(e) for e in errors)
    if op.json_body:
        errors = [e for e in _BODY.iter_errors(request) if not isinstance(e, MissingRequestBody)]
        if errors:
            return 422, "; ".join(describe_error(e) for e in errors)
    return None


def compiled_verdict(op: Operation, request: SpecRequest) -> tuple[int, str] | None:
    try:
        CHECKER.check_request(op, request)
    except Problem as problem:
        return problem.kind.status, str(problem)
    return None


def raw_verdict(op: Operation, raw: RawRequest) -> tuple[int, str] | None:
    """What the app answers: it checks the request as it has it, not openapi-core's view."""
    try:
        CHECKER.check(op, *raw)
    except Problem as problem:
        return problem.kind.status, str(problem)
    return None


# decoded path parameters, the raw query string, the headers, the body
RawRequest = tuple[dict[str, str], str, list[tuple[str, str]], bytes | None]


def _declared(op: Operation, location: str) -> list[str]:
    item = spec_document()["paths"][op.template]
    found = []
    for parameter in [*item.get("parameters", ()), *item[op.method.lower()].get("parameters", ())]:
        while "$ref" in parameter:
            parameter = spec_document()["components"]["parameters"][
                parameter["$ref"].rsplit("/", 1)[1]
            ]
        if parameter["in"] == location:
            found.append(parameter["name"])
    return found


NAMES = st.sampled_from(["daily_users", "a", "sales.daily", "logs", "jobs/x/run.log"])
VALUES = st.one_of(
    NAMES,
    st.sampled_from(["", " ", "1", "0", "501", "-3", "+5", "1.5", "abc", "running", "lost"]),
    st.sampled_from(["3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b", "a" * 64, "x\n", "A b", "é"]),
    st.text(max_size=12),
)
# what can arrive in an HTTP header: latin-1 on one line, without surrounding spaces
HEADER_VALUES = VALUES.filter(
    lambda v: (
        v == v.strip()
        and not any(c in v for c in "\r\n\0")
        and v.isprintable()
        and all(ord(c) < 256 for c in v)
    )
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
BODY_KEYS = st.sampled_from(
    ["metadata", "parent_run_id", "run_id", "success", "extra", "artifacts", "job_name",
     "table_name", "uri", "format", "schema", "kind", "message", "data", "lease_seconds"]
)  # fmt: skip


@st.composite
def requests(draw: st.DrawFn, op: Operation) -> tuple[SpecRequest, RawRequest]:
    path = {name: draw(VALUES) for name in _declared(op, "path")}
    query = [(name, draw(VALUES)) for name in _declared(op, "query") if draw(st.booleans())] + draw(
        st.lists(st.tuples(st.sampled_from(["x", "limit"]), VALUES), max_size=2)
    )
    headers = [
        (name, draw(HEADER_VALUES)) for name in _declared(op, "header") if draw(st.booleans())
    ]
    body = None
    if op.json_body:
        content_type = draw(
            st.sampled_from(["application/json", "application/json; charset=utf-8", "", "text/x"])
        )
        if content_type:
            headers.append(("Content-Type", content_type))
        document: Any = draw(
            st.one_of(st.dictionaries(BODY_KEYS, JSON_VALUES, max_size=4), JSON_VALUES)
        )
        body = draw(st.sampled_from([json.dumps(document).encode(), b"", b"{", b'{"a": NaN}']))
    encoded = "&".join(f"{name}={value}" for name, value in query)
    return SpecRequest.of(op, path, op.method, encoded, headers, body), (
        path, encoded, headers, body,
    )  # fmt: skip


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_compiled_checks_agree_with_openapi_core(op: Operation, data: st.DataObject) -> None:
    request, raw = data.draw(requests(op))
    verdict = openapi_core_verdict(op, request)
    assert compiled_verdict(op, request) == verdict
    assert raw_verdict(op, raw) == verdict


def test_a_parameter_shape_it_cannot_check_is_refused_at_start_up() -> None:
    from datlake_server.validation import _parameter

    with pytest.raises(NotImplementedError, match="query parameter tags: only string"):
        _parameter({"name": "tags", "in": "query", "schema": {"type": "array"}})
    with pytest.raises(NotImplementedError, match="cookie parameter s: only path, query"):
        _parameter({"name": "s", "in": "cookie", "schema": {"type": "string"}})


def _subschemas(schema: Any) -> list[Any]:
    """`schema` and every schema nested in it (properties, items, additional properties)."""
    found = [schema]
    nested = [*schema.get("properties", {}).values(), schema.get("items")]
    nested.append(schema.get("additionalProperties"))
    for sub in nested:
        if isinstance(sub, dict):
            found += _subschemas(sub)
    return found


# each distinct schema of the spec once
SCHEMAS = list(
    {
        json.dumps(schema, sort_keys=True): schema
        for check in CHECKER._operations.values()
        for validator in [p.validator for p in check.parameters] + [check.body]
        if validator is not None
        for schema in _subschemas(validator.schema)
    }.values()
)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda schema: json.dumps(schema)[:60])
@settings(max_examples=40, deadline=None)
@given(value=st.one_of(JSON_VALUES, VALUES, st.integers(min_value=-(2**64), max_value=2**64)))
def test_a_predicate_passes_only_what_the_validator_passes(schema: Any, value: Any) -> None:
    valid = predicate(schema)
    validator = REQUEST_SCHEMAS.schema_validator_cls(
        schema, format_checker=REQUEST_SCHEMAS.format_checker
    )
    if valid is not None and valid(value):
        assert not list(validator.iter_errors(value))
