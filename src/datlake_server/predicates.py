"""JSON Schemas of the subset the spec uses, compiled to plain predicates: the fast path of
the request checks (`validation.py`).

A predicate only says "valid": True means jsonschema (with the OAS 3.0 dialect and ECMA
patterns of `datlake_sdk._contract_check`) finds no error either; False means it may find
one, and jsonschema itself is then asked for the errors and their words. A schema with any
keyword outside the subset gets no predicate (None): jsonschema checks all of its requests,
as before. Each keyword applies to the types jsonschema applies it to, so the verdicts stay
jsonschema's; `tests/server/test_server_validation.py` holds the two alike.

>>> ok = predicate({"type": "string", "minLength": 1, "pattern": "^[a-z]+$"})
>>> ok("daily"), ok("daily\\n"), ok(""), ok(7)
(True, False, False, False)
>>> predicate({"type": "string", "format": "date-time"}) is None
True
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

from datlake_sdk._contract_check import ecma_regex

Predicate = Callable[[Any], bool]

# what the keywords that only annotate say is no constraint
_ANNOTATIONS = frozenset({"description", "default", "title", "example"})

# the OAS 3.0 types as jsonschema tells them apart: a bool is neither integer nor number
_TYPES: dict[str, Predicate] = {
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "number": lambda x: isinstance(x, numbers.Number) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
}
_is_number = _TYPES["number"]
# the OAS formats of integers and their width in bits (other types pass them)
_INTEGER_FORMATS = {"int32": 32, "int64": 64}


def predicate(schema: Mapping[str, Any]) -> Predicate | None:
    """The predicate of `schema` (its `$ref`s already inlined), or None when it uses a keyword
    outside the subset."""
    checks: list[Predicate] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        check = _keyword(keyword, value, schema)
        if check is None:
            return None
        checks.append(check)
    return _all(checks)


def _all(checks: list[Predicate]) -> Predicate:
    """True when every check is: a plain loop, as a request is checked by many of these."""
    if len(checks) == 1:
        return checks[0]

    def ok(instance: Any) -> bool:
        return all(check(instance) for check in checks)

    return ok


def _keyword(keyword: str, value: Any, schema: Mapping[str, Any]) -> Predicate | None:
    if keyword == "type":
        return _TYPES.get(value) if isinstance(value, str) else None
    if keyword in ("minLength", "maxLength"):
        low, high = (value, None) if keyword == "minLength" else (0, value)
        return lambda x: not isinstance(x, str) or _within(len(x), low, high)
    if keyword == "pattern":
        search = ecma_regex(value).search
        return lambda x: not isinstance(x, str) or search(x) is not None
    if keyword in ("minimum", "maximum"):
        if "exclusiveMinimum" in schema or "exclusiveMaximum" in schema:
            return None
        low, high = (value, None) if keyword == "minimum" else (None, value)
        return lambda x: not _is_number(x) or _within(x, low, high)
    if keyword == "format":
        bits = _INTEGER_FORMATS.get(value)
        if bits is None:
            return None  # the others (date-time, ...) are left to the format checker
        low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        return lambda x: not _TYPES["integer"](x) or _within(x, low, high)
    if keyword == "maxItems":
        return lambda x: not isinstance(x, list) or len(x) <= value
    if keyword == "enum":
        if not all(isinstance(choice, str) for choice in value):
            return None  # jsonschema's equality tells 1 from True: strings alone are plain
        choices = frozenset(value)
        return lambda x: isinstance(x, str) and x in choices
    if keyword == "required":
        if any(sub.get("readOnly") for sub in schema.get("properties", {}).values()):
            return None  # a request may leave out a read-only property
        return lambda x: not isinstance(x, dict) or all(name in x for name in value)
    if keyword == "items":
        item = predicate(value) if isinstance(value, Mapping) else None
        if item is None:
            return None
        return lambda x: not isinstance(x, list) or all(item(each) for each in x)
    if keyword == "properties":
        return _properties(value)
    if keyword == "additionalProperties":
        return _additional(value, frozenset(schema.get("properties", {})))
    return None


def _within(number: Any, low: Any, high: Any) -> bool:
    return (low is None or number >= low) and (high is None or number <= high)


def _properties(schemas: Mapping[str, Any]) -> Predicate | None:
    checks = {name: predicate(sub) for name, sub in schemas.items()}
    if any(check is None for check in checks.values()):
        return None
    found = [(name, check) for name, check in checks.items() if check is not None]

    def ok(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        return all(check(x[name]) for name, check in found if name in x)

    return ok


def _additional(value: Any, declared: frozenset[str]) -> Predicate | None:
    if value is True:
        return lambda x: True
    if value is False:
        return lambda x: not isinstance(x, dict) or declared.issuperset(x)
    other = predicate(value) if isinstance(value, Mapping) else None
    if other is None:
        return None
    return lambda x: (
        not isinstance(x, dict)
        or all(other(item) for name, item in x.items() if name not in declared)
    )
