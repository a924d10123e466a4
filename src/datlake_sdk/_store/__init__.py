"""The SDK's local store: the outbox journal of undelivered lineage writes."""

from ._journal import CLAIM_SECONDS, Entry, Journal, NewEntry, owner_token

__all__ = ["CLAIM_SECONDS", "Entry", "Journal", "NewEntry", "owner_token"]
