"""Checks requests (and, on demand, responses) against the spec with openapi-core.

openapi-core is handed a `SpecRequest` rather than a request through its Starlette adapter:
that adapter matches the decoded path and cannot see an object name's encoded slashes. The
router (`routing.route`) already knows the operation, so the request carries its path template
and the decoded path parameters, and openapi-core checks their values, reading patterns as
JSON Schema does (see `datlake_sdk._contract_check`). Object bodies are streamed and never
given to the validator.

>>> from datlake_server.routing import route
>>> checker = Checker()
>>> op, path = route("GET", b"/api/v1/lineage")
>>> checker.check_request(op, SpecRequest.of(op, path, "GET", "table=a%20b", [], None))
Traceback (most recent call last):
...
datlake_server.problems.Problem: query parameter table: 'a b' does not match the pattern
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NoReturn

from openapi_core.deserializing.media_types.util import json_loads
from openapi_core.validation.request.exceptions import (
    MissingRequestBody,
    MissingRequiredRequestBody,
    ParameterValidationError,
    RequestBodyValidationError,
)
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)

from datlake_sdk._contract import Operation
from datlake_sdk._contract_check import REQUEST_SCHEMAS, SpecRequest, SpecResponse, open_api
from datlake_server.problems import INVALID_BODY, INVALID_REQUEST, PROBLEM_JSON, Problem


class Checker:
    """Validates requests and responses of one spec; built once per app.

    Parameters and bodies are checked by separate openapi-core validators: an object upload's
    body streams to disk and is never given to the validator, and the API key is checked by
    the app itself (in constant time), so the security requirement is not re-checked here.
    """

    def __init__(self) -> None:
        self._api = open_api(extra_media_type_deserializers={PROBLEM_JSON: json_loads})
        self._parameters = V30RequestParametersValidator(
            self._api.spec, schema_validators_factory=REQUEST_SCHEMAS
        )
        self._body = V30RequestBodyValidator(
            self._api.spec,
            schema_validators_factory=REQUEST_SCHEMAS,
            extra_media_type_deserializers={"application/json": loads_json},
        )

    def check_request(self, op: Operation, request: SpecRequest) -> None:
        """Raise a 400 problem for bad parameters or headers, a 422 for a bad JSON body."""
        errors = list(self._parameters.iter_errors(request))
        if errors:
            raise Problem(INVALID_REQUEST, "; ".join(_describe_parameter(e) for e in errors))
        if op.json_body:
            # an optional body (heartbeat's) may be absent
            errors = [
                e for e in self._body.iter_errors(request) if not isinstance(e, MissingRequestBody)
            ]
            if errors:
                raise Problem(INVALID_BODY, "; ".join(_describe_body(e) for e in errors))

    def check_response(self, request: SpecRequest, response: SpecResponse) -> list[str]:
        """Return how the response breaks the spec (empty when it conforms)."""
        return [_flatten(e) for e in self._api.iter_response_errors(request, response)]


def loads_json(body: bytes | str, **parameters: str) -> Any:
    """Parse a request body as strict JSON, or raise `ValueError`.

    Python's `json` reads more than JSON: `NaN` and `Infinity`, numbers too large for a float
    (as `inf`), `\\ud800` escapes of lone surrogates. None of these can be stored as UTF-8 or
    answered as JSON again, and nesting deeper than the interpreter recurses fails later too:
    they are refused here, so the validator answers 422 `invalid-body` for them.
    """
    try:
        document = json.loads(body, parse_constant=_not_json)
        json.dumps(document, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return document


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not JSON")


def _describe_parameter(error: Exception) -> str:
    if not isinstance(error, ParameterValidationError):
        return str(error)
    where = f"{error.location} parameter {error.name}"
    cause = error.__cause__
    schema_errors: Sequence[Any] = list(getattr(cause, "schema_errors", ()) or ())
    if schema_errors:
        return f"{where}: " + ", ".join(_schema_message(e) for e in schema_errors)
    if cause is not None:
        return f"{where}: {cause}"
    return f"{where}: {'required' if 'Missing' in type(error).__name__ else 'invalid'}"


def _describe_body(error: Exception) -> str:
    if isinstance(error, MissingRequiredRequestBody):
        return "body: required"
    cause = error.__cause__
    schema_errors: Sequence[Any] = list(getattr(cause, "schema_errors", ()) or ())
    if schema_errors:
        return "; ".join(f"{_json_path(e)}: {_schema_message(e)}" for e in schema_errors)
    name = type(cause).__name__
    if name == "MediaTypeNotFound":
        return "body: content type must be application/json"
    if name == "MediaTypeDeserializeError":
        return "body: not valid JSON"
    if isinstance(error, RequestBodyValidationError):
        return f"body: {cause or error}"
    return str(error)


def _schema_message(error: Any) -> str:
    if getattr(error, "validator", None) == "pattern":
        return f"{error.instance!r} does not match the pattern"
    return str(getattr(error, "message", error))


def _json_path(error: Any) -> str:
    path = "body"
    for part in getattr(error, "path", ()):
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _flatten(error: Exception) -> str:
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", ()) or ())
    if schema_errors:
        details = "; ".join(f"{_json_path(e)}: {_schema_message(e)}" for e in schema_errors)
        return f"{type(error).__name__}: {details}"
    return f"{error}: {cause}" if cause is not None else str(error)
