"""`DatlakeMock`: a respx-based Datlake whose routes are the spec's operations.

Every request the code under test sends, and every canned response, is checked against the
spec; a violation raises `ContractViolation` (an `AssertionError`) naming the operation, the
field and the rule. Beyond the schemas, the mock holds both sides to what the spec says in
words: a secured operation needs `Authorization: Bearer <key>`, a problem's `status` is the
HTTP status it travels with, and a response echoes the request's `X-Request-Id` (a stub that
sets none gets the client's, or a new one). Routing is by raw path (respx's own `path=`
patterns see the decoded path, where an object name's `%2F` has already become `/`), so one
respx route under `base_url` hands each request to the spec's router here.

>>> import httpx
>>> with DatlakeMock() as dl:
...     _ = dl.on("get_health").respond(200, json=dl.factories.health())
...     httpx.get("http://127.0.0.1:8765/api/v1/health").json()["status"]
'ok'
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx
import respx

from .._contract import Miss, Operation, ParameterNotUTF8, decode_params, operation, route
from ._factories import Factories, factories
from ._validate import request_violations, response_violations

Responder = Callable[[httpx.Request], httpx.Response]


class ContractViolation(AssertionError):
    """A request or response that breaks the Datlake spec, or a request no operation serves."""


def find_operation(method: str, raw_path: str | bytes) -> tuple[Operation, dict[str, str]] | None:
    """The operation serving `method raw_path` and its decoded path parameters, or None.

    A path parameter that is not UTF-8 once percent-decoded raises `ValueError`.

    >>> op, params = find_operation("PUT", "/api/v1/datasets/logs/a%2Fb%2Fc.txt")
    >>> op.id, params
    ('upload_object', {'bucket': 'logs', 'object': 'a/b/c.txt'})
    """
    raw = raw_path.encode("utf-8") if isinstance(raw_path, str) else raw_path
    found = route(method, raw)
    if isinstance(found, Miss):
        return None
    return found.operation, decode_params(found.raw_params)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the mock answered, with its operation and decoded path parameters."""

    operation: str
    request: httpx.Request
    response: httpx.Response
    path_params: Mapping[str, str]


@dataclass(slots=True)
class OperationStub:
    """How the mock answers one operation; from `DatlakeMock.on(operation_id)`."""

    operation: str
    responder: Responder | None = None
    calls: list[Exchange] = field(default_factory=list)

    def respond(
        self,
        status: int | None = None,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> OperationStub:
        """Answer every call with this response (the status defaults to the spec's success).

        A JSON body on a 4xx/5xx goes out as `application/problem+json`, as the spec has it.
        """
        code = status if status is not None else operation(self.operation).success_status

        def canned(request: httpx.Request) -> httpx.Response:
            return _build_response(code, json=json, content=content, headers=headers)

        self.responder = canned
        return self

    def succeed(self) -> OperationStub:
        """Answer with the operation's default success body from `factories.success`."""
        body = factories.success(self.operation)
        if isinstance(body, bytes):
            return self.respond(content=body)
        return self.respond(json=body)

    def mock(self, side_effect: Responder) -> OperationStub:
        """Answer with `side_effect(request)`, for answers that depend on the request."""
        self.responder = side_effect
        return self


class DatlakeMock:
    """A mocked Datlake at `base_url`, validating both sides of every exchange.

    Every operation the spec secures needs `Authorization: Bearer <key>`: with `api_key`,
    that very key, else any; `check_auth=False` lets requests without one through (for code
    that adds credentials elsewhere, a proxy for instance). Leaving the `with` block raises
    any violation the code under test swallowed.
    """

    factories: Factories = factories

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8765",
        *,
        api_key: str | None = None,
        check_auth: bool = True,
    ):
        if api_key is not None and not check_auth:
            raise ValueError("DatlakeMock: an api_key is only checked with check_auth=True")
        self.base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self.base_url).path
        self._api_key = api_key
        self._check_auth = check_auth
        self._stubs: dict[str, OperationStub] = {}
        self._exchanges: list[Exchange] = []
        self.violations: list[str] = []
        self.router = respx.MockRouter(
            base_url=self.base_url, assert_all_called=False, assert_all_mocked=True
        )
        self.router.route().mock(side_effect=self.handle)

    def __enter__(self) -> DatlakeMock:
        self.router.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.router.__exit__(exc_type, exc, tb)
        if exc_type is None and self.violations:
            raise ContractViolation("\n".join(self.violations))

    def on(self, operation_id: str) -> OperationStub:
        """The stub of `operation_id` (a `KeyError` names the known ids on a typo)."""
        operation(operation_id)
        return self._stubs.setdefault(operation_id, OperationStub(operation_id))

    def respond(self, operation_id: str, status: int | None = None, **kwargs: Any) -> OperationStub:
        """Shorthand for `on(operation_id).respond(status, **kwargs)`."""
        return self.on(operation_id).respond(status, **kwargs)

    def calls(self, operation_id: str | None = None) -> list[Exchange]:
        """The exchanges of `operation_id` (all of them without one), oldest first."""
        if operation_id is None:
            return list(self._exchanges)
        operation(operation_id)
        return [e for e in self._exchanges if e.operation == operation_id]

    def transport(self) -> httpx.MockTransport:
        """The same mock as an explicit transport, for clients built with `transport=`."""
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Route, validate and answer one request."""
        raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
        api_path = raw_path[len(self._prefix) :] if raw_path.startswith(self._prefix) else raw_path
        try:
            found = find_operation(request.method, api_path)
        except ParameterNotUTF8 as error:
            self._raise([f"{request.method} {raw_path}: {error}"])
        if found is None:
            self._raise([f"no operation in the spec serves {request.method} {raw_path}"])
        op, path_params = found
        problems = self._auth_violations(op.id, op.secured, request)
        problems += request_violations(op.id, request, api_path)
        self._fail(problems)
        stub = self._stubs.get(op.id)
        if stub is None or stub.responder is None:
            self._raise([f"{op.id} was called but has no response: use mock.on({op.id!r})"])
        response = stub.responder(request)
        response.read()
        self._fail(
            _echo_violations(op.id, request, response)
            + _problem_violations(op.id, response)
            + response_violations(op.id, request, response, api_path)
        )
        exchange = Exchange(op.id, request, response, path_params)
        stub.calls.append(exchange)
        self._exchanges.append(exchange)
        return response

    def _auth_violations(self, op_id: str, secured: bool, request: httpx.Request) -> list[str]:
        if not self._check_auth or not secured:
            return []
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if self._api_key is None and scheme.lower() == "bearer" and token.strip():
            return []
        if self._api_key is not None and (scheme.lower(), token) == ("bearer", self._api_key):
            return []
        # never print the key itself
        wanted = "the api key" if self._api_key is not None else "an api key"
        return [f"{op_id} request: header Authorization: must be 'Bearer <{wanted}>'"]

    def _fail(self, problems: list[str]) -> None:
        if problems:
            self._raise(problems)

    def _raise(self, problems: list[str]) -> NoReturn:
        self.violations.extend(problems)
        raise ContractViolation("\n".join(problems))


def _echo_violations(op_id: str, request: httpx.Request, response: httpx.Response) -> list[str]:
    """A stub's `X-Request-Id` must be the request's; one it leaves out is filled in, with the
    request's or a new one, as a server does."""
    sent = request.headers.get("x-request-id")
    answered = response.headers.get("x-request-id")
    if answered is None:
        response.headers["X-Request-Id"] = sent or uuid.uuid4().hex
        return []
    if sent is not None and answered != sent:
        return [
            f"{op_id} response {response.status_code}: header X-Request-Id: {answered!r} "
            f"does not echo the request's {sent!r}"
        ]
    return []


def _problem_violations(op_id: str, response: httpx.Response) -> list[str]:
    """A problem document's `status` must be the HTTP status it travels with (RFC 9457)."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return []
    try:
        status = response.json().get("status")
    except (ValueError, AttributeError):
        return []  # not a JSON object: the schema check says so
    if status is None or status == response.status_code:
        return []
    return [
        f"{op_id} response {response.status_code}: body.status: {status!r} is not the "
        f"HTTP status {response.status_code}"
    ]


def _build_response(
    status: int,
    *,
    json: Any,
    content: bytes | None,
    headers: Mapping[str, str] | None,
) -> httpx.Response:
    response_headers = dict(headers or {})
    if json is not None:
        response = httpx.Response(status, json=json, headers=response_headers)
        if status >= 400 and "content-type" not in {k.lower() for k in response_headers}:
            response.headers["Content-Type"] = "application/problem+json"
        return response
    if content is not None and "content-type" not in {k.lower() for k in response_headers}:
        response_headers["Content-Type"] = "application/octet-stream"
    return httpx.Response(status, content=content or b"", headers=response_headers)
