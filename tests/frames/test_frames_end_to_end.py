"""`read_latest`, `write_snapshot`, `job.read` and `job.write` against a real local Datlake over
loopback: edges, uploads, schemas and every engine's frames, both ways."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

from datlake_sdk import DatlakeClient, JobContext
from datlake_sdk.frames import _engines, read_latest, write_snapshot
from datlake_sdk.functional import (
    Err,
    NotFound,
    Ok,
    ValidationError,
    complete_run,
    download_object,
    get_run,
    list_snapshots,
    register_snapshot,
    start_run,
    unwrap,
)

from ..server.datlake_e2e import unique
from .conftest import API_KEY

USERS = pl.DataFrame(
    {
        "id": [1, 2, 3],
        "email": ["ada@example.com", "grace@example.com", "linus@example.org"],
        "score": [1.5, 2.0, 3.25],
    }
)
USERS_SCHEMA = {"id": "int64", "email": "string", "score": "double"}


def publish(client: DatlakeClient, table: str, uri: str, format: str) -> None:
    """An upstream run registers `uri` as the newest snapshot of `table`."""
    run = unwrap(start_run(client, unique("upstream")))
    unwrap(register_snapshot(client, run, table, uri, format=format))
    unwrap(complete_run(client, run, success=True))


def as_polars(frame: Any) -> pl.DataFrame:
    if isinstance(frame, duckdb.DuckDBPyRelation):
        return pl.from_arrow(frame.order("id").to_arrow_table())
    if isinstance(frame, pa.Table):
        return pl.from_arrow(frame)
    assert isinstance(frame, pl.DataFrame)
    return frame


def test_the_seed_pipeline_with_job_read_and_job_write(
    client: DatlakeClient, tmp_path: Path
) -> None:
    raw, curated = unique("users_raw"), unique("users_curated")
    source = tmp_path / "users_raw.csv"
    source.write_text("id,email\n1,Ada@Example.com\n2,ada@example.com\n3,grace@example.com\n")
    publish(client, raw, source.as_uri(), "csv")

    with JobContext(client, unique("daily_users"), heartbeat_every=None) as job:
        users = job.read(raw)
        out = job.write(
            curated,
            users.with_columns(pl.col("email").str.to_lowercase()).unique("email", keep="first"),
            bucket="lake",
        )

    recorded = unwrap(get_run(client, job.run.job_name, job.run.run_id))
    assert recorded.status == "succeeded"
    assert [s.table_name for s in recorded.inputs] == [raw]
    assert [(s.table_name, s.snapshot_id) for s in recorded.outputs] == [(curated, out.snapshot_id)]
    assert out.format == "parquet"
    assert out.schema == {"id": "int64", "email": "string"}
    assert out.uri == f"datlake://lake/tables/{curated}/{out.snapshot_id}.parquet"
    copy = tmp_path / "copy.parquet"
    unwrap(download_object(client, "lake", out.uri.removeprefix("datlake://lake/"), copy))
    assert sorted(pl.read_parquet(copy)["email"]) == ["ada@example.com", "grace@example.com"]


@pytest.mark.parametrize("engine", ["polars", "duckdb", "arrow"])
@pytest.mark.parametrize("where", ["file", "datlake"])
@pytest.mark.parametrize("format", ["parquet", "csv"])
def test_every_engine_reads_local_and_uploaded_snapshots(
    client: DatlakeClient, job: JobContext, tmp_path: Path, engine: str, where: str, format: str
) -> None:
    table = unique("users")
    path = tmp_path / f"users.{format}"
    USERS.write_parquet(path) if format == "parquet" else USERS.write_csv(path)
    uri = path.as_uri()
    if where == "datlake":
        uri = job.write(table, USERS, bucket="lake", format=format).uri
    else:
        publish(client, table, uri, format)

    frame = read_latest(client, job.run, table, engine=engine)

    assert isinstance(frame, Ok), frame
    assert_frame_equal(as_polars(frame.value), USERS, check_dtypes=False)
    inputs = unwrap(get_run(client, job.run.job_name, job.run.run_id)).inputs
    assert [s.table_name for s in inputs] == [table]


def frames_of_every_kind() -> dict[str, Any]:
    arrow = USERS.to_arrow()
    return {
        "polars.DataFrame": USERS,
        "polars.LazyFrame": USERS.lazy(),
        "duckdb relation": duckdb.from_arrow(arrow),
        "pyarrow.Table": arrow,
        "pyarrow.RecordBatchReader": pa.RecordBatchReader.from_batches(
            arrow.schema, arrow.to_batches(max_chunksize=1)
        ),
    }


@pytest.mark.parametrize("kind", list(frames_of_every_kind()))
@pytest.mark.parametrize("format", ["parquet", "csv"])
def test_every_kind_of_frame_is_written_with_its_schema(
    client: DatlakeClient, job: JobContext, kind: str, format: str
) -> None:
    table = unique("users")
    frame = frames_of_every_kind()[kind]

    written = write_snapshot(client, job.run, table, frame, bucket="lake", format=format)

    assert isinstance(written, Ok), written
    assert written.value.schema == USERS_SCHEMA
    assert written.value.format == format
    latest = unwrap(list_snapshots(client, table)).items
    assert [s.snapshot_id for s in latest] == [written.value.snapshot_id]
    assert latest[0].schema == USERS_SCHEMA
    back = unwrap(read_latest(client, None, table))
    assert_frame_equal(back, USERS)


def test_the_same_data_has_the_same_schema_whichever_engine_wrote_it(
    client: DatlakeClient, job: JobContext
) -> None:
    frame = pl.DataFrame(
        {
            "day": pl.Series([None], dtype=pl.Date),
            "tags": [["a", "b"]],
            "kind": pl.Series(["x"], dtype=pl.Categorical),
        }
    )
    via_polars = job.write(unique("t"), frame, bucket="lake")
    via_arrow = job.write(unique("t"), frame.to_arrow(), bucket="lake")
    via_duckdb = job.write(unique("t"), duckdb.from_arrow(frame.to_arrow()), bucket="lake")

    assert via_polars.schema == {"day": "date32[day]", "tags": "list<string>", "kind": "string"}
    assert via_arrow.schema == via_polars.schema
    assert via_duckdb.schema == via_polars.schema


def test_a_downloaded_duckdb_read_is_lazy_and_its_file_lives_as_long_as_its_connection(
    client: DatlakeClient, job: JobContext
) -> None:
    table = unique("users")
    job.write(table, USERS, bucket="lake")  # an uploaded snapshot: downloaded to be read
    con = duckdb.connect()

    relation = job.read(table, engine="duckdb", connection=con)

    folder = _engines._folders[con]
    kept = list(folder.iterdir())
    counted = relation.aggregate("count(*)").fetchall()
    summed = relation.filter("id > 1").aggregate("sum(score)").fetchall()
    assert (len(kept), counted, summed) == (1, [(3,)], [(5.25,)])
    del relation, con  # (values kept by assertions would keep the connection alive)
    gc.collect()
    assert not folder.exists()


def test_a_missing_table_is_not_found_under_every_strategy(server_url: str) -> None:
    for strategy in ("fail_fast", "continue_on_not_found"):
        with DatlakeClient(server_url, API_KEY, error_strategy=strategy) as client:
            read = read_latest(client, None, unique("nothing"))
        assert isinstance(read, Err)
        assert isinstance(read.error, NotFound), strategy


@pytest.mark.parametrize(
    ("content", "format", "says"),
    [
        (None, "parquet", "no such file"),
        (b"not a parquet file", "parquet", "cannot read"),
        (b"{}", "json", "'json' snapshot cannot be read"),
    ],
)
def test_an_unreadable_snapshot_is_an_err_after_its_input_edge(
    client: DatlakeClient,
    job: JobContext,
    tmp_path: Path,
    content: bytes | None,
    format: str,
    says: str,
) -> None:
    table = unique("broken")
    path = tmp_path / f"part.{format}"
    if content is not None:
        path.write_bytes(content)
    publish(client, table, path.as_uri(), format)

    for engine in ("polars", "duckdb", "arrow"):
        read = read_latest(client, job.run, table, engine=engine)
        assert isinstance(read, Err), engine
        assert isinstance(read.error, ValidationError)
        assert says in str(read.error)
    inputs = unwrap(get_run(client, job.run.job_name, job.run.run_id)).inputs
    assert [s.table_name for s in inputs] == [table]


@pytest.mark.parametrize(
    ("frame", "kwargs", "says"),
    [
        ([1, 2, 3], {}, "not a builtins.list"),
        (pl.Series([1, 2]), {}, "not a polars.series.series.Series"),
        (pl.DataFrame({"nested": [[1, 2]]}), {"format": "csv"}, "cannot write it as csv"),
        (USERS, {"format": "json"}, "format: 'json' is not one of parquet, csv"),
        (USERS, {"bucket": "Not A Bucket"}, "bucket"),
        (USERS, {"object_name": "../escape"}, "object_name"),
    ],
)
def test_a_frame_that_cannot_be_written_is_an_err_and_nothing_is_registered(
    client: DatlakeClient, job: JobContext, frame: Any, kwargs: dict[str, Any], says: str
) -> None:
    table = unique("never")

    written = write_snapshot(client, job.run, table, frame, **{"bucket": "lake", **kwargs})

    assert isinstance(written, Err)
    assert isinstance(written.error, ValidationError)
    assert says in str(written.error)
    assert unwrap(list_snapshots(client, table)).items == ()
    with pytest.raises(ValidationError):
        job.write(table, frame, **{"bucket": "lake", **kwargs})


def test_an_unknown_engine_is_an_err(client: DatlakeClient) -> None:
    read = read_latest(client, None, "users", engine="pandas")

    assert isinstance(read, Err)
    assert "engine: 'pandas' is not one of polars, duckdb, arrow" in str(read.error)
