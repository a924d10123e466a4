"""The spec shipped with the package, parsed once, and a router over raw request paths.

Only the local server and the testing kit import this module (it needs PyYAML); the SDK
itself calls the generated client. Routing works on the raw path (ASGI's `raw_path`,
httpx's `url.raw_path`) one segment at a time: an object name travels as `a%2Fb%2Fc.txt`
in a single segment, and decoding before matching would split it. Each path parameter is
then percent-decoded on its own.

>>> found = route("PUT", b"/api/v1/datasets/logs/a%2Fb%2Fc.txt")
>>> found.operation.id, decode_params(found.raw_params)
('upload_object', {'bucket': 'logs', 'object': 'a/b/c.txt'})
>>> route("DELETE", b"/api/v1/health")
Miss(allowed=('GET',))
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import unquote_to_bytes

import yaml

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the spec, with what routing, mocking and checking it need.

    `pattern` matches the whole raw path (bytes), one named group per path parameter.
    """

    id: str
    method: str
    template: str
    pattern: re.Pattern[bytes]
    success_status: int
    secured: bool
    json_body: bool


@dataclass(frozen=True, slots=True)
class Match:
    """The operation serving a request, and its path parameters still percent-encoded."""

    operation: Operation
    raw_params: Mapping[str, bytes]


@dataclass(frozen=True, slots=True)
class Miss:
    """No operation serves the request; `allowed` are the methods the path has (maybe none)."""

    allowed: tuple[str, ...]


class ParameterNotUTF8(ValueError):
    """A path parameter whose bytes are not UTF-8 once percent-decoded."""

    def __init__(self, name: str) -> None:
        super().__init__(f"path parameter {name}: not UTF-8 once percent-decoded")
        self.name = name


def spec_text() -> str:
    """The text of `datlake.yaml` as installed with the package."""
    return resources.files("datlake_sdk").joinpath("datlake.yaml").read_text("utf-8")


@functools.cache
def spec_document() -> dict[str, Any]:
    """The parsed spec (cached: parsed once per process; do not modify it)."""
    document: dict[str, Any] = yaml.safe_load(spec_text())
    return document


def server_url() -> str:
    """The spec's (absolute) server URL, which openapi-core matches requests against."""
    return str(spec_document()["servers"][0]["url"])


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the spec, a literal segment before a parameter at the same place
    (so `/jobs/register-snapshot` wins over `/jobs/{job_name}`)."""
    document = spec_document()
    secured_by_default = bool(document.get("security"))
    found = [
        _operation(template, method.upper(), op, secured_by_default)
        for template, item in document["paths"].items()
        for method, op in item.items()
        if method in _METHODS
    ]
    found.sort(key=lambda op: [_PARAM.fullmatch(s) is not None for s in op.template.split("/")])
    return tuple(found)


def operation(operation_id: str) -> Operation:
    """The operation named `operation_id`; a `KeyError` lists the known ids."""
    for op in operations():
        if op.id == operation_id:
            return op
    known = ", ".join(sorted(op.id for op in operations()))
    raise KeyError(f"no operation {operation_id!r} in the spec (known: {known})")


def route(method: str, raw_path: bytes) -> Match | Miss:
    """The operation serving `method raw_path` (no query string), or the methods it allows."""
    allowed: set[str] = set()
    for op in operations():
        match = op.pattern.fullmatch(raw_path)
        if match is None:
            continue
        if op.method == method.upper():
            return Match(op, match.groupdict())
        allowed.add(op.method)
    return Miss(tuple(sorted(allowed)))


def decode_params(raw_params: Mapping[str, bytes]) -> dict[str, str]:
    """Percent-decode each path parameter as UTF-8, or raise `ParameterNotUTF8`.

    >>> decode_params({"object": b"caf%C3%A9"})
    {'object': 'café'}
    >>> decode_params({"object": b"%FF"})
    Traceback (most recent call last):
    ...
    datlake_sdk._contract.ParameterNotUTF8: path parameter object: not UTF-8 once percent-decoded
    """
    decoded = {}
    for name, raw in raw_params.items():
        try:
            decoded[name] = unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise ParameterNotUTF8(name) from None
    return decoded


def _operation(
    template: str, method: str, op: dict[str, Any], secured_by_default: bool
) -> Operation:
    statuses = sorted(int(code) for code in op["responses"] if str(code).startswith("2"))
    security = op.get("security")
    return Operation(
        id=str(op["operationId"]),
        method=method,
        template=template,
        pattern=_raw_path_pattern(template),
        success_status=statuses[0] if statuses else 200,
        secured=bool(security) if security is not None else secured_by_default,
        json_body="application/json" in op.get("requestBody", {}).get("content", {}),
    )


def _raw_path_pattern(template: str) -> re.Pattern[bytes]:
    # split() alternates literal text and parameter names
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part)
        for index, part in enumerate(_PARAM.split(template))
    )
    return re.compile(regex.encode("ascii"))
