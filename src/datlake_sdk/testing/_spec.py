"""The spec shipped with `datlake_sdk`, parsed once, and a router over raw request paths.

Routing uses the raw path (`request.url.raw_path`) one segment at a time: an object name
travels as `a%2Fb%2Fc.txt` in a single segment, and decoding before matching would split it.

>>> op, params = find_operation("PUT", "/api/v1/datasets/logs/a%2Fb%2Fc.txt")
>>> op.id, params
('upload_object', {'bucket': 'logs', 'object': 'a/b/c.txt'})
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import unquote

import yaml

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec: its id, method, path template and raw-path pattern."""

    id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    success_status: int
    secured: bool


def spec_text() -> str:
    """The text of `datlake.yaml` as installed with the package."""
    return resources.files("datlake_sdk").joinpath("datlake.yaml").read_text("utf-8")


@functools.cache
def spec_document() -> dict[str, Any]:
    """The parsed spec (cached: parsed once per process)."""
    document: dict[str, Any] = yaml.safe_load(spec_text())
    return document


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the spec, paths with more literal segments first."""
    document = spec_document()
    secured_by_default = bool(document.get("security"))
    found: list[Operation] = []
    for template, item in document["paths"].items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            statuses = sorted(int(code) for code in op["responses"] if str(code).startswith("2"))
            security = op.get("security")
            found.append(
                Operation(
                    id=str(op["operationId"]),
                    method=method.upper(),
                    template=template,
                    pattern=_raw_path_pattern(template),
                    success_status=statuses[0] if statuses else 200,
                    secured=bool(security) if security is not None else secured_by_default,
                )
            )
    found.sort(key=lambda op: -len(_PARAM.sub("", op.template)))
    return tuple(found)


def operation(operation_id: str) -> Operation:
    """The operation named `operation_id`; a `KeyError` lists the known ids."""
    for op in operations():
        if op.id == operation_id:
            return op
    known = ", ".join(sorted(op.id for op in operations()))
    raise KeyError(f"no operation {operation_id!r} in the spec (known: {known})")


def find_operation(method: str, raw_path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation serving `method raw_path` and its decoded path parameters, or None."""
    for op in operations():
        match = op.pattern.fullmatch(raw_path)
        if match is not None and op.method == method.upper():
            return op, {name: unquote(raw) for name, raw in match.groupdict().items()}
    return None


def _raw_path_pattern(template: str) -> re.Pattern[str]:
    parts = _PARAM.split(template)
    # split() alternates literal text and parameter names
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)"
        for index, part in enumerate(parts)
    )
    return re.compile(regex)
