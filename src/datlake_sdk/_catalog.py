"""What exists: the jobs that have runs and the tables that have snapshots, in name order,
each with its newest run or snapshot; `prefix=` searches by the start of the name.

>>> from datlake_sdk.functional import list_jobs, iter_tables
>>> page = list_jobs(client, prefix="daily", limit=20)  # doctest: +SKIP
>>> [table.value.table_name for table in iter_tables(client)]  # doctest: +SKIP
['users_curated', 'users_raw']
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from datlake_api.types import UNSET

from . import _convert as domain
from ._call import Plan, Refusal
from ._lazy import lazy
from ._names import bad_prefix, bad_utf8, first_invalid
from ._operations import api_call, bad_range, operation
from ._paging import PagePlans, paged
from ._types import JobInfo, Page, TableInfo

if TYPE_CHECKING:
    from datlake_api import models as api
    from datlake_api.api.runs import list_jobs as list_jobs_endpoint
    from datlake_api.api.tables import list_tables as list_tables_endpoint
else:  # the generated layer loads on first use (see _lazy)
    api = lazy("datlake_api.models")
    list_jobs_endpoint = lazy("datlake_api.api.runs.list_jobs")
    list_tables_endpoint = lazy("datlake_api.api.tables.list_tables")
if TYPE_CHECKING:  # the annotations alone: both are defined in `_client`
    from ._client import Session

__all__ = [
    "iter_jobs",
    "iter_tables",
    "list_jobs",
    "list_tables",
    "plan_job_pages",
    "plan_list_jobs",
    "plan_list_tables",
    "plan_table_pages",
]

M = TypeVar("M")
T = TypeVar("T")

MAX_PAGE_SIZE = 500


def plan_list_jobs(
    client: Session[Any],
    *,
    prefix: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Plan[Page[JobInfo]]:
    """One page of the jobs that have runs, by name, each with its newest run (and so its
    status) and its number of runs; pass `page.next_cursor` as `cursor` for more.

    >>> list_jobs(client, prefix="daily")  # doctest: +SKIP
    Ok(value=Page(items=(JobInfo(job_name='daily_users', run_count=3, latest_run=Run(...)),),
    next_cursor=None))
    """
    return _plan_list(
        "list_jobs", list_jobs_endpoint, api.JobPage, domain.job_page, prefix, limit, cursor
    )


list_jobs = operation(plan_list_jobs)


def plan_job_pages(
    client: Session[Any], *, prefix: str | None = None, page_size: int | None = None
) -> PagePlans[JobInfo]:
    """Every job (with `prefix`: every job whose name starts with it), by name; a failed page
    yields its `Err` and ends.

    >>> [res.value.job_name for res in iter_jobs(client, prefix="daily")]  # doctest: +SKIP
    """
    return lambda cursor: plan_list_jobs(client, prefix=prefix, limit=page_size, cursor=cursor)


iter_jobs = paged(plan_job_pages)


def plan_list_tables(
    client: Session[Any],
    *,
    prefix: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Plan[Page[TableInfo]]:
    """One page of the tables that have snapshots, by name, each with its newest snapshot
    and its number of snapshots (`prefix="sales."` lists a namespace).

    >>> list_tables(client, prefix="users_")  # doctest: +SKIP
    Ok(value=Page(items=(TableInfo(table_name='users_curated', snapshot_count=1, ...), ...),
    next_cursor=None))
    """
    return _plan_list(
        "list_tables", list_tables_endpoint, api.TablePage, domain.table_page, prefix, limit, cursor
    )


list_tables = operation(plan_list_tables)


def plan_table_pages(
    client: Session[Any], *, prefix: str | None = None, page_size: int | None = None
) -> PagePlans[TableInfo]:
    """Every table (with `prefix`: those whose name starts with it), by name; a failed page
    yields its `Err` and ends.

    >>> [res.value.table_name for res in iter_tables(client)]  # doctest: +SKIP
    """
    return lambda cursor: plan_list_tables(client, prefix=prefix, limit=page_size, cursor=cursor)


iter_tables = paged(plan_table_pages)


def _plan_list(
    operation_id: str,
    endpoint: ModuleType,
    expect: type[M],
    convert: Callable[[M], Page[T]],
    prefix: str | None,
    limit: int | None,
    cursor: str | None,
) -> Plan[Page[T]]:
    """The plan of a name-ordered list: both take the same `prefix`, `limit` and `cursor`."""
    invalid = first_invalid(
        bad_prefix("prefix", prefix),
        bad_range("limit", limit, 1, MAX_PAGE_SIZE),
        bad_utf8("cursor", cursor),
    )
    if invalid is not None:
        return Refusal(operation_id, invalid)
    return api_call(
        endpoint,
        lambda request_id: endpoint._get_kwargs(
            prefix=UNSET if prefix is None else prefix,
            limit=UNSET if limit is None else limit,
            cursor=UNSET if cursor is None else cursor,
            x_request_id=request_id,
        ),
        expect,
        convert,
    )
