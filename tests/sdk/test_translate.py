"""The one translator, exercised through `DatlakeClient.execute`: every way an answer (or its
absence) can look becomes the right `Ok` or typed `Err`, retried when it may pass."""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from datlake_api.api.runs import get_run, start_run
from datlake_api.models.run import Run as ApiRun
from datlake_api.models.start_run_request import StartRunRequest

from datlake_sdk._call import Call
from datlake_sdk._client import DatlakeClient
from datlake_sdk._errors import (
    AuthError,
    Conflict,
    NotFound,
    SDKError,
    ServerError,
    Transient,
    ValidationError,
)
from datlake_sdk._policy import RetryPolicy
from datlake_sdk._result import Err, Ok, Result
from datlake_sdk._translate import retry_after_seconds, translate

BASE_URL = "http://127.0.0.1:8765"
RUN_ID = "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b"
RUN_JSON: dict[str, Any] = {
    "job_name": "daily_users",
    "run_id": RUN_ID,
    "status": "running",
    "created_at": "2026-11-27T01:00:00Z",
    "metadata": {},
    "extra": {},
    "artifacts": [],
    "inputs": [],
    "outputs": [],
}

Handler = Callable[[httpx.Request], httpx.Response]


class Datlake:
    """A scripted server: answers in order (the last repeats) and records every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(request.read())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def sent_ids(self) -> list[str]:
        return [request.headers["X-Request-Id"] for request in self.requests]


def client_for(server: Handler, **kwargs: Any) -> DatlakeClient:
    return DatlakeClient(BASE_URL, "k", transport=httpx.MockTransport(server), **kwargs)


def start_run_call(*, retry_safe: bool = False) -> Call[ApiRun, str]:
    body = StartRunRequest.from_dict({"metadata": {"source": "s3"}})
    return Call(
        operation="start_run",
        request=lambda rid: start_run._get_kwargs(
            "daily_users", body=body, idempotency_key="idem-1", x_request_id=rid
        ),
        parse=start_run._parse_response,
        expect=ApiRun,
        convert=lambda run: run.run_id,
        retry_safe=retry_safe,
    )


def get_run_call() -> Call[ApiRun, str]:
    return Call(
        operation="get_run",
        request=lambda rid: get_run._get_kwargs("daily_users", RUN_ID, x_request_id=rid),
        parse=get_run._parse_response,
        expect=ApiRun,
        convert=lambda run: run.run_id,
        retry_safe=True,
    )


def problem(status: int, kind: str, **headers: str) -> httpx.Response:
    body = {"type": f"/problems/{kind}", "title": kind, "status": status, "detail": f"d-{status}"}
    return httpx.Response(
        status, json=body, headers={"Content-Type": "application/problem+json", **headers}
    )


def error_of(result: Result[str, SDKError]) -> SDKError:
    assert isinstance(result, Err), result
    return result.error


# start_run's documented statuses, then get_run's 404 and an undocumented 403.
@pytest.mark.parametrize(
    ("status", "kind", "category"),
    [
        (400, "invalid-request", ValidationError),
        (401, "unauthorized", AuthError),
        (409, "idempotency-key-reused", Conflict),
        (422, "invalid-body", ValidationError),
        (429, "rate-limited", Transient),
        (500, "internal", ServerError),
        (503, "unavailable", Transient),
    ],
)
def test_documented_statuses(status: int, kind: str, category: type[SDKError]) -> None:
    server = Datlake(problem(status, kind))
    error = error_of(client_for(server).execute(start_run_call()))
    assert type(error) is category
    assert error.code == status
    assert error.problem_type == f"/problems/{kind}"
    assert error.detail == f"d-{status}"
    assert error.operation == "start_run"
    assert error.request_id == server.sent_ids[-1]
    assert error.retryable is (category is Transient)


@pytest.mark.parametrize(("status", "category"), [(404, NotFound), (403, AuthError)])
def test_get_statuses(status: int, category: type[SDKError]) -> None:
    server = Datlake(problem(status, "run-not-found"))
    error = error_of(client_for(server).execute(get_run_call()))
    assert type(error) is category
    assert error.code == status
    assert len(server.requests) == 1  # not retried


@pytest.mark.parametrize(
    ("status", "category", "attempts"),
    [
        (418, SDKError, 1),
        (499, Transient, RetryPolicy().max_attempts),
        (520, Transient, RetryPolicy().max_attempts),
        (599, ServerError, 1),
    ],
)
def test_undocumented_statuses(status: int, category: type[SDKError], attempts: int) -> None:
    server = Datlake(httpx.Response(status, text="?"))
    error = error_of(client_for(server).execute(get_run_call()))
    assert type(error) is category
    assert error.code == status
    assert len(server.requests) == attempts


def test_a_proxys_html_502() -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    server = Datlake(httpx.Response(502, html=html))
    error = error_of(client_for(server).execute(start_run_call()))
    assert isinstance(error, Transient)
    assert error.code == 502
    assert error.message == "HTTP 502"
    assert error.problem_type is None


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"[" * 100_000, b'{"a":' * 100_000],
)
def test_an_error_body_that_is_no_problem_document(content: bytes) -> None:
    server = Datlake(httpx.Response(500, content=content))
    error = error_of(client_for(server).execute(start_run_call()))
    assert isinstance(error, ServerError)
    assert error.code == 500
    assert error.problem_type is None
    assert error.request_id == server.sent_ids[-1]


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (b"{broken", "JSONDecodeError"),
        (b"", "JSONDecodeError"),
        (b'{"job_name": "daily_users"}', "KeyError"),  # required fields missing
        (b"[]", "TypeError"),  # not an object
        (b'"a run"', "ValueError"),
    ],
)
def test_a_success_body_outside_the_contract(content: bytes, cause: str) -> None:
    server = Datlake(httpx.Response(201, content=content))
    error = error_of(client_for(server).execute(start_run_call()))
    assert isinstance(error, ServerError)
    assert error.code == 201
    assert "outside the contract" in error.message
    assert error.__cause__ is not None
    assert len(server.requests) == 1


def test_an_undocumented_success_status() -> None:
    server = Datlake(httpx.Response(200, json=RUN_JSON))  # start_run documents 201
    error = error_of(client_for(server).execute(start_run_call()))
    assert isinstance(error, ServerError)
    assert error.code == 200


def test_a_valid_answer() -> None:
    server = Datlake(httpx.Response(201, json=RUN_JSON))
    assert client_for(server).execute(start_run_call()) == Ok(RUN_ID)


@pytest.mark.parametrize(
    "exception",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
def test_transport_failures_are_transient_and_retried(exception: Exception) -> None:
    server = Datlake(exception)
    error = error_of(client_for(server).execute(get_run_call()))
    assert isinstance(error, Transient)
    assert error.code is None
    assert type(error.__cause__) is type(exception)  # a copy: the exception holds the request
    assert len(server.requests) == RetryPolicy().max_attempts
    assert error.request_id == server.sent_ids[-1]


def test_a_transport_failure_then_success() -> None:
    server = Datlake(httpx.ReadError("reset"), httpx.Response(200, json=RUN_JSON))
    assert client_for(server).execute(get_run_call()) == Ok(RUN_ID)
    assert len(server.requests) == 2


@pytest.fixture
def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused_by_a_real_closed_port(closed_port: int) -> None:
    with DatlakeClient(f"http://127.0.0.1:{closed_port}", "k") as client:
        error = error_of(client.execute(get_run_call()))
    assert isinstance(error, Transient)
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert error.code is None
    assert error.request_id


class TestRetries:
    def test_exhaustion_returns_the_last_err(self) -> None:
        server = Datlake(problem(503, "unavailable"))
        client = client_for(server, retry=RetryPolicy(max_attempts=5, base_ms=1))
        error = error_of(client.execute(get_run_call()))
        assert isinstance(error, Transient)
        assert len(server.requests) == 5
        assert len(set(server.sent_ids)) == 5  # a fresh X-Request-Id per attempt
        assert error.request_id == server.sent_ids[-1]

    def test_a_non_retry_safe_post_is_sent_once(self) -> None:
        server = Datlake(problem(503, "unavailable"))
        error_of(client_for(server).execute(start_run_call(retry_safe=False)))
        assert len(server.requests) == 1

    def test_a_retry_safe_post_is_resent_with_the_same_body_and_key(self) -> None:
        server = Datlake(problem(429, "rate-limited"), problem(503, "unavailable"))
        server.answers.append(httpx.Response(201, json=RUN_JSON))
        assert client_for(server).execute(start_run_call(retry_safe=True)) == Ok(RUN_ID)
        assert len(server.requests) == 3
        assert len(set(server.bodies)) == 1
        assert server.bodies[0] == b'{"metadata":{"source":"s3"}}'
        assert {r.headers["Idempotency-Key"] for r in server.requests} == {"idem-1"}

    def test_a_file_body_is_rewound_before_every_retry(self) -> None:
        data = io.BytesIO(b"x" * 100_000)
        rewinds: list[int] = []

        def rewind() -> None:
            rewinds.append(data.tell())
            data.seek(0)

        call = Call(
            operation="upload",
            request=lambda rid: {"method": "PUT", "url": "/api/v1/datasets/b/o", "content": data},
            parse=lambda *, client, response: response.status_code,
            expect=int,
            convert=lambda status: status,
            retry_safe=True,
            rewind=rewind,
        )
        server = Datlake(httpx.ReadError("reset"), problem(503, "unavailable"))
        server.answers.append(httpx.Response(201))
        assert client_for(server).execute(call) == Ok(201)
        assert server.bodies == [b"x" * 100_000] * 3
        assert rewinds == [100_000, 100_000]  # the body had been read each time

    def test_a_body_that_cannot_be_rewound_stops_the_retries(self) -> None:
        def rewind() -> None:
            raise ValueError("I/O operation on closed file")

        call = Call(
            operation="upload",
            request=lambda rid: {"method": "PUT", "url": "/x", "content": b"abc"},
            parse=lambda *, client, response: None,
            expect=int,
            convert=lambda status: status,
            retry_safe=True,
            rewind=rewind,
        )
        server = Datlake(problem(503, "unavailable"))
        error = error_of(client_for(server).execute(call))
        assert "could not rewind" in error.message
        assert isinstance(error.__cause__, ValueError)
        assert len(server.requests) == 1

    @pytest.mark.parametrize(("header", "wait"), [("7", 7.0), ("0", 0.0), ("120", 30.0)])
    def test_retry_after_is_honoured_up_to_the_cap(
        self, caplog: pytest.LogCaptureFixture, header: str, wait: float
    ) -> None:
        server = Datlake(problem(503, "unavailable", **{"Retry-After": header}))
        server.answers.append(httpx.Response(200, json=RUN_JSON))
        policy = RetryPolicy(deadline_s=60.0, retry_after_cap_s=30.0)
        with caplog.at_level(logging.INFO, logger="datlake_sdk"):
            assert client_for(server, retry=policy).execute(get_run_call()) == Ok(RUN_ID)
        waits = [r.wait_s for r in caplog.records if hasattr(r, "wait_s")]
        assert waits == [wait]

    def test_a_retry_after_beyond_the_deadline_ends_the_retries(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        server = Datlake(problem(429, "rate-limited", **{"Retry-After": "20"}))
        policy = RetryPolicy(deadline_s=10.0)
        with caplog.at_level(logging.INFO, logger="datlake_sdk"):
            error = error_of(client_for(server, retry=policy).execute(get_run_call()))
        assert error.retry_after == 20.0
        assert len(server.requests) == 1
        assert any("deadline" in r.getMessage() for r in caplog.records)

    def test_backoff_waits_grow_and_are_capped(self, caplog: pytest.LogCaptureFixture) -> None:
        server = Datlake(problem(503, "unavailable"))
        policy = RetryPolicy(max_attempts=6, base_ms=100, cap_ms=250, jitter=False)
        with caplog.at_level(logging.INFO, logger="datlake_sdk"):
            error_of(client_for(server, retry=policy).execute(get_run_call()))
        waits = [r.wait_s for r in caplog.records if hasattr(r, "retry")]
        assert waits == [0.1, 0.2, 0.25, 0.25, 0.25]


class TestStreaming:
    @staticmethod
    def streamed(content: Iterator[bytes], status: int) -> httpx.Response:
        return httpx.Response(status, content=content)

    def call(self, seen: list[bool]) -> Call[bytes, bytes]:
        def parse(*, client: object, response: httpx.Response) -> bytes:
            seen.append(response.is_stream_consumed)
            return b"".join(response.iter_bytes())

        return Call(
            operation="download_object",
            request=lambda rid: {"method": "GET", "url": "/api/v1/datasets/b/o"},
            parse=parse,
            expect=bytes,
            convert=lambda body: body,
            retry_safe=True,
            stream=True,
        )

    def test_parse_reads_a_streamed_success_body(self) -> None:
        seen: list[bool] = []
        server = Datlake(self.streamed(iter([b"ab", b"cd"]), 200))
        assert client_for(server).execute(self.call(seen)) == Ok(b"abcd")
        assert seen == [False]  # parse got the body unread

    def test_an_error_body_is_read_for_its_problem(self) -> None:
        seen: list[bool] = []
        body = b'{"type": "/problems/object-not-found", "title": "no object"}'
        server = Datlake(self.streamed(iter([body]), 404))
        error = error_of(client_for(server).execute(self.call(seen)))
        assert isinstance(error, NotFound)
        assert error.problem_type == "/problems/object-not-found"
        assert seen == []

    def test_a_body_breaking_off_is_transient(self) -> None:
        def broken() -> Iterator[bytes]:
            yield b"ab"
            raise httpx.ReadError("reset")

        requests: list[httpx.Request] = []

        def server(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return self.streamed(broken(), 200)

        error = error_of(client_for(server).execute(self.call([])))
        assert isinstance(error, Transient)
        assert len(requests) == RetryPolicy().max_attempts  # retried: a download is retry-safe
        assert error.request_id == requests[-1].headers["X-Request-Id"]


class _Body(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize("status", [200, 503, 404])
def test_every_response_is_closed(stream: bool, status: int) -> None:
    bodies: list[_Body] = []

    def server(request: httpx.Request) -> httpx.Response:
        bodies.append(_Body([b'{"status": "ok", "version": "1"}']))
        return httpx.Response(status, stream=bodies[-1])

    call = Call(
        operation="read",
        request=lambda rid: {"method": "GET", "url": "/api/v1/health"},
        parse=lambda *, client, response: response.status_code,  # leaves the body unread
        expect=int,
        convert=lambda status: status,
        retry_safe=True,
        stream=stream,
    )
    client_for(server).execute(call)
    assert bodies
    assert all(body.closed for body in bodies)


class TestRequestIds:
    def test_the_servers_echo_wins_over_the_sent_id(self) -> None:
        server = Datlake(httpx.Response(500, text="", headers={"X-Request-Id": "srv-1"}))
        assert error_of(client_for(server).execute(start_run_call())).request_id == "srv-1"

    def test_the_problems_request_id_wins_over_the_header(self) -> None:
        answer = httpx.Response(
            409,
            json={"type": "/problems/run-finished", "request_id": "prob-1"},
            headers={"X-Request-Id": "srv-1"},
        )
        error = error_of(client_for(Datlake(answer)).execute(start_run_call()))
        assert error.request_id == "prob-1"

    def test_the_attempts_id_replaces_any_the_builder_set(self) -> None:
        server = Datlake(httpx.Response(404))
        call = Call(
            operation="read",
            request=lambda rid: {"method": "GET", "url": "/x", "headers": {"x-request-id": "old"}},
            parse=lambda *, client, response: None,
            expect=int,
            convert=lambda n: n,
            retry_safe=False,
        )
        error = error_of(client_for(server).execute(call))
        [sent] = server.requests[0].headers.get_list("X-Request-Id")
        assert sent != "old"
        assert error.request_id == sent

    def test_every_request_carries_a_fresh_id(self) -> None:
        server = Datlake(httpx.Response(201, json=RUN_JSON))
        client = client_for(server)
        for _ in range(3):
            client.execute(start_run_call())
        assert len(set(server.sent_ids)) == 3
        assert all(len(rid) == 32 for rid in server.sent_ids)


class TestHelpers:
    @pytest.mark.parametrize(
        ("value", "seconds"),
        [("3", 3.0), ("1.5", 1.5), ("-1", None), ("Wed, 21 Oct 2026 07:28:00 GMT", None)],
    )
    def test_retry_after_seconds(self, value: str, seconds: float | None) -> None:
        assert retry_after_seconds({"Retry-After": value}) == seconds
        assert retry_after_seconds({}) is None

    def test_translate_an_exception_directly(self) -> None:
        result = translate(
            httpx.ConnectTimeout("t"), get_run._parse_response, ApiRun, str, "rid-9", "get_run"
        )
        error = error_of(result)
        assert isinstance(error, Transient)
        assert (error.request_id, error.operation) == ("rid-9", "get_run")
