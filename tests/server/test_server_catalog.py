"""Listing what exists: jobs with their newest run, tables with their newest snapshot."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from .datlake_e2e import all_pages, assert_problem, complete, make_client, register, start, unique


def test_jobs_come_by_name_with_their_newest_run_and_its_status(api: httpx.Client) -> None:
    space = unique("catalog")
    first = start(api, f"{space}.b_job")
    complete(api, first, success=True)
    newest = start(api, f"{space}.b_job")
    complete(api, newest, success=False)
    other = start(api, f"{space}.a_job")

    jobs = all_pages(api, "/jobs", prefix=f"{space}.", limit=1)
    assert [job["job_name"] for job in jobs] == [f"{space}.a_job", f"{space}.b_job"]
    assert [job["run_count"] for job in jobs] == [1, 2]
    assert jobs[0]["latest_run"]["run_id"] == other["run_id"]
    assert jobs[1]["latest_run"]["run_id"] == newest["run_id"]
    assert jobs[1]["latest_run"]["status"] == "failed"


def test_tables_come_by_name_with_their_newest_snapshot(api: httpx.Client) -> None:
    space = unique("catalog")
    run = start(api, unique("writer"))
    register(api, run, f"{space}.orders", "file:///o1")
    newest = register(api, run, f"{space}.orders", "file:///o2")
    users = register(api, run, f"{space}.Users", "file:///u1")  # byte order: U before o

    tables = all_pages(api, "/tables", prefix=space, limit=1)
    assert [t["table_name"] for t in tables] == [f"{space}.Users", f"{space}.orders"]
    assert [t["snapshot_count"] for t in tables] == [1, 2]
    assert tables[0]["latest_snapshot"] == users
    assert tables[1]["latest_snapshot"] == newest


def test_a_prefix_is_a_prefix_not_a_pattern(api: httpx.Client) -> None:
    space = unique("catalog")
    for name in ("ab", "ab.c", "ab_d", "abc", "a", "b"):
        start(api, f"{space}{name}")
    found = [job["job_name"] for job in all_pages(api, "/jobs", prefix=f"{space}ab")]
    assert found == [f"{space}{name}" for name in ("ab", "ab.c", "ab_d", "abc")]
    assert all_pages(api, "/jobs", prefix=f"{space}zz") == []


def test_pages_of_names_go_on_after_the_cursor_when_jobs_are_added(api: httpx.Client) -> None:
    space = unique("catalog")
    for name in ("a", "c", "e"):
        start(api, f"{space}.{name}")
    page = api.get("/jobs", params={"prefix": space, "limit": 2}).json()
    assert [job["job_name"] for job in page["items"]] == [f"{space}.a", f"{space}.c"]
    start(api, f"{space}.b")  # before the cursor: this paging does not see it
    start(api, f"{space}.d")  # after it: it does
    rest = api.get("/jobs", params={"prefix": space, "cursor": page["next_cursor"]}).json()
    assert [job["job_name"] for job in rest["items"]] == [f"{space}.d", f"{space}.e"]
    assert rest["next_cursor"] is None


def test_bad_prefixes_and_cursors_are_problems(api: httpx.Client) -> None:
    assert_problem(api.get("/jobs", params={"prefix": "a/b"}), 400, "invalid-request")
    assert_problem(api.get("/tables", params={"prefix": ""}), 400, "invalid-request")
    # a cursor the server never issued names no page of the list: 404, as in every list
    assert_problem(api.get("/tables", params={"cursor": "bm90LWEtY3Vyc29y"}), 404)
    runs_cursor = api.get("/jobs", params={"limit": 1}).json()["next_cursor"]
    assert runs_cursor is not None
    # a cursor of the job list is not one of the table list
    assert_problem(api.get("/tables", params={"cursor": runs_cursor}), 404, "cursor-not-found")


def test_the_lists_need_the_key(anonymous: httpx.Client) -> None:
    assert_problem(anonymous.get("/jobs"), 401, "unauthorized")
    assert_problem(anonymous.get("/tables"), 401, "unauthorized")


def test_a_data_folder_from_before_the_catalog_lists_what_it_holds(
    served: Callable[..., AbstractContextManager[str]], tmp_path: Path
) -> None:
    with served() as url, make_client(url) as api:
        run = start(api, "old_job")
        register(api, run, "old_table")
    # as a server without the catalog left it
    # closed here: a connection left to the garbage collector touches the folder's WAL files
    # later, under another test's feet
    with contextlib.closing(sqlite3.connect(tmp_path / "data" / "datlake.db")) as db:
        db.executescript("DROP TABLE jobs; DROP TABLE tables;")
    with served() as url, make_client(url) as api:
        assert [job["job_name"] for job in all_pages(api, "/jobs")] == ["old_job"]
        assert [t["table_name"] for t in all_pages(api, "/tables")] == ["old_table"]
        start(api, "old_job")
        assert all_pages(api, "/jobs")[0]["run_count"] == 2


def test_listing_reads_the_catalog_by_its_index(tmp_path: Path) -> None:
    from datlake_server.db import Database

    db = Database(tmp_path / "meta.db")
    with db.transaction() as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE job_name >= ? AND job_name > ?"
            " AND job_name < ? ORDER BY job_name LIMIT 10",
            ("a", "", "a\x7f"),
        ).fetchall()
    db.close()
    details = [row[-1] for row in plan]
    assert any(detail.startswith("SEARCH jobs USING INDEX") for detail in details), details
    assert not any("SCAN" in detail or "TEMP B-TREE" in detail for detail in details), details
