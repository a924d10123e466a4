"""`datlake_sdk.aio` against real local Datlakes over loopback (spec-checked answers): the
async iterators, `AsyncJobContext`'s telemetry, live log, lease and joining, and the outbox
and cache while Datlake is down (nothing listens on the port)."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest

from datlake_sdk import ConfigError, DatlakeClient
from datlake_sdk import functional as sync
from datlake_sdk.aio import (
    AsyncDatlakeClient,
    AsyncJobContext,
    complete_run,
    fetch_latest_uri,
    get_run,
    get_run_log,
    iter_events,
    iter_jobs,
    iter_runs,
    iter_snapshots,
    iter_tables,
    keep_alive,
    list_artifacts,
    list_metrics,
    post_event,
    register_snapshot,
    start_run,
    telemetry,
)
from datlake_sdk.functional import (
    Artifact,
    Err,
    Ok,
    Run,
    SnapshotInfo,
    ValidationError,
    unwrap,
)
from datlake_sdk.logging import DatlakeLogHandler

from ..sdk.test_outbox import API_KEY, FAST, datlake, free_port, seed_table, unique


@pytest.fixture
def url(datlake_url: str) -> str:
    return datlake_url


def test_the_iterators_walk_every_page(url: str) -> None:
    job, table = unique("paged"), unique("paged_table")

    async def main() -> None:
        async with AsyncDatlakeClient(url, API_KEY) as client:
            runs = [unwrap(await start_run(client, job)) for _ in range(5)]
            for n, run in enumerate(runs):
                await register_snapshot(client, run, table, f"file:///{n}", format="csv")
            for n in range(3):
                unwrap(await post_event(client, runs[0], "progress", message=f"step {n}"))
            listed = [unwrap(res).run_id async for res in iter_runs(client, job, page_size=2)]
            assert listed == [run.run_id for run in reversed(runs)]  # newest first, 3 pages
            uris = [unwrap(res).uri async for res in iter_snapshots(client, table, page_size=2)]
            assert uris == [f"file:///{n}" for n in reversed(range(5))]
            messages = [
                unwrap(res).message async for res in iter_events(client, runs[0], page_size=2)
            ]
            assert messages == ["step 0", "step 1", "step 2"]
            jobs = [unwrap(res).job_name async for res in iter_jobs(client, prefix=job)]
            tables = [unwrap(res).table_name async for res in iter_tables(client, prefix=table)]
            assert (jobs, tables) == ([job], [table])
            bad = [res async for res in iter_runs(client, "bad name")]
            assert len(bad) == 1
            assert isinstance(bad[0], Err)
            assert isinstance(bad[0].error, ValidationError)

    asyncio.run(main())


def test_the_job_reports_metrics_progress_and_its_live_log(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    job_logger = logging.getLogger(unique("asynclog"))
    job_logger.setLevel(logging.INFO)

    async def main() -> AsyncJobContext:
        stdout = sys.stdout
        async with AsyncDatlakeClient(url, API_KEY) as client:
            job = AsyncJobContext(client, unique("reporting"), capture_output=True)
            async with job:
                handler = DatlakeLogHandler(job)
                job_logger.addHandler(handler)
                try:
                    for step in range(3):
                        job.metric("loss", 1 / (step + 1), step=step)
                    job.progress(3, 3, "trained")
                    job_logger.info("read %d rows", 1200)
                    print("printed by the job")
                    job.attach(Artifact(type="report", uri="https://reports.example.com/r1"))
                finally:
                    job_logger.removeHandler(handler)
            assert job.telemetry is not None  # made on first use, closed on exit
            assert job.telemetry.requests >= 1
            (loss,) = unwrap(await list_metrics(client, job.run))
            assert loss.values == (1.0, 0.5, 1 / 3)
            log = unwrap(await get_run_log(client, job.run)).text
            assert "read 1200 rows" in log
            assert "printed by the job" in log
            found = unwrap(await get_run(client, job.job_name, job.run.run_id))
            assert found.progress is not None
            assert found.progress.message == "trained"
            (artifact,) = unwrap(await list_artifacts(client, job.run))
            assert artifact.type == "report"
        assert sys.stdout is stdout  # the tee is gone
        return job

    job = asyncio.run(main())
    assert job.run.status == "succeeded"
    assert "printed by the job" in capsys.readouterr().out  # the tee still shows it


def test_a_job_without_telemetry_starts_no_batcher_and_side_failures_follow_the_policy(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        async with AsyncDatlakeClient(url, API_KEY) as client:
            async with AsyncJobContext(client, unique("quiet")) as quiet:
                await quiet.output(unique("t"), "file:///t", format="csv")
            assert quiet._telemetry is None  # no thread for a job that reports nothing
            async with AsyncJobContext(client, unique("bad")) as bad:
                bad.metric("loss", float("inf"))  # logged, the job goes on
            assert bad.run.status == "succeeded"
        async with AsyncDatlakeClient(url, API_KEY, on_error="raise") as strict_client:
            strict = AsyncJobContext(strict_client, unique("strict"))
            with pytest.raises(ValidationError, match="not a finite number"):
                async with strict:
                    strict.metric("loss", float("nan"))
            assert strict.run.status == "failed"

    asyncio.run(main())
    assert "metric failed" in caplog.text


def test_telemetry_and_keep_alive_as_async_context_managers(url: str) -> None:
    async def main() -> None:
        async with AsyncDatlakeClient(url, API_KEY) as client:
            run = unwrap(await start_run(client, unique("managed")))
            async with keep_alive(client, run, every=0.05) as keeper:
                assert keeper.lease_seconds == 1
                async with telemetry(client, run, every=60) as batcher:
                    assert batcher.metric("rows", 3, unit="rows") == Ok(None)
                    with pytest.raises(RuntimeError, match="aflush"):
                        batcher.flush()  # would block the loop that sends
                    assert await batcher.aflush()
                    (rows,) = unwrap(await list_metrics(client, run))
                    assert rows.values == (3,)
                await asyncio.sleep(0.12)
            found = unwrap(await get_run(client, run.job_name, run.run_id))
            assert found.last_heartbeat_at is not None
            assert found.lease_expires_at is not None

    asyncio.run(main())


def test_a_joined_block_records_on_the_parents_run_and_leaves_it_running(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = unique("joined_out")
    with DatlakeClient(url, API_KEY) as client:
        parent = unwrap(sync.start_run(client, unique("parent")))
    monkeypatch.setenv("DATLAKE_RUN_ID", parent.run_id)
    monkeypatch.setenv("DATLAKE_JOB_NAME", parent.job_name)
    monkeypatch.setenv("DATLAKE_URL", url)
    monkeypatch.setenv("DATLAKE_API_KEY", API_KEY)
    monkeypatch.setenv("DATLAKE_SDK_ALLOW_INSECURE_HTTP", "1")

    async def main() -> AsyncJobContext:
        job = AsyncJobContext.current()  # its own client, from the environment
        async with job:
            assert job.joined
            await job.output(table, "file:///joined", format="csv")
            job.metric("rows", 1)
        return job

    job = asyncio.run(main())
    assert job.run.run_id == parent.run_id
    with DatlakeClient(url, API_KEY) as client:
        stored = unwrap(sync.get_run(client, parent.job_name, parent.run_id))
        assert stored.status == "running"  # the parent completes it
        assert [s.table_name for s in stored.outputs] == [table]
        assert len(unwrap(sync.list_metrics(client, parent))) == 1
        unwrap(sync.complete_run(client, parent, success=True))


def test_down_the_job_is_journaled_its_read_cached_then_all_is_delivered(
    tmp_path: Path,
) -> None:
    data, outbox, port = tmp_path / "datlake", tmp_path / "outbox.sqlite3", free_port()
    job, table = unique("offline"), unique("input")

    def client() -> AsyncDatlakeClient:
        return AsyncDatlakeClient(
            f"http://127.0.0.1:{port}", API_KEY, outbox=outbox, retry=FAST, timeout=5
        )

    async def warm() -> None:
        async with client() as warm:
            assert unwrap(await fetch_latest_uri(warm, None, table)).snapshot_id == read

    async def offline() -> tuple[Run, SnapshotInfo]:
        async with client() as down:
            async with AsyncJobContext(down, job, heartbeat_every=None) as ctx:
                src = await ctx.input(table)
                out = await ctx.output(f"{job}_out", src.uri + ".out", format="csv")
                await ctx.event("progress", "half way")
                ctx.metric("rows", 7)
            assert (src.from_cache, src.pending, src.snapshot_id) == (True, True, read)
            assert ctx.run.pending
            assert out.pending
            assert down.outbox is not None
            counts = down.outbox.journal.counts()
            assert counts == {"pending": counts["pending"]}
            assert counts["pending"] >= 6  # start, edge, output, event, telemetry, completion
            return ctx.run, out

    async def flush() -> None:
        async with client() as flusher:
            report = await flusher.flush_outbox(timeout=30)
            assert (report.pending, report.dead) == (0, 0)
            assert report.delivered >= 6

    with datlake(data, port) as url:
        read = seed_table(url, table)
        asyncio.run(warm())
    run, out = asyncio.run(offline())  # Datlake is down for the whole job
    with datlake(data, port) as url:
        asyncio.run(flush())
        with DatlakeClient(url, API_KEY) as direct:
            stored = unwrap(sync.get_run(direct, job, run.run_id))
            assert stored.status == "succeeded"
            assert [s.snapshot_id for s in stored.inputs] == [read]
            assert [s.snapshot_id for s in stored.outputs] == [out.snapshot_id]
            events = [unwrap(res).message for res in sync.iter_events(direct, run)]
            assert events == ["half way"]
            assert len(unwrap(sync.list_metrics(direct, run))) == 1


def test_a_sync_job_and_an_async_job_share_one_outbox_file(tmp_path: Path) -> None:
    """The journal is the same file format and rules on both sides: what an async job left is
    delivered by a sync client's flush, like any other entry."""
    data, outbox, port = tmp_path / "datlake", tmp_path / "outbox.sqlite3", free_port()
    job = unique("shared")

    async def offline() -> Run:
        async with AsyncDatlakeClient(
            f"http://127.0.0.1:{port}", API_KEY, outbox=outbox, retry=FAST, outbox_exit_timeout=0
        ) as down:
            async with AsyncJobContext(down, job, heartbeat_every=None) as ctx:
                await ctx.output(f"{job}_out", "file:///o", format="csv")
            return ctx.run

    run = asyncio.run(offline())
    with datlake(data, port) as url:
        with DatlakeClient(url, API_KEY, outbox=outbox, retry=FAST) as flusher:
            assert flusher.flush_outbox(timeout=30).pending == 0
        with DatlakeClient(url, API_KEY) as direct:
            assert unwrap(sync.get_run(direct, job, run.run_id)).status == "succeeded"


@pytest.mark.usefixtures("isolated_settings")
def test_policies_come_from_the_settings_and_errors_become_events(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATLAKE_URL", url)
    monkeypatch.setenv("DATLAKE_API_KEY", API_KEY)
    monkeypatch.setenv("DATLAKE_SDK_ERROR_STRATEGY", "continue_on_not_found")
    monkeypatch.setenv("DATLAKE_SDK_ON_ERROR", "emit_event")
    heard: list[str] = []

    async def main() -> Run:
        async with AsyncDatlakeClient() as client:  # every setting from the environment
            client.add_error_listener(lambda operation, error: heard.append(operation))
            run = unwrap(await start_run(client, unique("evented")))
            missing = unwrap(await fetch_latest_uri(client, None, unique("none")))
            assert not missing.found  # continue_on_not_found: the sentinel
            wrong = await register_snapshot(client, run, unique("t"), "file:///t", format="")
            assert isinstance(wrong, Err)  # refused before sending: an error event still
            unwrap(await complete_run(client, run, success=True))
            return run

    run = asyncio.run(main())  # leaving the client waits for the events on their way
    assert heard == ["register_snapshot"]
    with DatlakeClient(url, API_KEY) as direct:
        events = [unwrap(res) for res in sync.iter_events(direct, run)]
    assert [(e.kind, e.data["operation"]) for e in events] == [("error", "register_snapshot")]


def test_a_cancelled_block_completes_its_run_as_failed(url: str) -> None:
    async def main() -> AsyncJobContext:
        async with AsyncDatlakeClient(url, API_KEY) as client:
            job = AsyncJobContext(client, unique("cancelled"), heartbeat_every=0.05)

            async def block() -> None:
                async with job:
                    job.metric("rows", 1)
                    await asyncio.sleep(30)

            with pytest.raises(TimeoutError):
                await asyncio.wait_for(block(), 0.3)
            (rows,) = unwrap(await list_metrics(client, job.run))  # sent before completing
            assert rows.values == (1,)
            return job

    job = asyncio.run(main())
    assert job.run.status == "failed"
    assert job.run.extra["error"]["type"] == "CancelledError"


def test_joining_outside_datlake_run_names_the_variables() -> None:
    with pytest.raises(ConfigError, match=r"AsyncJobContext.current\(\): DATLAKE_RUN_ID"):
        AsyncJobContext.current()
