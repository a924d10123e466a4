"""The SDK's domain types: what operations return, frozen and independent of the generated models.

Every field is checked at construction (a `TypeError` names it), so a server answering with a
wrong type (a number for a name, a malformed time) can never pass for a good answer.

A `Run` is identified by `(job_name, run_id)`; the other fields are what the server last said
about it and do not take part in equality or hashing, so the `Run` that `start_run` returned
equals the one `get_run` returns later.

>>> Run("daily_users", "r1") == Run("daily_users", "r1", status="succeeded")
True
>>> UriInfo.missing("users_raw")  # doctest: +ELLIPSIS
UriInfo(table_name='users_raw', uri='', format='', schema=None, snapshot_id=None, ...)
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import attrs

__all__ = [
    "Artifact",
    "Health",
    "Page",
    "Progress",
    "Run",
    "SnapshotInfo",
    "UriInfo",
]

T = TypeVar("T")

JSONObject = Mapping[str, Any]

_text = attrs.validators.instance_of(str)
_maybe_text = attrs.validators.optional(_text)
_flag = attrs.validators.instance_of(bool)
_time = attrs.validators.instance_of(datetime.datetime)
_maybe_time = attrs.validators.optional(_time)


def _object(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise TypeError(f"'{attribute.name}' must be a mapping, not {type(value).__name__}")


_maybe_object = attrs.validators.optional(_object)


def _whole(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"'{attribute.name}' must be an int, not {type(value).__name__}")


def _number(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"'{attribute.name}' must be a number, not {type(value).__name__}")


_maybe_number = attrs.validators.optional(_number)
_maybe_whole = attrs.validators.optional(_whole)


def _tuple_of(kind: type) -> Any:
    return attrs.validators.deep_iterable(
        attrs.validators.instance_of(kind), attrs.validators.instance_of(tuple)
    )


@attrs.frozen
class Artifact:
    """Something a run produced besides its tables: `Artifact(type="log", uri="datlake://...")`.

    `type` is one of `ARTIFACT_TYPES` (`log`, `report`, `model`, `metrics`, `plot`, `sample`,
    `other`, and the seed's `file`) or a type of your own. The rest is optional: a `name`, the
    `content_type`, the `size` in bytes, the `sha256` of the bytes and free-form `metadata`
    (`attach_file` and `make_log_artifact` fill all but the metadata).

    >>> Artifact("model", "s3://models/churn/v3.pkl", name="churn v3", metadata={"auc": 0.91})
    ... # doctest: +ELLIPSIS
    Artifact(type='model', uri='s3://models/churn/v3.pkl', name='churn v3', ...)
    """

    type: str = attrs.field(validator=_text)
    uri: str = attrs.field(validator=_text)
    name: str | None = attrs.field(default=None, kw_only=True, validator=_maybe_text)
    content_type: str | None = attrs.field(default=None, kw_only=True, validator=_maybe_text)
    size: int | None = attrs.field(default=None, kw_only=True, validator=_maybe_whole)
    sha256: str | None = attrs.field(default=None, kw_only=True, validator=_maybe_text)
    metadata: JSONObject | None = attrs.field(default=None, kw_only=True, validator=_maybe_object)


ARTIFACT_TYPES = ("log", "report", "model", "metrics", "plot", "sample", "other", "file")


@attrs.frozen
class Progress:
    """How far a run got: `done` of `total` (`None`: unknown), with an optional message;
    `updated_at` is when the server recorded it (`None` on the way there).

    >>> Progress(50, 100, "half way").fraction
    0.5
    """

    done: float = attrs.field(validator=_number)
    total: float | None = attrs.field(default=None, validator=_maybe_number)
    message: str | None = attrs.field(default=None, validator=_maybe_text)
    updated_at: datetime.datetime | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_time
    )

    @property
    def fraction(self) -> float | None:
        """`done / total`, or `None` when the total is unknown (or zero)."""
        return self.done / self.total if self.total else None


@attrs.frozen
class SnapshotInfo:
    """One snapshot of a table: what `register_snapshot` returns and what runs read and wrote.

    `format`, `schema`, `job_name`, `run_id` and `created_at` are filled when the server sent them.
    """

    table_name: str = attrs.field(validator=_text)
    snapshot_id: str = attrs.field(validator=_text)
    uri: str = attrs.field(validator=_text)
    format: str | None = attrs.field(default=None, validator=_maybe_text)
    schema: JSONObject | None = attrs.field(default=None, validator=_maybe_object)
    job_name: str | None = attrs.field(default=None, validator=_maybe_text)
    run_id: str | None = attrs.field(default=None, validator=_maybe_text)
    created_at: datetime.datetime | None = attrs.field(default=None, validator=_maybe_time)
    pending: bool = attrs.field(default=False, eq=False, kw_only=True)
    """`True` when the write is kept in the outbox for delivery, not yet on the server."""


@attrs.frozen
class Run:
    """A run of a job: `Run(job_name, run_id)`, plus its state when the server reported it.

    `status` is `running`, `succeeded`, `failed` or `lost`; `inputs` and `outputs` are the
    snapshots the run read and wrote (filled by `get_run`).

    >>> run = Run("daily_users", "3f2a9c1e")
    >>> run.job_name, run.run_id, run.status
    ('daily_users', '3f2a9c1e', None)
    """

    job_name: str = attrs.field(validator=_text)
    run_id: str = attrs.field(validator=_text)
    # The run's state, not its identity: keyword-only and left out of `==` and `hash`.
    status: str | None = attrs.field(default=None, eq=False, kw_only=True, validator=_maybe_text)
    created_at: datetime.datetime | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_time
    )
    finished_at: datetime.datetime | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_time
    )
    metadata: JSONObject | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_object
    )
    extra: JSONObject | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_object
    )
    artifacts: tuple[Artifact, ...] = attrs.field(
        default=(), eq=False, kw_only=True, validator=_tuple_of(Artifact)
    )
    inputs: tuple[SnapshotInfo, ...] = attrs.field(
        default=(), eq=False, kw_only=True, validator=_tuple_of(SnapshotInfo)
    )
    outputs: tuple[SnapshotInfo, ...] = attrs.field(
        default=(), eq=False, kw_only=True, validator=_tuple_of(SnapshotInfo)
    )
    last_heartbeat_at: datetime.datetime | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_time
    )
    lease_expires_at: datetime.datetime | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_time
    )
    parent_run_id: str | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_text
    )
    progress: Progress | None = attrs.field(
        default=None,
        eq=False,
        kw_only=True,
        validator=attrs.validators.optional(attrs.validators.instance_of(Progress)),
    )
    """The latest progress the run reported (filled by `get_run`)."""
    pending: bool = attrs.field(default=False, eq=False, kw_only=True)
    """`True` when the write is kept in the outbox for delivery, not yet on the server."""


@attrs.frozen
class UriInfo:
    """Where the newest snapshot of a table lives: what `fetch_latest_uri` returns.

    `UriInfo.missing(table)` (an empty `uri`) stands for "no snapshot" when a policy turned a
    404 or a transient failure into a value; `found` tells the two apart.
    """

    table_name: str = attrs.field(validator=_text)
    uri: str = attrs.field(validator=_text)
    format: str = attrs.field(validator=_text)
    schema: JSONObject | None = attrs.field(validator=_maybe_object)
    snapshot_id: str | None = attrs.field(default=None, validator=_maybe_text)
    pending: bool = attrs.field(default=False, eq=False, kw_only=True)
    """`True` when the input edge is kept in the outbox for delivery (the read itself is done)."""
    cached_at: datetime.datetime | None = attrs.field(
        default=None, eq=False, kw_only=True, validator=_maybe_time
    )
    """When the client last saw this snapshot, if it comes from the detached cache (Datlake
    could not be reached); `None` for an answer of the server."""

    @property
    def from_cache(self) -> bool:
        """Whether Datlake could not be reached and the detached cache answered."""
        return self.cached_at is not None

    @property
    def cache_age(self) -> datetime.timedelta | None:
        """How old the cached answer is (`None` for an answer of the server)."""
        if self.cached_at is None:
            return None
        return datetime.datetime.now(datetime.UTC) - self.cached_at

    @classmethod
    def missing(cls, table_name: str) -> UriInfo:
        """The seed's sentinel: `UriInfo(table_name, uri="", format="", schema=None)`."""
        return cls(table_name, uri="", format="", schema=None)

    @property
    def found(self) -> bool:
        """`False` for the sentinel `UriInfo.missing(...)`."""
        return bool(self.uri)


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing; pass `next_cursor` back as `cursor=` for the next (None: the end)."""

    items: tuple[T, ...] = attrs.field(validator=attrs.validators.instance_of(tuple))
    next_cursor: str | None = attrs.field(default=None, validator=_maybe_text)


@attrs.frozen
class Health:
    """What `health` reports: `status` is `"ok"`, `version` the server's version."""

    status: str = attrs.field(validator=_text)
    version: str = attrs.field(validator=_text)


# public as `datlake_sdk.Run` and so on (loaded on first use from there)
for _public in __all__:
    globals()[_public].__module__ = "datlake_sdk"
del _public
