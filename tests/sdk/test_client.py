"""`DatlakeClient`: its connection, its policies and how it reacts to errors."""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from datlake_api.api.tables import fetch_latest_uri, register_snapshot
from datlake_api.models.register_snapshot_request import RegisterSnapshotRequest
from datlake_api.models.snapshot import Snapshot

from datlake_sdk._call import Call
from datlake_sdk._client import DatlakeClient
from datlake_sdk._errors import NotFound, SDKError, Transient
from datlake_sdk._policy import ErrorStrategy, OnError, Policy, RetryPolicy
from datlake_sdk._result import Err, Ok, Result

KEY = "dlk_live_5ecret_9f3b2a"
BASE_URL = "http://127.0.0.1:8765"
RUN = ("daily_users", "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b")


class Datlake:
    """A scripted server: answers by path (the last answer repeats), records every request."""

    def __init__(self, answer: httpx.Response | Exception, events: int | Exception = 201) -> None:
        self.answer = answer
        self.events_status = events
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        request.read()
        if request.url.path.endswith("/events"):
            if isinstance(self.events_status, Exception):
                raise self.events_status
            return httpx.Response(self.events_status, json={"kind": "error"})
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    @property
    def events(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/events")]

    @property
    def calls(self) -> list[httpx.Request]:
        return [r for r in self.requests if not r.url.path.endswith("/events")]


def problem(status: int, kind: str) -> httpx.Response:
    return httpx.Response(status, json={"type": f"/problems/{kind}", "title": kind})


def client_for(server: Datlake, **kwargs: Any) -> DatlakeClient:
    return DatlakeClient(BASE_URL, KEY, transport=httpx.MockTransport(server), **kwargs)


def lookup(*, on_not_found: bool = True, on_transient: bool = True) -> Call[Snapshot, str]:
    """fetch_latest_uri, a run-scoped read with both fallbacks."""
    return Call(
        operation="fetch_latest_uri",
        request=lambda rid: fetch_latest_uri._get_kwargs(
            "users_raw", run_id=RUN[1], x_request_id=rid
        ),
        parse=fetch_latest_uri._parse_response,
        expect=Snapshot,
        convert=lambda snapshot: snapshot.uri,
        retry_safe=True,
        run_ref=RUN,
        on_not_found=(lambda: "default") if on_not_found else None,
        on_transient=(lambda: "skipped") if on_transient else None,
    )


def lineage_write() -> Call[Snapshot, str]:
    """register_snapshot: retry-safe (it carries an Idempotency-Key), and no fallback at all."""
    body = RegisterSnapshotRequest.from_dict(
        {
            "job_name": RUN[0],
            "run_id": RUN[1],
            "table_name": "users_curated",
            "uri": "file:///x",
            "format": "parquet",
        }
    )
    return Call(
        operation="register_snapshot",
        request=lambda rid: register_snapshot._get_kwargs(
            body=body, idempotency_key="idem-1", x_request_id=rid
        ),
        parse=register_snapshot._parse_response,
        expect=Snapshot,
        convert=lambda snapshot: snapshot.snapshot_id,
        retry_safe=True,
        run_ref=RUN,
    )


def error_of(result: Result[str, SDKError]) -> SDKError:
    assert isinstance(result, Err), result
    return result.error


def sdk_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "datlake_sdk" and r.levelno == logging.WARNING]


class TestConnection:
    def test_headers_of_every_request(self) -> None:
        server = Datlake(problem(404, "table-not-found"))
        client_for(server, user_agent="etl/1").execute(lookup())
        request = server.requests[0]
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        assert request.headers["User-Agent"].startswith("etl/1 datlake-sdk/")
        assert len(request.headers["X-Request-Id"]) == 32
        assert request.url.raw_path.startswith(b"/api/v1/tables/users_raw/snapshots/latest")

    def test_no_key_no_authorization_header(self) -> None:
        server = Datlake(problem(401, "unauthorized"))
        DatlakeClient(BASE_URL, transport=httpx.MockTransport(server)).execute(lookup())
        assert "Authorization" not in server.requests[0].headers

    def test_any_base_transport_is_used(self) -> None:
        class Recording(httpx.BaseTransport):
            def __init__(self) -> None:
                self.seen: list[str] = []

            def handle_request(self, request: httpx.Request) -> httpx.Response:
                self.seen.append(request.method)
                return problem(404, "table-not-found")

        transport = Recording()
        DatlakeClient(BASE_URL, transport=transport).execute(lookup())
        assert transport.seen == ["GET"]

    def test_a_path_prefix_in_the_base_url_is_kept(self) -> None:
        server = Datlake(problem(404, "table-not-found"))
        DatlakeClient(
            "https://gw.example.com/datlake/", transport=httpx.MockTransport(server)
        ).execute(lookup())
        assert server.requests[0].url.path.startswith("/datlake/api/v1/tables/")

    def test_context_manager_closes_the_pool(self) -> None:
        with client_for(Datlake(problem(404, "x"))) as client:
            assert client.base_url == BASE_URL
            assert client.policy == Policy()
        assert client._http.is_closed

    def test_one_pool_for_every_call(self) -> None:
        client = client_for(Datlake(problem(404, "x")))
        pool = client._http
        client.execute(lookup())
        client.execute(lookup())
        assert client._http is pool


class TestErrorStrategy:
    def test_fail_fast_keeps_a_not_found(self) -> None:
        error = error_of(client_for(Datlake(problem(404, "table-not-found"))).execute(lookup()))
        assert isinstance(error, NotFound)

    def test_continue_on_not_found_uses_the_calls_default(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        client = client_for(
            Datlake(problem(404, "table-not-found")), error_strategy="continue_on_not_found"
        )
        heard: list[str] = []
        client.add_error_listener(lambda op, err: heard.append(op))
        with caplog.at_level(logging.INFO, logger="datlake_sdk"):
            assert client.execute(lookup()) == Ok("default")
        assert heard == []
        assert sdk_warnings(caplog) == []

    def test_continue_on_not_found_needs_a_default(self) -> None:
        client = client_for(
            Datlake(problem(404, "run-not-found")),
            error_strategy=ErrorStrategy.CONTINUE_ON_NOT_FOUND,
        )
        assert isinstance(error_of(client.execute(lookup(on_not_found=False))), NotFound)

    def test_continue_on_not_found_leaves_other_errors(self) -> None:
        client = client_for(
            Datlake(problem(503, "unavailable")), error_strategy="continue_on_not_found"
        )
        assert isinstance(error_of(client.execute(lookup())), Transient)

    def test_suppress_transient_after_the_retries(self, caplog: pytest.LogCaptureFixture) -> None:
        server = Datlake(problem(503, "unavailable"))
        client = client_for(server, error_strategy="suppress_transient")
        with caplog.at_level(logging.INFO, logger="datlake_sdk"):
            assert client.execute(lookup()) == Ok("skipped")
        assert len(server.calls) == RetryPolicy().max_attempts
        [warning] = sdk_warnings(caplog)
        assert "suppressed" in warning.getMessage()
        assert warning.request_id == server.calls[-1].headers["X-Request-Id"]  # type: ignore[attr-defined]

    def test_suppress_transient_keeps_a_lineage_write_failing(self) -> None:
        server = Datlake(httpx.ConnectError("refused"))
        client = client_for(server, error_strategy="suppress_transient")
        assert isinstance(error_of(client.execute(lineage_write())), Transient)
        assert len(server.calls) == RetryPolicy().max_attempts

    def test_suppress_transient_leaves_other_errors(self) -> None:
        client = client_for(Datlake(problem(404, "x")), error_strategy="suppress_transient")
        assert isinstance(error_of(client.execute(lookup())), NotFound)


class TestOnError:
    @pytest.mark.parametrize("on_error", ["log_only", "raise"])
    def test_logs_a_warning_with_the_details(
        self, caplog: pytest.LogCaptureFixture, on_error: str
    ) -> None:
        server = Datlake(problem(404, "table-not-found"))
        client = client_for(server, on_error=on_error)
        with caplog.at_level(logging.WARNING, logger="datlake_sdk"):
            error = error_of(client.execute(lookup()))  # an Err, never raised
        [record] = sdk_warnings(caplog)
        assert record.operation == "fetch_latest_uri"  # type: ignore[attr-defined]
        assert record.code == 404  # type: ignore[attr-defined]
        assert record.problem_type == "/problems/table-not-found"  # type: ignore[attr-defined]
        assert record.request_id == error.request_id  # type: ignore[attr-defined]
        message = record.getMessage()
        for part in ("fetch_latest_uri", "404", "/problems/table-not-found", str(error.request_id)):
            assert part in message
        assert server.events == []

    def test_raise_is_exposed_on_the_policy(self) -> None:
        assert (
            client_for(Datlake(problem(404, "x")), on_error="raise").policy.on_error
            is OnError.RAISE
        )

    def test_emit_event_posts_an_error_event_on_the_run(self) -> None:
        server = Datlake(problem(409, "run-finished"))
        error = error_of(client_for(server, on_error="emit_event").execute(lineage_write()))
        [event] = server.events
        assert event.url.path == f"/api/v1/jobs/{RUN[0]}/runs/{RUN[1]}/events"
        assert event.headers["Authorization"] == f"Bearer {KEY}"
        body = json.loads(event.content)
        assert body["kind"] == "error"
        assert body["data"] == {
            "operation": "register_snapshot",
            "code": 409,
            "problem_type": "/problems/run-finished",
            "request_id": error.request_id,
            "error": "Conflict",
        }
        assert "HTTP 409" in body["message"]

    def test_emit_event_needs_a_run(self) -> None:
        server = Datlake(problem(404, "x"))
        call = Call(
            operation="health",
            request=lambda rid: {"method": "GET", "url": "/api/v1/health"},
            parse=lambda *, client, response: None,
            expect=int,
            convert=lambda n: n,
            retry_safe=True,
        )
        error_of(client_for(server, on_error="emit_event").execute(call))
        assert server.events == []

    @pytest.mark.parametrize("events", [500, 503])
    def test_a_failing_event_is_only_logged_and_never_retried(
        self, caplog: pytest.LogCaptureFixture, events: int
    ) -> None:
        server = Datlake(problem(409, "run-finished"), events=events)
        client = client_for(server, on_error="emit_event")
        heard: list[str] = []
        client.add_error_listener(lambda op, err: heard.append(op))
        with caplog.at_level(logging.WARNING, logger="datlake_sdk"):
            error = error_of(client.execute(lineage_write()))
        assert len(server.events) == 1
        assert heard == ["register_snapshot"]  # the event's failure is no new Err
        messages = [r.getMessage() for r in sdk_warnings(caplog)]
        assert any(
            f"could not emit an error event on run {RUN[1]}: HTTP {events}" in m for m in messages
        )
        assert all(r.request_id == error.request_id for r in sdk_warnings(caplog))  # type: ignore[attr-defined]

    def test_an_event_that_cannot_be_sent_is_only_logged(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        refused = httpx.ConnectError("refused")
        server = Datlake(refused, events=refused)
        with caplog.at_level(logging.WARNING, logger="datlake_sdk"):
            error = error_of(client_for(server, on_error="emit_event").execute(lineage_write()))
        assert isinstance(error, Transient)
        assert len(server.events) == 1
        [record] = [r for r in sdk_warnings(caplog) if "could not emit" in r.getMessage()]
        assert "ConnectError" in record.getMessage()


class TestListeners:
    def test_every_err_reaches_every_listener(self) -> None:
        client = client_for(Datlake(problem(404, "x")))
        first: list[tuple[str, SDKError]] = []
        second: list[str] = []
        client.add_error_listener(lambda op, err: first.append((op, err)))
        client.add_error_listener(lambda op, err: second.append(op))
        error = error_of(client.execute(lookup()))
        error_of(client.execute(lookup()))
        assert first[0] == ("fetch_latest_uri", error)
        assert len(first) == 2
        assert second == ["fetch_latest_uri"] * 2

    def test_unsubscribe(self) -> None:
        client = client_for(Datlake(problem(404, "x")))
        heard: list[str] = []
        unsubscribe = client.add_error_listener(lambda op, err: heard.append(op))
        unsubscribe()
        unsubscribe()  # twice is harmless
        client.execute(lookup())
        assert heard == []

    def test_no_call_for_ok(self) -> None:
        client = client_for(Datlake(problem(404, "x")), error_strategy="continue_on_not_found")
        heard: list[str] = []
        client.add_error_listener(lambda op, err: heard.append(op))
        assert isinstance(client.execute(lookup()), Ok)
        assert heard == []

    def test_a_listener_that_raises_is_logged(self, caplog: pytest.LogCaptureFixture) -> None:
        client = client_for(Datlake(problem(404, "x")))
        after: list[str] = []

        def broken(operation: str, error: SDKError) -> None:
            raise RuntimeError("listener bug")

        client.add_error_listener(broken)
        client.add_error_listener(lambda op, err: after.append(op))
        with caplog.at_level(logging.ERROR, logger="datlake_sdk"):
            result = client.execute(lookup())
        assert isinstance(error_of(result), NotFound)
        assert after == ["fetch_latest_uri"]
        [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert "raised" in record.getMessage()
        assert record.exc_info is not None


class _Handler(BaseHTTPRequestHandler):
    """A real HTTP server that is always overloaded, and refuses error events."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status = 500 if self.path.endswith("/events") else 503
        body = json.dumps({"type": "/problems/unavailable", "title": "busy", "status": status})
        self.send_response(status)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def overloaded_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


class TestTheKeyNeverLeaks:
    def _texts(self, caplog: pytest.LogCaptureFixture, error: SDKError) -> list[str]:
        texts = [str(error), repr(error)]
        texts += traceback.format_exception(error)
        for record in caplog.records:
            texts.append(record.getMessage())
            texts.append(repr(record.__dict__))
            if record.exc_info:
                texts += traceback.format_exception(*record.exc_info)
        return texts

    def test_over_a_real_socket_with_every_reaction(
        self, caplog: pytest.LogCaptureFixture, overloaded_server: str
    ) -> None:
        client = DatlakeClient(overloaded_server, KEY, on_error="emit_event")
        client.add_error_listener(lambda op, err: logging.getLogger("app").debug("heard %r", err))
        with caplog.at_level(logging.DEBUG):
            error = error_of(client.execute(lineage_write()))
            client.close()
        assert isinstance(error, Transient)
        assert any(r.name.startswith("httpcore") for r in caplog.records)  # debug logs were on
        for text in self._texts(caplog, error):
            assert KEY not in text
        for record in caplog.records:
            if record.name == "datlake_sdk":
                assert record.request_id  # type: ignore[attr-defined]

    def test_when_the_connection_is_refused(self, caplog: pytest.LogCaptureFixture) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        client = DatlakeClient(f"http://127.0.0.1:{port}", KEY, retry=RetryPolicy(max_attempts=2))
        with caplog.at_level(logging.DEBUG):
            error = error_of(client.execute(lookup(on_transient=False)))
        assert isinstance(error, Transient)
        for text in self._texts(caplog, error):
            assert KEY not in text
        assert KEY not in repr(client)
