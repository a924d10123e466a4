"""The contract, loaded once: the operations of `datlake.yaml` and a router over raw paths.

Routing happens on `scope["raw_path"]`, segment by segment, and each path parameter is
percent-decoded on its own: an object name travels as `jobs%2Fx%2Frun.log` in one segment
and must not be split by the `/` it contains.

>>> spec = load_spec()
>>> op, params = spec.route("PUT", b"/api/v1/datasets/logs/jobs%2Fx%2Frun.log")
>>> op.id, params
('upload_object', {'bucket': 'logs', 'object': 'jobs/x/run.log'})
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import unquote_to_bytes

import yaml

from datlake_server.problems import INVALID_REQUEST, NO_METHOD, NO_ROUTE, Problem

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec, with what the server needs to route and check it."""

    id: str
    method: str
    template: str
    pattern: re.Pattern[bytes]
    secured: bool
    json_body: bool


@dataclass(frozen=True, slots=True)
class Spec:
    """The parsed spec document and its operations, most literal paths first."""

    document: dict[str, Any]
    operations: tuple[Operation, ...]

    @property
    def server_url(self) -> str:
        return str(self.document["servers"][0]["url"])

    def route(self, method: str, raw_path: bytes) -> tuple[Operation, dict[str, str]]:
        """Find the operation for `method` and `raw_path` and decode its path parameters."""
        allowed: list[str] = []
        for op in self.operations:
            match = op.pattern.fullmatch(raw_path)
            if match is None:
                continue
            if op.method != method:
                allowed.append(op.method)
                continue
            return op, {name: _decode(name, raw) for name, raw in match.groupdict().items()}
        if allowed:
            raise Problem(
                NO_METHOD,
                f"{method} is not allowed here",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise Problem(NO_ROUTE, "no such path in the Datlake API")


def load_spec() -> Spec:
    """Parse the `datlake.yaml` shipped with `datlake_sdk` (the single source of truth)."""
    text = resources.files("datlake_sdk").joinpath("datlake.yaml").read_text("utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    default_security = bool(document.get("security"))
    operations = [
        Operation(
            id=str(op["operationId"]),
            method=method.upper(),
            template=template,
            pattern=_compile(template),
            secured=bool(op["security"]) if "security" in op else default_security,
            json_body="application/json" in op.get("requestBody", {}).get("content", {}),
        )
        for template, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]
    # fewer parameters first, so `/jobs/register-snapshot` wins over `/jobs/{job_name}/...`
    operations.sort(key=lambda op: op.template.count("{"))
    return Spec(document, tuple(operations))


def _compile(template: str) -> re.Pattern[bytes]:
    parts = re.split(r"\{([^}]+)\}", template)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(regex.encode("ascii"))


def _decode(name: str, raw: str | bytes) -> str:
    raw_bytes = raw.encode("latin-1") if isinstance(raw, str) else raw
    try:
        return unquote_to_bytes(raw_bytes).decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(
            INVALID_REQUEST, f"path parameter {name}: not UTF-8 once percent-decoded"
        ) from None
