"""The `datlake_sdk` logger. Every record about a call carries `request_id` (and
`operation`) as record attributes, so a formatter or log shipper can correlate it with the
server's logs; no record ever carries the API key.

>>> import logging
>>> logger.name
'datlake_sdk'
"""

from __future__ import annotations

import logging
import os

__all__ = ["call_fields", "logger", "new_request_id"]

logger = logging.getLogger("datlake_sdk")


def call_fields(operation: str, request_id: str | None, **more: object) -> dict[str, object]:
    """The `extra=` of a record about one call."""
    return {"operation": operation, "request_id": request_id, **more}


def new_request_id() -> str:
    """A fresh `X-Request-Id`: 32 random hex digits, like a uuid4's `.hex`."""
    return os.urandom(16).hex()
