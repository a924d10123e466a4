"""The metadata database's transactions: all or nothing, and usable after any failure."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from datlake_server.db import Database


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
