"""`JobContext.read` and `JobContext.write`: the frames of `datlake_sdk.frames` in a `with`
block, raising the `SDKError` instead of returning `Err` (like `input` and `output`).

>>> with JobContext(client, "daily_users") as job:  # doctest: +SKIP
...     users = job.read("users_raw")                      # a polars DataFrame, input edge
...     job.write("users_curated", users.unique("email"), bucket="lake")   # output edge
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from .._client import DatlakeClient
from .._errors import SDKError
from .._result import Err, Result
from .._types import Run, SnapshotInfo
from . import Format, read_frame, write_snapshot

if TYPE_CHECKING:
    import duckdb
    import polars as pl
    import pyarrow as pa

    from . import Frame

__all__ = ["FrameMethods"]

T = TypeVar("T")


class FrameMethods:
    """What `JobContext` gains from the frames: `read` and `write` on its run."""

    client: DatlakeClient

    @property
    def run(self) -> Run:
        raise NotImplementedError

    @overload
    def read(self, table: str, *, engine: Literal["polars"] = ...) -> pl.DataFrame: ...
    @overload
    def read(self, table: str, *, engine: Literal["arrow"]) -> pa.Table: ...
    @overload
    def read(
        self,
        table: str,
        *,
        engine: Literal["duckdb"],
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> duckdb.DuckDBPyRelation: ...
    def read(
        self,
        table: str,
        *,
        engine: str = "polars",
        connection: duckdb.DuckDBPyConnection | None = None,
    ) -> Any:
        """The newest snapshot of `table` as a frame, recorded as read by this run (see
        `datlake_sdk.frames.read_latest`).

        >>> job.read("users_raw", engine="duckdb").filter("country = 'uk'")  # doctest: +SKIP
        """
        return _value(read_frame(self.client, self.run, table, engine, connection))

    def write(
        self,
        table: str,
        frame: Frame,
        *,
        bucket: str,
        object_name: str | None = None,
        format: Format = "parquet",
    ) -> SnapshotInfo:
        """Upload `frame` and register it as this run's snapshot of `table`, with the frame's
        schema (see `datlake_sdk.frames.write_snapshot`).

        >>> job.write("users_curated", users, bucket="lake", format="csv")  # doctest: +SKIP
        """
        return _value(
            write_snapshot(
                self.client,
                self.run,
                table,
                frame,
                bucket=bucket,
                object_name=object_name,
                format=format,
            )
        )


def _value(result: Result[T, SDKError]) -> T:
    if isinstance(result, Err):
        raise result.error
    return result.value
