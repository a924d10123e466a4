"""Ids the SDK chooses for the runs and snapshots it writes: UUIDv7 (RFC 9562), written as 32
lowercase hex digits like the ids the server makes, so they sort by creation time.

Choosing the id before sending gives every write a stable identity: a retry, a call repeated
after an `Err`, or a replay from the outbox names the same run or snapshot.

>>> first, second = new_id(), new_id()
>>> len(first), first < second, first[12]
(32, True, '7')
>>> id_for_key("daily_users", "my-key") == id_for_key("daily_users", "my-key")
True
"""

from __future__ import annotations

import hashlib
import os
import threading
import time

__all__ = ["id_for_key", "new_id"]

_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, counter) of the id made last


def new_id() -> str:
    """A fresh UUIDv7 as 32 hex digits; strictly increasing within this process."""
    global _last
    with _lock:
        millis = time.time_ns() // 1_000_000
        last_millis, counter = _last
        if millis <= last_millis:  # same millisecond (or the clock stepped back): count on
            millis, counter = last_millis, counter + 1
        else:
            counter = int.from_bytes(os.urandom(2)) & 0x7FF  # leaves room to count up
        if counter > 0xFFF:  # 4,096 ids in one millisecond: borrow the next one
            millis, counter = millis + 1, 0
        _last = (millis, counter)
    random_bits = int.from_bytes(os.urandom(8)) & 0x3FFF_FFFF_FFFF_FFFF
    value = (millis << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | random_bits
    return f"{value:032x}"


def id_for_key(*scope: str) -> str:
    """The id named by a caller's own idempotency key (and what it is scoped to): the same key
    gives the same id, so two calls with one key still name one run or snapshot."""
    # surrogatepass: a key that is not text still names an id (it is refused right after)
    return hashlib.sha256("\x00".join(scope).encode("utf-8", "surrogatepass")).hexdigest()[:32]
