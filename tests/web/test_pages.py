"""The pages over HTTP: the key guards them, the cookie is HttpOnly and SameSite=Strict, the
key is never in a URL or a page, everything is escaped, assets come from the server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from ..server.datlake_e2e import API_KEY
from .pipeline import HOSTILE


@pytest.fixture
def browser(recorded: tuple[str, dict[str, str]]) -> Iterator[httpx.Client]:
    """A client signed in through the login form, as a browser is."""
    with httpx.Client(base_url=recorded[0], follow_redirects=False) as client:
        answer = client.post("/login", data={"key": API_KEY})
        assert answer.status_code == 303
        yield client


def test_no_page_without_the_key(recorded: tuple[str, dict[str, str]]) -> None:
    url, facts = recorded
    with httpx.Client(base_url=url) as anonymous:
        for page in ("/", "/tables/users_raw", f"/jobs/daily_users/runs/{facts['daily']}"):
            answer = anonymous.get(page)
            assert answer.status_code == 303
            assert answer.headers["location"] == "/login"
        anonymous.cookies.set("datlake_session", "9999999999.00")
        assert anonymous.get("/").status_code == 303  # a forged session
        anonymous.cookies.clear()
        wrong = anonymous.post("/login", data={"key": "not-the-key"})
        assert wrong.status_code == 401
        assert "set-cookie" not in wrong.headers
        assert "Wrong API key" in wrong.text
        # the data is not in the login page either
        assert "daily_users" not in anonymous.get("/login").text


def test_the_session_cookie_is_httponly_strict_and_not_the_key(
    recorded: tuple[str, dict[str, str]],
) -> None:
    with httpx.Client(base_url=recorded[0]) as client:
        answer = client.post("/login", data={"key": API_KEY})
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    assert API_KEY not in cookie
    assert answer.headers["location"] == "/"


def test_pages_show_jobs_runs_tables_and_a_run(
    browser: httpx.Client, recorded: tuple[str, dict[str, str]]
) -> None:
    facts = recorded[1]
    home = browser.get("/").text
    for name in ("daily_users", "fan_000", "hub"):
        assert f">{name}</a>" in home
    assert ">ingest_users</a>" not in home  # 200 a page: it comes after fan_198
    assert 'class="more"' in home
    found = (
        browser.get("/", params={"prefix": "users_"}).text
        + browser.get("/", params={"prefix": "ingest"}).text
    )
    for name in ("ingest_users", "users_raw", "users_curated"):
        assert f">{name}</a>" in found
    runs = browser.get("/jobs/daily_users").text
    assert f"/jobs/daily_users/runs/{facts['daily']}" in runs
    assert 'class="status succeeded"' in runs
    run = browser.get(f"/jobs/daily_users/runs/{facts['daily']}").text
    assert facts["log"] in run
    assert "rows_written" in run  # the metric
    assert ">users_raw</a>" in run
    assert ">users_curated</a>" in run
    log = browser.get("/download", params={"uri": facts["log"]})
    assert log.status_code == 200
    assert log.content == b"read 4 users, wrote 3\n"


def test_everything_is_escaped(browser: httpx.Client, recorded: tuple[str, dict[str, str]]) -> None:
    page = browser.get(f"/jobs/daily_users/runs/{recorded[1]['daily']}").text
    assert HOSTILE not in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    # the only scripts are the server's own files
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/graph.js" defer>']


def test_headers_forbid_other_sources_and_framing(browser: httpx.Client) -> None:
    answer = browser.get("/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    for asset in ("/static/datlake.css", "/static/graph.js"):
        served = browser.get(asset)
        assert served.status_code == 200
        assert len(served.content) > 500
    # every asset a page names is served by the server itself
    for href in re.findall(r'(?:href|src)="([^"]+)"', answer.text):
        assert href.startswith(("/", "?")), href


def test_the_lineage_graph_is_drawn_by_the_server(browser: httpx.Client) -> None:
    page = browser.get("/tables/hub").text
    assert 'data-nodes="502"' in page  # hub, its writer, 250 readers, their 250 tables
    assert page.count('<a class="node run') == 251
    page = browser.get("/tables/users_curated", params={"direction": "upstream"}).text
    assert 'data-id="table:users_raw"' in page
    assert 'href="/tables/users_raw"' in page


def test_unknown_things_are_pages_not_tracebacks(browser: httpx.Client) -> None:
    missing = browser.get("/jobs/daily_users/runs/nope")
    assert missing.status_code == 404
    assert "does not exist" in missing.text
    assert browser.get("/tables/never_written").status_code == 404
    assert browser.get("/no/such/page").status_code == 404
    assert browser.get("/download", params={"uri": "datlake://artifacts/none"}).status_code == 404
    assert browser.get("/download", params={"uri": "datlake://../etc/passwd"}).status_code == 400


def test_logging_out_ends_the_session(recorded: tuple[str, dict[str, str]]) -> None:
    with httpx.Client(base_url=recorded[0]) as client:
        client.post("/login", data={"key": API_KEY})
        assert client.get("/", follow_redirects=False).status_code == 200
        client.post("/logout")
        assert client.get("/", follow_redirects=False).status_code == 303
