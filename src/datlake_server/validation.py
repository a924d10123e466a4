"""Checks requests (and, on demand, responses) against the spec with openapi-core.

openapi-core is handed a `SpecRequest` rather than a request through its Starlette adapter:
that adapter matches the decoded path and cannot see an object name's encoded slashes. The
router (`routing.route`) already knows the operation, so the request carries its path template
and the decoded path parameters, and openapi-core checks their values, reading patterns as
JSON Schema does (see `datlake_sdk._contract_check`, whose `describe_error` also words the
problems' details, as the testing kit words its violations). Object bodies are streamed and
never given to the validator.

>>> from datlake_server.routing import route
>>> checker = Checker()
>>> op, path = route("GET", b"/api/v1/lineage")
>>> checker.check_request(op, SpecRequest.of(op, path, "GET", "table=a%20b", [], None))
Traceback (most recent call last):
...
datlake_server.problems.Problem: query parameter table: 'a b' does not match the pattern ...
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from openapi_core.deserializing.media_types.util import json_loads
from openapi_core.validation.request.exceptions import MissingRequestBody
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)

from datlake_sdk._contract import Operation
from datlake_sdk._contract_check import (
    REQUEST_SCHEMAS,
    SpecRequest,
    SpecResponse,
    describe_error,
    open_api,
)
from datlake_server.problems import INVALID_BODY, INVALID_REQUEST, PROBLEM_JSON, Problem


class Checker:
    """Validates requests and responses of one spec; built once per app.

    Parameters and bodies are checked by separate openapi-core validators: an object upload's
    body streams to disk and is never given to the validator, and the API key is checked by
    the app itself (in constant time), so the security requirement is not re-checked here.
    """

    def __init__(self) -> None:
        self._api = open_api(extra_media_type_deserializers={PROBLEM_JSON: json_loads})
        self._parameters = V30RequestParametersValidator(
            self._api.spec, schema_validators_factory=REQUEST_SCHEMAS
        )
        self._body = V30RequestBodyValidator(
            self._api.spec,
            schema_validators_factory=REQUEST_SCHEMAS,
            extra_media_type_deserializers={"application/json": loads_json},
        )

    def check_request(self, op: Operation, request: SpecRequest) -> None:
        """Raise a 400 problem for bad parameters or headers, a 422 for a bad JSON body."""
        errors = list(self._parameters.iter_errors(request))
        if errors:
            raise Problem(INVALID_REQUEST, "; ".join(describe_error(e) for e in errors))
        if op.json_body:
            # an optional body (heartbeat's) may be absent
            errors = [
                e for e in self._body.iter_errors(request) if not isinstance(e, MissingRequestBody)
            ]
            if errors:
                raise Problem(INVALID_BODY, "; ".join(describe_error(e) for e in errors))

    def check_response(self, request: SpecRequest, response: SpecResponse) -> list[str]:
        """Return how the response breaks the spec (empty when it conforms)."""
        return [describe_error(e) for e in self._api.iter_response_errors(request, response)]


def loads_json(body: bytes | str, **parameters: str) -> Any:
    """Parse a request body as strict JSON, or raise `ValueError`.

    Python's `json` reads more than JSON: `NaN` and `Infinity`, numbers too large for a float
    (as `inf`), `\\ud800` escapes of lone surrogates. None of these can be stored as UTF-8 or
    answered as JSON again, and nesting deeper than the interpreter recurses fails later too:
    they are refused here, so the validator answers 422 `invalid-body` for them.
    """
    try:
        document = json.loads(body, parse_constant=_not_json)
        json.dumps(document, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return document


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not JSON")
