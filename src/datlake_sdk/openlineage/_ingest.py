"""`ingest_openlineage`: send one OpenLineage RunEvent to a Datlake, which records it as a run,
its input edges and its snapshots (POST `/api/v1/openlineage`).

>>> from datlake_sdk import DatlakeClient
>>> with DatlakeClient(base_url="http://127.0.0.1:8765", api_key="dev") as client:  # doctest: +SKIP
...     recorded = ingest_openlineage(client, event)   # Ok(Run(...)) with its inputs and outputs
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datlake_api import models as api
from datlake_api.api.lineage import ingest_openlineage as ingest_endpoint

from .. import _convert as domain
from .._client import DatlakeClient
from .._errors import SDKError, ValidationError
from .._names import bad_json
from .._operations import api_call
from .._result import Result
from .._types import Run

__all__ = ["ingest_openlineage"]


def ingest_openlineage(client: DatlakeClient, event: Mapping[str, Any]) -> Result[Run, SDKError]:
    """Record `event` (a RunEvent as a JSON document) on the Datlake `client` talks to; the
    answer is the run as recorded. Sending the same event again records nothing more, but the
    call carries no idempotency key, so a failed attempt is not retried.

    >>> ingest_openlineage(client, {"eventType": "START"})  # doctest: +SKIP
    Err(error=ValidationError(code=None, message="event: not a RunEvent: missing 'eventTime'"...))
    """
    invalid = bad_json("event", event)
    if invalid is not None:
        return client.refuse("ingest_openlineage", invalid)
    try:
        body = api.OpenLineageRunEvent.from_dict(event)
    except (KeyError, TypeError, ValueError, AttributeError) as ex:
        return client.refuse(
            "ingest_openlineage", ValidationError(f"event: not a RunEvent: {_reason(ex)}")
        )
    return client.execute(
        api_call(
            ingest_endpoint,
            lambda request_id: ingest_endpoint._get_kwargs(body=body, x_request_id=request_id),
            api.Run,
            domain.run,
        )
    )


def _reason(ex: Exception) -> str:
    return f"missing {ex}" if isinstance(ex, KeyError) else f"{type(ex).__name__}: {ex}"
