"""Routing on the raw path, with the router's failures as the server's problems.

uvicorn decodes `%2F` in `scope["path"]`, so routing uses `scope["raw_path"]`: an object
name travels as `jobs%2Fx%2Frun.log` in one segment (see `datlake_sdk._contract`).

>>> op, params = route("PUT", b"/api/v1/datasets/logs/jobs%2Fx%2Frun.log")
>>> op.id, params
('upload_object', {'bucket': 'logs', 'object': 'jobs/x/run.log'})
>>> route("DELETE", b"/api/v1/health")
Traceback (most recent call last):
...
datlake_server.problems.Problem: DELETE is not allowed here
"""

from __future__ import annotations

from datlake_sdk._contract import Miss, Operation, ParameterNotUTF8, decode_params
from datlake_sdk._contract import route as route_raw
from datlake_server.problems import INVALID_REQUEST, NO_METHOD, NO_ROUTE, Problem


def route(method: str, raw_path: bytes) -> tuple[Operation, dict[str, str]]:
    """The operation for `method raw_path` and its decoded path parameters, or a 404, 405
    (with `Allow`) or 400 (a parameter not UTF-8) problem."""
    found = route_raw(method, raw_path)
    if isinstance(found, Miss):
        if found.allowed:
            allow = {"Allow": ", ".join(found.allowed)}
            raise Problem(NO_METHOD, f"{method} is not allowed here", headers=allow)
        raise Problem(NO_ROUTE, "no such path in the Datlake API")
    try:
        return found.operation, decode_params(found.raw_params)
    except ParameterNotUTF8 as error:
        raise Problem(INVALID_REQUEST, str(error)) from None
