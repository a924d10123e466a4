"""Every SDK function of the per-operation table (`tests/operation_cases`) against respx: the
exact request it sends, the value it returns, and the typed `Err` for each way the call can fail
(statuses, transport, broken bodies, retries)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Err,
    Ok,
    Result,
    SDKError,
    ServerError,
    Transient,
    ValidationError,
    complete_run,
    download_object,
    fetch_latest_uri,
    heartbeat,
    register_snapshot,
    start_run,
    upload_file,
    upload_object,
)
from datlake_sdk.testing import factories

from ..operation_cases import (
    BUILT_ON,
    ERRORS,
    OPERATIONS,
    RUN,
    SPEC,
    OperationCase,
    documented_responses,
    fields,
    operation_of,
    success_status,
    takes_idempotency_key,
    wire_path,
)
from .helpers import (
    API_KEY,
    BASE_URL,
    CURATED_SNAPSHOT_JSON,
    LEASE_JSON,
    RAW_SNAPSHOT_JSON,
    RUN_ID,
    RUN_JSON,
    SHA_OF_ABC,
    json_body,
    make_client,
    problem,
    receipt_json,
)

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _abc_file(tmp_path: Path) -> Path:
    path = tmp_path / "run.log"
    path.write_bytes(b"abc")
    return path


@dataclass(frozen=True)
class Op:
    """An SDK function driven through the table's case for the operation it calls; what the
    table leaves to the spec (method, path, status, idempotency key) is read from the spec."""

    name: str
    operation_id: str
    case: OperationCase

    def invoke(self, client: DatlakeClient, workdir: Path) -> Result[Any, SDKError]:
        return self.case.invoke(client, workdir)

    @property
    def method(self) -> str:
        return operation_of(SPEC, self.operation_id)[0]

    @property
    def path(self) -> str:
        return wire_path(self.operation_id, self.case.path_params)

    @property
    def status(self) -> int:
        return success_status(documented_responses(SPEC)[self.operation_id])

    @property
    def answer(self) -> Any:
        return self.case.success(factories)

    @property
    def idempotent_key(self) -> bool:
        return takes_idempotency_key(self.operation_id)

    def respond(self, answer: Any = None) -> httpx.Response:
        answer = self.answer if answer is None else answer
        if isinstance(answer, bytes):
            return httpx.Response(self.status, content=answer, headers=self.case.success_headers)
        return httpx.Response(self.status, json=answer, headers=self.case.success_headers)

    def __str__(self) -> str:
        return self.name


OPS = [
    *(Op(operation_id, operation_id, case) for operation_id, case in OPERATIONS.items()),
    *(Op(name, operation_id, case) for name, (operation_id, case) in BUILT_ON.items()),
]
JSON_ANSWER_OPS = [op for op in OPS if not isinstance(op.answer, bytes)]


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture(scope="module")
def client() -> Iterator[DatlakeClient]:
    # One client for the module: building one (its TLS context) costs more than a test.
    with make_client() as client:
        yield client


# Writes whose failure may hide an earlier attempt that landed: the client then reads the run.
RESOLVED = ("start_run", "complete_run", "fetch_latest_uri", "register_snapshot")


def _lookups_find_nothing(api: respx.MockRouter, op: Op) -> None:
    """The lookup a write makes after an ambiguous failure (of its run, or of the object it
    uploads) finds nothing."""
    if op.name in RESOLVED:
        api.get(url__regex=r"/api/v1/jobs/[^/]+/runs/[^/]+$").mock(
            return_value=problem(404, "run-not-found")
        )
    if op.operation_id == "upload_object":
        api.get(url__regex=r"/api/v1/datasets/").mock(return_value=problem(404, "object-not-found"))


def _route(api: respx.MockRouter, op: Op) -> respx.Route:
    # Matched on the method only: the test asserts the raw path itself, because respx matches
    # paths after decoding %2F.
    return api.route(method=op.method)


@pytest.mark.parametrize("op", OPS, ids=str)
def test_success_sends_the_documented_request(
    op: Op, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    route = _route(api, op)
    route.return_value = op.respond()

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Ok), result
    assert fields(result.value) == fields(op.case.expected(tmp_path))
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == op.method
    path, _, _ = request.url.raw_path.decode().partition("?")
    assert path == op.path
    assert dict(request.url.params) == dict(op.case.query)
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert re.fullmatch(r"[\x21-\x7e]{1,128}", request.headers["X-Request-Id"])
    for name, value in op.case.headers.items():
        assert request.headers[name] == value
    if op.case.json is not None:
        assert request.headers["Content-Type"] == "application/json"
        assert json_body(request) == op.case.json
    assert ("Idempotency-Key" in request.headers) == op.idempotent_key
    if op.idempotent_key:
        assert UUID4.fullmatch(request.headers["Idempotency-Key"])


ERROR_CASES = [(status, kind, category) for status, (category, kind) in ERRORS.items()]


@pytest.mark.parametrize(("status", "kind", "category"), ERROR_CASES)
@pytest.mark.parametrize("op", OPS, ids=str)
def test_each_status_becomes_its_typed_error(
    op: Op,
    status: int,
    kind: str,
    category: type[SDKError],
    api: respx.MockRouter,
    client: DatlakeClient,
    tmp_path: Path,
) -> None:
    _route(api, op).return_value = problem(status, kind, request_id="srv-req-1")

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Err)
    assert type(result.error) is category
    assert result.error.code == status
    assert result.error.problem_type == f"/problems/{kind}"
    assert result.error.detail == f"{kind} (test)"
    assert result.error.request_id == "srv-req-1"


TRANSPORT_FAILURES = [
    pytest.param(httpx.ReadTimeout("read timed out"), id="timeout"),
    pytest.param(httpx.ConnectTimeout("connect timed out"), id="connect-timeout"),
    pytest.param(httpx.ConnectError("connection refused"), id="connection-error"),
]


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES)
@pytest.mark.parametrize("op", OPS, ids=str)
def test_transport_failures_are_transient_without_a_code(
    op: Op, failure: Exception, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    _lookups_find_nothing(api, op)
    route = _route(api, op)
    route.side_effect = failure

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Err)
    assert isinstance(result.error, Transient)
    assert result.error.code is None
    # the id the client sent, since no answer came back with one
    assert result.error.request_id == route.calls.last.request.headers["X-Request-Id"]


@pytest.mark.parametrize("op", OPS, ids=str)
def test_a_proxy_html_502_is_transient(
    op: Op, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    _lookups_find_nothing(api, op)
    _route(api, op).return_value = httpx.Response(
        502, content=html, headers={"Content-Type": "text/html"}
    )

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Err)
    assert isinstance(result.error, Transient)
    assert result.error.code == 502
    assert result.error.problem_type is None


@pytest.mark.parametrize("op", OPS, ids=str)
def test_an_undocumented_status_520_is_an_err(
    op: Op, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    _lookups_find_nothing(api, op)
    _route(api, op).return_value = httpx.Response(520, content=b"origin error")

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Err)
    assert isinstance(result.error, Transient)
    assert result.error.code == 520


@pytest.mark.parametrize("op", JSON_ANSWER_OPS, ids=str)
def test_a_success_body_cut_off_is_retried_then_transient(
    op: Op, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    _lookups_find_nothing(api, op)
    route = _route(api, op)
    route.return_value = httpx.Response(
        op.status, content=b'{"job_name": "daily_us', headers={"Content-Type": "application/json"}
    )

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Err)
    assert isinstance(result.error, Transient if op.case.retried else ServerError)
    assert result.error.code == op.status
    assert "outside the contract" in result.error.message
    assert route.call_count == (3 if op.case.retried else 1)


@pytest.mark.parametrize("op", JSON_ANSWER_OPS, ids=str)
def test_an_incomplete_success_body_is_a_server_error(
    op: Op, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    _route(api, op).return_value = httpx.Response(op.status, json={"unexpected": True})

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Err)
    assert isinstance(result.error, ServerError)


def _with_wrong_types(answer: Any) -> Iterator[tuple[str, Any]]:
    """The answer with one field at a time of the wrong type: a number for each text field
    (times included), and text for each nested object or list."""
    for key, value in answer.items():
        if isinstance(value, str):
            yield key, {**answer, key: 12345}
        if key.endswith("_at"):
            yield f"{key} (not a time)", {**answer, key: "soon"}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner, inner_value in value[0].items():
                if isinstance(inner_value, str):
                    item = {**value[0], inner: 12345}
                    yield f"{key}[0].{inner}", {**answer, key: [item, *value[1:]]}


WRONG_TYPES = [
    pytest.param(op, answer, id=f"{op}-{key}")
    for op in JSON_ANSWER_OPS
    for key, answer in _with_wrong_types(op.answer)
    # `UriInfo` does not carry the writer of the snapshot: those two fields are not read
    if (op.name, key) not in {("fetch_latest_uri", "job_name"), ("fetch_latest_uri", "run_id")}
]


@pytest.mark.parametrize(("op", "answer"), WRONG_TYPES)
def test_a_success_body_with_a_field_of_the_wrong_type_is_a_server_error(
    op: Op, answer: Any, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    # The generated models `cast` text fields without checking them: a number for a run id
    # must not come back as `Ok(Run(run_id=12345))` and break the next call.
    _route(api, op).return_value = httpx.Response(op.status, json=answer)

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Err), result
    assert isinstance(result.error, ServerError)
    assert "outside the contract" in result.error.message


@pytest.mark.parametrize("op", OPS, ids=str)
def test_transient_failures_are_retried_until_the_attempts_run_out(
    op: Op, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    route = _route(api, op)
    route.side_effect = [problem(503, "unavailable", request_id=f"srv-{n}") for n in range(3)]

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Err)
    assert isinstance(result.error, Transient)
    # retry-safe calls use the policy's three attempts; a plain POST is sent once
    assert route.call_count == (3 if op.case.retried else 1)
    assert result.error.request_id == f"srv-{route.call_count - 1}"
    request_ids = {call.request.headers["X-Request-Id"] for call in route.calls}
    assert len(request_ids) == route.call_count  # a fresh X-Request-Id per attempt


@pytest.mark.parametrize("op", [op for op in OPS if op.case.retried], ids=str)
def test_a_retry_that_succeeds_returns_ok_and_resends_the_same_request(
    op: Op, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    route = _route(api, op)
    route.side_effect = [httpx.ReadTimeout("slow"), problem(503, "unavailable"), op.respond()]

    result = op.invoke(client, tmp_path)

    assert isinstance(result, Ok), result
    assert route.call_count == 3
    first, *retries = (call.request for call in route.calls)
    for retry in retries:
        assert retry.url.raw_path == first.url.raw_path
        assert retry.content == first.content  # an uploaded file is rewound, not half-sent
        assert retry.headers.get("Idempotency-Key") == first.headers.get("Idempotency-Key")


@pytest.mark.parametrize("op", [op for op in OPS if op.idempotent_key], ids=str)
def test_the_idempotency_key_is_made_once_per_call_and_kept_across_retries(
    op: Op, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    route = _route(api, op)
    route.side_effect = [problem(503, "unavailable"), problem(429, "rate-limited"), op.respond()]

    assert isinstance(op.invoke(client, tmp_path), Ok)
    keys = [call.request.headers["Idempotency-Key"] for call in route.calls]
    assert len(keys) == 3
    assert len(set(keys)) == 1
    assert UUID4.fullmatch(keys[0])

    route.side_effect = None
    route.return_value = op.respond()
    assert isinstance(op.invoke(client, tmp_path), Ok)
    assert route.calls.last.request.headers["Idempotency-Key"] != keys[0]  # a new logical call


def test_a_given_idempotency_key_is_sent_as_is(
    api: respx.MockRouter, client: DatlakeClient
) -> None:
    started = api.post("/api/v1/jobs/daily_users/runs").respond(201, json=RUN_JSON)
    registered = api.post("/api/v1/jobs/register-snapshot").respond(201, json=CURATED_SNAPSHOT_JSON)

    assert isinstance(start_run(client, "daily_users", idempotency_key="start-1"), Ok)
    result = register_snapshot(
        client, RUN, "users_curated", "s3://b/k", format="parquet", idempotency_key="reg-1"
    )

    assert isinstance(result, Ok)
    assert started.calls.last.request.headers["Idempotency-Key"] == "start-1"
    assert registered.calls.last.request.headers["Idempotency-Key"] == "reg-1"


def test_a_malformed_idempotency_key_is_rejected_before_sending(
    api: respx.MockRouter, client: DatlakeClient
) -> None:
    result = start_run(client, "daily_users", idempotency_key="has space")

    assert isinstance(result, Err)
    assert isinstance(result.error, ValidationError)
    assert "idempotency_key" in result.error.message
    assert not api.calls


def test_start_run_sends_a_parent_run_and_omits_absent_metadata(
    api: respx.MockRouter, client: DatlakeClient
) -> None:
    route = api.post("/api/v1/jobs/daily_users/runs").respond(201, json=RUN_JSON)

    start_run(client, "daily_users", parent_run_id="parent-1", run_id=RUN_ID)

    assert json_body(route.calls.last.request) == {"parent_run_id": "parent-1", "run_id": RUN_ID}


def test_fetch_latest_uri_without_a_run_records_no_input_edge(
    api: respx.MockRouter, client: DatlakeClient
) -> None:
    route = api.get("/api/v1/tables/users_raw/snapshots/latest").respond(
        200, json=RAW_SNAPSHOT_JSON
    )

    result = fetch_latest_uri(client, None, "users_raw")

    assert isinstance(result, Ok)
    assert route.calls.last.request.url.raw_path == b"/api/v1/tables/users_raw/snapshots/latest"


def test_heartbeat_without_lease_seconds_leaves_the_server_default(
    api: respx.MockRouter, client: DatlakeClient
) -> None:
    route = api.post(f"/api/v1/jobs/daily_users/runs/{RUN_ID}/heartbeat").respond(
        200, json=LEASE_JSON
    )

    heartbeat(client, RUN)

    assert json_body(route.calls.last.request) == {}


def test_object_names_travel_percent_encoded_as_one_segment(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    route = api.route(method="PUT").respond(
        201, json=receipt_json("artifacts", "a b/ü?#.log", 3, SHA_OF_ABC)
    )

    upload_object(client, "artifacts", "a b/ü?#.log", _abc_file(tmp_path))

    assert route.calls.last.request.url.raw_path == (
        b"/api/v1/datasets/artifacts/a%20b%2F%C3%BC%3F%23.log"
    )


def test_upload_streams_a_multi_megabyte_file_whole_and_checks_the_receipt(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    data = bytes(range(256)) * (5 * 1024 * 1024 // 256 + 7)  # just over 5 MiB
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    route = api.route(method="PUT").respond(
        201, json=receipt_json("datasets", "big/part-0.bin", len(data), digest)
    )

    result = upload_file(client, "datasets", "big/part-0.bin", path)

    assert isinstance(result, Ok)
    assert result.value.size == len(data)
    assert result.value.sha256 == digest
    request = route.calls.last.request
    assert "X-Checksum-Sha256" not in request.headers  # hashed on the way, checked after
    assert request.headers["Content-Length"] == str(len(data))
    assert "Transfer-Encoding" not in request.headers
    assert request.content == data


@pytest.mark.parametrize(("size_delta", "digest"), [(1, SHA_OF_ABC), (0, "0" * 64)])
def test_an_upload_the_server_stored_differently_is_an_err(
    size_delta: int, digest: str, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    api.route(method="PUT").respond(
        201, json=receipt_json("artifacts", "x.log", 3 + size_delta, digest)
    )

    result = upload_object(client, "artifacts", "x.log", _abc_file(tmp_path))

    assert isinstance(result, Err)
    assert isinstance(result.error, ServerError)
    assert "we sent 3 bytes" in result.error.message
    # the damaged object was replaced by an upload the server checks: it cannot stay silent
    first, checked = (call.request for call in api.calls)
    assert "X-Checksum-Sha256" not in first.headers
    assert checked.headers["X-Checksum-Sha256"] == SHA_OF_ABC


def test_an_upload_stored_damaged_is_replaced_by_a_checked_one(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    route = api.route(method="PUT")
    route.side_effect = [
        httpx.Response(201, json=receipt_json("artifacts", "x.log", 3, "0" * 64)),
        httpx.Response(201, json=receipt_json("artifacts", "x.log", 3, SHA_OF_ABC)),
    ]

    result = upload_file(client, "artifacts", "x.log", _abc_file(tmp_path))

    assert isinstance(result, Ok), result
    assert result.value.sha256 == SHA_OF_ABC
    assert route.calls.last.request.headers["X-Checksum-Sha256"] == SHA_OF_ABC
    assert route.calls.last.request.content == b"abc"


def test_a_known_sha256_travels_with_the_first_upload(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    route = api.route(method="PUT").respond(
        201, json=receipt_json("artifacts", "x.log", 3, SHA_OF_ABC)
    )

    result = upload_file(client, "artifacts", "x.log", _abc_file(tmp_path), sha256=SHA_OF_ABC)

    assert isinstance(result, Ok), result
    assert route.call_count == 1
    assert route.calls.last.request.headers["X-Checksum-Sha256"] == SHA_OF_ABC


@pytest.mark.parametrize("sha256", ["ABC", "0" * 63, SHA_OF_ABC.upper()])
def test_a_malformed_sha256_is_refused_before_sending(
    sha256: str, api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    result = upload_file(client, "artifacts", "x.log", _abc_file(tmp_path), sha256=sha256)

    assert isinstance(result, Err)
    assert isinstance(result.error, ValidationError)
    assert "sha256" in result.error.message
    assert not api.calls


class _ChunkRecordingTransport(httpx.BaseTransport):
    """Reads the request body as a server would, noting the size of every chunk."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.chunk_sizes: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        self.chunk_sizes = [len(chunk) for chunk in request.stream]
        return httpx.Response(201, json=self.answer)


def test_upload_reads_the_file_in_chunks_rather_than_all_at_once(tmp_path: Path) -> None:
    size = 1024 * 1024 + 1
    path = tmp_path / "big.bin"
    path.write_bytes(b"z" * size)
    transport = _ChunkRecordingTransport(
        receipt_json("datasets", "big.bin", size, hashlib.sha256(b"z" * size).hexdigest())
    )

    with make_client(transport=transport) as client:
        result = upload_file(client, "datasets", "big.bin", path)

    assert isinstance(result, Ok), result
    assert sum(transport.chunk_sizes) == size
    assert len(transport.chunk_sizes) > 1
    assert max(transport.chunk_sizes) < size


@pytest.mark.parametrize("make_path", [lambda tmp: tmp / "missing.log", lambda tmp: tmp])
def test_an_unreadable_upload_file_is_a_validation_error_naming_it(
    make_path: Callable[[Path], Path], api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    path = make_path(tmp_path)

    result = upload_object(client, "artifacts", "x.log", path)

    assert isinstance(result, Err)
    assert isinstance(result.error, ValidationError)
    assert result.error.code is None
    assert str(path) in result.error.message
    assert not api.calls


def test_download_streams_into_place_and_leaves_no_temporary_file(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    data = b"x" * (3 * 1024 * 1024 + 5)
    api.route(method="GET").respond(
        200, content=data, headers={"X-Checksum-Sha256": hashlib.sha256(data).hexdigest()}
    )
    dest = tmp_path / "out.bin"
    dest.write_bytes(b"old")

    result = download_object(client, "datasets", "big/part-0.bin", dest)

    assert isinstance(result, Ok)
    assert result.value.size == len(data)
    assert dest.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_download_without_a_checksum_header_still_reports_the_digest(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    api.route(method="GET").respond(200, content=b"abc")

    result = download_object(client, "datasets", "x.bin", tmp_path / "x.bin")

    assert isinstance(result, Ok)
    assert result.value.sha256 == SHA_OF_ABC


def test_a_download_that_does_not_match_its_checksum_keeps_the_old_file(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    api.route(method="GET").respond(200, content=b"abd", headers={"X-Checksum-Sha256": SHA_OF_ABC})
    dest = tmp_path / "x.bin"
    dest.write_bytes(b"old")

    route = api.routes[0]

    result = download_object(client, "datasets", "x.bin", dest)

    assert isinstance(result, Err)
    assert isinstance(result.error, Transient)  # bytes damaged on the way: worth a retry
    assert "hash" in result.error.message
    assert result.error.request_id == route.calls.last.request.headers["X-Request-Id"]
    assert route.call_count == 3  # retried, as a GET may be
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_a_download_that_cannot_be_written_locally_blames_the_destination(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.route(method="GET").respond(200, content=b"abc")

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("datlake_sdk._objects.os.replace", disk_full)
    result = download_object(client, "datasets", "x.bin", tmp_path / "x.bin")
    monkeypatch.undo()

    assert isinstance(result, Err)
    assert isinstance(result.error, ValidationError)
    assert result.error.code is None
    assert "dest_path: cannot write" in result.error.message
    assert "No space left" in result.error.message
    assert list(tmp_path.iterdir()) == []


def test_download_into_a_missing_folder_is_rejected_before_sending(
    api: respx.MockRouter, client: DatlakeClient, tmp_path: Path
) -> None:
    dest = tmp_path / "no" / "such" / "x.bin"

    result = download_object(client, "datasets", "x.bin", dest)

    assert isinstance(result, Err)
    assert isinstance(result.error, ValidationError)
    assert "dest_path" in result.error.message
    assert not api.calls


def test_complete_run_rejects_a_non_bool_success(client: DatlakeClient) -> None:
    with pytest.raises(TypeError, match="success"):
        complete_run(client, RUN, success="yes")  # type: ignore[arg-type]
