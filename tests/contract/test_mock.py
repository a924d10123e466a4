"""The contract testing kit: valid exchanges pass, and every kind of drift fails loudly."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from datlake_sdk.testing import (
    ContractViolation,
    DatlakeMock,
    factories,
    operations,
    request_violations,
    response_violations,
)
from datlake_sdk.testing.pytest_plugin import (  # noqa: F401  (fixtures used by name)
    datlake_mock,
    datlake_mock_base_url,
)

BASE = "http://127.0.0.1:8765"
Arrange = Callable[[DatlakeMock], object]
Act = Callable[[], object]
SAMPLE_PARAMS = {
    "{job_name}": "daily_users",
    "{run_id}": "r1",
    "{table}": "users_raw",
    "{bucket}": "logs",
    "{object}": "a%2Fb%2Fc.txt",
}


AUTH = {"Authorization": "Bearer k"}


def send(method: str, url: str, **options: Any) -> httpx.Response:
    """`httpx.request` with an API key (the mock requires one on secured operations)."""
    headers = {**AUTH, **options.pop("headers", {})}
    return httpx.request(method, url, headers=headers, **options)


def test_a_valid_exchange_passes_and_is_recorded() -> None:
    with DatlakeMock(base_url=BASE) as dl:
        dl.on("start_run").respond(201, json=dl.factories.run(job_name="daily_users"))
        response = send(
            "POST",
            f"{BASE}/api/v1/jobs/daily_users/runs",
            json={"metadata": {"source": "s3"}},
            headers={"Idempotency-Key": "k-1", "X-Request-Id": "req-1"},
        )
    assert response.status_code == 201
    assert response.json()["job_name"] == "daily_users"
    assert response.headers["X-Request-Id"] == "req-1"
    (call,) = dl.calls("start_run")
    assert call.path_params == {"job_name": "daily_users"}
    assert call.request.headers["Idempotency-Key"] == "k-1"
    assert dl.violations == []


def exchange(arrange: Arrange, act: Act, *, api_key: str | None = None) -> DatlakeMock:
    with DatlakeMock(base_url=BASE, api_key=api_key) as dl:
        arrange(dl)
        act()
    return dl


def violation(arrange: Arrange, act: Act, *, api_key: str | None = None) -> str:
    with pytest.raises(ContractViolation) as caught:
        exchange(arrange, act, api_key=api_key)
    return str(caught.value)


def nothing(dl: DatlakeMock) -> None:
    pass


def test_a_bad_request_body_names_operation_field_and_rule() -> None:
    message = violation(
        lambda dl: dl.on("start_run").succeed(),
        lambda: send("POST", f"{BASE}/api/v1/jobs/daily_users/runs", json={"metadata": "x"}),
    )
    assert message == "start_run request: body.metadata: 'x' is not of type 'object'"


def test_a_missing_required_body_field_is_reported() -> None:
    body = {"job_name": "j", "run_id": "r1", "table_name": "t", "uri": "file:///x"}
    message = violation(
        lambda dl: dl.on("register_snapshot").succeed(),
        lambda: send("POST", f"{BASE}/api/v1/jobs/register-snapshot", json=body),
    )
    assert message == "register_snapshot request: body: 'format' is a required property"


def test_a_bad_path_parameter_is_reported() -> None:
    message = violation(
        lambda dl: dl.on("get_run").succeed(),
        lambda: send("GET", f"{BASE}/api/v1/jobs/bad%20name/runs/r1"),
    )
    assert message.startswith("get_run request: path parameter job_name: 'bad name' does not")


def test_a_job_name_ending_in_a_newline_is_refused_as_json_schema_reads_the_pattern() -> None:
    # Python's `$` matches before a final newline; the spec's `^...$` (ECMA-262) does not
    message = violation(
        lambda dl: dl.on("get_run").succeed(),
        lambda: send("GET", f"{BASE}/api/v1/jobs/daily_users%0A/runs/r1"),
    )
    assert message.startswith(
        "get_run request: path parameter job_name: 'daily_users\\n' does not match the pattern"
    )


def test_a_path_parameter_not_utf8_once_decoded_fails() -> None:
    headers = {"Content-Type": "application/octet-stream", "X-Checksum-Sha256": "0" * 64}
    message = violation(
        lambda dl: dl.on("upload_object").succeed(),
        lambda: send("PUT", f"{BASE}/api/v1/datasets/logs/a%FF", content=b"x", headers=headers),
    )
    assert message == (
        "PUT /api/v1/datasets/logs/a%FF: path parameter object: not UTF-8 once percent-decoded"
    )
    request = httpx.Request("PUT", f"{BASE}/api/v1/datasets/logs/a%FF", headers=headers)
    assert request_violations("upload_object", request) == [
        "upload_object request: path parameter object: not UTF-8 once percent-decoded"
    ]


def test_an_invalid_canned_response_fails() -> None:
    run = factories.run()
    del run["run_id"]
    message = violation(
        lambda dl: dl.on("get_run").respond(200, json=run),
        lambda: send("GET", f"{BASE}/api/v1/jobs/daily_users/runs/r1"),
    )
    assert message == "get_run response 200: body: 'run_id' is a required property"


def test_an_undocumented_status_fails() -> None:
    message = violation(
        lambda dl: dl.on("get_health").respond(418, json={}),
        lambda: send("GET", f"{BASE}/api/v1/health"),
    )
    assert message == "get_health response 418: status code not documented for this operation"


def test_problem_responses_go_out_as_problem_json() -> None:
    responses: list[httpx.Response] = []
    exchange(
        lambda dl: dl.on("get_run").respond(404, json=factories.problem(404, "run-not-found")),
        lambda: responses.append(send("GET", f"{BASE}/api/v1/jobs/daily_users/runs/r1")),
    )
    assert responses[0].status_code == 404
    assert responses[0].headers["content-type"] == "application/problem+json"


def test_a_problem_without_request_id_fails() -> None:
    problem = factories.problem(404, "run-not-found")
    del problem["request_id"]
    message = violation(
        lambda dl: dl.on("get_run").respond(404, json=problem),
        lambda: send("GET", f"{BASE}/api/v1/jobs/daily_users/runs/r1"),
    )
    assert message == "get_run response 404: body: 'request_id' is a required property"


def test_encoded_slashes_route_to_upload_and_download() -> None:
    data = b"\x00id,email\n1,a@example.com\n"
    url = f"{BASE}/api/v1/datasets/logs/a%2Fb%2Fc.txt"
    seen: dict[str, object] = {}

    def arrange(dl: DatlakeMock) -> None:
        receipt = factories.receipt(bucket="logs", object="a/b/c.txt", content=data)
        dl.on("upload_object").respond(201, json=receipt)
        dl.on("download_object").respond(200, content=data)

    def act() -> None:
        with httpx.Client(headers=AUTH) as client:
            headers = {
                "Content-Type": "application/octet-stream",
                "X-Checksum-Sha256": hashlib.sha256(data).hexdigest(),
            }
            seen["receipt"] = client.put(url, content=iter([data[:5], data[5:]]), headers=headers)
            seen["download"] = client.get(url)

    dl = exchange(arrange, act)
    assert seen["receipt"].json()["uri"] == "datlake://logs/a/b/c.txt"  # type: ignore[attr-defined]
    assert seen["download"].content == data  # type: ignore[attr-defined]
    (upload,) = dl.calls("upload_object")
    (download,) = dl.calls("download_object")
    assert upload.path_params == {"bucket": "logs", "object": "a/b/c.txt"}
    assert upload.request.content == data
    assert download.request.url.raw_path == b"/api/v1/datasets/logs/a%2Fb%2Fc.txt"


def test_a_bad_checksum_header_on_upload_fails() -> None:
    headers = {"Content-Type": "application/octet-stream", "X-Checksum-Sha256": "nope"}
    message = violation(
        lambda dl: dl.on("upload_object").succeed(),
        lambda: send("PUT", f"{BASE}/api/v1/datasets/logs/a%2Fb", content=b"x", headers=headers),
    )
    assert message.startswith(
        "upload_object request: header parameter X-Checksum-Sha256: 'nope' does not match"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/nowhere"), ("DELETE", "/api/v1/jobs/j/runs"), ("GET", "/health")],
)
def test_a_request_no_operation_serves_fails(method: str, path: str) -> None:
    message = violation(nothing, lambda: httpx.request(method, f"{BASE}{path}"))
    assert message == f"no operation in the spec serves {method} {path}"


def test_an_operation_without_an_answer_fails() -> None:
    message = violation(nothing, lambda: send("GET", f"{BASE}/api/v1/health"))
    assert message.startswith("get_health was called but has no response")


def test_a_swallowed_violation_fails_when_the_block_ends() -> None:
    def swallow() -> None:
        with contextlib.suppress(AssertionError):
            send("POST", f"{BASE}/api/v1/jobs/j/runs", json={"metadata": 1})

    message = violation(lambda dl: dl.on("start_run").succeed(), swallow)
    assert message == "start_run request: body.metadata: 1 is not of type 'object'"


def test_the_api_key_is_required_when_given_and_never_printed() -> None:
    def arrange(dl: DatlakeMock) -> None:
        dl.on("get_run").succeed()
        dl.on("get_health").succeed()

    def act() -> None:
        httpx.get(f"{BASE}/api/v1/health")  # no auth on health
        send("GET", f"{BASE}/api/v1/jobs/j/runs/r1", headers={"Authorization": "Bearer wrong"})

    message = violation(arrange, act, api_key="s3cret")
    assert message == "get_run request: header Authorization: must be 'Bearer <the api key>'"
    exchange(
        arrange,
        lambda: send(
            "GET", f"{BASE}/api/v1/jobs/j/runs/r1", headers={"Authorization": "Bearer s3cret"}
        ),
        api_key="s3cret",
    )


def test_unknown_operation_ids_are_a_key_error() -> None:
    with DatlakeMock(base_url=BASE) as dl, pytest.raises(KeyError, match="start_run"):
        dl.on("start_runs")


def test_the_explicit_transport_validates_too() -> None:
    dl = DatlakeMock(base_url=BASE)
    dl.on("get_health").succeed()
    with httpx.Client(transport=dl.transport(), base_url=BASE) as client:
        assert client.get("/api/v1/health").json()["status"] == "ok"
        with pytest.raises(ContractViolation, match="no operation"):
            client.get("/api/v1/healthz")


@pytest.mark.parametrize("op", operations(), ids=lambda op: op.id)
def test_every_default_success_body_satisfies_the_spec(op) -> None:  # type: ignore[no-untyped-def]
    path = op.template
    for placeholder, value in SAMPLE_PARAMS.items():
        path = path.replace(placeholder, value)
    request = httpx.Request(op.method, f"{BASE}{path}")
    body = factories.success(op.id)
    if isinstance(body, bytes):
        response = httpx.Response(
            200, content=body, headers={"Content-Type": "application/octet-stream"}
        )
    else:
        response = httpx.Response(op.success_status, json=body)
    assert response_violations(op.id, request, response) == []


def test_the_pytest_fixture_serves_the_spec(datlake_mock: DatlakeMock) -> None:  # noqa: F811
    datlake_mock.on("list_runs").respond(json=factories.run_page(items=[], next_cursor=None))
    page = send("GET", f"{BASE}/api/v1/jobs/daily_users/runs", params={"limit": 10}).json()
    assert page == {"items": [], "next_cursor": None}
    assert datlake_mock.calls("list_runs")[0].request.url.params["limit"] == "10"


def test_secured_operations_need_an_api_key_by_default() -> None:
    def arrange(dl: DatlakeMock) -> None:
        dl.on("get_run").succeed()
        dl.on("get_health").succeed()

    def act() -> None:
        httpx.get(f"{BASE}/api/v1/health")  # the spec secures every operation but health
        httpx.get(f"{BASE}/api/v1/jobs/j/runs/r1", headers={"Authorization": "Basic eDp5"})

    message = violation(arrange, act)
    assert message == "get_run request: header Authorization: must be 'Bearer <an api key>'"
    assert violation(arrange, lambda: httpx.get(f"{BASE}/api/v1/jobs/j/runs/r1")) == message
    exchange(arrange, lambda: send("GET", f"{BASE}/api/v1/jobs/j/runs/r1"))  # any key will do


def test_not_checking_auth_is_explicit() -> None:
    with DatlakeMock(base_url=BASE, check_auth=False) as dl:
        dl.on("get_run").succeed()
        assert httpx.get(f"{BASE}/api/v1/jobs/j/runs/r1").status_code == 200
    with pytest.raises(ValueError, match="check_auth"):
        DatlakeMock(base_url=BASE, api_key="k", check_auth=False)


def test_a_problem_whose_status_is_not_the_http_status_fails() -> None:
    message = violation(
        lambda dl: dl.on("get_run").respond(404, json=factories.problem(409, "run-not-found")),
        lambda: send("GET", f"{BASE}/api/v1/jobs/daily_users/runs/r1"),
    )
    assert message == "get_run response 404: body.status: 409 is not the HTTP status 404"


def test_a_stub_must_echo_the_request_id() -> None:
    run = factories.run()
    message = violation(
        lambda dl: dl.on("get_run").respond(200, json=run, headers={"X-Request-Id": "other"}),
        lambda: send("GET", f"{BASE}/api/v1/jobs/j/runs/r1", headers={"X-Request-Id": "req-7"}),
    )
    assert message == (
        "get_run response 200: header X-Request-Id: 'other' does not echo the request's 'req-7'"
    )
    answers: list[httpx.Response] = []
    exchange(
        lambda dl: dl.on("get_run").respond(200, json=run),
        lambda: answers.extend(
            send("GET", f"{BASE}/api/v1/jobs/j/runs/r1", headers=headers)
            for headers in ({"X-Request-Id": "req-8"}, {})
        ),
    )
    # a stub that sets none answers with the client's id, or a new one, as a server does
    assert answers[0].headers["X-Request-Id"] == "req-8"
    assert len(answers[1].headers["X-Request-Id"]) == 32
