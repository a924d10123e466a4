"""`datlake_sdk.aio` over real HTTP against a local Datlake (spec-checked answers), plus the
shared rules (retries, refusals, the outbox) seen from the async side."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from datlake_sdk import DatlakeClient
from datlake_sdk.aio import (
    AsyncDatlakeClient,
    AsyncJobContext,
    complete_run,
    fetch_latest_uri,
    get_run,
    health,
    list_jobs,
    list_metrics,
    list_tables,
    post_event,
    post_metric,
    register_snapshot,
    start_run,
)
from datlake_sdk.functional import Err, NotFound, Ok, ValidationError, unwrap
from datlake_sdk.functional import get_run as sync_get_run

from .helpers import RUN_JSON, problem
from .test_operations_end_to_end import API_KEY, server_url, unique

__all__ = ["server_url"]  # the spec-checked local Datlake of the end-to-end tests, shared


def test_a_run_reads_writes_and_completes(server_url: str) -> None:
    raw, curated, job = unique("raw"), unique("curated"), unique("job")

    async def main() -> None:
        async with AsyncDatlakeClient(server_url, API_KEY) as client:
            assert unwrap(await health(client)).status == "ok"
            upstream = unwrap(await start_run(client, unique("upstream")))
            wrote = unwrap(
                await register_snapshot(client, upstream, raw, "file:///r", format="csv")
            )
            unwrap(await complete_run(client, upstream, success=True))
            run = unwrap(await start_run(client, job, {"source": "aio"}))
            read = unwrap(await fetch_latest_uri(client, run, raw))
            assert (read.uri, read.snapshot_id) == ("file:///r", wrote.snapshot_id)
            unwrap(await register_snapshot(client, run, curated, "file:///c", format="csv"))
            unwrap(await post_event(client, run, "progress", message="half way"))
            assert unwrap(await post_metric(client, run, "rows", 3, unit="rows")).metrics == 1
            unwrap(await complete_run(client, run, success=True, extra={"rows": 3}))
            found = unwrap(await get_run(client, job, run.run_id))
            assert (found.status, found.extra, found.metadata) == (
                "succeeded",
                {"rows": 3},
                {"source": "aio"},
            )
            assert [s.table_name for s in found.inputs] == [raw]
            assert [s.table_name for s in found.outputs] == [curated]
            missing = await fetch_latest_uri(client, None, unique("none"))
            assert isinstance(missing, Err)
            assert isinstance(missing.error, NotFound)
            (listed_job,) = unwrap(await list_jobs(client, prefix=job)).items
            assert (listed_job.job_name, listed_job.latest_run.run_id) == (job, run.run_id)
            (listed_table,) = unwrap(await list_tables(client, prefix=curated)).items
            (series,) = unwrap(await list_metrics(client, run))
            assert (series.name, [p.value for p in series.points]) == ("rows", [3])
            assert listed_table.table_name == curated

    asyncio.run(main())


async def divide_by_zero_in(job: AsyncJobContext, table: str) -> None:
    async with job:
        assert (await job.input(table)).uri == "file:///t"
        _ = 1 / 0


def test_the_job_context_completes_the_run_either_way(server_url: str) -> None:
    table, job = unique("table"), unique("job")

    async def main() -> tuple[str, str]:
        async with AsyncDatlakeClient(server_url, API_KEY) as client:
            async with AsyncJobContext(client, job, heartbeat_every=0.05) as ok:
                await ok.output(table, "file:///t", format="csv")
                await asyncio.sleep(0.12)  # a few heartbeats
                ok.extra["rows"] = 1
            assert ok.run.status == "succeeded"
            assert ok.run.extra == {"rows": 1}
            failing = AsyncJobContext(client, job)
            with pytest.raises(ZeroDivisionError):
                await divide_by_zero_in(failing, table)
            return ok.run.run_id, failing.run.run_id

    succeeded, failed = asyncio.run(main())
    with DatlakeClient(server_url, API_KEY) as client:
        assert unwrap(sync_get_run(client, job, succeeded)).last_heartbeat_at is not None
        stored = unwrap(sync_get_run(client, job, failed))
    assert stored.status == "failed"
    assert stored.extra["error"]["type"] == "ZeroDivisionError"
    assert [s.table_name for s in stored.inputs] == [table]


def test_retries_and_the_translator_are_the_sync_ones() -> None:
    answers = iter([problem(503, "unavailable"), httpx.Response(201, json=RUN_JSON)])
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(answers)

    async def main() -> None:
        async with AsyncDatlakeClient(
            "http://127.0.0.1:8765",
            API_KEY,
            retry="max=3,base_ms=0",
            transport=httpx.MockTransport(handler),
        ) as client:
            run = await start_run(client, "daily_users", run_id=RUN_JSON["run_id"])
            assert isinstance(run, Ok)
            assert run.value.run_id == RUN_JSON["run_id"]

    asyncio.run(main())
    assert len(seen) == 2
    # one idempotency key for the call, a fresh request id per attempt
    assert len({r.headers["Idempotency-Key"] for r in seen}) == 1
    assert len({r.headers["X-Request-Id"] for r in seen}) == 2


def test_bad_input_is_refused_before_sending_and_heard() -> None:
    heard: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    async def main() -> None:
        async with AsyncDatlakeClient(
            "http://127.0.0.1:8765", API_KEY, transport=httpx.MockTransport(handler)
        ) as client:
            client.add_error_listener(lambda operation, error: heard.append(operation))
            result = await start_run(client, "bad name")
            assert isinstance(result, Err)
            assert isinstance(result.error, ValidationError)
            assert "secret" not in repr(client)

    asyncio.run(main())
    assert heard == ["start_run"]


def test_with_the_outbox_a_write_to_an_unreachable_datlake_is_kept(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.sqlite3"

    async def main() -> None:
        async with AsyncDatlakeClient(
            "http://127.0.0.1:9", API_KEY, outbox=outbox, outbox_exit_timeout=0, retry="max=2"
        ) as client:
            run = unwrap(await start_run(client, unique("down")))
            assert run.pending
            unwrap(await complete_run(client, run, success=True))
            assert client.outbox is not None
            assert client.outbox.journal.counts() == {"pending": 2}

    asyncio.run(main())


def test_the_async_names_are_curated_and_are_the_sync_plans() -> None:
    import datlake_sdk.aio as aio
    import datlake_sdk.functional as functional

    assert aio.__all__ == sorted(aio.__all__)
    assert repr(AsyncDatlakeClient) == "<class 'datlake_sdk.aio.AsyncDatlakeClient'>"
    # an async operation or iterator awaits the very plan of its functional namesake (the
    # parameters of all of them are compared in tests/aio/test_parity.py)
    planned = [
        name
        for name in aio.__all__
        if hasattr(getattr(functional, name, None), "__wrapped__")
        and name not in {"keep_alive", "telemetry"}  # context managers, not plans
    ]
    assert {"iter_runs", "list_artifacts", "start_run", "upload_file", "download_object"} <= set(
        planned
    )
    for name in planned:
        sync, twin = getattr(functional, name), getattr(aio, name)
        assert twin.__wrapped__ is sync.__wrapped__, name
