"""DataFrames in one call: read a table's newest snapshot into Polars, DuckDB or Arrow (an input
edge), write a frame as a new snapshot (uploaded, registered with the frame's schema: an
output edge). Needs the `frames` extra (`pip install 'datlake-sdk[frames]'`); each engine is
imported only when used.

>>> import polars as pl
>>> from datlake_sdk.frames import read_latest, write_snapshot
>>> users = read_latest(client, run, "users_raw")  # doctest: +SKIP
>>> write_snapshot(client, run, "users_curated", pl.DataFrame({"id": [1]}), bucket="lake")
... # doctest: +SKIP
Ok(value=SnapshotInfo(table_name='users_curated', ..., schema={'id': 'int64'}, ...))
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

from .._client import DatlakeClient
from .._errors import NotFound, SDKError, ValidationError
from .._ids import new_id
from .._names import bad_bucket, bad_name, bad_object_name, bad_run, first_invalid
from .._objects import upload_file
from .._operations import bad_choice
from .._result import Err, Ok, Result, and_then
from .._tables import fetch_latest_uri, register_snapshot
from .._types import Run, SnapshotInfo
from ._engines import ENGINES, FORMATS, is_frame, not_a_frame, read_file, write_file
from ._uris import local_file

if TYPE_CHECKING:
    import duckdb
    import polars as pl
    import pyarrow as pa

    Frame: TypeAlias = (
        pl.DataFrame | pl.LazyFrame | duckdb.DuckDBPyRelation | pa.Table | pa.RecordBatchReader
    )

__all__ = ["Engine", "Format", "read_frame", "read_latest", "write_snapshot"]

Engine = Literal["polars", "duckdb", "arrow"]
Format = Literal["parquet", "csv"]


@overload
def read_latest(
    client: DatlakeClient, run: Run | None, table: str, *, engine: Literal["polars"] = ...
) -> Result[pl.DataFrame, SDKError]: ...
@overload
def read_latest(
    client: DatlakeClient, run: Run | None, table: str, *, engine: Literal["arrow"]
) -> Result[pa.Table, SDKError]: ...
@overload
def read_latest(
    client: DatlakeClient,
    run: Run | None,
    table: str,
    *,
    engine: Literal["duckdb"],
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Result[duckdb.DuckDBPyRelation, SDKError]: ...
def read_latest(
    client: DatlakeClient,
    run: Run | None,
    table: str,
    *,
    engine: Engine = "polars",
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Result[Any, SDKError]:
    """The newest snapshot of `table` as a frame of `engine`, recorded as read by `run` (with
    `None`, a plain read). Parquet and CSV snapshots can be read, at `file://` and
    `datlake://bucket/object` uris, and at any other scheme fsspec knows when it is installed.

    `polars` gives a `polars.DataFrame`, `arrow` a `pyarrow.Table`, `duckdb` a lazy relation
    on `connection` (DuckDB's default connection unless given); a downloaded file it reads is
    kept until that connection is collected.
    A table without snapshots is `Err(NotFound)` (under every error strategy: there is no
    frame to give), a file that cannot be read or a format no engine reads is
    `Err(ValidationError)`; the input edge is recorded before the file is read.

    >>> read_latest(client, run, "users_raw", engine="duckdb").value.count("*")  # doctest: +SKIP
    """
    return read_frame(client, run, table, engine, connection)


def read_frame(
    client: DatlakeClient, run: Run | None, table: str, engine: str, connection: Any
) -> Result[Any, SDKError]:
    """`read_latest` for an engine known only at run time."""
    invalid = bad_choice("engine", engine, ENGINES)
    if invalid is not None:
        return client.refuse("read_latest", invalid, run)
    return and_then(
        fetch_latest_uri(client, run, table),
        lambda found: _read(client, run, table, found.uri, found.format, engine, connection),
    )


def _read(
    client: DatlakeClient,
    run: Run | None,
    table: str,
    uri: str,
    format: str,
    engine: str,
    connection: Any,
) -> Result[Any, SDKError]:
    def refused(error: SDKError) -> Err[SDKError]:
        return client.refuse("read_latest", error, run)

    if not uri:  # the sentinel of `continue_on_not_found`
        return refused(NotFound(f"table {table} has no snapshot"))
    format = format.lower()
    if format not in FORMATS:
        return refused(
            ValidationError(f"{table}: a {format!r} snapshot cannot be read; parquet and csv can")
        )
    with tempfile.TemporaryDirectory(prefix="datlake-read-") as folder:
        path = local_file(client, uri, Path(folder))
        if isinstance(path, Err):
            return refused(path.error)
        try:
            frame = read_file(
                engine,
                path.value,
                format,
                in_place=not path.value.is_relative_to(folder),
                connection=connection,
            )
        except Exception as ex:  # whatever the engine raises on a file it cannot read
            return refused(_caused(f"{table}: cannot read {uri} as {format} with {engine}", ex))
    return Ok(frame)


def write_snapshot(
    client: DatlakeClient,
    run: Run,
    table: str,
    frame: Frame,
    *,
    bucket: str,
    object_name: str | None = None,
    format: Format = "parquet",
) -> Result[SnapshotInfo, SDKError]:
    """Write `frame` as a new snapshot of `table`: to a temporary file, uploaded to `bucket`
    (as `object_name`, by default `tables/{table}/{snapshot_id}.{format}`), registered by
    `run` with the frame's schema (`{column: Arrow type name}`). `Ok` holds the `SnapshotInfo`.

    Takes a Polars `DataFrame` or `LazyFrame`, a DuckDB relation, or an Arrow `Table` or
    `RecordBatchReader`; a `LazyFrame`, a relation and a reader are written as they stream, so
    memory does not grow with them. Anything else, a bad name, or a frame the format cannot
    hold (a nested column in CSV) is `Err(ValidationError)`, before anything is uploaded.

    >>> write_snapshot(client, run, "users_curated", users, bucket="lake")  # doctest: +SKIP
    Ok(value=SnapshotInfo(table_name='users_curated', uri='datlake://lake/tables/...', ...))
    """
    snapshot_id = new_id()
    if object_name is None:
        object_name = f"tables/{table}/{snapshot_id}.{format}"
    invalid = first_invalid(
        bad_run("run", run),
        bad_name("table", table),
        bad_bucket("bucket", bucket),
        bad_object_name("object_name", object_name),
        bad_choice("format", format, FORMATS),
        None if is_frame(frame) else ValidationError(not_a_frame(frame)),
    )
    if invalid is not None:
        return client.refuse("write_snapshot", invalid, run)
    with tempfile.TemporaryDirectory(prefix="datlake-write-") as folder:
        path = Path(folder) / f"{table}.{format}"
        try:
            schema = write_file(frame, path, format)
        except Exception as ex:  # the engine's word on a frame it cannot write so
            error = _caused(f"frame: cannot write it as {format}", ex)
            return client.refuse("write_snapshot", error, run)
        return and_then(
            upload_file(client, bucket, object_name, path, run=run),
            lambda stored: register_snapshot(
                client,
                run,
                table,
                stored.uri,
                format=format,
                schema=schema,
                snapshot_id=snapshot_id,
            ),
        )


def _caused(message: str, ex: Exception) -> ValidationError:
    from ..cli._manners import missing_extra  # only now: the CLI's module is not needed before

    advice = missing_extra(ex, "frames") if isinstance(ex, ModuleNotFoundError) else None
    error = ValidationError(f"{message}: {advice or ex}")
    error.__cause__ = ex
    return error
