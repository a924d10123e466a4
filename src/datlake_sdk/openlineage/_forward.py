"""Send RunEvents to an OpenLineage HTTP endpoint (Marquez, a Datlake, any OpenLineage backend)
through the official client's HTTP transport (extra `[openlineage]`).

>>> forward(events, "http://localhost:5000")  # doctest: +SKIP
Ok(value=2)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._errors import SDKError
from .._result import Err, Ok, Result

__all__ = ["forward"]

# the official client's default endpoint (Marquez); a Datlake listens at api/v1/openlineage
DEFAULT_ENDPOINT = "api/v1/lineage"


def forward(
    events: Iterable[Mapping[str, Any]],
    url: str,
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    api_key: str | None = None,
    timeout: float = 5.0,
) -> Result[int, SDKError]:
    """POST each event to `url` + `endpoint` with `openlineage.client`'s `HttpTransport`
    (the API key as its bearer token); `Ok(number sent)`, or `Err` at the first refusal,
    saying how many went before it. `ModuleNotFoundError` without the extra.
    """
    from openlineage.client.transport.http import HttpConfig, HttpTransport

    config: dict[str, Any] = {"url": url, "endpoint": endpoint, "timeout": timeout}
    if api_key:
        config["auth"] = {"type": "api_key", "apiKey": api_key}
    transport = HttpTransport(HttpConfig.from_dict(config))
    sent = 0
    try:
        for event in events:
            transport.emit(dict(event))  # type: ignore[arg-type]  # the transport takes JSON too
            sent += 1
    except Exception as ex:  # the transport raises requests' errors: report, never leak the key
        error = SDKError.from_exception(ex)
        error.message = f"{sent} events sent, then: {_redacted(error.message, api_key)}"
        return Err(error)
    finally:
        transport.close()
    return Ok(sent)


def _redacted(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text
