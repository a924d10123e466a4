"""What a run reports while it runs, one request at a time: metric points, its progress and
chunks of its live log (`post_telemetry`, typed, up to 1000 points a request), and their read
side: a run's metric series and its log. For many points, batch them with
`datlake_sdk.functional.telemetry(client, run)`, which calls `post_telemetry` for you.

Like events, telemetry never sinks a job: under `suppress_transient` a transient failure that
outlived its retries is `Ok(None)`; with the outbox on, a batch that cannot be delivered now
is kept and delivered in order with the run's other writes. Bad values (a NaN, a negative
step, a name the contract refuses) are `Err(ValidationError)` before any request; a value of
the wrong type (a name that is not a `str`) raises `TypeError`, as everywhere in the SDK.

>>> from datlake_sdk.functional import post_metric, post_progress, list_metrics
>>> post_metric(client, run, "loss", 0.42, step=10)  # doctest: +SKIP
Ok(value=TelemetryReceipt(metrics=1, log_chunks=0, progress=None))
>>> post_progress(client, run, 50, 100, "half way")  # doctest: +SKIP
Ok(value=TelemetryReceipt(metrics=0, log_chunks=0, progress=Progress(done=50, total=100, ...)))
>>> list_metrics(client, run, name="loss")  # doctest: +SKIP
Ok(value=(MetricSeries(name='loss', unit=None, points=(MetricPoint(...),)),))
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from datlake_api.types import UNSET

from . import _convert as domain
from ._call import Deferral, Plan, Refusal
from ._client import Session
from ._errors import ValidationError
from ._lazy import lazy
from ._names import bad_run, bad_text, bad_utf8, first_invalid
from ._operations import api_call, idempotency_key_for, operation
from ._reporting_types import MetricPoint, MetricSeries, RunLog, TelemetryReceipt
from ._result import Err
from ._types import Progress, Run

if TYPE_CHECKING:
    from datlake_api import models as api
    from datlake_api.api.events import get_run_log as get_run_log_endpoint
    from datlake_api.api.events import list_metrics as list_metrics_endpoint
    from datlake_api.api.events import post_telemetry as post_telemetry_endpoint
else:  # the generated layer loads on first use (see _lazy)
    api = lazy("datlake_api.models")
    get_run_log_endpoint = lazy("datlake_api.api.events.get_run_log")
    list_metrics_endpoint = lazy("datlake_api.api.events.list_metrics")
    post_telemetry_endpoint = lazy("datlake_api.api.events.post_telemetry")

__all__ = [
    "MAX_LOG_CHUNK",
    "MAX_LOG_CHUNKS",
    "MAX_METRIC_POINTS",
    "bad_metrics",
    "bad_progress",
    "get_run_log",
    "list_metrics",
    "post_metric",
    "post_progress",
    "post_telemetry",
]

MAX_METRIC_POINTS = 1000
MAX_LOG_CHUNKS = 32
MAX_LOG_CHUNK = 65536
MAX_UNIT_LENGTH = 32
MAX_MESSAGE_LENGTH = 4096
_MAX_INT64 = 2**63 - 1
_METRIC_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,127}")

LogChunk = tuple[int, str]
"""`(seq, text)`: a chunk of a run's live log and its number among its source's, from 0."""
_LOG_SOURCE = re.compile(r"[A-Za-z0-9._:-]{0,64}")


def _not_delivered() -> None:
    return None


def plan_post_telemetry(
    client: Session[Any],
    run: Run,
    *,
    metrics: Sequence[MetricPoint] = (),
    progress: Progress | None = None,
    log: Sequence[LogChunk] = (),
    log_source: str = "",
    idempotency_key: str | None = None,
) -> Plan[TelemetryReceipt | None]:
    """Record up to 1000 metric points, the run's latest progress and up to 32 numbered chunks
    of its live log (64 KiB of text each) in one request. `log_source` names the writer the
    chunks are numbered for (one per process or logger sharing the run's log).

    An `Idempotency-Key` is always sent (a fresh uuid4 unless you pass one), the same on every
    retry, and a log chunk is kept under its source and number: a batch sent twice is
    recorded once.
    A point without `recorded_at` is stamped now. `Ok(None)`: not delivered, and
    `suppress_transient` carried on.

    >>> post_telemetry(client, run, metrics=[MetricPoint("rows", 1200, unit="rows")],
    ...                log=[(0, "read users_raw\\n")])  # doctest: +SKIP
    Ok(value=TelemetryReceipt(metrics=1, log_chunks=1, progress=None))
    """
    invalid = first_invalid(
        bad_run("run", run),
        bad_metrics(metrics),
        bad_progress(progress),
        _bad_log(log),
        _bad_log_source(log_source),
    )
    if invalid is not None:
        return Refusal("post_telemetry", invalid, run)
    key = idempotency_key_for(idempotency_key)
    if isinstance(key, Err):
        return Refusal("post_telemetry", key.error, run)
    now = datetime.datetime.now(datetime.UTC)
    body = api.TelemetryBatch(
        metrics=[
            domain.metric_model(point if point.recorded_at else _stamped(point, now))
            for point in metrics
        ]
        or UNSET,
        progress=UNSET if progress is None else domain.progress_model(progress),
        log=[api.LogChunk(seq=seq, text=text, source=log_source or UNSET) for seq, text in log]
        or UNSET,
    )

    def pending() -> TelemetryReceipt:
        return TelemetryReceipt(len(metrics), len(log), progress, pending=True)

    return api_call(
        post_telemetry_endpoint,
        lambda request_id: post_telemetry_endpoint._get_kwargs(
            run.job_name,
            run.run_id,
            body=body,
            idempotency_key=key.value,
            x_request_id=request_id,
        ),
        api.TelemetryReceipt,
        domain.telemetry_receipt,
        run=run,
        on_transient=_not_delivered,
        defer=Deferral(run.run_id, pending, run.job_name, run.run_id),
    )


def plan_post_metric(
    client: Session[Any],
    run: Run,
    name: str,
    value: float,
    *,
    step: int | None = None,
    unit: str | None = None,
) -> Plan[TelemetryReceipt | None]:
    """Record one metric point now, in a request of its own (`telemetry` batches them).

    >>> post_metric(client, run, "rows", 1200, unit="rows")  # doctest: +SKIP
    """
    return plan_post_telemetry(client, run, metrics=[MetricPoint(name, value, step, unit)])


def plan_post_progress(
    client: Session[Any],
    run: Run,
    done: float,
    total: float | None = None,
    message: str | None = None,
) -> Plan[TelemetryReceipt | None]:
    """Record how far `run` got (`done` of `total`), replacing the progress it had.

    >>> post_progress(client, run, 3, 10, "3 of 10 files")  # doctest: +SKIP
    """
    return plan_post_telemetry(client, run, progress=Progress(done, total, message))


def plan_list_metrics(
    client: Session[Any], run: Run, *, name: str | None = None
) -> Plan[tuple[MetricSeries, ...]]:
    """`run`'s metric series (only `name`'s, if given), each point in the order recorded.

    >>> list_metrics(client, run, name="loss")  # doctest: +SKIP
    Ok(value=(MetricSeries(name='loss', unit=None, points=(...)),))
    """
    invalid = first_invalid(bad_run("run", run), None if name is None else _bad_name(name))
    if invalid is not None:
        return Refusal("list_metrics", invalid, run)
    return api_call(
        list_metrics_endpoint,
        lambda request_id: list_metrics_endpoint._get_kwargs(
            run.job_name,
            run.run_id,
            name=UNSET if name is None else name,
            x_request_id=request_id,
        ),
        api.MetricSeriesList,
        domain.metric_series,
        run=run,
    )


def plan_get_run_log(client: Session[Any], run: Run, *, from_chunk: int = 0) -> Plan[RunLog]:
    """`run`'s live log as shipped so far, from its chunk `from_chunk` on (in the order the
    chunks arrived); pass `next_chunk` back to follow a running job. A long log comes in parts
    of a few MiB: read on while the text is not empty.

    >>> print(unwrap(get_run_log(client, run)).text)  # doctest: +SKIP
    """
    invalid = first_invalid(bad_run("run", run), _bad_whole("from_chunk", from_chunk))
    if invalid is not None:
        return Refusal("get_run_log", invalid, run)
    return api_call(
        get_run_log_endpoint,
        lambda request_id: get_run_log_endpoint._get_kwargs(
            run.job_name, run.run_id, from_chunk=from_chunk, x_request_id=request_id
        ),
        api.RunLog,
        domain.run_log,
        run=run,
    )


def _stamped(point: MetricPoint, now: datetime.datetime) -> MetricPoint:
    return MetricPoint(point.name, point.value, point.step, point.unit, recorded_at=now)


def _bad_name(name: str) -> ValidationError | None:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    if _METRIC_NAME.fullmatch(name):
        return None
    return ValidationError(
        f"metric name: {name[:40]!r} must be 1 to 128 letters, digits, '.', '_', '/' or '-',"
        " starting with a letter or digit"
    )


def _bad_whole(argument: str, value: int | None) -> ValidationError | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{argument} must be an int, not {type(value).__name__}")
    if 0 <= value <= _MAX_INT64:
        return None
    return ValidationError(f"{argument}: {value} is not between 0 and {_MAX_INT64}")


def _bad_number(argument: str, value: float | None) -> ValidationError | None:
    try:
        if value is None or math.isfinite(value):
            return None
    except OverflowError:  # an int no float can hold
        return ValidationError(f"{argument}: {str(value)[:20]}... is too large")
    return ValidationError(f"{argument}: {value!r} is not a finite number")


def bad_metrics(points: Sequence[MetricPoint]) -> ValidationError | None:
    if len(points) > MAX_METRIC_POINTS:
        return ValidationError(f"metrics: {len(points)} points, more than {MAX_METRIC_POINTS}")
    for i, point in enumerate(points):
        if not isinstance(point, MetricPoint):
            raise TypeError(f"metrics[{i}] must be a MetricPoint, not {type(point).__name__}")
        invalid = first_invalid(
            _bad_name(point.name),
            _bad_number(f"metrics[{i}].value", point.value),
            _bad_whole(f"metrics[{i}].step", point.step),
            None if point.unit is None else bad_text(f"metrics[{i}].unit", point.unit, 32),
        )
        if invalid is not None:
            return invalid
    return None


def bad_progress(progress: Progress | None) -> ValidationError | None:
    if progress is None:
        return None
    negative = progress.done < 0 or (progress.total is not None and progress.total < 0)
    too_long = progress.message is not None and len(progress.message) > MAX_MESSAGE_LENGTH
    return first_invalid(
        _bad_number("progress.done", progress.done),
        _bad_number("progress.total", progress.total),
        ValidationError("progress: done and total must not be negative") if negative else None,
        ValidationError(f"progress.message: more than {MAX_MESSAGE_LENGTH} characters")
        if too_long
        else None,
        bad_utf8("progress.message", progress.message),
    )


def _bad_log_source(source: str) -> ValidationError | None:
    if not isinstance(source, str):
        raise TypeError(f"log_source must be a str, not {type(source).__name__}")
    if _LOG_SOURCE.fullmatch(source):
        return None
    return ValidationError(
        f"log_source: {source[:40]!r} must be up to 64 letters, digits, '.', '_', ':' or '-'"
    )


def _bad_log(log: Sequence[LogChunk]) -> ValidationError | None:
    if len(log) > MAX_LOG_CHUNKS:
        return ValidationError(f"log: {len(log)} chunks, more than {MAX_LOG_CHUNKS}")
    for i, (seq, text) in enumerate(log):
        invalid = first_invalid(
            _bad_whole(f"log[{i}] seq", seq),
            ValidationError(f"log[{i}]: more than {MAX_LOG_CHUNK} characters")
            if len(text) > MAX_LOG_CHUNK
            else None,
            bad_utf8(f"log[{i}]", text),
        )
        if invalid is not None:
            return invalid
    return None


post_telemetry = operation(plan_post_telemetry)
post_metric = operation(plan_post_metric)
post_progress = operation(plan_post_progress)
list_metrics = operation(plan_list_metrics)
get_run_log = operation(plan_get_run_log)
