"""Each engine's reading and writing of one file: Polars, DuckDB and Arrow, each imported only
when a frame of it is read or written.

Reading materialises what the engine reads eagerly (a Polars `DataFrame`, an Arrow `Table`);
DuckDB reads lazily, as its queries run: a local file in place, a downloaded one from a
folder that lives as long as the connection (removed when the connection is collected, or
at exit). Writing
streams where the engine can: a Polars `LazyFrame` is sunk, a DuckDB relation is copied by
DuckDB, an Arrow `RecordBatchReader` is written batch by batch.

>>> import pyarrow as pa, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
>>> write_file(pa.table({"id": [1, 2]}), path, "parquet")
{'id': 'int64'}
>>> read_file("arrow", path, "parquet", in_place=True, connection=None).num_rows
2
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
import weakref
from pathlib import Path
from typing import Any

from ._schema import arrow_schema

__all__ = ["ENGINES", "FORMATS", "engine_of", "is_frame", "not_a_frame", "read_file", "write_file"]

ENGINES = ("polars", "duckdb", "arrow")
FORMATS = ("parquet", "csv")

_folders: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()
_folders_lock = threading.Lock()

_ROOT_MODULES = {"polars": "polars", "duckdb": "duckdb", "_duckdb": "duckdb", "pyarrow": "arrow"}


def engine_of(frame: object) -> str | None:
    """The engine whose frame `frame` is, without importing any engine."""
    return _ROOT_MODULES.get(type(frame).__module__.partition(".")[0])


def read_file(engine: str, path: Path, format: str, *, in_place: bool, connection: Any) -> Any:
    """Read `path` with `engine`; `in_place` is false for a copy that is deleted afterwards."""
    if engine == "polars":
        import polars as pl

        return pl.read_parquet(path) if format == "parquet" else pl.read_csv(path)
    if engine == "arrow":
        import pyarrow.csv
        import pyarrow.parquet

        return (
            pyarrow.parquet.read_table(path) if format == "parquet" else pyarrow.csv.read_csv(path)
        )
    import duckdb

    con = duckdb.default_connection() if connection is None else connection
    if not in_place:  # the relation reads the file whenever it runs: keep it with `con`
        kept = _folder_of(con) / f"{uuid.uuid4().hex}{path.suffix}"
        shutil.move(path, kept)
        path = kept
    return getattr(con, f"read_{format}")(str(path))


def _folder_of(connection: Any) -> Path:
    """A folder that lives as long as `connection` does (every relation holds its connection)."""
    with _folders_lock:
        folder = _folders.get(connection)
        if folder is None:
            folder = _folders[connection] = Path(tempfile.mkdtemp(prefix="datlake-duckdb-"))
            weakref.finalize(connection, shutil.rmtree, folder, True)
    return folder


def is_frame(frame: object) -> bool:
    """Whether `write_file` writes `frame` (its engine is loaded already if it is one)."""
    engine = engine_of(frame)
    if engine == "polars":
        import polars as pl

        return isinstance(frame, pl.DataFrame | pl.LazyFrame)
    if engine == "duckdb":
        import duckdb

        return isinstance(frame, duckdb.DuckDBPyRelation)
    if engine == "arrow":
        import pyarrow as pa

        return isinstance(frame, pa.Table | pa.RecordBatchReader)
    return False


def not_a_frame(frame: object) -> str:
    """What to say of a `frame` that `is_frame` refuses."""
    return (
        "frame: a polars DataFrame or LazyFrame, a duckdb relation, or a pyarrow Table or"
        f" RecordBatchReader is needed, not a {type(frame).__module__}.{type(frame).__qualname__}"
    )


def write_file(frame: Any, path: Path, format: str) -> dict[str, str]:
    """Write `frame`, one that `is_frame` accepts, to `path` as `format`; returns its schema.
    What the engine raises (a nested column in CSV) passes through."""
    engine = engine_of(frame)
    if engine == "polars":
        return _write_polars(frame, path, format)
    if engine == "duckdb":
        getattr(frame, f"write_{format}")(str(path))
        return arrow_schema(frame.limit(0).to_arrow_table().schema)
    return _write_arrow(frame, path, format)


def _write_polars(frame: Any, path: Path, format: str) -> dict[str, str]:
    import polars as pl

    if isinstance(frame, pl.LazyFrame):  # the streaming engine writes it batch by batch
        schema = frame.collect_schema()
        getattr(frame, f"sink_{format}")(path)
    else:
        schema = frame.schema
        getattr(frame, f"write_{format}")(path)
    return arrow_schema(pl.DataFrame(schema=schema).to_arrow().schema)


def _write_arrow(frame: Any, path: Path, format: str) -> dict[str, str]:
    import pyarrow as pa
    import pyarrow.csv
    import pyarrow.parquet

    batches: Any = [frame] if isinstance(frame, pa.Table) else frame  # or a batch reader
    writer: Any = (
        pyarrow.parquet.ParquetWriter(path, frame.schema)
        if format == "parquet"
        else pyarrow.csv.CSVWriter(path, frame.schema)
    )
    with writer:
        for batch in batches:
            writer.write(batch)
    return arrow_schema(frame.schema)
