"""JSON in and out of the server: orjson where it gives the standard library's answer, the
standard library where it would not.

orjson parses and writes a document in a fraction of `json`'s time, but differs at the edges:
it reads an integer beyond 64 bits as a float (losing digits), refuses a byte order mark or a
UTF-16 body that `json` reads, and cannot write an integer beyond 64 bits. Each of those falls
back to `json`, so what is accepted, and the values read and written, stay `json`'s.

>>> loads(b'{"n": 123456789012345678901234567890}')["n"]
123456789012345678901234567890
>>> loads(b"NaN")
Traceback (most recent call last):
...
ValueError: NaN is not JSON
>>> dumps({"name": "café", "n": 2**70})
'{"name":"café","n":1180591620717411303424}'
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

import orjson
from starlette.responses import JSONResponse as StarletteJSONResponse

# 19 digits in a row may be an integer beyond 64 bits, which orjson would read as a float
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_LONG_DIGITS_TEXT = re.compile(r"[0-9]{19}")


def loads(body: bytes | str) -> Any:
    """Parse a request body as strict JSON, or raise `ValueError`.

    Python's `json` reads more than JSON: `NaN` and `Infinity`, numbers too large for a float
    (as `inf`), `\\ud800` escapes of lone surrogates. None of these can be stored as UTF-8 or
    answered as JSON again, and nesting deeper than the interpreter recurses fails later too:
    they are refused here (orjson refuses them all itself).
    """
    long_digits = _LONG_DIGITS_TEXT if isinstance(body, str) else _LONG_DIGITS
    if long_digits.search(body) is None:  # type: ignore[arg-type]
        try:
            return orjson.loads(body)
        except (orjson.JSONDecodeError, RecursionError):
            pass  # json decides: it reads a few bodies orjson does not (UTF-16, a BOM)
    try:
        document = json.loads(body, parse_constant=_not_json)
        json.dumps(document, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return document


def encode(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON. The documents answered hold no NaN or infinity (checked
    requests cannot carry them, SQLite stores NaN as NULL), which orjson would write as null."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, say: json writes it
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")


def dumps(value: Any) -> str:
    """`value` as compact JSON text (non-ASCII as is), as stored in the database."""
    return encode(value).decode("utf-8")


class JSONResponse(StarletteJSONResponse):
    """Starlette's `JSONResponse`, its body written by `encode`."""

    def render(self, content: Any) -> bytes:
        return encode(content)


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not JSON")
