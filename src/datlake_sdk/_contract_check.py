r"""openapi-core over the shipped spec, reading schema patterns as JSON Schema does.

Python's `$` also matches before a final newline, so with openapi-core's own validators
`^[a-z]+$` accepts `"name\n"`; here `$` means the very end (ECMA-262). openapi-core gets
requests and responses built by `SpecRequest` / `SpecResponse` rather than its framework
adapters: those match the decoded path, which splits an object name's encoded slashes, while
the caller has already routed the raw path (see `_contract.route`). `describe_error` words
openapi-core's errors for both. Only the local server and the testing kit import this module.

>>> from datlake_sdk._contract import operation
>>> def errors(job_name):
...     op, auth = operation("list_runs"), [("Authorization", "Bearer key")]
...     request = SpecRequest.of(op, {"job_name": job_name}, "GET", "", auth, None)
...     return [type(error).__name__ for error in open_api().iter_request_errors(request)]
>>> errors("daily"), errors("daily\n")
([], ['InvalidParameter'])
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from jsonschema import ValidationError, validators
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.validators import V30RequestValidator
from openapi_core.validation.response.validators import V30ResponseValidator
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from datlake_sdk._contract import Operation, server_url, spec_document


@functools.cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    r"""`pattern` compiled so that `$` means what JSON Schema (ECMA-262) says: the very end.

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


# OAS 3.0 reads schemas differently in requests (write) and responses (read): keep both
REQUEST_SCHEMAS = SchemaValidatorsFactory(
    validators.extend(OAS30WriteValidator, {"pattern": _ecma_pattern})
)
RESPONSE_SCHEMAS = SchemaValidatorsFactory(
    validators.extend(OAS30ReadValidator, {"pattern": _ecma_pattern})
)


class _RequestValidator(V30RequestValidator):
    schema_validators_factory = REQUEST_SCHEMAS


class _ResponseValidator(V30ResponseValidator):
    schema_validators_factory = RESPONSE_SCHEMAS


def open_api(**config: Any) -> OpenAPI:
    """openapi-core's `OpenAPI` of the shipped spec with ECMA patterns; `config` goes to its
    `Config` (media type deserializers, a security provider, ...)."""
    return OpenAPI.from_dict(
        spec_document(),
        config=Config(
            request_validator_cls=_RequestValidator,
            response_validator_cls=_ResponseValidator,
            **config,
        ),
    )


@dataclass(slots=True)
class SpecRequest:
    """A request as openapi-core reads it (its `Request` and `SupportsPathPattern` protocols)."""

    host_url: str
    path: str
    path_pattern: str
    method: str
    parameters: RequestParameters
    body: bytes | None
    content_type: str

    @classmethod
    def of(
        cls,
        op: Operation,
        path_params: Mapping[str, str],
        method: str,
        query: str,
        headers: Iterable[tuple[str, str]],
        body: bytes | None,
        content_type: str | None = None,
    ) -> SpecRequest:
        """The request of `op` with decoded `path_params` and the raw `query` string;
        `content_type` defaults to the `Content-Type` header, lowercased."""
        header = Headers(list(headers))
        if content_type is None:
            content_type = (header.get("content-type") or "").lower()
        return cls(
            # openapi-core also matches the host against the spec's absolute `servers` URL;
            # where the request really went is irrelevant to the contract
            host_url=server_url(),
            path=op.template,
            path_pattern=op.template,
            method=method.lower(),
            parameters=RequestParameters(
                query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)),
                header=header,
                path=dict(path_params),
            ),
            body=body,
            content_type=content_type,
        )


@dataclass(slots=True)
class SpecResponse:
    """A response as openapi-core reads it (its `Response` protocol)."""

    status_code: int
    headers: Headers
    data: bytes | None
    content_type: str


# a longer pattern is left out of messages: it would say less than the field's name
_SHORT_PATTERN = 40


def describe_error(error: Exception) -> str:
    """One openapi-core error of a request or a response as `where: rule`, in plain words.

    `where` is `body` (with the JSON path into it), `path parameter NAME`, `query parameter
    NAME` or `header NAME`; the local server answers these in its problems' `detail`, the
    testing kit in its `ContractViolation`s. Bodies are never echoed (they may be large).

    >>> from datlake_sdk._contract import operation
    >>> op = operation("start_run")
    >>> def described(body, content_type="application/json"):
    ...     request = SpecRequest.of(op, {"job_name": "daily"}, "POST", "",
    ...                              [("Content-Type", content_type),
    ...                               ("Authorization", "Bearer key")], body)
    ...     return [describe_error(e) for e in open_api().iter_request_errors(request)]
    >>> described(b'{"metadata": "x"}')
    ["body.metadata: 'x' is not of type 'object'"]
    >>> described(b'{"metadata":')
    ['body: not valid application/json']
    >>> described(b"x", "text/plain")
    ['body: content type text/plain is not documented (application/json is)']
    """
    kind = type(error).__name__
    cause = error.__cause__
    where = _where(error)
    schema_errors: Sequence[Any] = list(getattr(cause, "schema_errors", ()) or ())
    if schema_errors:
        return "; ".join(describe_schema_error(where, e) for e in schema_errors)
    if kind == "ResponseNotFound":
        return "status code not documented for this operation"
    if kind.startswith("Security"):
        return f"credentials: {cause or error}"
    if kind.startswith("MissingRequired") or kind in ("MissingParameter", "MissingHeader"):
        return f"{where}: required but missing"
    cause_kind = type(cause).__name__
    if cause_kind == "MediaTypeNotFound":
        documented = ", ".join(getattr(cause, "availableMimetypes", ())) or "none"
        mimetype = getattr(cause, "mimetype", "") or "(none)"
        verb = "is" if "," not in documented else "are"
        return f"{where}: content type {mimetype} is not documented ({documented} {verb})"
    if cause_kind == "MediaTypeDeserializeError":
        return f"{where}: not valid {getattr(cause, 'mimetype', '') or 'for its content type'}"
    return f"{where}: {cause or error}"


def describe_schema_error(where: str, error: Any) -> str:
    """One JSON Schema error of the value at `where` as `where.path: rule`.

    >>> from jsonschema import Draft202012Validator
    >>> (error,) = Draft202012Validator({"properties": {"n": {"type": "integer"}}}).iter_errors(
    ...     {"n": "x"})
    >>> describe_schema_error("body", error)
    "body.n: 'x' is not of type 'integer'"
    """
    return f"{_json_path(where, error)}: {_rule(error)}"


def _where(error: Exception) -> str:
    name = getattr(error, "name", None)
    location = getattr(error, "location", None)
    if name is not None and location is not None:
        return f"{location} parameter {name}"
    if name is not None:
        return f"header {name}"
    return "body"


def _json_path(where: str, error: Any) -> str:
    path = where
    for part in getattr(error, "path", ()):
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _rule(error: Any) -> str:
    if getattr(error, "validator", None) == "pattern":
        pattern = str(getattr(error, "validator_value", ""))
        shown = f" {pattern}" if len(pattern) <= _SHORT_PATTERN else ""
        return f"{error.instance!r} does not match the pattern{shown}"
    return str(getattr(error, "message", error))
