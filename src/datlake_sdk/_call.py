"""`Call`: one logical API call, described once by an operation and sent by the client.

An operation builds the request with the generated module's `_get_kwargs` and names how to
parse and convert the answer; `DatlakeClient.execute(call)` sends it (with retries) and the
one translator in `_translate` turns the outcome into `Ok` or `Err`.

>>> from datlake_api.api.system import get_health
>>> call = Call(
...     operation="get_health",
...     request=lambda request_id: get_health._get_kwargs(x_request_id=request_id),
...     parse=get_health._parse_response,
...     expect=get_health.Health,
...     convert=lambda model: model.version,
...     retry_safe=True,
... )
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeAlias, TypeVar

from ._result import Ok

if TYPE_CHECKING:
    import httpx

    from ._errors import SDKError
    from ._streams import Sink
    from ._types import Run

A = TypeVar("A")
M = TypeVar("M")
T = TypeVar("T")


# Named tuples (and a plain class for `Chain`, which mypy cannot type as a recursive named
# tuple), not attrs classes: nothing here needs attrs' checks, and a named tuple's class is
# built in a fifth of the time (every job's import builds these).
class Call(NamedTuple, Generic[M, T]):
    """What to send and how to read the answer.

    - `request(request_id)` returns httpx request arguments (the generated `_get_kwargs`); it
      runs once per attempt with that attempt's fresh `X-Request-Id` (the client sets the
      header either way), so anything that must stay the same across retries, such as an
      `Idempotency-Key`, is made once, outside it.
    - `parse` is the generated `_parse_response(client=..., response=...)`.
    - `expect` is the generated model of a success body; anything else is an error.
    - `convert` maps that model to the SDK's domain type.
    - `retry_safe`: GET, PUT, or POST carrying an `Idempotency-Key`.
    - `rewind` makes a streamed body readable again; it runs before every retry.
    - `stream`: send with `stream=True`; on a 2xx `parse` reads the body itself (downloads);
      an error body is read for its problem document; the response is always closed after.
    - `sink`: for a streamed call (downloads), what a 2xx body is written into, chunk by
      chunk, while the next bytes arrive (`_streams.drain`); its `close()` stands for `parse`.
    - `run_ref`: `(job_name, run_id)` of a run-scoped call, for logs and error events.
    - `on_not_found`: the value a 404 becomes under `continue_on_not_found` (lookups only);
      with `not_found_type`, only a 404 of that problem type (or of none) qualifies.
    - `on_transient`: the value a transient failure becomes, after retries, under
      `suppress_transient` (only where nothing is lost: heartbeats, events).
    - `defer`: a lineage write the outbox may keep when it cannot be delivered now.
    - `cached`: the value the detached cache holds for this read, given the failure; tried
      only when the read failed transiently after its retries (Datlake cannot be reached).
    - `resolve`: a read that tells whether an earlier attempt of this write landed after all
      (`Ok(value)`), did not (`Ok(None)`, or a 404), or cannot tell (another `Err`).
    - `fast`: reads the commonest success answers straight into the domain type (or `None`:
      `parse` and `convert` read it, as they read every answer `fast` leaves to them).
    """

    operation: str
    request: Callable[[str], dict[str, Any]]
    parse: Callable[..., object]
    expect: type[M]
    convert: Callable[[M], T]
    retry_safe: bool
    rewind: Callable[[], None] | None = None
    stream: bool = False
    sink: Callable[[httpx.Response], Sink] | None = None
    run_ref: tuple[str, str] | None = None
    on_not_found: Callable[[], T] | None = None
    not_found_type: str | None = None
    on_transient: Callable[[], T] | None = None
    defer: Deferral[T] | None = None
    cached: Callable[[SDKError], T | None] | None = None
    resolve: Callable[[], Call[Any, T | None]] | None = None
    fast: Callable[[httpx.Response], T | None] | None = None


class Deferral(NamedTuple, Generic[T]):
    """How a lineage write waits in the outbox: in `group` (its run's id: a run's writes are
    delivered in order), returning `Ok(pending())` meanwhile; `file` is the path of a body that
    the outbox keeps a copy of (uploads)."""

    group: str
    pending: Callable[[], T]
    job_name: str | None = None
    run_id: str | None = None
    file: str | None = None


class Refusal(NamedTuple):
    """A call refused before sending: `error` says why; the client reacts to it as to any `Err`."""

    operation: str
    error: SDKError
    run: Run | None = None


class Chain(Generic[A, T]):
    """Two steps: `first`, then, with its value, the plan `then` makes of it."""

    __slots__ = ("first", "then")

    def __init__(self, first: Plan[A], then: Callable[[A], Plan[T]]) -> None:
        self.first = first
        self.then = then


# What an operation plans, without any I/O; `DatlakeClient.perform` and
# `AsyncDatlakeClient.perform` carry it out: a call to send, a refusal, an answer already
# known, or steps.
Plan: TypeAlias = "Call[Any, T] | Refusal | Ok[T] | Chain[Any, T]"
