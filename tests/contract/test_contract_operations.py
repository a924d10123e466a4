"""Contract tests: every operation of the spec, through the SDK, against `DatlakeMock`.

Each test calls a `datlake_sdk.functional` operation with a client whose transport is the
mock, so the request the SDK sends and the canned answer are both validated against the spec.
There is one success test per operation and one test per documented error status, both
parametrized from the spec at collection time (see `tests/operation_cases`): a status the spec
starts documenting gets a test, which fails until the table can produce it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from datlake_sdk import DatlakeClient, ErrorStrategy, OnError, Policy, RetryPolicy
from datlake_sdk.functional import Err, Ok, SDKError, Transient
from datlake_sdk.testing import DatlakeMock, Exchange, factories

from ..operation_cases import (
    ERROR_CASES,
    ERRORS,
    OPERATIONS,
    OTHER_PROBLEMS,
    SPEC,
    SUCCESS_CASES,
    OperationCase,
    documented_responses,
    fields,
    success_status,
)

BASE_URL = "http://127.0.0.1:8765"
API_KEY = "contract-key"

ATTEMPTS = 3
POLICY = Policy(
    error_strategy=ErrorStrategy.FAIL_FAST,
    retry=RetryPolicy(max_attempts=ATTEMPTS),
    on_error=OnError.LOG_ONLY,
)
RETRY_AFTER = 1


@contextlib.contextmanager
def mocked_client() -> Iterator[tuple[DatlakeMock, DatlakeClient]]:
    """A mock Datlake requiring the API key, and a client whose transport it is."""
    with (
        DatlakeMock(BASE_URL, api_key=API_KEY) as dl,
        DatlakeClient(
            base_url=BASE_URL, api_key=API_KEY, transport=dl.transport(), policy=POLICY
        ) as client,
    ):
        yield dl, client


def case_for(operation_id: str) -> OperationCase:
    case = OPERATIONS.get(operation_id)
    if case is None:
        pytest.fail(f"the spec has {operation_id} but operation_cases.OPERATIONS has no entry")
    return case


def check_request(case: OperationCase, call: Exchange) -> None:
    """What the SDK sent, beyond being valid: the resource, the query and the body."""
    request = call.request
    assert dict(call.path_params) == dict(case.path_params)
    assert dict(request.url.params) == dict(case.query)
    for name, value in case.headers.items():
        assert request.headers.get(name) == value, name
    if case.json is not None:
        assert json.loads(request.content) == case.json


# --- success --------------------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", SUCCESS_CASES)
def test_success(operation_id: str, tmp_path: Path) -> None:
    case = case_for(operation_id)
    status = success_status(documented_responses(SPEC)[operation_id])
    body = case.success(factories)
    with mocked_client() as (dl, client):
        if isinstance(body, bytes):
            dl.on(operation_id).respond(status, content=body, headers=case.success_headers)
        else:
            dl.on(operation_id).respond(status, json=body, headers=case.success_headers)
        result = case.invoke(client, tmp_path)

    assert isinstance(result, Ok), result
    assert fields(result.value) == fields(case.expected(tmp_path))
    (call,) = dl.calls(operation_id)
    check_request(case, call)
    if case.check is not None:
        case.check(tmp_path)


# --- documented errors ----------------------------------------------------------------------


def problem_answer(status: int, kind: str, detail: str) -> Any:
    """Answers with a problem whose `request_id` is the one the SDK sent with the attempt."""

    def answer(request: httpx.Request) -> httpx.Response:
        request_id = request.headers["X-Request-Id"]
        headers = {"Content-Type": "application/problem+json", "X-Request-Id": request_id}
        if status in (429, 503):
            headers["Retry-After"] = str(RETRY_AFTER)
        body = factories.problem(status, kind, detail=detail, request_id=request_id)
        return httpx.Response(status, json=body, headers=headers)

    return answer


@pytest.mark.parametrize(
    ("operation_id", "status"),
    [pytest.param(op, status, id=f"{op}-{status}") for op, status in ERROR_CASES],
)
def test_documented_error(operation_id: str, status: int | str, tmp_path: Path) -> None:
    case = case_for(operation_id)
    if status not in ERRORS:
        pytest.fail(f"{operation_id} documents {status}: add what it becomes to ERRORS")
    assert isinstance(status, int)
    kind = case.problems.get(status, ERRORS[status][1])
    check_problem_answer(operation_id, status, kind, tmp_path)


@pytest.mark.parametrize(
    ("operation_id", "status", "kind"),
    [pytest.param(*case, id="-".join(map(str, case))) for case in OTHER_PROBLEMS],
)
def test_other_problem_kind(operation_id: str, status: int, kind: str, tmp_path: Path) -> None:
    check_problem_answer(operation_id, status, kind, tmp_path)


def check_problem_answer(operation_id: str, status: int, kind: str, tmp_path: Path) -> None:
    """The operation answered a `kind` problem of `status`: the SDK returns the typed error."""
    case = case_for(operation_id)
    error_class = ERRORS[status][0]
    detail = f"{operation_id} answered {status}"
    with mocked_client() as (dl, client):
        dl.on(operation_id).mock(problem_answer(status, kind, detail))
        result = case.invoke(client, tmp_path)

    assert isinstance(result, Err), result
    error: SDKError = result.error
    assert type(error) is error_class, repr(error)
    assert error.code == status
    assert error.problem_type == f"/problems/{kind}"
    assert error.detail == detail
    assert error.operation == operation_id
    calls = dl.calls(operation_id)
    check_request(case, calls[-1])
    # the error carries the request id of the attempt that produced it; each attempt has its own
    assert error.request_id == calls[-1].request.headers["X-Request-Id"]
    assert len({call.request.headers["X-Request-Id"] for call in calls}) == len(calls)
    if error_class is Transient:
        assert error.retryable
        assert error.retry_after == RETRY_AFTER
        assert len(calls) == (ATTEMPTS if case.retried else 1)
        # a retry resends the same request: same idempotency key, same (rewound) body
        assert len({call.request.headers.get("Idempotency-Key") for call in calls}) == 1
        assert len({call.request.content for call in calls}) == 1
    else:
        assert not error.retryable
        assert len(calls) == 1
