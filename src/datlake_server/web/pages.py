"""The lineage pages of the local Datlake, at `/`: jobs and tables, a job's runs, a run, a
table with its snapshots and its lineage graph, and the objects runs left (their logs).

With an API key, every page but the login form needs the session cookie that form sets:
`HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends it), valid 12
hours, and never the key itself but an HMAC of its expiry under the key (changing the key ends
every session). The key travels only in the form's POST body, never in a URL.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from datlake_server.catalog import list_jobs, list_tables
from datlake_server.lineage import MAX_HISTORY, lineage
from datlake_server.objects import ObjectStore, read_chunks
from datlake_server.problems import Problem
from datlake_server.store import Store
from datlake_server.web import html
from datlake_server.web.graph import lineage_svg
from datlake_server.web.html import h, path

Doc = dict[str, Any]

COOKIE = "datlake_session"
SESSION_SECONDS = 12 * 3600
MAX_FORM = 4096
STATIC = {"datlake.css": "text/css", "graph.js": "text/javascript"}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class WebPages:
    """The ASGI app of the pages, over the same ledger and objects as the API."""

    def __init__(self, store: Store, objects: ObjectStore, api_key: bytes | None) -> None:
        self.store = store
        self.objects = objects
        self._key = api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._respond(request)
        except Problem as problem:
            body = f'<p class="error">{h(problem)}</p>'
            response = HTMLResponse(
                html.page(problem.kind.title, body, user=self._key is not None),
                status_code=problem.kind.status,
            )
        response.headers.update(HEADERS)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        segments = [s for s in request.url.path.split("/") if s]
        if segments[:1] == ["static"] and len(segments) == 2 and segments[1] in STATIC:
            text = resources.files(__package__).joinpath("static", segments[1]).read_text()
            return Response(text, media_type=STATIC[segments[1]])
        if segments == ["favicon.ico"]:
            return Response(status_code=204)
        if segments == ["login"]:
            return await self._login(request)
        if segments == ["logout"] and request.method == "POST":
            response = RedirectResponse("/login" if self._key else "/", status_code=303)
            response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
            return response
        if request.method != "GET":
            return HTMLResponse("method not allowed", status_code=405, headers={"Allow": "GET"})
        if not self._signed_in(request):
            return RedirectResponse("/login", status_code=303)
        render = self._route(segments)
        if render is None:
            return HTMLResponse(
                html.page("Not found", "<p>No such page.</p>", user=self._key is not None),
                status_code=404,
            )
        result = await run_in_threadpool(render, request)
        return result if isinstance(result, Response) else HTMLResponse(result)

    def _route(self, segments: list[str]) -> Callable[[Request], str | Response] | None:
        match segments:
            case []:
                return self.home
            case ["jobs", job]:
                return lambda request: self.job(request, job)
            case ["jobs", job, "runs", run_id]:
                return lambda request: self.run(job, run_id)
            case ["tables", table]:
                return lambda request: self.table(request, table)
            case ["download"]:
                return self.download
        return None

    # sessions

    def _signed_in(self, request: Request) -> bool:
        if self._key is None:
            return True
        expires, _, mac = request.cookies.get(COOKIE, "").partition(".")
        if not expires.isdigit() or int(expires) < time.time():
            return False
        return hmac.compare_digest(mac, self._mac(expires))

    def _mac(self, expires: str) -> str:
        assert self._key is not None
        return hmac.new(self._key, f"web session {expires}".encode(), hashlib.sha256).hexdigest()

    async def _login(self, request: Request) -> Response:
        if self._key is None:
            return RedirectResponse("/", status_code=303)
        if request.method == "GET":
            return HTMLResponse(html.login_page())
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM:
                return HTMLResponse(html.login_page("That is not a key."), status_code=400)
        key = parse_qs(body.decode("utf-8", "replace")).get("key", [""])[0]
        if not hmac.compare_digest(key.encode("utf-8", "replace"), self._key):
            return HTMLResponse(html.login_page("Wrong API key."), status_code=401)
        expires = str(int(time.time()) + SESSION_SECONDS)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            f"{expires}.{self._mac(expires)}",
            max_age=SESSION_SECONDS,
            path="/",
            httponly=True,
            samesite="strict",
        )
        return response

    # pages

    def _page(self, title: str, body: str, crumbs: list[tuple[str, str]] | None = None) -> str:
        return html.page(title, body, crumbs=crumbs or [], user=self._key is not None)

    def home(self, request: Request) -> str:
        prefix = _name(request.query_params.get("prefix"))
        jobs = list_jobs(self.store.db, prefix, 200, _cursor(request, "jobs_after"))
        tables = list_tables(self.store.db, prefix, 200, _cursor(request, "tables_after"))
        search = (
            '<form method="get" action="/" class="search" role="search">'
            '<label for="prefix">Names starting with</label>'
            f'<input id="prefix" name="prefix" value="{h(prefix or "")}" pattern="[A-Za-z0-9._-]+">'
            "<button>Search</button></form>"
        )
        job_rows = (
            [
                html.link(path("jobs", job["job_name"]), job["job_name"]),
                str(job["run_count"]),
                html.run_link(job["job_name"], job["latest_run"]["run_id"]),
                html.status(job["latest_run"]["status"]),
                html.when(job["latest_run"]["created_at"]),
            ]
            for job in jobs["items"]
        )
        table_rows = (
            [
                html.table_link(t["table_name"]),
                str(t["snapshot_count"]),
                html.short(t["latest_snapshot"]["snapshot_id"]),
                html.run_link(t["latest_snapshot"]["job_name"], t["latest_snapshot"]["run_id"]),
                html.when(t["latest_snapshot"]["created_at"]),
            ]
            for t in tables["items"]
        )
        body = (
            search
            + '<section id="jobs"><h2>Jobs</h2>'
            + html.table(["Job", "Runs", "Latest run", "Status", "Started"], job_rows)
            + _more(request, "jobs_after", jobs["next_cursor"])
            + '</section><section id="tables"><h2>Tables</h2>'
            + html.table(["Table", "Snapshots", "Latest", "Written by", "Created"], table_rows)
            + _more(request, "tables_after", tables["next_cursor"])
            + "</section>"
        )
        return self._page("Jobs and tables", body)

    def job(self, request: Request, job: str) -> str:
        wanted = request.query_params.get("status")
        wanted = wanted if wanted in ("running", "succeeded", "failed", "lost") else None
        runs = self.store.list_runs(job, wanted, 100, _cursor(request, "after"))
        filters = " ".join(
            html.link(path("jobs", job) + (f"?status={s}" if s else ""), s or "all")
            for s in ("", "running", "succeeded", "failed", "lost")
        )
        rows = (
            [
                html.run_link(run["job_name"], run["run_id"]),
                html.status(run["status"]),
                html.when(run["created_at"]),
                html.when(run["finished_at"]),
                ", ".join(html.table_link(s["table_name"]) for s in run["inputs"]) or "-",
                ", ".join(html.table_link(s["table_name"]) for s in run["outputs"]) or "-",
            ]
            for run in runs["items"]
        )
        body = (
            f'<p class="filters">Status: {filters}</p>'
            + html.table(["Run", "Status", "Started", "Finished", "Read", "Wrote"], rows)
            + _more(request, "after", runs["next_cursor"])
        )
        return self._page(f"Runs of {job}", body, [(path("jobs", job), job)])

    def run(self, job: str, run_id: str) -> str:
        run = self.store.get_run(job, run_id)
        events = self.store.list_events(job, run_id, 500, None)["items"]
        facts = html.table(
            ["", ""],
            [
                ["Status", html.status(run["status"])],
                ["Run id", f"<code>{h(run['run_id'])}</code>"],
                ["Started", html.when(run["created_at"])],
                ["Finished", html.when(run["finished_at"])],
                ["Last heartbeat", html.when(run["last_heartbeat_at"])],
                ["Lease until", html.when(run["lease_expires_at"])],
                ["Parent run", h(run["parent_run_id"] or "-")],
                ["Metadata", html.compact(run["metadata"])],
                ["Extra", html.compact(run["extra"])],
            ],
            cls="facts",
        )

        def snapshots(items: list[Doc]) -> str:
            return html.table(
                ["Table", "Snapshot", "Format", "Written by", "URI"],
                (
                    [
                        html.table_link(s["table_name"]),
                        html.short(s["snapshot_id"]),
                        h(s["format"]),
                        html.run_link(s["job_name"], s["run_id"]),
                        f"<code>{h(s['uri'])}</code>",
                    ]
                    for s in items
                ),
            )

        artifacts = html.table(
            ["Type", "URI"],
            ([h(a["type"]), _object_link(a["uri"])] for a in run["artifacts"]),
        )
        metrics = [e for e in events if e["kind"] == "metric"]
        metric_rows = (
            [html.when(e["created_at"]), h(name), html.compact(value)]
            for e in metrics
            for name, value in e["data"].items()
        )
        event_rows = (
            [
                html.when(e["created_at"]),
                h(e["kind"]),
                h(e["message"] or "-"),
                html.compact(e["data"]),
            ]
            for e in events
        )
        body = (
            facts
            + f'<section id="inputs"><h2>Inputs ({len(run["inputs"])})</h2>'
            + snapshots(run["inputs"])
            + f'</section><section id="outputs"><h2>Outputs ({len(run["outputs"])})</h2>'
            + snapshots(run["outputs"])
            + f'</section><section id="artifacts"><h2>Artifacts ({len(run["artifacts"])})</h2>'
            + artifacts
            + (
                '</section><section id="metrics"><h2>Metrics</h2>'
                + html.table(["Time", "Metric", "Value"], metric_rows)
                if metrics
                else ""
            )
            + f'</section><section id="events"><h2>Events ({len(events)})</h2>'
            + html.table(["Time", "Kind", "Message", "Data"], event_rows)
            + "</section>"
        )
        crumbs = [(path("jobs", job), job), (path("jobs", job, "runs", run_id), run_id[-8:])]
        return self._page(f"Run {job}/{run_id[-8:]}", body, crumbs)

    def table(self, request: Request, table: str) -> str:
        direction = request.query_params.get("direction")
        direction = direction if direction in ("upstream", "downstream") else "both"
        depth_text = request.query_params.get("depth", "3")
        depth = int(depth_text) if depth_text.isdigit() and 1 <= int(depth_text) <= 10 else 3
        snapshots = self.store.list_snapshots(table, 50, _cursor(request, "after"))
        # a drawing holds more than an API answer's default: the contract's largest history
        # per table, within the default node limit (the count says when it was cut short)
        graph = lineage(self.store.db, table, direction, depth, history=MAX_HISTORY)
        controls = (
            '<form method="get" class="graph-controls">'
            + '<label for="direction">Direction</label><select id="direction" name="direction">'
            + "".join(
                f"<option{' selected' if d == direction else ''}>{d}</option>"
                for d in ("both", "upstream", "downstream")
            )
            + '</select><label for="depth">Depth</label>'
            + f'<input id="depth" name="depth" type="number" min="1" max="10" value="{depth}">'
            + "<button>Draw</button></form>"
            + '<div class="graph-tools"><label for="find">Find</label>'
            + '<input id="find" type="search" placeholder="a table or job name">'
            + '<button type="button" id="fit">Fit</button>'
            + '<button type="button" id="zoom-in" aria-label="zoom in">+</button>'
            + '<button type="button" id="zoom-out" aria-label="zoom out">&minus;</button>'
            + f'<span class="count">{len(graph["nodes"])} nodes, {len(graph["edges"])} edges'
            + (" (cut short by the server)" if graph.get("truncated") else "")
            + "; solid: wrote, dashed: read; drag to move, wheel to zoom</span></div>"
        )
        rows = (
            [
                html.short(s["snapshot_id"]),
                html.when(s["created_at"]),
                h(s["format"]),
                html.run_link(s["job_name"], s["run_id"]),
                f"<code>{h(s['uri'])}</code>",
            ]
            for s in snapshots["items"]
        )
        body = (
            '<section id="lineage-section"><h2>Lineage</h2>'
            + controls
            + '<div class="graph" id="graph">'
            + lineage_svg(graph, _node_page)
            + '</div></section><section id="snapshots"><h2>Snapshots</h2>'
            + html.table(["Snapshot", "Created", "Format", "Written by", "URI"], rows)
            + _more(request, "after", snapshots["next_cursor"])
            + "</section>"
        )
        return self._page(f"Table {table}", body, [(path("tables", table), table)])

    def download(self, request: Request) -> Response:
        uri = request.query_params.get("uri", "")
        bucket, _, name = uri.removeprefix("datlake://").partition("/")
        file, size, _ = self.objects.open(bucket, name)
        filename = name.rpartition("/")[2].replace('"', "")
        return StreamingResponse(
            read_chunks(file),
            media_type="application/octet-stream",
            headers={
                "Content-Length": str(size),
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )


def _node_page(node: Doc) -> str:
    if node["kind"] == "run" and node.get("job_name") and node.get("run_id"):
        return path("jobs", node["job_name"], "runs", node["run_id"])
    return path("tables", node["name"])


def _object_link(uri: str) -> str:
    if not uri.startswith("datlake://"):
        return f"<code>{h(uri)}</code>"
    return f'<a href="/download?uri={h(_quote(uri))}"><code>{h(uri)}</code></a>'


def _quote(text: str) -> str:
    return quote(text, safe="")


def _name(value: str | None) -> str | None:
    """A usable name prefix, or none (a bad one lists everything rather than failing)."""
    if not value or len(value) > 128:
        return None
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
    return value if set(value) <= allowed else None


def _cursor(request: Request, name: str) -> str | None:
    return request.query_params.get(name) or None


def _more(request: Request, name: str, cursor: str | None) -> str:
    """A link to the next page: this page's query with `name` set to the cursor."""
    if cursor is None:
        return ""
    query = dict(request.query_params)
    query[name] = cursor
    return f'<p class="more"><a href="?{h(urlencode(query))}">more</a></p>'
