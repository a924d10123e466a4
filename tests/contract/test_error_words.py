"""The local server and the testing kit word an openapi-core error alike: one describer
(`datlake_sdk._contract_check.describe_error`) serves both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from datlake_sdk.testing import request_violations
from datlake_server import create_app, serve_app

API_KEY = "words-key"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    app = create_app(Path(tmp_path_factory.mktemp("words")), API_KEY, validate_responses=True)
    with serve_app(app) as url:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        with httpx.Client(base_url=f"{url}/api/v1", headers=headers) as client:
            yield client
    assert app.state.response_violations == []


@pytest.mark.parametrize(
    ("content", "content_type", "words"),
    [
        (b'{"metadata": "x"}', "application/json", "body.metadata: 'x' is not of type 'object'"),
        (b'{"metadata":', "application/json", "body: not valid application/json"),
        (b"x", "text/plain", "body: content type text/plain is not documented"),
    ],
)
def test_a_bad_body_is_worded_alike(
    api: httpx.Client, content: bytes, content_type: str, words: str
) -> None:
    request = api.build_request(
        "POST", "/jobs/daily/runs", content=content, headers={"Content-Type": content_type}
    )
    answer = api.send(request)
    assert answer.status_code in (415, 422), answer.text
    detail = answer.json()["detail"]
    assert detail.startswith(words), detail
    (violation,) = request_violations("start_run", request)
    assert violation.startswith(f"start_run request: {words}"), violation
    assert violation == f"start_run request: {detail}"


def test_a_bad_parameter_is_worded_alike(api: httpx.Client) -> None:
    request = api.build_request("GET", "/lineage", params={"table": "a b"})
    answer = api.send(request)
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert detail.startswith("query parameter table: 'a b' does not match the pattern"), detail
    assert request_violations("get_lineage", request) == [f"get_lineage request: {detail}"]
    missing = api.build_request("GET", "/lineage")
    assert api.send(missing).json()["detail"] == "query parameter table: required but missing"
