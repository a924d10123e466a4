"""HTML of the lineage pages: a layout, tables, links, every text escaped on the way out.

No templates and no inline script or style: the pages are strings built here, and the
Content-Security-Policy the server sends lets only its own `/static/` files run.

>>> link("/jobs/a b", "<job>")
'<a href="/jobs/a%20b">&lt;job&gt;</a>'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote

Doc = dict[str, Any]


def h(value: object) -> str:
    """Text as HTML (quotes too: safe inside attributes)."""
    return escape(str(value), quote=True)


def path(*segments: str) -> str:
    """A page's path, each segment percent-encoded (`/` inside a name stays inside it)."""
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


def link(href: str, text: object) -> str:
    return f'<a href="{h(quote(href, safe="/?=&%:"))}">{h(text)}</a>'


def status(value: str | None) -> str:
    return f'<span class="status {h(value or "unknown")}">{h(value or "-")}</span>'


def when(timestamp: str | None) -> str:
    """`2026-12-02 00:21:51Z` from the API's RFC 3339 text; `-` for none."""
    if not timestamp:
        return "-"
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC)
    return f'<time datetime="{h(timestamp)}">{moment:%Y-%m-%d %H:%M:%S}Z</time>'


def short(identifier: str) -> str:
    """The last 8 characters of an id, the full id as a tooltip."""
    return f'<code title="{h(identifier)}">{h(identifier[-8:])}</code>'


def compact(value: object) -> str:
    return f"<code>{h(json.dumps(value, ensure_ascii=False, default=str))}</code>"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, cls: str = "") -> str:
    """An HTML table; `rows` hold HTML already escaped (build cells with the helpers)."""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    if not body:
        return '<p class="empty">none</p>'
    head = "".join(f"<th>{h(header)}</th>" for header in headers)
    return f'<table class="{h(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def run_link(job_name: str | None, run_id: str | None) -> str:
    if not job_name or not run_id:
        return "-"
    return (
        f'<a href="{h(path("jobs", job_name, "runs", run_id))}">{h(job_name)}/{short(run_id)}</a>'
    )


def table_link(name: str) -> str:
    return f'<a href="{h(path("tables", name))}">{h(name)}</a>'


def page(title: str, body: str, *, crumbs: Sequence[tuple[str, str]] = (), user: bool) -> str:
    """A whole page: header with the way back, then `body` (HTML)."""
    trail = "".join(f' / <a href="{h(href)}">{h(text)}</a>' for href, text in crumbs)
    logout = (
        '<form method="post" action="/logout" class="logout"><button>Log out</button></form>'
        if user
        else ""
    )
    return (
        "<!doctype html>"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{h(title)} · Datlake</title>"
        '<link rel="stylesheet" href="/static/datlake.css">'
        '<script src="/static/graph.js" defer></script>'
        "</head><body>"
        f'<header><nav><a href="/" class="home">Datlake</a>{trail}</nav>{logout}</header>'
        f"<main><h1>{h(title)}</h1>{body}</main></body></html>"
    )


def login_page(message: str = "") -> str:
    note = f'<p class="error" role="alert">{h(message)}</p>' if message else ""
    form = (
        f'{note}<form method="post" action="/login" class="login">'
        '<label for="key">API key</label>'
        '<input type="password" id="key" name="key" autocomplete="current-password" required>'
        "<button>Log in</button></form>"
        "<p>The key stays in an HttpOnly cookie of this site, never in a URL.</p>"
    )
    return page("Log in", form, user=False)
