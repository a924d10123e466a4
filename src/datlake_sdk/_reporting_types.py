"""The domain types of what a run reports while it runs: metrics, log chunks, telemetry
receipts, events and its heartbeat lease. Checked as the run's types are (see `_types`),
loaded when first used: a job that only runs and writes its tables needs none of them.

>>> MetricPoint("loss", 0.25, step=3)
MetricPoint(name='loss', value=0.25, step=3, unit=None, recorded_at=None)
"""

from __future__ import annotations

import datetime

import attrs

from ._types import (
    JSONObject,
    Progress,
    _maybe_text,
    _maybe_time,
    _maybe_whole,
    _number,
    _object,
    _text,
    _time,
    _tuple_of,
    _whole,
)

__all__ = [
    "Event",
    "Lease",
    "MetricPoint",
    "MetricSeries",
    "RunLog",
    "TelemetryReceipt",
]


@attrs.frozen
class MetricPoint:
    """One measurement of a metric: `value` at `step` (optional), taken at `recorded_at`."""

    name: str = attrs.field(validator=_text)
    value: float = attrs.field(validator=_number)
    step: int | None = attrs.field(default=None, validator=_maybe_whole)
    unit: str | None = attrs.field(default=None, validator=_maybe_text)
    recorded_at: datetime.datetime | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_time
    )


@attrs.frozen
class MetricSeries:
    """Every point of one metric of a run, in the order they were recorded.

    >>> series = MetricSeries("loss", None, (MetricPoint("loss", 0.9), MetricPoint("loss", 0.4)))
    >>> series.values, series.last
    ((0.9, 0.4), 0.4)
    """

    name: str = attrs.field(validator=_text)
    unit: str | None = attrs.field(validator=_maybe_text)
    points: tuple[MetricPoint, ...] = attrs.field(validator=_tuple_of(MetricPoint))

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(point.value for point in self.points)

    @property
    def last(self) -> float | None:
        """The latest value (`None` for a series without points)."""
        return self.points[-1].value if self.points else None


@attrs.frozen
class RunLog:
    """A run's live log from some chunk on: its `text`, and `next_chunk` to read on from."""

    text: str = attrs.field(validator=_text)
    next_chunk: int = attrs.field(validator=_whole)


@attrs.frozen
class TelemetryReceipt:
    """What a telemetry batch recorded: its metric points, its new log chunks, and the run's
    latest progress since."""

    metrics: int = attrs.field(validator=_whole)
    log_chunks: int = attrs.field(validator=_whole)
    progress: Progress | None = attrs.field(
        validator=attrs.validators.optional(attrs.validators.instance_of(Progress))
    )
    pending: bool = attrs.field(default=False, eq=False, kw_only=True)
    """`True` when the batch is kept in the outbox for delivery, not yet on the server."""


@attrs.frozen
class Lease:
    """A run's heartbeat lease: the run counts as `lost` after `lease_expires_at`."""

    job_name: str = attrs.field(validator=_text)
    run_id: str = attrs.field(validator=_text)
    status: str = attrs.field(validator=_text)
    last_heartbeat_at: datetime.datetime = attrs.field(validator=_time)
    lease_expires_at: datetime.datetime = attrs.field(validator=_time)


@attrs.frozen
class Event:
    """A progress, metric or error event recorded on a run."""

    event_id: str = attrs.field(validator=_text)
    job_name: str = attrs.field(validator=_text)
    run_id: str = attrs.field(validator=_text)
    kind: str = attrs.field(validator=_text)
    message: str | None = attrs.field(validator=_maybe_text)
    data: JSONObject = attrs.field(validator=_object)
    created_at: datetime.datetime = attrs.field(validator=_time)
    pending: bool = attrs.field(default=False, eq=False, kw_only=True)
    """`True` when the event is kept in the outbox; `event_id` is then empty until the server
    gives it one on delivery."""


# public as `datlake_sdk.Lease` and so on (loaded on first use from there)
for _public in __all__:
    globals()[_public].__module__ = "datlake_sdk"
del _public
