"""What every operation shares: building a `Call` from a generated endpoint module, idempotency
keys and bounds checks (paging lives in `_paging`). Also `health`, the one operation outside
runs, tables and objects.

>>> from datlake_api.api.system import get_health
>>> from datlake_api.models import Health
>>> call = api_call(
...     get_health,
...     lambda request_id: get_health._get_kwargs(x_request_id=request_id),
...     Health,
...     lambda model: model.version,
... )
>>> call.operation, call.request("req-1")["url"], call.retry_safe
('get_health', '/api/v1/health', True)
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from . import _convert as domain
from ._call import Call, Deferral, Plan
from ._client import DatlakeClient, Session
from ._errors import SDKError, ValidationError
from ._lazy import lazy
from ._names import bad_idempotency_key
from ._result import Err, Ok, Result
from ._types import Health, Run

if TYPE_CHECKING:
    import httpx
    from datlake_api import models as api
    from datlake_api.api.system import get_health
else:  # the generated layer loads on first use (see _lazy)
    api = lazy("datlake_api.models")
    get_health = lazy("datlake_api.api.system.get_health")


__all__ = [
    "api_call",
    "bad_choice",
    "bad_range",
    "health",
    "idempotency_key_for",
    "operation",
    "plan_health",
    "retry_safe",
]

M = TypeVar("M")
T = TypeVar("T")
P = ParamSpec("P")


def operation(
    plan: Callable[Concatenate[Session[Any], P], Plan[T]],
) -> Callable[Concatenate[DatlakeClient, P], Result[T, SDKError]]:
    """The functional operation that carries out `plan` (`plan_start_run`, ...) through a
    `DatlakeClient`; `datlake_sdk.aio` makes the async one of the same plan.

    >>> health(DatlakeClient("http://127.0.0.1:8765"))  # doctest: +SKIP
    Ok(value=Health(status='ok', version='0.1.0'))
    """

    @functools.wraps(plan)
    def perform(client: DatlakeClient, /, *args: P.args, **kwargs: P.kwargs) -> Result[T, SDKError]:
        return client.perform(plan(client, *args, **kwargs))

    perform.__name__ = perform.__qualname__ = plan.__name__.removeprefix("plan_")
    return perform


def api_call(
    endpoint: ModuleType,
    request: Callable[[str], dict[str, Any]],
    expect: type[M],
    convert: Callable[[M], T],
    *,
    run: Run | None = None,
    on_not_found: Callable[[], T] | None = None,
    not_found_type: str | None = None,
    on_transient: Callable[[], T] | None = None,
    rewind: Callable[[], None] | None = None,
    defer: Deferral[T] | None = None,
    cached: Callable[[SDKError], T | None] | None = None,
    resolve: Callable[[], Call[Any, T | None]] | None = None,
    fast: Callable[[httpx.Response], T | None] | None = None,
) -> Call[M, T]:
    """A `Call` to a generated endpoint module (`datlake_api.api.runs.start_run`, ...).

    `request(request_id)` calls the module's `_get_kwargs` (typed: mypy checks its arguments);
    it runs once, here: each attempt sends the same arguments with its own `X-Request-Id`.
    Whether the call may be retried follows from the request it builds (`retry_safe`).
    """
    built = request("")  # once: the attempts differ only by their X-Request-Id header

    def for_attempt(request_id: str) -> dict[str, Any]:
        headers = {**built.get("headers", {}), "X-Request-Id": request_id}
        return {**built, "headers": headers}

    return Call(
        operation=endpoint.__name__.rpartition(".")[2],
        request=for_attempt,
        parse=endpoint._parse_response,
        expect=expect,
        convert=convert,
        retry_safe=retry_safe(built),
        rewind=rewind,
        run_ref=None if run is None else (run.job_name, run.run_id),
        on_not_found=on_not_found,
        not_found_type=not_found_type,
        on_transient=on_transient,
        defer=defer,
        cached=cached,
        resolve=resolve,
        fast=fast,
    )


def retry_safe(request: Mapping[str, Any]) -> bool:
    """Whether sending the built `request` twice does no more than sending it once: GET and
    PUT, and a POST that carries an `Idempotency-Key`.

    >>> retry_safe({"method": "post", "url": "/x", "headers": {"Idempotency-Key": "k"}})
    True
    >>> retry_safe({"method": "post", "url": "/x"})
    False
    """
    method = str(request["method"]).upper()
    headers = request.get("headers") or {}
    return method in ("GET", "PUT") or (method == "POST" and "Idempotency-Key" in headers)


def idempotency_key_for(given: str | None) -> Result[str, ValidationError]:
    """The caller's key (checked), or a fresh uuid4: one per logical call, shared by its retries."""
    if given is None:
        return Ok(str(uuid.uuid4()))
    invalid = bad_idempotency_key("idempotency_key", given)
    return Ok(given) if invalid is None else Err(invalid)


def bad_range(argument: str, value: int | None, low: int, high: int) -> ValidationError | None:
    """`None` when `value` is absent or an int within `[low, high]`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{argument} must be an int, not {type(value).__name__}")
    if low <= value <= high:
        return None
    return ValidationError(f"{argument}: {value!r} is not between {low} and {high}")


def bad_choice(
    argument: str, value: str | None, choices: tuple[str, ...]
) -> ValidationError | None:
    """`None` when `value` is absent or one of `choices`."""
    if value is None or value in choices:
        return None
    return ValidationError(f"{argument}: {value!r} is not one of {', '.join(choices)}")


def plan_health(client: Session[Any]) -> Plan[Health]:
    """Liveness and server version (no authentication needed).

    >>> health(client)  # doctest: +SKIP
    Ok(value=Health(status='ok', version='0.1.0'))
    """
    return api_call(
        get_health,
        lambda request_id: get_health._get_kwargs(x_request_id=request_id),
        api.Health,
        domain.health,
    )


health = operation(plan_health)
