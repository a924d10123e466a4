"""`DatlakeClient`: one pooled connection to a Datlake, and the place every call goes through.

>>> with DatlakeClient(base_url="http://127.0.0.1:8765", api_key="secret") as client:
...     client
DatlakeClient(base_url='http://127.0.0.1:8765', api_key='***')
"""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ._call import Call
from ._errors import SDKError
from ._result import Result
from ._translate import translate

__all__ = ["DatlakeClient"]

M = TypeVar("M")
T = TypeVar("T")


class DatlakeClient:
    """Settings, the pooled httpx client, and `execute`, which sends a `Call`."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def execute(self, call: Call[M, T]) -> Result[T, SDKError]:
        """Send `call` and translate the outcome; never raises for an expected failure."""
        request_id = uuid.uuid4().hex
        kwargs: dict[str, Any] = call.request(request_id)
        outcome: httpx.Response | BaseException
        try:
            outcome = self._http.request(**kwargs)
        except httpx.HTTPError as ex:
            outcome = ex
        return translate(outcome, call.parse, call.expect, call.convert, request_id, call.operation)

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def __enter__(self) -> DatlakeClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        key = "***" if self._api_key else None
        return f"DatlakeClient(base_url={self.base_url!r}, api_key={key!r})"
