"""Name rules: the checks themselves, and every operation refusing a bad value before sending."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx

from datlake_sdk import DatlakeClient
from datlake_sdk._names import bad_bucket, bad_name, bad_object_name, bad_run_id, first_invalid
from datlake_sdk.functional import (
    Err,
    Result,
    Run,
    SDKError,
    ValidationError,
    complete_run,
    download_object,
    fetch_latest_uri,
    get_lineage,
    get_run,
    heartbeat,
    iter_runs,
    list_events,
    list_runs,
    list_snapshots,
    make_log_artifact,
    post_event,
    register_snapshot,
    start_run,
    upload_file,
    upload_object,
)

from .helpers import BASE_URL, make_client

GOOD_NAMES = ["a", "daily_users", "sales.daily_users", "A-1.b_c", "9lives", "x" * 128]
BAD_NAMES = ["", "daily users", ".hidden", "_x", "-x", "x" * 129, "a/b", "é", "a\n", "a\x00"]


@pytest.mark.parametrize("value", GOOD_NAMES)
def test_good_job_and_table_names(value: str) -> None:
    assert bad_name("job_name", value) is None


@pytest.mark.parametrize("value", BAD_NAMES)
def test_bad_job_and_table_names(value: str) -> None:
    error = bad_name("job_name", value)

    assert isinstance(error, ValidationError)
    assert error.code is None
    assert error.message.startswith(f"job_name: {value!r} ")


@pytest.mark.parametrize("value", ["abc", "my-bucket.v2", "a" * 63, "0x0"])
def test_good_buckets(value: str) -> None:
    assert bad_bucket("bucket", value) is None


@pytest.mark.parametrize(
    "value", ["ab", "a" * 64, "Upper", "-abc", "abc-", "abc.", "a_b", "a b", "", "ab\n"]
)
def test_bad_buckets(value: str) -> None:
    error = bad_bucket("bucket", value)

    assert isinstance(error, ValidationError)
    assert error.message.startswith(f"bucket: {value!r} ")


@pytest.mark.parametrize(
    "value",
    [
        "run.log",
        "jobs/daily_users/r1/run.log",
        ".hidden",
        "..x/y",
        "a/.b/c",
        "ü/日本.txt",
        "a b/c?#%2F",
        "x" * 1024,
        "é" * 512,
    ],
)
def test_good_object_names(value: str) -> None:
    assert bad_object_name("object_name", value) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "/abs",
        "a//b",
        "a/",
        ".",
        "..",
        "a/./b",
        "a/../b",
        "../etc/passwd",
        "a\\b",
        "a\x00b",
        "x" * 1025,
        "é" * 513,  # 1026 bytes of UTF-8
        "\udc80",  # a lone surrogate is not UTF-8
    ],
)
def test_bad_object_names(value: str) -> None:
    error = bad_object_name("object_name", value)

    assert isinstance(error, ValidationError)
    assert error.message.startswith(f"object_name: {value!r} ")


@pytest.mark.parametrize("value", ["r1", "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b", "A_b-9", "x" * 64])
def test_good_run_ids(value: str) -> None:
    assert bad_run_id("run_id", value) is None


@pytest.mark.parametrize("value", ["", "x" * 65, "a.b", "a b", "a/b", "r1\n"])
def test_bad_run_ids(value: str) -> None:
    assert isinstance(bad_run_id("run_id", value), ValidationError)


def test_first_invalid_picks_the_first_failure() -> None:
    first, second = ValidationError("first"), ValidationError("second")

    assert first_invalid(None, first, second) is first
    assert first_invalid(None, None) is None


def test_a_wrong_type_raises_type_error() -> None:
    with pytest.raises(TypeError, match="job_name must be a str"):
        bad_name("job_name", 42)  # type: ignore[arg-type]


GOOD_RUN = Run("daily_users", "r1")

# (operation, argument named in the message, bad value, call)
REJECTED: list[tuple[str, str, str, Callable[[DatlakeClient, Path], Result[Any, SDKError]]]] = [
    ("start_run", "job_name", "daily users", lambda c, _: start_run(c, "daily users")),
    (
        "start_run",
        "parent_run_id",
        "p/1",
        lambda c, _: start_run(c, "daily_users", parent_run_id="p/1"),
    ),
    (
        "complete_run",
        "run.run_id",
        "r 1",
        lambda c, _: complete_run(c, Run("daily_users", "r 1"), success=True),
    ),
    (
        "complete_run",
        "run.job_name",
        "../x",
        lambda c, _: complete_run(c, Run("../x", "r1"), success=False),
    ),
    (
        "fetch_latest_uri",
        "table_name",
        "users raw",
        lambda c, _: fetch_latest_uri(c, GOOD_RUN, "users raw"),
    ),
    (
        "fetch_latest_uri",
        "run.run_id",
        "",
        lambda c, _: fetch_latest_uri(c, Run("daily_users", ""), "users_raw"),
    ),
    (
        "register_snapshot",
        "table_name",
        "/users",
        lambda c, _: register_snapshot(c, GOOD_RUN, "/users", "s3://b/k", format="csv"),
    ),
    (
        "register_snapshot",
        "uri",
        "''",
        lambda c, _: register_snapshot(c, GOOD_RUN, "users", "", format="csv"),
    ),
    (
        "register_snapshot",
        "format",
        "must be 1 to 64 characters",
        lambda c, _: register_snapshot(c, GOOD_RUN, "users", "s3://b/k", format="p" * 65),
    ),
    (
        "register_snapshot",
        "run.job_name",
        "",
        lambda c, _: register_snapshot(c, Run("", "r1"), "users", "s3://b/k", format="csv"),
    ),
    (
        "upload_object",
        "bucket",
        "Artifacts",
        lambda c, tmp: upload_object(c, "Artifacts", "x.log", _file(tmp)),
    ),
    (
        "upload_object",
        "object_name",
        "../x.log",
        lambda c, tmp: upload_object(c, "artifacts", "../x.log", _file(tmp)),
    ),
    (
        "upload_file",
        "object_name",
        "/x.log",
        lambda c, tmp: upload_file(c, "artifacts", "/x.log", _file(tmp)),
    ),
    (
        "make_log_artifact",
        "run.run_id",
        "r/1",
        lambda c, tmp: make_log_artifact(c, "artifacts", Run("daily_users", "r/1"), _file(tmp)),
    ),
    (
        "make_log_artifact",
        "bucket",
        "a",
        lambda c, tmp: make_log_artifact(c, "a", GOOD_RUN, _file(tmp)),
    ),
    (
        "download_object",
        "object_name",
        "a//b",
        lambda c, tmp: download_object(c, "artifacts", "a//b", tmp / "x"),
    ),
    ("get_run", "run_id", "r#1", lambda c, _: get_run(c, "daily_users", "r#1")),
    ("get_run", "job_name", "-daily", lambda c, _: get_run(c, "-daily", "r1")),
    ("list_runs", "job_name", "a b", lambda c, _: list_runs(c, "a b")),
    ("list_runs", "status", "done", lambda c, _: list_runs(c, "daily_users", status="done")),
    ("list_runs", "limit", "0", lambda c, _: list_runs(c, "daily_users", limit=0)),
    ("list_runs", "limit", "501", lambda c, _: list_runs(c, "daily_users", limit=501)),
    ("list_snapshots", "table_name", "t/1", lambda c, _: list_snapshots(c, "t/1")),
    ("get_lineage", "table", "t t", lambda c, _: get_lineage(c, "t t")),
    ("get_lineage", "depth", "11", lambda c, _: get_lineage(c, "users", depth=11)),
    ("get_lineage", "limit", "0", lambda c, _: get_lineage(c, "users", limit=0)),
    ("get_lineage", "history", "1001", lambda c, _: get_lineage(c, "users", history=1001)),
    (
        "get_lineage",
        "direction",
        "sideways",
        lambda c, _: get_lineage(c, "users", direction="sideways"),
    ),
    (
        "heartbeat",
        "lease_seconds",
        "0",
        lambda c, _: heartbeat(c, GOOD_RUN, lease_seconds=0),
    ),
    ("heartbeat", "run.run_id", "r.1", lambda c, _: heartbeat(c, Run("daily_users", "r.1"))),
    ("post_event", "kind", "info", lambda c, _: post_event(c, GOOD_RUN, "info")),
    (
        "post_event",
        "message",
        "4097",
        lambda c, _: post_event(c, GOOD_RUN, "progress", message="m" * 4097),
    ),
    ("list_events", "run.job_name", "a b", lambda c, _: list_events(c, Run("a b", "r1"))),
    # free-form objects that httpx could not encode: JSON has no NaN, datetime or set
    (
        "start_run",
        "metadata",
        "JSON",
        lambda c, _: start_run(c, "daily_users", metadata={"at": datetime.datetime(2026, 1, 1)}),
    ),
    (
        "complete_run",
        "extra",
        "JSON",
        lambda c, _: complete_run(c, GOOD_RUN, success=True, extra={"ratio": float("nan")}),
    ),
    (
        "register_snapshot",
        "schema",
        "JSON",
        lambda c, _: register_snapshot(
            c, GOOD_RUN, "users", "s3://b/k", format="csv", schema={"columns": {"id"}}
        ),
    ),
    (
        "post_event",
        "data",
        "JSON",
        lambda c, _: post_event(c, GOOD_RUN, "metric", data={"loss": float("inf")}),
    ),
]


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "f.log"
    path.write_bytes(b"abc")
    return path


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.mark.parametrize(
    ("operation", "argument", "value", "invoke"),
    REJECTED,
    ids=[f"{op}-{arg}" for op, arg, _, _ in REJECTED],
)
def test_operations_reject_bad_values_before_any_request(
    operation: str,
    argument: str,
    value: str,
    invoke: Callable[[DatlakeClient, Path], Result[Any, SDKError]],
    api: respx.MockRouter,
    tmp_path: Path,
) -> None:
    with make_client() as client:
        result = invoke(client, tmp_path)

    assert isinstance(result, Err)
    assert isinstance(result.error, ValidationError)
    assert result.error.code is None
    assert result.error.message.startswith(f"{argument}: ")
    assert value in result.error.message
    assert not api.calls


def test_a_path_object_as_uri_is_a_type_error_naming_it(api: respx.MockRouter) -> None:
    with make_client() as client, pytest.raises(TypeError, match="uri must be a str"):
        register_snapshot(client, GOOD_RUN, "users", Path("/data/users.csv"), format="csv")  # type: ignore[arg-type]
    assert not api.calls


def test_iter_runs_yields_the_validation_error_and_stops(api: respx.MockRouter) -> None:
    with make_client() as client:
        results = list(iter_runs(client, "bad name"))

    assert len(results) == 1
    assert isinstance(results[0], Err)
    assert isinstance(results[0].error, ValidationError)
    assert not api.calls
