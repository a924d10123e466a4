"""The async batcher's own rules, against a mock Datlake: the SDK's records about sending a
batch (logged on the event loop, not in the sender thread) stay out of the run's live log."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx

from datlake_sdk.aio import AsyncDatlakeClient, AsyncJobContext
from datlake_sdk.logging import DatlakeLogHandler
from datlake_sdk.testing import factories

from ..sdk.helpers import API_KEY, BASE_URL, problem


def test_a_failed_batch_is_logged_but_not_fed_back_into_the_live_log() -> None:
    shipped: list[str] = []
    batches = 0

    def datlake(request: httpx.Request) -> httpx.Response:
        nonlocal batches
        if request.url.path.endswith("/telemetry"):
            batches += 1
            shipped.extend(chunk["text"] for chunk in json.loads(request.content).get("log", []))
            if batches == 1:
                return problem(500, "internal")  # not retried: logged by the client
            return httpx.Response(200, json=factories.telemetry_receipt(log_chunks=1))
        if request.url.path.endswith("/complete"):
            return httpx.Response(200, json=factories.run(status="succeeded"))
        return httpx.Response(201, json=factories.run())

    root = logging.getLogger()

    async def main() -> None:
        async with (
            AsyncDatlakeClient(BASE_URL, API_KEY, transport=httpx.MockTransport(datlake)) as client,
            AsyncJobContext(client, "daily_users", heartbeat_every=None) as job,
        ):
            handler = DatlakeLogHandler(job)
            root.addHandler(handler)
            try:
                logging.getLogger("daily").warning("first")
                assert job.telemetry is not None
                assert await job.telemetry.aflush()  # refused: its log is dropped
                logging.getLogger("daily").warning("second")
                assert await job.telemetry.aflush()
            finally:
                root.removeHandler(handler)

    asyncio.run(main())
    assert batches == 2
    assert any("first" in text for text in shipped)
    assert any("second" in text for text in shipped)
    assert not any("post_telemetry" in text for text in shipped), shipped
