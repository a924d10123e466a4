"""Run lifecycle: start, complete, read and list the runs of a job.

>>> from datlake_sdk import DatlakeClient
>>> from datlake_sdk.functional import start_run, complete_run, and_then
>>> with DatlakeClient(base_url="http://127.0.0.1:8765", api_key="dev") as client:  # doctest: +SKIP
...     res = start_run(client, "daily_users", metadata={"source": "s3"})
...     done = and_then(res, lambda run: complete_run(client, run, success=True))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from datlake_api.types import UNSET

from . import _convert as domain
from ._call import Call, Deferral, Plan, Refusal
from ._client import DatlakeClient, Session
from ._errors import SDKError, ValidationError
from ._ids import id_for_key, new_id
from ._lazy import lazy
from ._names import bad_json, bad_name, bad_run, bad_run_id, bad_text, bad_utf8, first_invalid
from ._operations import (
    api_call,
    bad_choice,
    bad_range,
    idempotency_key_for,
    operation,
)
from ._paging import PagePlans, paged
from ._result import Err, Result, map
from ._types import Artifact, Page, Run

if TYPE_CHECKING:
    from datlake_api import models as api
    from datlake_api.api.runs import complete_run as complete_run_endpoint
    from datlake_api.api.runs import get_run as get_run_endpoint
    from datlake_api.api.runs import list_runs as list_runs_endpoint
    from datlake_api.api.runs import start_run as start_run_endpoint
else:  # the generated layer loads on first use (see _lazy)
    api = lazy("datlake_api.models")
    complete_run_endpoint = lazy("datlake_api.api.runs.complete_run")
    get_run_endpoint = lazy("datlake_api.api.runs.get_run")
    list_runs_endpoint = lazy("datlake_api.api.runs.list_runs")
    start_run_endpoint = lazy("datlake_api.api.runs.start_run")


__all__ = [
    "complete_run",
    "finish_run",
    "get_run",
    "iter_runs",
    "list_runs",
    "plan_finish_run",
    "plan_get_run",
    "plan_list_runs",
    "plan_run_pages",
    "plan_start_run",
    "run_lookup",
    "start_run",
]

T = TypeVar("T")

RUN_STATUSES = ("running", "succeeded", "failed", "lost")
MAX_PAGE_SIZE = 500
MAX_ARTIFACTS = 1000
MAX_ARTIFACT_TYPE_LENGTH = 64
MAX_ARTIFACT_URI_LENGTH = 4096
_SHA256 = re.compile(r"[0-9a-f]{64}")
# the answers of start_run (201) and complete_run (200), read straight into a `Run`
_started = domain.plain_run(201)
_finished = domain.plain_run(200)


def plan_start_run(
    client: Session[Any],
    job_name: str,
    metadata: Mapping[str, Any] | None = None,
    *,
    parent_run_id: str | None = None,
    idempotency_key: str | None = None,
    run_id: str | None = None,
) -> Plan[Run]:
    """Start a run of `job_name` (state `running`); POST `/jobs/{job_name}/runs`.

    The run's id is chosen before sending (a UUIDv7 unless you pass `run_id`; derived from
    `idempotency_key` when you pass that instead), so a retry, a replay from the outbox or your
    own second call with the same `run_id` never creates a second run. An `Idempotency-Key` is
    sent too (a fresh uuid4 unless you pass one).

    >>> start_run(client, "daily_users", metadata={"source": "s3"})  # doctest: +SKIP
    Ok(value=Run(job_name='daily_users', run_id='3f2a...'))
    """
    if run_id is None:
        run_id = new_id() if idempotency_key is None else id_for_key(job_name, idempotency_key)
    invalid = first_invalid(
        bad_name("job_name", job_name),
        bad_run_id("run_id", run_id),
        None if parent_run_id is None else bad_run_id("parent_run_id", parent_run_id),
        bad_json("metadata", metadata),
    )
    if invalid is not None:
        return Refusal("start_run", invalid, Run(job_name, run_id))
    key = idempotency_key_for(idempotency_key)
    if isinstance(key, Err):
        return Refusal("start_run", key.error, Run(job_name, run_id))
    body = api.StartRunRequest(
        metadata=domain.free_form(metadata),
        parent_run_id=UNSET if parent_run_id is None else parent_run_id,
        run_id=run_id,
    )
    run = Run(job_name, run_id)

    def pending() -> Run:
        return Run(
            job_name,
            run_id,
            status="running",
            metadata=dict(metadata or {}),
            parent_run_id=parent_run_id,
            pending=True,
        )

    return api_call(
        start_run_endpoint,
        lambda request_id: start_run_endpoint._get_kwargs(
            job_name, body=body, idempotency_key=key.value, x_request_id=request_id
        ),
        api.Run,
        domain.run,
        run=run,
        defer=Deferral(run_id, pending, job_name, run_id),
        resolve=lambda: run_lookup(run, lambda found: found),
        fast=_started,
    )


start_run = operation(plan_start_run)


def complete_run(
    client: DatlakeClient,
    run: Run,
    success: bool,
    extra: Mapping[str, Any] | None = None,
    artifacts: Sequence[Artifact] | None = None,
) -> Result[None, SDKError]:
    """Finish `run` as succeeded or failed, with `extra` details and `artifacts`.

    PUT `/jobs/{job}/runs/{run_id}/complete`; repeating the same outcome is harmless, another
    outcome on a finished run is `Err(Conflict)`. Returns `Ok(None)`; `finish_run` returns the
    finished `Run`.

    >>> complete_run(client, run, success=False, extra={"error": "no input"})  # doctest: +SKIP
    Ok(value=None)
    """
    return map(finish_run(client, run, success, extra, artifacts), lambda _: None)


def plan_finish_run(
    client: Session[Any],
    run: Run,
    success: bool,
    extra: Mapping[str, Any] | None = None,
    artifacts: Sequence[Artifact] | None = None,
) -> Plan[Run]:
    """`complete_run`, returning the finished `Run` (its status, `finished_at`, artifacts)."""
    if not isinstance(success, bool):
        raise TypeError(f"success must be a bool, not {type(success).__name__}")
    invalid = first_invalid(
        bad_run("run", run), bad_json("extra", extra), _bad_artifacts(artifacts)
    )
    if invalid is not None:
        return Refusal("complete_run", invalid, run)
    body = api.CompleteRunRequest(
        success=success,
        extra=domain.free_form(extra),
        artifacts=UNSET
        if artifacts is None
        else [domain.artifact_model(item) for item in artifacts],
    )
    outcome = "succeeded" if success else "failed"

    def pending() -> Run:
        return Run(
            run.job_name,
            run.run_id,
            status=outcome,
            extra=dict(extra or {}),
            artifacts=tuple(artifacts or ()),
            pending=True,
        )

    return api_call(
        complete_run_endpoint,
        lambda request_id: complete_run_endpoint._get_kwargs(
            run.job_name, run.run_id, body=body, x_request_id=request_id
        ),
        api.Run,
        domain.run,
        run=run,
        defer=Deferral(run.run_id, pending, run.job_name, run.run_id),
        resolve=lambda: run_lookup(run, lambda now: now if now.status == outcome else None),
        fast=_finished,
    )


finish_run = operation(plan_finish_run)


def _bad_artifacts(artifacts: Sequence[Artifact] | None) -> ValidationError | None:
    """Artifacts the contract takes: at most 1000, each a type of 1-64 and a uri of 1-4096
    characters of text, and optional fields the contract takes too."""
    if artifacts is None:
        return None
    if len(artifacts) > MAX_ARTIFACTS:
        return ValidationError(f"artifacts: {len(artifacts)} of them, more than {MAX_ARTIFACTS}")
    return first_invalid(
        *(
            first_invalid(
                bad_text(f"artifacts[{i}].type", item.type, MAX_ARTIFACT_TYPE_LENGTH),
                bad_text(f"artifacts[{i}].uri", item.uri, MAX_ARTIFACT_URI_LENGTH),
                _bad_artifact_details(f"artifacts[{i}]", item),
            )
            for i, item in enumerate(artifacts)
        )
    )


def _bad_artifact_details(where: str, item: Artifact) -> ValidationError | None:
    """The optional fields (v1.3): a name and a content type of 1-255 characters, a size of
    0 or more, a SHA-256 in lowercase hex, JSON metadata."""
    sha256_ok = item.sha256 is None or _SHA256.fullmatch(item.sha256) is not None
    return first_invalid(
        None if item.name is None else bad_text(f"{where}.name", item.name, 255),
        None
        if item.content_type is None
        else bad_text(f"{where}.content_type", item.content_type, 255),
        None
        if item.size is None or item.size >= 0
        else ValidationError(f"{where}.size: {item.size} is negative"),
        None if sha256_ok else ValidationError(f"{where}.sha256: not 64 lowercase hex digits"),
        bad_json(f"{where}.metadata", item.metadata),
    )


def run_lookup(run: Run, pick: Callable[[Run], T | None]) -> Call[api.Run, T | None]:
    """A read of `run` that answers what `pick` finds in it: how the client checks whether an
    earlier attempt of a write landed (`None`: it did not)."""
    return api_call(
        get_run_endpoint,
        lambda request_id: get_run_endpoint._get_kwargs(
            run.job_name, run.run_id, x_request_id=request_id
        ),
        api.Run,
        lambda model: pick(domain.run(model)),
        run=run,
    )


def plan_get_run(client: Session[Any], job_name: str, run_id: str) -> Plan[Run]:
    """A run with its status, times, metadata, extra, artifacts, inputs and outputs.

    >>> get_run(client, "daily_users", run.run_id)  # doctest: +SKIP
    Ok(value=Run(job_name='daily_users', run_id='3f2a...'))
    """
    invalid = first_invalid(bad_name("job_name", job_name), bad_run_id("run_id", run_id))
    if invalid is not None:
        return Refusal("get_run", invalid, Run(job_name, run_id))
    return api_call(
        get_run_endpoint,
        lambda request_id: get_run_endpoint._get_kwargs(job_name, run_id, x_request_id=request_id),
        api.Run,
        domain.run,
        run=Run(job_name, run_id),
    )


get_run = operation(plan_get_run)


def plan_list_runs(
    client: Session[Any],
    job_name: str,
    *,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Plan[Page[Run]]:
    """One page of a job's runs, newest first; pass `page.next_cursor` as `cursor` for more.

    >>> list_runs(client, "daily_users", status="failed", limit=10)  # doctest: +SKIP
    Ok(value=Page(items=(Run(...), ...), next_cursor='...'))
    """
    invalid = first_invalid(
        bad_name("job_name", job_name),
        bad_choice("status", status, RUN_STATUSES),
        bad_range("limit", limit, 1, MAX_PAGE_SIZE),
        bad_utf8("cursor", cursor),
    )
    if invalid is not None:
        return Refusal("list_runs", invalid)
    return api_call(
        list_runs_endpoint,
        lambda request_id: list_runs_endpoint._get_kwargs(
            job_name,
            status=UNSET if status is None else api.RunStatus(status),
            limit=UNSET if limit is None else limit,
            cursor=UNSET if cursor is None else cursor,
            x_request_id=request_id,
        ),
        api.RunPage,
        domain.run_page,
    )


list_runs = operation(plan_list_runs)


def plan_run_pages(
    client: Session[Any],
    job_name: str,
    *,
    status: str | None = None,
    page_size: int | None = None,
) -> PagePlans[Run]:
    """Every run of a job, newest first, fetching pages as needed; a failed page yields its
    `Err` and ends the iteration.

    >>> [res.value.run_id for res in iter_runs(client, "daily_users")]  # doctest: +SKIP
    """
    return lambda cursor: plan_list_runs(
        client, job_name, status=status, limit=page_size, cursor=cursor
    )


iter_runs = paged(plan_run_pages)
