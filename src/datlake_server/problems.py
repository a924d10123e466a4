"""RFC 9457 problem documents: the one shape every error of the local Datlake takes.

A handler raises `Problem`; the app turns it into an `application/problem+json` response.

>>> p = Problem(RUN_NOT_FOUND, "run 42 of job daily_users does not exist")
>>> p.document("req-1")["type"], p.status
('/problems/run-not-found', 404)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datlake_server.jsonio import JSONResponse

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """One kind of problem: its `type` URI reference, title and HTTP status."""

    type: str
    title: str
    status: int


INVALID_REQUEST = ProblemKind("/problems/invalid-request", "Invalid request", 400)
INVALID_BODY = ProblemKind("/problems/invalid-body", "Invalid body", 422)
UNAUTHORIZED = ProblemKind("/problems/unauthorized", "Unauthorized", 401)
RUN_NOT_FOUND = ProblemKind("/problems/run-not-found", "Run not found", 404)
TABLE_NOT_FOUND = ProblemKind("/problems/table-not-found", "Table not found", 404)
SNAPSHOT_NOT_FOUND = ProblemKind("/problems/snapshot-not-found", "Snapshot not found", 404)
OBJECT_NOT_FOUND = ProblemKind("/problems/object-not-found", "Object not found", 404)
CURSOR_NOT_FOUND = ProblemKind("/problems/cursor-not-found", "Cursor not found", 404)
RUN_FINISHED = ProblemKind("/problems/run-finished", "Run finished", 409)
IDEMPOTENCY_KEY_REUSED = ProblemKind(
    "/problems/idempotency-key-reused", "Idempotency key reused", 409
)
# a client-chosen run or snapshot id that already names one with other content
ID_CONFLICT = ProblemKind("/problems/id-conflict", "Id conflict", 409)
CHECKSUM_MISMATCH = ProblemKind("/problems/checksum-mismatch", "Checksum mismatch", 422)
INTERNAL = ProblemKind("/problems/internal", "Internal server error", 500)
# Outside the contract: paths and methods the spec does not define (RFC 9457 "about:blank").
NO_ROUTE = ProblemKind("about:blank", "Not Found", 404)
NO_METHOD = ProblemKind("about:blank", "Method Not Allowed", 405)


class Problem(Exception):
    """An expected failure of a request, answered as a problem document."""

    def __init__(
        self, kind: ProblemKind, detail: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return self.kind.status

    def document(self, request_id: str) -> dict[str, Any]:
        return {
            "type": self.kind.type,
            "title": self.kind.title,
            "status": self.kind.status,
            "detail": self.detail,
            "request_id": request_id,
        }

    def response(self, request_id: str) -> JSONResponse:
        return JSONResponse(
            self.document(request_id),
            status_code=self.kind.status,
            headers=self.headers,
            media_type=PROBLEM_JSON,
        )
