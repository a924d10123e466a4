"""Checks an httpx exchange against the spec with openapi-core, in plain words.

openapi-core gets request and response objects built from httpx ones (see
`datlake_sdk._contract_check`) rather than its own adapters: those match the decoded path,
which splits an object name's encoded slashes. The operation is already known, so the request
carries its path template and decoded parameters, and patterns are read as JSON Schema reads
them (`$` is the very end), and errors are worded by `describe_error`, as the local server
words them. The spec is OAS 3.0.3, so binary bodies validate as bytes.

>>> import httpx
>>> request = httpx.Request("POST", "http://127.0.0.1:8765/api/v1/jobs/j/runs",
...                         json={"metadata": "x"})
>>> request_violations("start_run", request)
["start_run request: body.metadata: 'x' is not of type 'object'"]
"""

from __future__ import annotations

import functools
import json
from typing import Any

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.security.factories import SecurityProviderFactory
from werkzeug.datastructures import Headers

from .._contract import ParameterNotUTF8, decode_params, operation
from .._contract_check import SpecRequest, SpecResponse, describe_error, open_api


class _AcceptAnyCredentials:
    def __init__(self, scheme: Any) -> None:
        self.scheme = scheme

    def __call__(self, parameters: RequestParameters) -> None:
        return None


class _NoSecurityCheck(SecurityProviderFactory):
    """The mock checks the API key itself, and only when asked to."""

    def create(self, scheme: Any) -> _AcceptAnyCredentials:
        return _AcceptAnyCredentials(scheme)


@functools.cache
def _openapi() -> OpenAPI:
    return open_api(
        security_provider_factory=_NoSecurityCheck(),
        # openapi-core deserializes plain application/json only; errors are problem+json
        extra_media_type_deserializers={"application/problem+json": json.loads},
    )


def _spec_request(operation_id: str, request: httpx.Request, raw_path: str) -> SpecRequest:
    op = operation(operation_id)
    match = op.pattern.fullmatch(raw_path.encode("utf-8"))
    # a path the operation does not serve has no parameters: openapi-core says which are missing
    path_params = decode_params(match.groupdict()) if match is not None else {}
    return SpecRequest.of(
        op,
        path_params,
        request.method,
        request.url.query.decode("ascii", "replace"),
        request.headers.multi_items(),
        _content(request) if _has_body(request) else None,
        _media_type(request.headers),
    )


def request_violations(
    operation_id: str, request: httpx.Request, raw_path: str | None = None
) -> list[str]:
    """How `request` breaks the spec of `operation_id` (empty when it conforms).

    `raw_path` is the path relative to the API root; by default the request's own raw path.
    """
    path = raw_path if raw_path is not None else request.url.raw_path.decode("ascii")
    try:
        spec_request = _spec_request(operation_id, request, path.split("?", 1)[0])
    except ParameterNotUTF8 as error:
        return [f"{operation_id} request: {error}"]
    return [
        f"{operation_id} request: {describe_error(error)}"
        for error in _openapi().iter_request_errors(spec_request)
    ]


def response_violations(
    operation_id: str,
    request: httpx.Request,
    response: httpx.Response,
    raw_path: str | None = None,
) -> list[str]:
    """How `response` breaks the spec of `operation_id` (empty when it conforms)."""
    path = raw_path if raw_path is not None else request.url.raw_path.decode("ascii")
    try:
        spec_request = _spec_request(operation_id, request, path.split("?", 1)[0])
    except ParameterNotUTF8 as error:
        return [f"{operation_id} request: {error}"]
    spec_response = SpecResponse(
        status_code=response.status_code,
        headers=Headers(list(response.headers.multi_items())),
        data=response.content,
        content_type=_media_type(response.headers),
    )
    return [
        f"{operation_id} response {response.status_code}: {describe_error(error)}"
        for error in _openapi().iter_response_errors(spec_request, spec_response)
    ]


def _has_body(request: httpx.Request) -> bool:
    return "content-type" in request.headers or bool(_content(request))


def _content(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:  # a streamed upload: mocked, so reading it is harmless
        return request.read()


def _media_type(headers: httpx.Headers) -> str:
    return str(headers.get("content-type", "")).split(";", 1)[0].strip().lower()
