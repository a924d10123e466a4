"""The metadata database's transactions: all or nothing, and usable after any failure."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from datlake_server.app import create_app
from datlake_server.db import Database
from datlake_server.group_commit import MAX_TURNS, QUIET, GroupCommit
from datlake_server.serve import serve_app
from datlake_server.store import Store


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


def test_a_checkpoint_copies_the_commits_made_while_it_ran(tmp_path: Path) -> None:
    db = Database(tmp_path / "datlake.db")
    checkpointer = db._checkpointer
    checkpointer.stop()  # the test checkpoints by itself
    for index in range(50):
        _insert_key(db, f"k{index}")

    class CommitDuringTheFirst:
        """A connection whose first checkpoint runs while a commit it cannot copy yet lands:
        a reader still on the data before that commit holds it back, as a checkpoint running
        while writes go on leaves their pages behind."""

        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn, self.calls = conn, 0

        def execute(self, sql: str) -> sqlite3.Cursor:
            self.calls += 1
            if self.calls > 1:
                return self.conn.execute(sql)
            reader = sqlite3.connect(tmp_path / "datlake.db", isolation_level=None)
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM idempotency").fetchone()
            _insert_key(db, "during")
            found = self.conn.execute(sql)
            reader.close()
            return found

    conn = sqlite3.connect(tmp_path / "datlake.db", isolation_level=None)
    checkpointer.checkpoint(CommitDuringTheFirst(conn))  # type: ignore[arg-type]
    _insert_key(db, "after")
    # the WAL was copied whole, so the next write started it afresh: it holds that write alone
    # (else the 50 commits before, and the one made during the checkpoint, stay in it too)
    busy, frames, _copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0
    assert frames < 10
    conn.close()
    db.close()


def _commits(db: Database) -> list[str]:
    statements: list[str] = []
    assert db._conn is not None
    db._conn.set_trace_callback(statements.append)
    return statements


def _insert_key(db: Database, key: str, fail: bool = False) -> str:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO idempotency (key, fingerprint, body, created_at) VALUES (?, '', '', 0)",
            (key,),
        )
        if fail:
            raise ValueError(f"{key} failed")
    return key


def _keys(db: Database) -> list[str]:
    with db.transaction() as conn:
        return [row[0] for row in conn.execute("SELECT key FROM idempotency ORDER BY key")]


def test_a_batch_commits_once_and_undoes_a_failed_write_alone(tmp_path: Path) -> None:
    db = Database(tmp_path / "datlake.db")
    statements = _commits(db)
    outcomes = db.batch(
        [lambda: _insert_key(db, "a"), lambda: _insert_key(db, "b", fail=True),
         lambda: _insert_key(db, "c")]
    )  # fmt: skip
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert isinstance(outcomes[1][1], ValueError)
    assert statements.count("COMMIT") == 1
    assert _keys(db) == ["a", "c"]
    db.close()


def test_a_batch_whose_transaction_ends_runs_each_write_again_alone(tmp_path: Path) -> None:
    db = Database(tmp_path / "datlake.db")

    def ends_the_transaction() -> str:
        with db.transaction() as conn:
            conn.execute("ROLLBACK")  # as SQLite does itself on some errors (a full disk)
            raise sqlite3.OperationalError("disk full")

    outcomes = db.batch(
        [lambda: _insert_key(db, "a"), ends_the_transaction, lambda: _insert_key(db, "c")]
    )
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert _keys(db) == ["a", "c"]  # "a" once: its first try went with the batch
    db.close()


def test_writes_submitted_together_share_a_commit(tmp_path: Path) -> None:
    db = Database(tmp_path / "datlake.db")
    writes = GroupCommit(db)
    statements = _commits(db)

    async def three() -> list[object]:
        return await asyncio.gather(
            writes.submit(lambda: _insert_key(db, "a")),
            writes.submit(lambda: _insert_key(db, "b", fail=True)),
            writes.submit(lambda: _insert_key(db, "c")),
            return_exceptions=True,
        )

    answers = asyncio.run(three())
    assert answers[0] == "a"
    assert answers[2] == "c"
    assert isinstance(answers[1], ValueError)
    assert statements.count("COMMIT") == 1
    assert _keys(db) == ["a", "c"]
    db.close()


def test_writes_arriving_one_per_turn_of_the_loop_share_a_commit(tmp_path: Path) -> None:
    # under load requests reach the loop staggered: each one turn after the last
    db = Database(tmp_path / "datlake.db")
    writes = GroupCommit(db)
    statements = _commits(db)

    async def staggered(count: int) -> list[str]:
        async def arriving(index: int) -> str:
            for _ in range(index):
                await asyncio.sleep(0)
            return await writes.submit(lambda: _insert_key(db, f"k{count}-{index:02}"))

        return await asyncio.gather(*(arriving(index) for index in range(count)))

    assert asyncio.run(staggered(4)) == [f"k4-{index:02}" for index in range(4)]
    assert statements.count("COMMIT") == 1
    statements.clear()
    # a queue waits at most MAX_TURNS turns: a stream of arrivals still gets its answers
    count = 3 * MAX_TURNS
    assert asyncio.run(staggered(count)) == [f"k{count}-{index:02}" for index in range(count)]
    assert 2 <= statements.count("COMMIT") <= 4
    db.close()


def test_one_key_twice_in_a_batch_is_a_replay(tmp_path: Path) -> None:
    db = Database(tmp_path / "datlake.db")
    store = Store(db)

    def start() -> tuple[dict[str, object], bool]:
        return store.start_run("j", {"n": 1}, None, ("key-1", "fingerprint"))

    (ok1, first), (ok2, second) = db.batch([start, start])
    assert ok1
    assert ok2
    assert isinstance(first, tuple)
    assert isinstance(second, tuple)
    assert first[1] is False
    assert second[1] is True
    assert first[0]["run_id"] == second[0]["run_id"]
    db.close()


def test_concurrent_starts_all_land_once(tmp_path: Path) -> None:
    app = create_app(tmp_path / "data", api_key=None)
    with serve_app(app) as url:

        def starts(thread: int) -> list[str]:
            with httpx.Client(base_url=f"{url}/api/v1", timeout=30) as api:
                answers = [
                    api.post("/jobs/j/runs", json={"metadata": {"t": thread}}) for _ in range(20)
                ]
                assert {answer.status_code for answer in answers} == {201}
                return [answer.json()["run_id"] for answer in answers]

        with ThreadPoolExecutor(8) as pool:
            ids = [run_id for found in pool.map(starts, range(8)) for run_id in found]
        with httpx.Client(base_url=f"{url}/api/v1", timeout=30) as api:
            listed = api.get("/jobs/j/runs", params={"limit": 200}).json()
    assert len(set(ids)) == 160
    assert {run["run_id"] for run in listed["items"]} == set(ids)


def test_after_writes_came_alone_a_probe_finds_those_that_come_together(tmp_path: Path) -> None:
    db = Database(tmp_path / "datlake.db")
    writes = GroupCommit(db)

    async def alone_then_together() -> list[str]:
        for index in range(QUIET + 1):  # batches of one: then writes mostly run at once
            await writes.submit(lambda index=index: _insert_key(db, f"alone{index}"))
        statements = _commits(db)
        together = await asyncio.gather(
            *(
                writes.submit(lambda index=index: _insert_key(db, f"t{index:02}"))
                for index in range(16)
            )
        )
        assert statements.count("COMMIT") < 16  # a probe queued, and the rest joined it
        return together

    assert asyncio.run(alone_then_together()) == [f"t{index:02}" for index in range(16)]
    assert len(_keys(db)) == QUIET + 1 + 16
    db.close()
