"""One `DatlakeClient` shared by many threads, and one `AsyncDatlakeClient` by many tasks,
over loopback against a real local Datlake (its own process, as in production, so the
client's threads have the interpreter to themselves): every pipeline succeeds on its first
attempt, and the server has every run."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from datlake_sdk import DatlakeClient
from datlake_sdk.aio import AsyncDatlakeClient, AsyncJobContext, list_runs
from datlake_sdk.functional import (
    Err,
    Ok,
    Result,
    SDKError,
    and_then,
    complete_run,
    iter_runs,
    register_snapshot,
    start_run,
    unwrap,
)

from ..chaos.server import LocalDatlake

API_KEY = "shared-client-key"
THREADS = 200
TASKS = 100
POOL_SIZE = 50  # fewer connections than threads: many requests wait for one


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with LocalDatlake(tmp_path_factory.mktemp("datlake"), API_KEY) as server:
        yield server.url


def pipeline(client: DatlakeClient, job: str, start: threading.Barrier) -> Result[None, SDKError]:
    start.wait()  # all threads at once: the pool is contended from the first request
    return and_then(
        start_run(client, job),
        lambda run: and_then(
            register_snapshot(client, run, f"{job}_out", "file:///out.csv", format="csv"),
            lambda _: complete_run(client, run, success=True),
        ),
    )


def test_one_client_serves_every_thread_without_a_retry(
    server_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    job = f"shared_{uuid.uuid4().hex[:8]}"
    start = threading.Barrier(THREADS)
    caplog.set_level(logging.INFO, logger="datlake_sdk")
    with (
        DatlakeClient(server_url, API_KEY, pool_size=POOL_SIZE) as client,
        ThreadPoolExecutor(THREADS) as threads,
    ):
        results = list(threads.map(lambda _: pipeline(client, job, start), range(THREADS)))
        failures = [result.error for result in results if isinstance(result, Err)]
        assert failures == []
        # a connection closed under a waiting request shows as a retried ReadError
        retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
        assert retries == []
        runs = list(iter_runs(client, job, page_size=500))
    assert all(isinstance(run, Ok) and run.value.status == "succeeded" for run in runs)
    assert len(runs) == THREADS


def test_one_async_client_carries_many_concurrent_runs(
    server_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    job = f"async_{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.INFO, logger="datlake_sdk")

    async def pipeline(client: AsyncDatlakeClient) -> None:
        async with AsyncJobContext(client, job, heartbeat_every=None) as run:
            await run.output(f"{job}_out", "file:///o", format="csv")

    async def main() -> int:
        async with AsyncDatlakeClient(server_url, API_KEY, pool_size=POOL_SIZE) as client:
            await asyncio.gather(*(pipeline(client) for _ in range(TASKS)))
            page = unwrap(await list_runs(client, job, status="succeeded", limit=500))
        return len(page.items)

    assert asyncio.run(main()) == TASKS
    assert [r.getMessage() for r in caplog.records if "retry" in r.getMessage()] == []
