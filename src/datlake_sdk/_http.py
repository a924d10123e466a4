"""The pooled httpx clients the SDK sends with: httpx's own, whose cookie jar looks at an answer
only when it sets a cookie.

httpx hands every response to its cookie jar, which first copies the request and the response
into `urllib` objects for `http.cookiejar`: about 25 µs a call, the largest single cost of a
`start_run` after the transport itself. Datlake answers set no cookie, so the jar skips answers
without a `Set-Cookie` header; an answer with one (a load balancer's) is kept as httpx keeps it.

>>> import httpx
>>> client = HttpClient(cookies={"lb": "a"})
>>> client.cookies["lb"], isinstance(client.cookies, httpx.Cookies)
('a', True)
>>> client.close()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from httpx._types import CookieTypes

__all__ = ["AsyncHttpClient", "HttpClient", "SetCookiesOnly"]


class SetCookiesOnly(httpx.Cookies):
    """httpx's cookies, reading only the answers that set some (`Set-Cookie`; the obsolete
    `Set-Cookie2` the standard library's default policy ignores anyway)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class _KeepsSetCookiesOnly:
    """The `cookies` of the clients below: a `SetCookiesOnly` jar (httpx's setter makes a plain
    one)."""

    _set_cookies_only: SetCookiesOnly

    def __init__(self, **options: Any) -> None:  # the httpx client's own arguments
        super().__init__(**options)
        self.cookies = options.get("cookies") or {}

    @property
    def cookies(self) -> httpx.Cookies:
        return self._set_cookies_only

    @cookies.setter
    def cookies(self, cookies: CookieTypes) -> None:
        self._set_cookies_only = SetCookiesOnly(cookies)


class HttpClient(_KeepsSetCookiesOnly, httpx.Client):
    """`httpx.Client` (same arguments) with a `SetCookiesOnly` jar."""


class AsyncHttpClient(_KeepsSetCookiesOnly, httpx.AsyncClient):
    """`httpx.AsyncClient` (same arguments) with a `SetCookiesOnly` jar."""
