"""Every `Err` is reported the same way, found before sending or after; no input makes an
operation raise; no `Err` leads back to the API key; network errors say where and how often."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from datlake_sdk import DatlakeClient, JobContext
from datlake_sdk._errors import SDKError, ServerError, ValidationError
from datlake_sdk._result import Err, Ok
from datlake_sdk._types import Artifact, Run
from datlake_sdk.functional import (
    complete_run,
    download_object,
    get_run,
    post_event,
    register_snapshot,
    start_run,
    upload_file,
)

from .helpers import API_KEY, BASE_URL, RUN_ID, RUN_JSON

RUN = Run("daily_users", RUN_ID)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
def client() -> Iterator[DatlakeClient]:
    with DatlakeClient(BASE_URL, API_KEY) as client:
        yield client


def _deep(levels: int) -> dict[str, Any]:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return {"deep": value}


class TestRefusedBeforeSending:
    def test_reaches_the_listeners_and_the_warning_log(
        self, client: DatlakeClient, caplog: pytest.LogCaptureFixture, api: respx.MockRouter
    ) -> None:
        heard: list[tuple[str, SDKError]] = []
        client.add_error_listener(lambda op, err: heard.append((op, err)))
        with caplog.at_level(logging.WARNING, logger="datlake_sdk"):
            result = get_run(client, "bad name", RUN_ID)
        assert isinstance(result, Err)
        assert heard == [("get_run", result.error)]
        assert result.error.operation == "get_run"
        assert any("get_run failed" in r.getMessage() for r in caplog.records)
        assert not api.calls

    @pytest.mark.parametrize(
        ("call", "operation"),
        [
            (lambda c, tmp: upload_file(c, "artifacts", "a.log", tmp / "missing"), "upload_object"),
            (lambda c, tmp: upload_file(c, "B", "a.log", tmp / "missing"), "upload_object"),
            (
                lambda c, tmp: download_object(c, "artifacts", "a", tmp / "no" / "x"),
                "download_object",
            ),
            (lambda c, tmp: start_run(c, "daily_users", {"x": float("nan")}), "start_run"),
            (lambda c, tmp: complete_run(c, RUN, True, {"x": "\ud800"}), "complete_run"),
        ],
    )
    def test_every_kind_of_refusal_is_heard(
        self, client: DatlakeClient, tmp_path: Path, call: Any, operation: str
    ) -> None:
        heard: list[str] = []
        client.add_error_listener(lambda op, err: heard.append(op))
        assert isinstance(call(client, tmp_path), Err)
        assert heard == [operation]

    def test_emit_event_posts_on_a_valid_run(self, api: respx.MockRouter) -> None:
        route = api.post(f"/api/v1/jobs/daily_users/runs/{RUN_ID}/events").respond(201, json={})
        with DatlakeClient(BASE_URL, API_KEY, on_error="emit_event") as client:
            result = complete_run(client, RUN, True, {"x": float("inf")})
        assert isinstance(result, Err)
        assert route.call_count == 1


class TestNothingEscapes:
    @pytest.mark.parametrize(
        ("call", "field"),
        [
            (lambda c: start_run(c, "daily_users", {"note": "\ud800"}), "metadata"),
            (lambda c: start_run(c, "daily_users", {"\udcff": 1}), "metadata"),
            (lambda c: start_run(c, "daily_users", _deep(985)), "metadata"),
            (lambda c: start_run(c, "daily_users", _deep(5000)), "metadata"),
            (lambda c: complete_run(c, RUN, True, {"e": ["\ud83d"]}), "extra"),
            (
                lambda c: complete_run(c, RUN, True, artifacts=[Artifact("log", "s3://\ud800")]),
                "artifacts[0].uri",
            ),
            (lambda c: register_snapshot(c, RUN, "t", "s3://\udc00", format="csv"), "uri"),
            (lambda c: register_snapshot(c, RUN, "t", "s3://k", format="c\ud800"), "format"),
            (
                lambda c: register_snapshot(c, RUN, "t", "s3://k", format="csv", schema=_deep(990)),
                "schema",
            ),
            (lambda c: post_event(c, RUN, "progress", message="\ud800"), "message"),
            (lambda c: post_event(c, RUN, "metric", data={"x": "\ud800"}), "data"),
        ],
    )
    def test_text_utf8_cannot_carry_and_deep_json_are_validation_errors(
        self, client: DatlakeClient, api: respx.MockRouter, call: Any, field: str
    ) -> None:
        result = call(client)
        assert isinstance(result, Err)
        assert isinstance(result.error, ValidationError)
        assert result.error.message.startswith(f"{field}: ")
        assert not api.calls

    def test_json_nested_within_the_limit_is_sent(
        self, client: DatlakeClient, api: respx.MockRouter
    ) -> None:
        api.post("/api/v1/jobs/daily_users/runs").respond(201, json=RUN_JSON)
        assert isinstance(start_run(client, "daily_users", _deep(150)), Ok)


class TestDownloadWithoutChecksum:
    def test_an_html_page_is_refused_and_the_old_file_kept(
        self, client: DatlakeClient, api: respx.MockRouter, tmp_path: Path
    ) -> None:
        api.get("/api/v1/datasets/artifacts/a.csv").respond(
            200, html="<html><body>Please log in</body></html>"
        )
        dest = tmp_path / "a.csv"
        dest.write_bytes(b"old")
        result = download_object(client, "artifacts", "a.csv", dest)
        assert isinstance(result, Err)
        assert isinstance(result.error, ServerError)
        assert "text/html" in result.error.message
        assert dest.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]

    def test_octet_stream_without_the_header_is_accepted(
        self, client: DatlakeClient, api: respx.MockRouter, tmp_path: Path
    ) -> None:
        api.get("/api/v1/datasets/artifacts/a.csv").respond(
            200, content=b"abc", headers={"Content-Type": "application/octet-stream"}
        )
        result = download_object(client, "artifacts", "a.csv", tmp_path / "a.csv")
        assert isinstance(result, Ok)
        assert result.value.sha256 == hashlib.sha256(b"abc").hexdigest()

    def test_with_the_header_any_type_is_checked_by_its_hash(
        self, client: DatlakeClient, api: respx.MockRouter, tmp_path: Path
    ) -> None:
        api.get("/api/v1/datasets/artifacts/a.csv").respond(
            200,
            content=b"abc",
            headers={
                "Content-Type": "text/csv",
                "X-Checksum-Sha256": hashlib.sha256(b"abc").hexdigest(),
            },
        )
        assert isinstance(download_object(client, "artifacts", "a.csv", tmp_path / "a.csv"), Ok)


def _reachable(root: object, limit: int = 20000) -> Iterator[object]:
    """Everything reachable from `root` through exception links, attributes, containers,
    tracebacks and frames."""
    seen: set[int] = set()
    stack = [root]
    while stack and len(seen) < limit:
        item = stack.pop()
        if id(item) in seen or isinstance(item, int | float | bool | type(None)):
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, str | bytes):
            continue
        if isinstance(item, BaseException):
            stack += [item.__cause__, item.__context__, item.__traceback__, *item.args]
        if hasattr(item, "tb_frame"):
            stack += [item.tb_frame, item.tb_next]  # type: ignore[attr-defined]
        if hasattr(item, "f_locals") and hasattr(item, "f_back"):
            stack += list(item.f_locals.values())  # type: ignore[attr-defined]
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple | set | frozenset):
            stack += list(item)
        elif isinstance(item, httpx.Headers):
            stack += [str(item.raw)]
        elif isinstance(item, httpx.Request):
            stack += [item.headers]
        for name in getattr(item, "__dict__", {}):
            stack.append(getattr(item, name, None))
        for name in getattr(type(item), "__slots__", ()):
            stack.append(getattr(item, name, None))


class TestNoErrLeadsToTheKey:
    @pytest.mark.parametrize(
        "failure",
        [
            httpx.ConnectError("[Errno 111] Connection refused"),
            httpx.ReadTimeout("timed out"),
            httpx.ReadError("reset"),
            httpx.Response(503),
            httpx.Response(200, text="<html>"),
        ],
    )
    def test_nothing_reachable_from_an_err_holds_the_key(
        self, api: respx.MockRouter, failure: Any
    ) -> None:
        secret = "sk-the-secret-api-key-1234"
        route = api.get(f"/api/v1/jobs/daily_users/runs/{RUN_ID}")
        if isinstance(failure, Exception):
            route.mock(side_effect=failure)
        else:
            route.mock(return_value=failure)
        with DatlakeClient(BASE_URL, secret, retry="max=2,base_ms=0") as client:
            result = get_run(client, "daily_users", RUN_ID)
        assert isinstance(result, Err)
        error = result.error
        for text in (repr(result), str(error), repr(error)):
            assert secret not in text
        for item in _reachable(result):
            if isinstance(item, httpx.Request):
                pytest.fail(f"a request is reachable from the Err: {item!r}")
            if isinstance(item, str | bytes):
                assert (secret.encode() if isinstance(item, bytes) else secret) not in item
            else:
                assert secret not in repr(item)


class TestNetworkErrors:
    def test_name_the_url_and_the_attempts(self, api: respx.MockRouter) -> None:
        api.post("/api/v1/jobs/x/runs").mock(
            side_effect=httpx.ConnectError("[Errno 111] Connection refused")
        )
        with DatlakeClient(BASE_URL, API_KEY, retry="max=3,base_ms=0") as client:
            result = start_run(client, "x")
        assert isinstance(result, Err)
        message = result.error.message
        assert message.startswith(f"POST {BASE_URL}/api/v1/jobs/x/runs: connection refused")
        assert " after 3 attempts in " in message
        assert message.endswith(" s")

    def test_a_retry_is_logged_once_with_the_run_id(
        self, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
    ) -> None:
        import stamina

        api.get(f"/api/v1/jobs/daily_users/runs/{RUN_ID}").mock(
            side_effect=[httpx.Response(503), httpx.Response(200, json=RUN_JSON)]
        )
        with (
            stamina.set_testing(False),
            caplog.at_level(logging.DEBUG),
            DatlakeClient(BASE_URL, API_KEY, retry="max=2,base_ms=1,jitter=false") as client,
        ):
            assert isinstance(get_run(client, "daily_users", RUN_ID), Ok)
        retries = [r for r in caplog.records if "retry" in r.getMessage()]
        assert [r.name for r in retries] == ["datlake_sdk"]
        assert getattr(retries[0], "run_id", None) == RUN_ID
        assert retries[0].request_id

    def test_stamina_still_logs_retries_of_others(self, caplog: pytest.LogCaptureFixture) -> None:
        import stamina

        calls = iter([ValueError("once"), None])

        def flaky() -> None:
            failure = next(calls)
            if failure is not None:
                raise failure

        with stamina.set_testing(False), caplog.at_level(logging.DEBUG, logger="stamina"):
            stamina.retry(on=ValueError, attempts=2, wait_initial=0.001, wait_jitter=0)(flaky)()
        assert [r.getMessage() for r in caplog.records if r.name == "stamina"] == [
            "stamina.retry_scheduled"
        ]


def test_job_side_failures_log_a_warning(
    api: respx.MockRouter, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    api.post("/api/v1/jobs/daily_users/runs").respond(201, json=RUN_JSON)
    api.put(url__regex=r"/complete$").respond(200, json={**RUN_JSON, "status": "succeeded"})
    with (
        DatlakeClient(BASE_URL, API_KEY) as client,
        caplog.at_level(logging.INFO, logger="datlake_sdk.job"),
        JobContext(client, "daily_users", heartbeat_every=None) as job,
    ):
        assert job.event("nonsense") is None
        assert job.attach_file(tmp_path / "missing", bucket="artifacts", object_name="x") is None
    side = [r for r in caplog.records if r.name == "datlake_sdk.job"]
    assert len(side) == 2
    assert {r.levelno for r in side} == {logging.WARNING}
