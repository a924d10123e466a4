"""How the functional SDK reads to a type checker: `mypy --strict` and `pyright` both accept
this file, and each `assert_type` proves what they inferred.

Run it (no Datlake needed for the first part): `python examples/typing_example.py`.
"""

from __future__ import annotations

import os
from typing import assert_type

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Err,
    NotFound,
    Ok,
    Result,
    Run,
    SDKError,
    SnapshotInfo,
    UriInfo,
    and_then,
    fetch_latest_uri,
    is_err,
    is_ok,
    map,
    map_err,
    recover,
    register_snapshot,
    start_run,
    tee,
    unwrap,
    unwrap_or,
)


def parse_rows(text: str) -> Result[int, SDKError]:
    """A user's step that may fail, returning the SDK's `Result`."""
    try:
        return Ok(int(text))
    except ValueError as ex:
        return Err(SDKError.from_exception(ex))


def zero_when_missing(error: SDKError) -> Result[int, SDKError]:
    return Ok(0) if isinstance(error, NotFound) else Err(error)


def combinators() -> None:
    rows = parse_rows("1200")
    assert_type(rows, Ok[int] | Err[SDKError])

    # `map` may change the value's type; `map_err` the error's.
    label = map(rows, lambda n: f"{n} rows")
    assert_type(label, Ok[str] | Err[SDKError])
    message = map_err(rows, lambda error: error.message)
    assert_type(message, Ok[int] | Err[str])

    # `and_then` chains a step that may fail; `recover` turns an error back into a value.
    doubled = and_then(rows, lambda n: parse_rows(str(n * 2)))
    assert_type(doubled, Ok[int] | Err[SDKError])
    defaulted = recover(parse_rows("many"), zero_when_missing)
    assert_type(defaulted, Ok[int] | Err[SDKError])
    logged = tee(rows, print)
    assert_type(logged, Ok[int] | Err[SDKError])

    assert_type(unwrap(rows), int)
    assert_type(unwrap_or(parse_rows("x"), None), int | None)

    # Guards narrow, as `isinstance` does.
    if is_ok(rows):
        assert_type(rows, Ok[int])
        assert_type(rows.value, int)
    if is_err(message):
        assert_type(message.error, str)
    if isinstance(rows, Err):
        assert_type(rows.error, SDKError)

    match doubled:
        case Ok(value):
            assert_type(value, int)
            print("doubled:", value)
        case Err(NotFound() as missing):
            assert_type(missing, NotFound)
        case Err(error):
            assert_type(error, SDKError)
            print("failed:", error.code)


def pipeline(client: DatlakeClient, write: str) -> Result[SnapshotInfo, SDKError]:
    """The daily_users read-transform-write pipeline, each step typed."""
    started = start_run(client, "daily_users", metadata={"source": "s3"})
    assert_type(started, Ok[Run] | Err[SDKError])
    if isinstance(started, Err):
        return started
    run = started.value

    source = fetch_latest_uri(client, run, "users_raw")
    assert_type(source, Ok[UriInfo] | Err[SDKError])
    out_uri = map(source, lambda info: f"{write}/{info.table_name}.parquet")
    assert_type(out_uri, Ok[str] | Err[SDKError])
    written = and_then(
        out_uri,
        lambda uri: register_snapshot(client, run, "users_curated", uri, format="parquet"),
    )
    assert_type(written, Ok[SnapshotInfo] | Err[SDKError])
    return written


if __name__ == "__main__":
    combinators()
    if url := os.environ.get("DATLAKE_URL"):
        with DatlakeClient(url) as client:
            print(pipeline(client, "file:///tmp/datlake-example"))
