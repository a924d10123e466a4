"""Checks requests against the spec with validators compiled once per operation at start-up.

openapi-core walks the spec for every request (resolving each `$ref` again, building a fresh
JSON Schema validator per parameter): that cost more than the rest of a request. Here each
operation's parameters and JSON body become plain JSON Schema validators once, from the same
spec, with the same OAS 3.0 dialect and ECMA patterns openapi-core uses (`REQUEST_SCHEMAS`
in `datlake_sdk._contract_check`); a request is then checked in tens of microseconds, and
its problems are worded as openapi-core's are (`describe_error`), so the server's details
and the testing kit's violations stay alike. `tests/server/test_server_validation.py` holds
the two to the same verdicts. A valid request (the common case) is first tried against a
plain predicate of each schema (`predicates.py`): only when that fails does the validator
look for the errors to name.

Parameter shapes this module cannot check (arrays, objects, `content`) are refused when the
app starts, never skipped at request time. Object bodies stream and are never given to the
validator; responses (checked only on demand, in tests) still go through openapi-core.

>>> from datlake_server.routing import route
>>> checker = Checker()
>>> op, path = route("GET", b"/api/v1/lineage")
>>> checker.check_request(op, SpecRequest.of(op, path, "GET", "table=a%20b", [], None))
Traceback (most recent call last):
...
datlake_server.problems.Problem: query parameter table: 'a b' does not match the pattern ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from jsonschema.protocols import Validator
from openapi_core import OpenAPI
from openapi_core.deserializing.media_types.util import json_loads

from datlake_sdk._contract import Operation, operations, spec_document
from datlake_sdk._contract_check import (
    REQUEST_SCHEMAS,
    SpecRequest,
    SpecResponse,
    describe_error,
    describe_schema_error,
    open_api,
)
from datlake_server import jsonio
from datlake_server.predicates import Predicate, predicate
from datlake_server.problems import INVALID_BODY, INVALID_REQUEST, PROBLEM_JSON, Problem

_CASTS: dict[str, Callable[[str], Any]] = {"integer": int, "number": float}
_JSON = "application/json"


class Checker:
    """Validates requests (and, on demand, responses) of the shipped spec; built once per app.

    The API key is checked by the app itself (in constant time), so the security requirement
    is not re-checked here.
    """

    def __init__(self) -> None:
        self._operations = {op.id: _OperationCheck.of(op) for op in operations()}

    def check_request(self, op: Operation, request: SpecRequest) -> Any:
        """Raise a 400 problem for bad parameters or headers, a 422 for a bad JSON body; the
        JSON body as parsed (None without one), so that it is parsed only once."""
        values = {
            "path": request.parameters.path,
            "query": request.parameters.query.items(),  # a MultiDict's items: first values
            "header": request.parameters.header.items(),
        }
        return self._operations[op.id].check(values, request.body, request.content_type)

    def check(
        self,
        op: Operation,
        path: Mapping[str, str],
        query: str,
        headers: Iterable[tuple[str, str]],
        body: bytes | None,
    ) -> Any:
        """`check_request` of a request as the app has it (decoded path parameters, the raw
        query string, the headers), without building openapi-core's view of it first."""
        content_type = ""
        for name, value in headers:
            if name.lower() == "content-type":
                content_type = value.lower()
                break
        pairs = parse_qsl(query, keep_blank_values=True) if query else ()
        values = {"path": path, "query": pairs, "header": headers}
        return self._operations[op.id].check(values, body, content_type)

    def check_response(self, request: SpecRequest, response: SpecResponse) -> list[str]:
        """Return how the response breaks the spec (empty when it conforms)."""
        return [describe_error(e) for e in self._api.iter_response_errors(request, response)]

    @functools.cached_property
    def _api(self) -> OpenAPI:
        return open_api(extra_media_type_deserializers={PROBLEM_JSON: json_loads})


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str
    location: str  # path, query or header
    required: bool
    cast: Callable[[str], Any] | None
    type_name: str
    validator: Validator
    valid: Predicate | None  # the fast path: True means the validator finds nothing
    key: str  # its name among the values of its location (lowercase for a header)

    def valid_in(self, values: Mapping[str, str]) -> bool:
        """Whether `errors` finds nothing, as far as the fast path can tell (False: ask it)."""
        raw = values.get(self.key)
        if raw is None:
            return not self.required
        if self.valid is None or (raw == "" and self.location == "query"):
            return False
        if self.cast is None:
            return self.valid(raw)
        try:
            return self.valid(self.cast(raw))
        except ValueError:
            return False

    def errors(self, values: Mapping[str, str]) -> Iterator[str]:
        """What is wrong with this parameter among `values` (by lowercase name for headers)."""
        where = f"{self.location} parameter {self.name}"
        raw = values.get(self.key)
        if raw is None:
            if self.required:
                yield f"{where}: required but missing"
            return
        value: Any = raw
        if self.cast is not None:
            try:
                value = self.cast(raw)
            except ValueError:
                yield f"{where}: Failed to cast value to {self.type_name} type: {raw}"
                return
        if raw == "" and self.location == "query":
            yield f"{where}: Value of {self.name} query parameter cannot be empty"
            return
        if self.valid is not None and self.valid(value):
            return
        for error in self.validator.iter_errors(value):
            yield describe_schema_error(where, error)


@dataclass(frozen=True, slots=True)
class _OperationCheck:
    parameters: tuple[_Parameter, ...]
    body: Validator | None  # the JSON body's schema, when the operation takes one
    body_valid: Predicate | None
    body_required: bool
    media_types: tuple[str, ...]
    locations: frozenset[str]

    @classmethod
    def of(cls, op: Operation) -> _OperationCheck:
        document = spec_document()
        item = document["paths"][op.template]
        spec = item[op.method.lower()]
        # the operation's own parameters first, then the path item's it does not override,
        # the order openapi-core checks (and words) them in
        by_key: dict[tuple[str, str], Any] = {}
        for declared in [*spec.get("parameters", ()), *item.get("parameters", ())]:
            parameter = _resolve(declared)
            by_key.setdefault((parameter["in"], parameter["name"]), parameter)
        parameters = tuple(_parameter(p) for p in by_key.values())
        request_body = _resolve(spec.get("requestBody", {}))
        content = request_body.get("content", {})
        body, body_valid = None, None
        if op.json_body:
            body = _validator(content[_JSON].get("schema", {}))
            body_valid = predicate(body.schema)
        locations = frozenset(p.location for p in parameters)
        required = bool(request_body.get("required"))
        return cls(parameters, body, body_valid, required, tuple(content), locations)

    def check(self, given: Mapping[str, Any], body: bytes | None, content_type: str) -> Any:
        """Check parameters (`given`: per location, a mapping for path, (name, value) pairs
        for query and header) and the body of the given content type."""
        values = {location: _firsts(location, given[location]) for location in self.locations}
        if not all(p.valid_in(values[p.location]) for p in self.parameters):
            errors = [error for p in self.parameters for error in p.errors(values[p.location])]
            if errors:
                raise Problem(INVALID_REQUEST, "; ".join(errors))
        if self.body is None or not body:
            if self.body is not None and self.body_required:
                raise Problem(INVALID_BODY, "body: required but missing")
            return None  # an optional body (heartbeat's) may be absent
        mimetype = content_type.split(";", 1)[0].strip()
        if mimetype not in self.media_types:
            documented = ", ".join(self.media_types)
            verb = "is" if len(self.media_types) == 1 else "are"
            shown = mimetype or "(none)"
            detail = f"body: content type {shown} is not documented ({documented} {verb})"
            raise Problem(INVALID_BODY, detail)
        try:
            document = loads_json(body)
        except ValueError:
            raise Problem(INVALID_BODY, f"body: not valid {mimetype}") from None
        if self.body_valid is not None and self.body_valid(document):
            return document
        errors = [describe_schema_error("body", e) for e in self.body.iter_errors(document)]
        if errors:
            raise Problem(INVALID_BODY, "; ".join(errors))
        return document


def _firsts(location: str, given: Any) -> Mapping[str, str]:
    """The first value of each parameter in `location` (headers by lowercase name), as a
    plain dict: werkzeug's mappings raise (and catch) an exception for every absent name."""
    if location == "path":
        return given  # type: ignore[no-any-return]
    found: dict[str, str] = {}
    lower = location == "header"
    for name, value in given:
        found.setdefault(name.lower() if lower else name, value)
    return found


def _parameter(spec: Mapping[str, Any]) -> _Parameter:
    schema = _resolve(spec.get("schema", {}))
    type_name = schema.get("type", "string")
    where = f"{spec['in']} parameter {spec['name']}"
    if spec["in"] not in ("path", "query", "header"):
        raise NotImplementedError(f"{where}: only path, query and header parameters are checked")
    if "content" in spec or type_name not in ("string", *_CASTS):
        raise NotImplementedError(f"{where}: only string, integer and number are checked")
    validator = _validator(schema)
    return _Parameter(
        name=spec["name"],
        location=spec["in"],
        required=bool(spec.get("required")),
        cast=_CASTS.get(type_name),
        type_name=type_name,
        validator=validator,
        valid=predicate(validator.schema),
        key=spec["name"].lower() if spec["in"] == "header" else spec["name"],
    )


def _validator(schema: Mapping[str, Any]) -> Validator:
    """A JSON Schema validator of `schema` (its `$ref`s inlined), as openapi-core builds one
    for a request: OAS 3.0 write semantics, ECMA patterns, OAS formats."""
    cls = REQUEST_SCHEMAS.schema_validator_cls
    return cls(_inline(schema), format_checker=REQUEST_SCHEMAS.format_checker)


def _resolve(node: Any) -> Any:
    """A `$ref` node replaced by what it points to (local references only)."""
    while isinstance(node, Mapping) and "$ref" in node:
        node = _pointer(node["$ref"])
    return node


def _inline(node: Any, seen: tuple[str, ...] = ()) -> Any:
    """A copy of `node` with every `$ref` replaced by its target, recursively."""
    if isinstance(node, Mapping):
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise NotImplementedError(f"recursive schema {ref}: cannot be inlined")
            return _inline(_pointer(ref), (*seen, ref))
        return {key: _inline(value, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, seen) for value in node]
    return node


def _pointer(ref: str) -> Any:
    if not ref.startswith("#/"):
        raise NotImplementedError(f"{ref}: only references inside the spec are supported")
    node: Any = spec_document()
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def loads_json(body: bytes | str, **parameters: str) -> Any:
    """Parse a request body as strict JSON, or raise `ValueError` (see `jsonio.loads`); the
    keyword `parameters` (a media type's, as openapi-core passes them) change nothing."""
    return jsonio.loads(body)
