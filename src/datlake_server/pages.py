"""Cursor pagination shared by every list: opaque cursors over a table's `seq` column.

A cursor this server never issued for the list at hand is a 404 `cursor-not-found`, not a
400: any string the spec's `Cursor` schema allows is a well-formed request, and what it names
(a place in this list) does not exist, as an unknown run id names no run.

>>> cursor = encode_cursor("runs", 42)
>>> decode_cursor("runs", cursor)
42
>>> decode_cursor("events", cursor)
Traceback (most recent call last):
...
datlake_server.problems.Problem: query parameter cursor: not issued by this server for this list
"""

from __future__ import annotations

import base64
import binascii
import re
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from datlake_server.problems import CURSOR_NOT_FOUND, Problem

# a `seq` as encode_cursor writes it, small enough for an SQLite INTEGER
SEQ = re.compile(r"0|[1-9][0-9]{0,17}")


# a job or table name, the position of the lists ordered by name
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def encode_cursor(kind: str, position: int | str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> int:
    """The `seq` a cursor points after; a 404 problem when it is not one of ours."""
    return int(_position(kind, cursor, SEQ))


def decode_name_cursor(kind: str, cursor: str) -> str:
    """The name a cursor of a list ordered by name points after.

    >>> decode_name_cursor("jobs", encode_cursor("jobs", "daily_users"))
    'daily_users'
    """
    return _position(kind, cursor, NAME)


def _position(kind: str, cursor: str, shape: re.Pattern[str]) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    cursor_kind, _, position = text.partition(":")
    # the very text this server writes, no other spelling of it
    if (
        cursor_kind != kind
        or not shape.fullmatch(position)
        or encode_cursor(kind, position) != cursor
    ):
        detail = "query parameter cursor: not issued by this server for this list"
        raise Problem(CURSOR_NOT_FOUND, detail)
    return position


def fetch_page(
    conn: sqlite3.Connection,
    *,
    table: str,
    where: str,
    params: Sequence[Any],
    cursor: str | None,
    limit: int,
    newest_first: bool,
    to_items: Callable[[list[sqlite3.Row]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """One page of `table` rows matching `where`, as `{"items": ..., "next_cursor": ...}`.

    `table` and `where` are constants of this package, never request data; values travel in
    `params`.
    """
    compare, order = ("<", "DESC") if newest_first else (">", "ASC")
    args = list(params)
    if cursor is not None:
        where = f"({where}) AND seq {compare} ?"
        args.append(decode_cursor(table, cursor))
    rows = conn.execute(
        f"SELECT * FROM {table} WHERE {where} ORDER BY seq {order} LIMIT ?",  # noqa: S608
        (*args, limit + 1),
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": to_items(rows),
        "next_cursor": encode_cursor(table, rows[-1]["seq"]) if more else None,
    }
