"""Nothing escapes: every operation, called with generated arguments of the documented types
(names good and bad, text with lone surrogates, JSON with NaN, cycles-free but arbitrarily
deep nesting, paths that do and do not exist), returns `Ok` or `Err` and never raises.

A mock Datlake answers every request with a valid document, so what is exercised is the SDK's
own handling of the arguments: its checks before sending, the body encoder, the request's URL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datlake_sdk import DatlakeClient
from datlake_sdk._errors import SDKError
from datlake_sdk._reporting_types import MetricPoint
from datlake_sdk._result import Err, Ok
from datlake_sdk._types import Artifact, Progress, Run
from datlake_sdk.functional import (
    complete_run,
    download_object,
    fetch_latest_uri,
    get_lineage,
    get_run,
    get_run_log,
    health,
    heartbeat,
    iter_events,
    iter_runs,
    iter_snapshots,
    list_events,
    list_metrics,
    list_runs,
    list_snapshots,
    make_log_artifact,
    post_event,
    post_telemetry,
    register_snapshot,
    start_run,
    upload_file,
    upload_object,
)

from .helpers import (
    API_KEY,
    BASE_URL,
    CURATED_SNAPSHOT_JSON,
    EVENT_JSON,
    FINISHED_RUN_JSON,
    LEASE_JSON,
    LINEAGE_JSON,
    RAW_SNAPSHOT_JSON,
    RUN_JSON,
    receipt_json,
)

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# Text of every kind, lone surrogates included (hypothesis leaves them out by default).
any_char = st.characters(categories=["L", "N", "P", "S", "Z", "Cc", "Cs"])
surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
text = st.one_of(
    st.text(max_size=12),
    st.text(any_char, max_size=8),
    st.builds(lambda a, s, b: a + s + b, st.text(max_size=4), surrogate, st.text(max_size=4)),
)
# mostly good names and ids, so the other arguments get as far as the encoder
good_name = st.from_regex(r"[a-z][a-z0-9_.-]{0,10}", fullmatch=True)
good_id = st.from_regex(r"[a-f0-9]{32}", fullmatch=True)
name = st.one_of(good_name, good_name, good_name, text)
run_id = st.one_of(good_id, good_id, good_id, text)
maybe_text = st.none() | text
maybe_int = st.none() | st.integers(-5, 2000)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | text
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3)
)


def _nested(depth: int) -> dict[str, Any]:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return {"deep": value}


json_objects = (
    st.none()
    | st.dictionaries(text, json_values, max_size=4)
    | st.builds(_nested, st.sampled_from([10, 199, 200, 500, 985, 1500, 5000]))
)
runs = st.builds(Run, name, run_id)
artifact = st.builds(Artifact, text, text) | st.builds(
    Artifact,
    text,
    text,
    name=maybe_text,
    content_type=maybe_text,
    size=st.none() | st.integers(),
    sha256=maybe_text | st.just("ab" * 32),
    metadata=json_objects,
)
artifacts = st.none() | st.lists(artifact, max_size=3)
numbers = st.integers() | st.floats(allow_nan=True, allow_infinity=True)
points = st.builds(MetricPoint, name, numbers, st.none() | st.integers(), maybe_text)
progresses = st.none() | st.builds(Progress, numbers, st.none() | numbers, maybe_text)
chunks = st.lists(st.tuples(st.integers(-1, 2**64), text), max_size=3)


def _answer(request: httpx.Request) -> httpx.Response:
    """A valid document for whatever was asked."""
    path, method = request.url.path, request.method
    if path.endswith("/health"):
        return httpx.Response(200, json={"status": "ok", "version": "1.0"})
    if path.startswith("/api/v1/datasets/"):
        if method == "PUT":
            body = request.read()
            bucket, _, obj = path.removeprefix("/api/v1/datasets/").partition("/")
            digest = hashlib.sha256(body).hexdigest()
            return httpx.Response(201, json=receipt_json(bucket, obj, len(body), digest))
        return httpx.Response(
            200,
            content=b"abc",
            headers={"X-Checksum-Sha256": hashlib.sha256(b"abc").hexdigest()},
        )
    if path == "/api/v1/jobs/register-snapshot" and method == "POST":
        return httpx.Response(201, json=CURATED_SNAPSHOT_JSON)
    if path.endswith("/heartbeat"):
        return httpx.Response(200, json=LEASE_JSON)
    if path.endswith("/events"):
        if method == "POST":
            return httpx.Response(201, json=EVENT_JSON)
        return httpx.Response(200, json={"items": [EVENT_JSON], "next_cursor": None})
    if path.endswith("/telemetry"):
        return httpx.Response(200, json={"metrics": 1, "log_chunks": 0})
    if path.endswith("/metrics"):
        return httpx.Response(200, json={"series": []})
    if path.endswith("/log"):
        return httpx.Response(200, json={"text": "", "next_chunk": 0})
    if path.endswith("/complete"):
        return httpx.Response(200, json=FINISHED_RUN_JSON)
    if path.endswith("/lineage"):
        return httpx.Response(200, json=LINEAGE_JSON)
    if path.endswith("/snapshots/latest"):
        return httpx.Response(200, json=RAW_SNAPSHOT_JSON)
    if path.endswith("/snapshots"):
        if method == "POST":
            return httpx.Response(201, json=CURATED_SNAPSHOT_JSON)
        return httpx.Response(200, json={"items": [RAW_SNAPSHOT_JSON], "next_cursor": None})
    if path.endswith("/runs") and method == "POST":
        return httpx.Response(201, json=RUN_JSON)
    if path.endswith("/runs"):
        return httpx.Response(200, json={"items": [RUN_JSON], "next_cursor": None})
    return httpx.Response(200, json=RUN_JSON)


@pytest.fixture(scope="module")
def client() -> Iterator[DatlakeClient]:
    with (
        respx.mock(base_url=BASE_URL, assert_all_called=False) as router,
        DatlakeClient(BASE_URL, API_KEY, retry="max=2,base_ms=0") as client,
    ):
        router.route().mock(side_effect=_answer)
        yield client


@pytest.fixture(scope="module")
def a_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("no-escape") / "run.log"
    path.write_bytes(b"line 1\nline 2\n")
    return path


def _settles(outcome: object) -> None:
    """`outcome` is an `Ok` or an `Err` of an `SDKError` (an iterator: each item is)."""
    items = list(outcome) if isinstance(outcome, Iterator) else [outcome]
    for item in items:
        assert isinstance(item, Ok | Err), item
        if isinstance(item, Err):
            assert isinstance(item.error, SDKError)
            str(item.error), repr(item.error)  # and it can be shown


Op = Callable[..., object]


@EXAMPLES
@given(
    job=name,
    metadata=json_objects,
    parent=st.none() | run_id,
    key=maybe_text,
    rid=st.none() | run_id,
)
def test_start_run(
    client: DatlakeClient, job: str, metadata: Any, parent: Any, key: Any, rid: Any
) -> None:
    _settles(
        start_run(client, job, metadata, parent_run_id=parent, idempotency_key=key, run_id=rid)
    )


@EXAMPLES
@given(run=runs, success=st.booleans(), extra=json_objects, items=artifacts)
def test_complete_run(
    client: DatlakeClient, run: Run, success: bool, extra: Any, items: Any
) -> None:
    _settles(complete_run(client, run, success, extra, items))


@EXAMPLES
@given(job=name, rid=run_id, status=maybe_text, limit=maybe_int, cursor=maybe_text)
def test_run_reads(
    client: DatlakeClient, job: str, rid: str, status: Any, limit: Any, cursor: Any
) -> None:
    _settles(get_run(client, job, rid))
    _settles(list_runs(client, job, status=status, limit=limit, cursor=cursor))
    _settles(iter_runs(client, job, status=status, page_size=limit))


@EXAMPLES
@given(run=st.none() | runs, table=name)
def test_fetch_latest_uri(client: DatlakeClient, run: Any, table: str) -> None:
    _settles(fetch_latest_uri(client, run, table))


@EXAMPLES
@given(
    run=runs,
    table=name,
    uri=text,
    fmt=text,
    schema=json_objects,
    key=maybe_text,
    sid=st.none() | run_id,
)
def test_register_snapshot(
    client: DatlakeClient, run: Run, table: str, uri: str, fmt: str, schema: Any, key: Any, sid: Any
) -> None:
    _settles(
        register_snapshot(
            client, run, table, uri, format=fmt, schema=schema, idempotency_key=key, snapshot_id=sid
        )
    )


@EXAMPLES
@given(table=name, limit=maybe_int, cursor=maybe_text, depth=maybe_int, direction=maybe_text)
def test_table_reads(
    client: DatlakeClient, table: str, limit: Any, cursor: Any, depth: Any, direction: Any
) -> None:
    _settles(list_snapshots(client, table, limit=limit, cursor=cursor))
    _settles(iter_snapshots(client, table, page_size=limit))
    _settles(get_lineage(client, table, depth=depth, direction=direction))
    _settles(health(client))


@EXAMPLES
@given(
    run=runs,
    kind=st.sampled_from(["progress", "metric", "error"]) | text,
    message=maybe_text,
    data=json_objects,
    key=maybe_text,
    lease=maybe_int,
    limit=maybe_int,
    cursor=maybe_text,
)
def test_events(
    client: DatlakeClient,
    run: Run,
    kind: str,
    message: Any,
    data: Any,
    key: Any,
    lease: Any,
    limit: Any,
    cursor: Any,
) -> None:
    _settles(post_event(client, run, kind, message=message, data=data, idempotency_key=key))
    _settles(heartbeat(client, run, lease_seconds=lease, idempotency_key=key))
    _settles(list_events(client, run, limit=limit, cursor=cursor))
    _settles(iter_events(client, run, page_size=limit))


@EXAMPLES
@given(
    bucket=st.one_of(st.just("artifacts"), text),
    obj=st.one_of(st.just("jobs/x/run.log"), text),
    run=st.none() | runs,
    existing=st.booleans(),
    path=text,
)
def test_objects(
    client: DatlakeClient,
    a_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
    bucket: str,
    obj: str,
    run: Any,
    existing: bool,
    path: str,
) -> None:
    source: str | Path = a_file if existing else path
    _settles(upload_file(client, bucket, obj, source, run=run))
    _settles(upload_object(client, bucket, obj, source))
    if run is not None:
        _settles(make_log_artifact(client, bucket, run, source))
    dest = a_file.parent / "copy.bin" if existing else a_file.parent / path
    _settles(download_object(client, bucket, obj, dest))


@EXAMPLES
@given(
    run=runs,
    metrics=st.lists(points, max_size=3),
    progress=progresses,
    log=chunks,
    source=text,
    key=maybe_text,
    metric=st.none() | name,
    from_chunk=st.integers(-1, 2**64),
)
def test_telemetry(
    client: DatlakeClient,
    run: Run,
    metrics: list[MetricPoint],
    progress: Progress | None,
    log: list[tuple[int, str]],
    source: str,
    key: str | None,
    metric: str | None,
    from_chunk: int,
) -> None:
    _settles(
        post_telemetry(
            client,
            run,
            metrics=metrics,
            progress=progress,
            log=log,
            log_source=source,
            idempotency_key=key,
        )
    )
    _settles(list_metrics(client, run, name=metric))
    _settles(get_run_log(client, run, from_chunk=from_chunk))


def test_the_answers_are_valid_documents(client: DatlakeClient, a_file: Path) -> None:
    """The mock answers well: good arguments come back `Ok`, so the suite tests the SDK."""
    run = Run("daily_users", RUN_JSON["run_id"])
    assert isinstance(start_run(client, "daily_users", {"a": 1}), Ok)
    assert isinstance(complete_run(client, run, True, {"rows": 1}), Ok)
    assert isinstance(register_snapshot(client, run, "t", "s3://b/k", format="csv"), Ok)
    assert isinstance(post_event(client, run, "metric", data={"rows": 1}), Ok)
    assert isinstance(post_telemetry(client, run, metrics=[MetricPoint("rows", 1)]), Ok)
    assert isinstance(list_metrics(client, run), Ok)
    assert isinstance(get_run_log(client, run), Ok)
    assert isinstance(upload_file(client, "artifacts", "a/b.log", a_file), Ok)
    assert isinstance(download_object(client, "artifacts", "a/b", a_file.parent / "c"), Ok)
    assert json.loads(json.dumps(RUN_JSON)) == RUN_JSON
