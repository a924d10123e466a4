"""The `iter_*` helpers as async iterators: the page planners and cursor walk of
`datlake_sdk._paging`, each page awaited.

>>> async def run_ids(client: AsyncDatlakeClient) -> list[str]:
...     return [unwrap(res).run_id async for res in iter_runs(client, "daily_users")]
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from .._catalog import plan_job_pages, plan_table_pages
from .._client import Session
from .._errors import SDKError
from .._events import plan_event_pages
from .._paging import PagePlans, PageWalk, iter_name
from .._result import Result
from .._runs import plan_run_pages
from .._tables import plan_snapshot_pages
from .._types import Page
from ._client import AsyncDatlakeClient
from ._operations import twin_of

__all__ = [
    "aiterate_pages",
    "async_paged",
    "iter_events",
    "iter_jobs",
    "iter_runs",
    "iter_snapshots",
    "iter_tables",
]

P = ParamSpec("P")
T = TypeVar("T")


async def aiterate_pages(
    fetch: Callable[[str | None], Awaitable[Result[Page[T], SDKError]]],
) -> AsyncIterator[Result[T, SDKError]]:
    """Every item of every page as `Ok(item)`, each page awaited as needed (see `PageWalk`)."""
    walk = PageWalk[T]()
    while not walk.done:
        for result in walk.take(await fetch(walk.cursor)):
            yield result


def async_paged(
    pages: Callable[Concatenate[Session[Any], P], PagePlans[T]],
) -> Callable[Concatenate[AsyncDatlakeClient, P], AsyncIterator[Result[T, SDKError]]]:
    """The async `iter_*` helper that walks the pages `pages` plans (`async for`)."""

    @functools.wraps(pages)
    def iterate(
        client: AsyncDatlakeClient, /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncIterator[Result[T, SDKError]]:
        plan_page = pages(client, *args, **kwargs)
        return aiterate_pages(lambda cursor: client.perform(plan_page(cursor)))

    return twin_of(iterate, iter_name(pages), "as `async for`", pages.__doc__)


iter_events = async_paged(plan_event_pages)
iter_jobs = async_paged(plan_job_pages)
iter_runs = async_paged(plan_run_pages)
iter_snapshots = async_paged(plan_snapshot_pages)
iter_tables = async_paged(plan_table_pages)
