"""The requests `datlake conformance` makes from the spec alone: each operation's sample is
valid by the spec, and each broken one breaks exactly the parameter it names (so the auth and
400 scenarios test what they claim, for operations the spec gains too)."""

from __future__ import annotations

import httpx
import pytest

from datlake_sdk._contract import Operation, operations
from datlake_sdk.conformance._spec_requests import (
    SpecRequest,
    broken_requests,
    documented_statuses,
    sample_request,
)
from datlake_sdk.testing._validate import request_violations

UNIQUE = "conf-sample-abc123"


def as_httpx(request: SpecRequest) -> httpx.Request:
    url = httpx.URL(f"http://127.0.0.1:8765/api/v1{request.path}", params=request.params)
    headers = {**request.headers, "Authorization": "Bearer key"}
    return httpx.Request(request.method, url, headers=headers, **request.body)


@pytest.mark.parametrize("op", operations(), ids=lambda op: op.id)
def test_each_sample_request_is_valid(op: Operation) -> None:
    request = sample_request(op, UNIQUE)
    assert request_violations(op.id, as_httpx(request)) == []
    assert UNIQUE in request.path or UNIQUE in request.params.values() or not op.template.count("{")


@pytest.mark.parametrize("op", operations(), ids=lambda op: op.id)
def test_each_broken_request_breaks_the_parameter_it_names(op: Operation) -> None:
    broken = list(broken_requests(op, UNIQUE))
    for where, request in broken:
        violations = request_violations(op.id, as_httpx(request))
        assert len(violations) == 1, (where, violations)
        assert f"request: {where}" in violations[0]
    # an operation that documents 400 has a parameter to break (the request id stays valid)
    assert bool(broken) == (400 in documented_statuses(op))
