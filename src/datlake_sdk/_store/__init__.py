"""The SDK's local store, one SQLite file: the outbox journal of undelivered lineage writes and
the detached cache of the newest snapshot seen per table."""

from ._cache import Cached, SnapshotCache
from ._journal import CLAIM_SECONDS, Entry, Journal, NewEntry, owner_token

__all__ = [
    "CLAIM_SECONDS",
    "Cached",
    "Entry",
    "Journal",
    "NewEntry",
    "SnapshotCache",
    "owner_token",
]
