"""Checks requests (and, on demand, responses) against the spec with openapi-core.

openapi-core is handed a request built here rather than through its Starlette adapter: that
adapter matches the decoded path and cannot see an object name's encoded slashes. The router
(`spec.Spec.route`) already knows the operation, so the request carries its path template and
the decoded path parameters, and openapi-core checks their values. Object bodies are streamed
and never given to the validator.

>>> from datlake_server.spec import load_spec
>>> spec = load_spec()
>>> checker = Checker(spec)
>>> op, path = spec.route("GET", b"/api/v1/lineage")
>>> checker.check_request(op, checker.request(op, path, "GET", b"table=a%20b", []))
Traceback (most recent call last):
...
datlake_server.problems.Problem: query parameter table: 'a b' does not match the pattern
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import parse_qsl

from jsonschema import ValidationError, validators
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
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
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from openapi_schema_validator import OAS30WriteValidator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from datlake_server.problems import INVALID_BODY, INVALID_REQUEST, PROBLEM_JSON, Problem
from datlake_server.spec import Operation, Spec


@functools.cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    r"""`pattern` compiled so that `$` means what JSON Schema (ECMA-262) says: the very end.

    Python's `$` also matches before a final newline, so `^[a-z]+$` would accept `"name\n"`.

    >>> bool(ecma_regex("^[a-z]+$").search("name\n")), bool(ecma_regex("^[a-z]+$").search("name"))
    (False, True)
    """
    translated, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        translated.append(char)
    return re.compile("".join(translated))


def _ecma_pattern(
    validator: Any, pattern: str, instance: object, schema: object
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(str(instance)):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# openapi-core's OAS 3.0 request validator, with patterns read as JSON Schema reads them
_SCHEMA_VALIDATORS = SchemaValidatorsFactory(
    validators.extend(OAS30WriteValidator, {"pattern": _ecma_pattern})
)


@dataclass(slots=True)
class SpecRequest:
    """A request as openapi-core reads it (its `Request` and `SupportsPathPattern` protocols)."""

    host_url: str
    path: str
    path_pattern: str
    method: str
    parameters: RequestParameters
    body: bytes | None = None
    content_type: str = ""

    @classmethod
    def build(
        cls,
        op: Operation,
        path_params: dict[str, str],
        method: str,
        query_string: bytes,
        headers: Iterable[tuple[str, str]],
        body: bytes | None,
        *,
        host_url: str,
    ) -> SpecRequest:
        header = Headers(list(headers))
        query = ImmutableMultiDict(parse_qsl(query_string.decode("latin-1"), True))
        return cls(
            host_url=host_url,
            path=op.template,
            path_pattern=op.template,
            method=method.lower(),
            parameters=RequestParameters(query=query, header=header, path=path_params),
            body=body,
            content_type=(header.get("content-type") or "").lower(),
        )


@dataclass(slots=True)
class SpecResponse:
    """A response as openapi-core reads it (its `Response` protocol)."""

    status_code: int
    headers: Headers
    data: bytes | None
    content_type: str = field(default="")


class Checker:
    """Validates requests and responses of one spec; built once per app.

    Parameters and bodies are checked by separate openapi-core validators: an object upload's
    body streams to disk and is never given to the validator, and the API key is checked by
    the app itself (in constant time), so the security requirement is not re-checked here.
    """

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        config = Config(extra_media_type_deserializers={PROBLEM_JSON: json_loads})
        self._api = OpenAPI.from_dict(spec.document, config=config)
        self._parameters = V30RequestParametersValidator(
            self._api.spec, schema_validators_factory=_SCHEMA_VALIDATORS
        )
        self._body = V30RequestBodyValidator(
            self._api.spec,
            schema_validators_factory=_SCHEMA_VALIDATORS,
            extra_media_type_deserializers={"application/json": loads_json},
        )

    def request(
        self,
        op: Operation,
        path_params: dict[str, str],
        method: str,
        query_string: bytes,
        headers: Iterable[tuple[str, str]],
        body: bytes | None = None,
    ) -> SpecRequest:
        # openapi-core also matches the host against the spec's absolute `servers` URL; the
        # port this server really listens on is irrelevant to the contract
        return SpecRequest.build(
            op, path_params, method, query_string, headers, body, host_url=self.spec.server_url
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
