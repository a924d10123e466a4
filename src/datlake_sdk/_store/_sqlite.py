"""The local store's one SQLite file: how every part of it connects."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

__all__ = ["connect"]


def connect(path: Path) -> sqlite3.Connection:
    """A connection shared by threads (callers hold a lock), in WAL mode, each commit synced to
    disk; the file is private to its owner, since it holds what the API key guards.

    Transactions are explicit (`isolation_level=None`): the caller says `BEGIN IMMEDIATE`.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn
