"""The pooled clients' shortcuts: cookies only read from answers that set some, absolute URLs
made once per path. Neither changes what is sent."""

from __future__ import annotations

import asyncio

import httpx

from datlake_sdk import aio
from datlake_sdk._client import _URLS_KEPT, DatlakeClient
from datlake_sdk._http import AsyncHttpClient, HttpClient, SetCookiesOnly
from datlake_sdk.aio import AsyncDatlakeClient
from datlake_sdk.functional import Ok, get_run, health

from .helpers import RUN_ID, RUN_JSON


def sticky(seen: list[httpx.Request]) -> httpx.MockTransport:
    """Sets a cookie on the first answer only, as a load balancer pinning a session does."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        headers = {"Set-Cookie": "lb=node-2; Path=/"} if len(seen) == 1 else {}
        return httpx.Response(200, json={"status": "ok", "version": "1"}, headers=headers)

    return httpx.MockTransport(handler)


def test_a_cookie_an_answer_sets_is_sent_back() -> None:
    seen: list[httpx.Request] = []
    with DatlakeClient("http://127.0.0.1:8765", transport=sticky(seen)) as client:
        for _ in range(3):
            assert isinstance(health(client), Ok)
    assert "cookie" not in seen[0].headers
    assert [r.headers.get("cookie") for r in seen[1:]] == ["lb=node-2", "lb=node-2"]


def test_the_async_client_keeps_cookies_too() -> None:
    seen: list[httpx.Request] = []

    async def main() -> None:
        async with AsyncDatlakeClient("http://127.0.0.1:8765", transport=sticky(seen)) as client:
            for _ in range(2):
                assert isinstance(await aio.health(client), Ok)

    asyncio.run(main())
    assert seen[1].headers.get("cookie") == "lb=node-2"


def test_cookies_passed_in_and_set_later_go_out() -> None:
    seen: list[httpx.Request] = []
    with HttpClient(cookies={"a": "1"}, transport=sticky(seen)) as http:
        assert isinstance(http.cookies, SetCookiesOnly)
        http.cookies = {"b": "2"}  # through httpx's setter: still the quiet jar
        assert isinstance(http.cookies, SetCookiesOnly)
        http.get("http://x/")
    assert seen[0].headers["cookie"] == "b=2"
    assert isinstance(AsyncHttpClient().cookies, SetCookiesOnly)


def test_urls_merge_with_a_base_path_as_httpx_merges_them() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=RUN_JSON)

    base = "http://127.0.0.1:8765/behind/a/proxy"
    with DatlakeClient(base, "key", transport=httpx.MockTransport(handler)) as client:
        for _ in range(2):  # the second call takes the URL made for the first
            assert isinstance(get_run(client, "daily_users", RUN_ID), Ok)
    expected = f"/behind/a/proxy/api/v1/jobs/daily_users/runs/{RUN_ID}".encode()
    assert [r.url.raw_path for r in seen] == [expected, expected]
    path = f"/api/v1/jobs/daily_users/runs/{RUN_ID}"
    assert seen[0].url == httpx.Client(base_url=base).build_request("GET", path).url


def test_the_urls_kept_are_bounded() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={**RUN_JSON, "run_id": request.url.path.split("/")[-1]})

    with DatlakeClient("http://127.0.0.1:8765", transport=httpx.MockTransport(handler)) as client:
        for number in range(_URLS_KEPT + 10):
            run_id = f"{number:032x}"
            result = get_run(client, "daily_users", run_id)
            assert isinstance(result, Ok)
            assert result.value.run_id == run_id
        assert len(client._urls) <= _URLS_KEPT
