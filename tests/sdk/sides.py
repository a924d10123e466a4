"""Both sides of the SDK behind one face, so a test of the operations' rules runs on each:
`ops.fetch_latest_uri(run, table)` calls `datlake_sdk.functional.fetch_latest_uri(client, ...)`
on the sync side, and awaits `datlake_sdk.aio.fetch_latest_uri(client, ...)` on one event
loop on the async side; an `iter_*` helper comes back as the list of what it yields."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import pytest

import datlake_sdk.aio as aio
import datlake_sdk.functional as functional
from datlake_sdk import DatlakeClient
from datlake_sdk.aio import AsyncDatlakeClient

from .helpers import API_KEY, BASE_URL

SIDES = ["sync", "async"]

Side = Callable[..., contextlib.AbstractContextManager["Ops"]]


class Ops:
    """The operations of one side, bound to its client (`client`)."""

    def __init__(self, client: Any, call: Callable[[str], Callable[..., Any]]) -> None:
        self.client = client
        self._call = call

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return self._call(name)


@contextlib.contextmanager
def sync_ops(**settings: Any) -> Iterator[Ops]:
    settings.setdefault("retry", "max=3,base_ms=0")
    with DatlakeClient(BASE_URL, API_KEY, **settings) as client:

        def call(name: str) -> Callable[..., Any]:
            operation = getattr(functional, name)
            if name.startswith("iter_"):
                return lambda *args, **kwargs: list(operation(client, *args, **kwargs))
            return lambda *args, **kwargs: operation(client, *args, **kwargs)

        yield Ops(client, call)


@contextlib.contextmanager
def async_ops(**settings: Any) -> Iterator[Ops]:
    with async_plans(**settings) as plans:

        def call(name: str) -> Callable[..., Any]:
            operation = getattr(aio, name)
            if name.startswith("iter_"):
                return lambda *args, **kwargs: plans.run(
                    _collect(operation(plans.client, *args, **kwargs))
                )
            return lambda *args, **kwargs: plans.run(operation(plans.client, *args, **kwargs))

        yield Ops(plans.client, call)


async def _collect(results: AsyncIterator[Any]) -> list[Any]:
    return [result async for result in results]


@pytest.fixture(params=SIDES)
def side(request: pytest.FixtureRequest) -> Side:
    """`with side(**settings) as ops:` — the operations of the sync, then the async side."""
    return sync_ops if request.param == "sync" else async_ops


class AsyncPlans:
    """An `AsyncDatlakeClient` behind the sync client's face: a sync operation's plan (or
    call) is carried out by the async client, awaited on one event loop. So the tests of
    every operation's request and failures (`tests/aio/test_operations.py`) check the async
    sending, retries and translation with the very same cases."""

    def __init__(self, client: AsyncDatlakeClient, runner: asyncio.Runner) -> None:
        self.client = client
        self._runner = runner

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return self._runner.run(coroutine)

    def perform(self, plan: Any) -> Any:
        return self.run(self.client.perform(plan))

    def execute(self, call: Any) -> Any:
        return self.run(self.client.execute(call))

    def __getattr__(self, name: str) -> Any:  # the settings, policy, cache, refuse, ...
        return getattr(self.client, name)


@contextlib.contextmanager
def async_plans(**settings: Any) -> Iterator[AsyncPlans]:
    settings.setdefault("retry", "max=3,base_ms=0")
    with asyncio.Runner() as runner:
        client = AsyncDatlakeClient(BASE_URL, API_KEY, **settings)
        try:
            yield AsyncPlans(client, runner)
        finally:
            runner.run(client.aclose())
