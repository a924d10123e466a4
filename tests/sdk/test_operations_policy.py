"""The operations' policy fallbacks: which failures a strategy may turn into `Ok`, and paging;
each on the sync side and on the async one (`sides`)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from datlake_sdk.functional import (
    Err,
    NotFound,
    Ok,
    Run,
    ServerError,
    Transient,
    UriInfo,
)

from .helpers import (
    BASE_URL,
    EVENT_JSON,
    RAW_SNAPSHOT_JSON,
    RUN_ID,
    RUN_JSON,
    problem,
)
from .sides import Side, side

__all__ = ["side"]  # every test runs on the sync side, then on the async one

RUN = Run("daily_users", RUN_ID)
LATEST = f"/api/v1/tables/users_raw/snapshots/latest?run_id={RUN_ID}&job_name=daily_users"


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


def test_fail_fast_keeps_a_missing_table_an_err(side: Side, api: respx.MockRouter) -> None:
    api.get(LATEST).mock(return_value=problem(404, "table-not-found"))

    with side() as ops:
        result = ops.fetch_latest_uri(RUN, "users_raw")

    assert isinstance(result, Err)
    assert isinstance(result.error, NotFound)


def test_continue_on_not_found_turns_a_missing_table_into_the_sentinel(
    side: Side,
    api: respx.MockRouter,
) -> None:
    api.get(LATEST).mock(return_value=problem(404, "table-not-found"))

    with side(error_strategy="continue_on_not_found") as ops:
        result = ops.fetch_latest_uri(RUN, "users_raw")

    assert result == Ok(UriInfo("users_raw", uri="", format="", schema=None))
    assert not result.value.found


def test_continue_on_not_found_keeps_an_unknown_run_an_err(
    side: Side, api: respx.MockRouter
) -> None:
    api.get(LATEST).mock(return_value=problem(404, "run-not-found"))

    with side(error_strategy="continue_on_not_found") as ops:
        result = ops.fetch_latest_uri(RUN, "users_raw")

    assert isinstance(result, Err)
    assert result.error.problem_type == "/problems/run-not-found"


def test_continue_on_not_found_leaves_other_lookups_an_err(
    side: Side, api: respx.MockRouter
) -> None:
    api.get(f"/api/v1/jobs/daily_users/runs/{RUN_ID}").mock(
        return_value=problem(404, "run-not-found")
    )

    with side(error_strategy="continue_on_not_found") as ops:
        result = ops.get_run("daily_users", RUN_ID)

    assert isinstance(result, Err)
    assert isinstance(result.error, NotFound)


def test_suppress_transient_gives_heartbeat_and_events_ok_none(
    side: Side, api: respx.MockRouter
) -> None:
    beat = api.post(f"/api/v1/jobs/daily_users/runs/{RUN_ID}/heartbeat").mock(
        return_value=problem(503, "unavailable")
    )
    event = api.post(f"/api/v1/jobs/daily_users/runs/{RUN_ID}/events").mock(
        side_effect=httpx.ConnectError("refused")
    )

    with side(error_strategy="suppress_transient") as ops:
        assert ops.heartbeat(RUN) == Ok(None)
        assert ops.post_event(RUN, "progress", message="half way") == Ok(None)

    # retried first (each carries an Idempotency-Key), suppressed once the attempts ran out
    assert beat.call_count == event.call_count == 3


@pytest.mark.parametrize("run", [RUN, None], ids=["with a run", "plain lookup"])
def test_suppress_transient_never_hands_fetch_latest_uri_the_sentinel(
    side: Side, api: respx.MockRouter, run: Run | None
) -> None:
    # the job needs the value, and with a run its input edge would be lost: an Err
    api.get(url__regex=r"/tables/users_raw/snapshots/latest").mock(
        return_value=problem(503, "unavailable")
    )

    with side(error_strategy="suppress_transient") as ops:
        result = ops.fetch_latest_uri(run, "users_raw")

    assert isinstance(result, Err)
    assert isinstance(result.error, Transient)


@pytest.mark.parametrize("status", [500, 409, 401])
def test_suppress_transient_keeps_non_transient_failures(
    side: Side, api: respx.MockRouter, status: int
) -> None:
    api.post(f"/api/v1/jobs/daily_users/runs/{RUN_ID}/heartbeat").mock(
        return_value=problem(status, "x")
    )

    with side(error_strategy="suppress_transient") as ops:
        result = ops.heartbeat(RUN)

    assert isinstance(result, Err)
    assert result.error.code == status


def test_suppress_transient_never_hides_a_lineage_write_or_a_start(
    side: Side, api: respx.MockRouter
) -> None:
    api.post("/api/v1/jobs/register-snapshot").mock(return_value=problem(503, "unavailable"))
    api.post("/api/v1/jobs/daily_users/runs").mock(return_value=problem(503, "unavailable"))
    api.get(f"/api/v1/jobs/daily_users/runs/{RUN_ID}").mock(
        return_value=problem(503, "unavailable")
    )

    with side(error_strategy="suppress_transient") as ops:
        registered = ops.register_snapshot(RUN, "users_curated", "s3://b/k", format="csv")
        started = ops.start_run("daily_users")
        read = ops.get_run("daily_users", RUN_ID)

    for result in (registered, started, read):
        assert isinstance(result, Err)
        assert isinstance(result.error, Transient)


def test_iter_runs_follows_the_cursor_through_every_page(side: Side, api: respx.MockRouter) -> None:
    second = {**RUN_JSON, "run_id": "r2"}
    third = {**RUN_JSON, "run_id": "r3"}
    route = api.get("/api/v1/jobs/daily_users/runs").mock(
        side_effect=[
            httpx.Response(200, json={"items": [RUN_JSON, second], "next_cursor": "p2"}),
            httpx.Response(200, json={"items": [third], "next_cursor": None}),
        ]
    )

    with side() as ops:
        results = ops.iter_runs("daily_users", status="running", page_size=2)

    assert [r.value.run_id for r in results if isinstance(r, Ok)] == [RUN_ID, "r2", "r3"]
    assert len(results) == 3
    queries = [dict(call.request.url.params) for call in route.calls]
    assert queries == [
        {"status": "running", "limit": "2"},
        {"status": "running", "limit": "2", "cursor": "p2"},
    ]


@pytest.mark.parametrize("cursors", [["p1", "p1"], ["p1", "p2", "p1"]])
def test_a_cursor_the_server_already_gave_ends_the_iteration_with_an_err(
    side: Side, api: respx.MockRouter, cursors: list[str]
) -> None:
    # A server that hands back a cursor it gave before would page forever.
    api.get("/api/v1/tables/users_raw/snapshots").mock(
        side_effect=[
            httpx.Response(200, json={"items": [RAW_SNAPSHOT_JSON], "next_cursor": cursor})
            for cursor in cursors
        ]
    )

    with side() as ops:
        results = ops.iter_snapshots("users_raw")

    assert [isinstance(result, Ok) for result in results] == [True] * len(cursors) + [False]
    error = results[-1]
    assert isinstance(error, Err)
    assert isinstance(error.error, ServerError)
    assert "cursor" in error.error.message


def test_iter_snapshots_ends_with_the_err_of_a_failing_page(
    side: Side, api: respx.MockRouter
) -> None:
    api.get("/api/v1/tables/users_raw/snapshots").mock(
        side_effect=[
            httpx.Response(200, json={"items": [RAW_SNAPSHOT_JSON], "next_cursor": "p2"}),
            problem(401, "unauthorized"),
        ]
    )

    with side() as ops:
        results = ops.iter_snapshots("users_raw")

    assert len(results) == 2
    assert isinstance(results[0], Ok)
    assert results[0].value.snapshot_id == RAW_SNAPSHOT_JSON["snapshot_id"]
    assert isinstance(results[1], Err)
    assert results[1].error.code == 401


def test_iter_events_reads_a_single_page(side: Side, api: respx.MockRouter) -> None:
    api.get(f"/api/v1/jobs/daily_users/runs/{RUN_ID}/events").respond(
        200, json={"items": [EVENT_JSON], "next_cursor": None}
    )

    with side() as ops:
        results = ops.iter_events(RUN)

    assert [r.value.kind for r in results if isinstance(r, Ok)] == ["progress"]


def test_an_unknown_table_lists_as_an_empty_page(side: Side, api: respx.MockRouter) -> None:
    api.get("/api/v1/tables/nothing/snapshots").respond(
        200, json={"items": [], "next_cursor": None}
    )

    with side() as ops:
        result = ops.list_snapshots("nothing")

    assert isinstance(result, Ok)
    assert result.value.items == ()
    assert result.value.next_cursor is None
