"""Signs of life on a running run: heartbeats that keep its lease, and progress, metric and
error events.

Heartbeats and events must never sink a job: under the `suppress_transient` policy a transient
failure that outlived its retries becomes `Ok(None)` ("not delivered, carry on") instead of `Err`.

>>> from datlake_sdk.functional import heartbeat, post_event
>>> heartbeat(client, run, lease_seconds=120)  # doctest: +SKIP
Ok(value=Lease(job_name='daily_users', run_id='3f2a...', status='running', ...))
>>> post_event(client, run, "progress", message="half way", data={"done": 50})  # doctest: +SKIP
Ok(value=Event(event_id='7e8f...', kind='progress', ...))
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from datlake_api.types import UNSET

from . import _convert as domain
from ._call import Deferral, Plan, Refusal
from ._client import Session
from ._errors import ValidationError
from ._lazy import lazy
from ._names import bad_json, bad_run, bad_utf8, first_invalid
from ._operations import (
    api_call,
    bad_choice,
    bad_range,
    idempotency_key_for,
    operation,
)
from ._paging import PagePlans, paged
from ._result import Err, Ok
from ._types import Event, Lease, Page, Run

if TYPE_CHECKING:
    from datlake_api import models as api
    from datlake_api.api.events import heartbeat as heartbeat_endpoint
    from datlake_api.api.events import list_events as list_events_endpoint
    from datlake_api.api.events import post_event as post_event_endpoint
else:  # the generated layer loads on first use (see _lazy)
    api = lazy("datlake_api.models")
    heartbeat_endpoint = lazy("datlake_api.api.events.heartbeat")
    list_events_endpoint = lazy("datlake_api.api.events.list_events")
    post_event_endpoint = lazy("datlake_api.api.events.post_event")


__all__ = [
    "EVENT_KINDS",
    "heartbeat",
    "iter_events",
    "list_events",
    "plan_event_pages",
    "plan_heartbeat",
    "plan_list_events",
    "plan_post_event",
    "post_event",
]

EVENT_KINDS = ("progress", "metric", "error")
MAX_LEASE_SECONDS = 3600
MAX_MESSAGE_LENGTH = 4096
MAX_PAGE_SIZE = 500


def _not_delivered() -> None:
    return None


def plan_heartbeat(
    client: Session[Any],
    run: Run,
    *,
    lease_seconds: int | None = None,
    idempotency_key: str | None = None,
) -> Plan[Lease | None]:
    """Extend `run`'s lease by `lease_seconds` from now (1-3600; the server's default is 60).

    An `Idempotency-Key` is always sent (a fresh uuid4 unless you pass one), the same on every
    retry. `Ok(None)` means the heartbeat was not delivered and the `suppress_transient` policy
    chose to carry on.

    >>> heartbeat(client, run)  # doctest: +SKIP
    Ok(value=Lease(..., lease_expires_at=datetime.datetime(2026, 11, 27, 1, 1, ...)))
    """
    invalid = first_invalid(
        bad_run("run", run), bad_range("lease_seconds", lease_seconds, 1, MAX_LEASE_SECONDS)
    )
    if invalid is not None:
        return Refusal("heartbeat", invalid, run)
    if client.outbox is not None and client.outbox.queued_behind(run.run_id):
        return Ok(None)  # the run itself still waits in the outbox: nothing to keep alive yet
    key = idempotency_key_for(idempotency_key)
    if isinstance(key, Err):
        return Refusal("heartbeat", key.error, run)
    body = api.HeartbeatRequest(lease_seconds=UNSET if lease_seconds is None else lease_seconds)
    return api_call(
        heartbeat_endpoint,
        lambda request_id: heartbeat_endpoint._get_kwargs(
            run.job_name,
            run.run_id,
            body=body,
            idempotency_key=key.value,
            x_request_id=request_id,
        ),
        api.Lease,
        domain.lease,
        run=run,
        on_transient=_not_delivered,
    )


heartbeat = operation(plan_heartbeat)


def plan_post_event(
    client: Session[Any],
    run: Run,
    kind: str,
    *,
    message: str | None = None,
    data: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Plan[Event | None]:
    """Record a `progress`, `metric` or `error` event on `run`.

    An `Idempotency-Key` is always sent (a fresh uuid4 unless you pass one), the same on every
    retry, so a retried event is recorded once. `Ok(None)` means it was not delivered and
    `suppress_transient` carried on.

    >>> post_event(client, run, "metric", data={"rows": 1200})  # doctest: +SKIP
    Ok(value=Event(..., kind='metric', data={'rows': 1200}, ...))
    """
    invalid = first_invalid(
        bad_run("run", run),
        bad_choice("kind", kind, EVENT_KINDS),
        _bad_message(message),
        bad_json("data", data),
    )
    if invalid is not None:
        return Refusal("post_event", invalid, run)
    key = idempotency_key_for(idempotency_key)
    if isinstance(key, Err):
        return Refusal("post_event", key.error, run)
    body = api.EventRequest(
        kind=api.EventKind(kind),
        message=UNSET if message is None else message,
        data=domain.free_form(data),
    )

    def pending() -> Event:
        return Event(
            event_id="",
            job_name=run.job_name,
            run_id=run.run_id,
            kind=kind,
            message=message,
            data=dict(data or {}),
            created_at=datetime.datetime.now(datetime.UTC),
            pending=True,
        )

    return api_call(
        post_event_endpoint,
        lambda request_id: post_event_endpoint._get_kwargs(
            run.job_name,
            run.run_id,
            body=body,
            idempotency_key=key.value,
            x_request_id=request_id,
        ),
        api.Event,
        domain.event,
        run=run,
        on_transient=_not_delivered,
        defer=Deferral(run.run_id, pending, run.job_name, run.run_id),
    )


post_event = operation(plan_post_event)


def plan_list_events(
    client: Session[Any], run: Run, *, limit: int | None = None, cursor: str | None = None
) -> Plan[Page[Event]]:
    """One page of `run`'s events, oldest first; pass `page.next_cursor` as `cursor` for more.

    >>> list_events(client, run, limit=100)  # doctest: +SKIP
    Ok(value=Page(items=(Event(...), ...), next_cursor=None))
    """
    invalid = first_invalid(
        bad_run("run", run),
        bad_range("limit", limit, 1, MAX_PAGE_SIZE),
        bad_utf8("cursor", cursor),
    )
    if invalid is not None:
        return Refusal("list_events", invalid, run)
    return api_call(
        list_events_endpoint,
        lambda request_id: list_events_endpoint._get_kwargs(
            run.job_name,
            run.run_id,
            limit=UNSET if limit is None else limit,
            cursor=UNSET if cursor is None else cursor,
            x_request_id=request_id,
        ),
        api.EventPage,
        domain.event_page,
        run=run,
    )


list_events = operation(plan_list_events)


def plan_event_pages(
    client: Session[Any], run: Run, *, page_size: int | None = None
) -> PagePlans[Event]:
    """Every event of `run`, oldest first; a failed page yields its `Err` and ends.

    >>> [res.value.kind for res in iter_events(client, run)]  # doctest: +SKIP
    """
    return lambda cursor: plan_list_events(client, run, limit=page_size, cursor=cursor)


iter_events = paged(plan_event_pages)


def _bad_message(message: str | None) -> ValidationError | None:
    if message is None or len(message) <= MAX_MESSAGE_LENGTH:
        return bad_utf8("message", message)
    return ValidationError(f"message: {len(message)} characters, more than {MAX_MESSAGE_LENGTH}")
