"""Paging: the `iter_*` helpers walk a listing's cursors, sync here and async in
`datlake_sdk.aio`, from one page planner each (`plan_run_pages`, ...) and one cursor walk.

>>> walk = PageWalk[int]()
>>> walk.take(Ok(Page(items=(1, 2), next_cursor="p2"))), walk.cursor
([Ok(value=1), Ok(value=2)], 'p2')
>>> walk.take(Ok(Page(items=(3,), next_cursor=None))), walk.done
([Ok(value=3)], True)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeAlias, TypeVar

from ._errors import SDKError, ServerError
from ._result import Err, Ok, Result
from ._types import Page

if TYPE_CHECKING:
    from ._call import Plan
    from ._client import DatlakeClient, Session

__all__ = ["PagePlans", "PageWalk", "iterate_pages", "paged"]

P = ParamSpec("P")
T = TypeVar("T")

# the plan of the page at a cursor (`None`: the first page)
PagePlans: TypeAlias = "Callable[[str | None], Plan[Page[T]]]"


class PageWalk(Generic[T]):
    """Where a walk through pages is: the next `cursor`, and whether it is `done`. A failing
    page ends it with its `Err`, and so does a cursor the server already gave (it would page
    forever)."""

    def __init__(self) -> None:
        self.cursor: str | None = None
        self.done = False
        self._seen: set[str] = set()

    def take(self, page: Result[Page[T], SDKError]) -> list[Result[T, SDKError]]:
        """The results `page` yields, and the walk moved on past it."""
        if isinstance(page, Err):
            self.done = True
            return [page]
        items: list[Result[T, SDKError]] = [Ok(item) for item in page.value.items]
        cursor = page.value.next_cursor
        if cursor is None:
            self.done = True
        elif cursor in self._seen:
            self.done = True
            items.append(
                Err(ServerError(f"the server returned the cursor {cursor!r} a second time"))
            )
        else:
            self._seen.add(cursor)
            self.cursor = cursor
        return items


def iterate_pages(
    fetch: Callable[[str | None], Result[Page[T], SDKError]],
) -> Iterator[Result[T, SDKError]]:
    """Every item of every page as `Ok(item)`, the pages fetched as needed (see `PageWalk`)."""
    walk = PageWalk[T]()
    while not walk.done:
        yield from walk.take(fetch(walk.cursor))


def paged(
    pages: Callable[Concatenate[Session[Any], P], PagePlans[T]],
) -> Callable[Concatenate[DatlakeClient, P], Iterator[Result[T, SDKError]]]:
    """The `iter_*` helper that walks the pages `pages` plans, through a `DatlakeClient`;
    `datlake_sdk.aio` makes the async one of the same planner."""

    @functools.wraps(pages)
    def iterate(
        client: DatlakeClient, /, *args: P.args, **kwargs: P.kwargs
    ) -> Iterator[Result[T, SDKError]]:
        plan_page = pages(client, *args, **kwargs)
        return iterate_pages(lambda cursor: client.perform(plan_page(cursor)))

    iterate.__name__ = iterate.__qualname__ = iter_name(pages)
    return iterate


def iter_name(pages: Callable[..., object]) -> str:
    """`iter_runs` for the planner `plan_run_pages`."""
    noun = pages.__name__.removeprefix("plan_").removesuffix("_pages")
    return f"iter_{noun}s"
