"""The metadata database's transactions: all or nothing, and usable after any failure."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from datlake_server.app import create_app
from datlake_server.db import Database
from datlake_server.serve import serve_app


def test_a_failed_commit_rolls_back_and_leaves_the_database_usable(tmp_path: Path) -> None:
    db = Database(tmp_path / "datlake.db")
    with db.transaction() as conn:
        conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.execute(
            "CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )

    # a deferred foreign key is checked at COMMIT, which fails and leaves the transaction open
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as conn:
        conn.execute("INSERT INTO child (p) VALUES (42)")

    with db.transaction() as conn:
        assert conn.execute("SELECT count(*) FROM child").fetchone()[0] == 0
    db.close()


def test_commits_leave_checkpoints_to_the_checkpointer(tmp_path: Path) -> None:
    db = Database(tmp_path / "datlake.db")
    with db.transaction() as conn:
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    before = (tmp_path / "datlake.db").stat().st_size
    for index in range(50):  # fewer than a checkpoint's worth: the interval brings it
        with db.transaction() as conn:
            conn.execute(
                "INSERT INTO idempotency (key, fingerprint, body, created_at) VALUES (?, '', ?, 0)",
                (f"k{index}", "x" * 2000),
            )
    deadline = time.monotonic() + 10
    # the pages reach the database file only by a checkpoint: none of the commits made one
    while (tmp_path / "datlake.db").stat().st_size == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "datlake.db").stat().st_size > before
    db.close()
    assert not (tmp_path / "datlake.db-wal").exists()  # the last close checkpoints the rest


def test_a_short_write_waits_in_a_thread_while_the_writer_is_held(tmp_path: Path) -> None:
    app = create_app(tmp_path / "data", api_key=None)
    held, release = threading.Event(), threading.Event()

    def hold_the_writer() -> None:
        with app.db.transaction():
            held.set()
            release.wait(30)

    with serve_app(app) as url, httpx.Client(base_url=f"{url}/api/v1", timeout=30) as api:
        holder = threading.Thread(target=hold_the_writer)
        holder.start()
        assert held.wait(10)
        answers: list[int] = []
        writer = threading.Thread(
            target=lambda: answers.append(api.post("/jobs/j/runs", json={}).status_code)
        )
        writer.start()
        time.sleep(0.2)
        # the start waits for the writer in the thread pool, not on the event loop
        with httpx.Client(base_url=f"{url}/api/v1", timeout=5) as other:
            assert other.get("/health").status_code == 200
        assert not answers
        release.set()
        writer.join(30)
        holder.join(30)
        assert answers == [201]
