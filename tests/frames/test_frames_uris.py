"""Snapshots at uris that are neither `file://` nor `datlake://`: read through fsspec when it is
installed, an `Err` that says what to install when it is not; and engines load only when used."""

from __future__ import annotations

import subprocess
import sys

import fsspec
import polars as pl
import pytest

from datlake_sdk import DatlakeClient, JobContext
from datlake_sdk.frames import read_latest
from datlake_sdk.functional import Err, Ok, ValidationError

from ..server.datlake_e2e import unique
from .test_frames_end_to_end import USERS, publish


def test_an_fsspec_uri_is_read_through_fsspec(client: DatlakeClient, job: JobContext) -> None:
    table = unique("remote")
    uri = f"memory://lake/{table}/part-0.parquet"
    with fsspec.open(uri, "wb") as out:
        USERS.write_parquet(out)
    publish(client, table, uri, "parquet")

    read = read_latest(client, job.run, table, engine="arrow")

    assert isinstance(read, Ok), read
    assert pl.from_arrow(read.value).equals(USERS)


def test_an_fsspec_uri_that_is_missing_is_an_err(client: DatlakeClient, job: JobContext) -> None:
    table = unique("gone")
    publish(client, table, f"memory://lake/{table}/nothing.parquet", "parquet")

    read = read_latest(client, job.run, table)

    assert isinstance(read, Err)
    assert isinstance(read.error, ValidationError)
    assert "cannot read 'memory://lake/" in str(read.error)


def test_without_fsspec_other_schemes_say_what_to_install(
    client: DatlakeClient, job: JobContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = unique("s3")
    publish(client, table, "s3://bucket/users.parquet", "parquet")
    monkeypatch.setitem(sys.modules, "fsspec", None)  # import fsspec now raises ImportError

    read = read_latest(client, job.run, table)

    assert isinstance(read, Err)
    assert "reading s3:// uris needs fsspec (pip install fsspec)" in str(read.error)


def loaded_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(done.stdout.split())


def roots(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def test_engines_load_only_when_a_frame_of_theirs_is_used() -> None:
    engines = {"polars", "duckdb", "pyarrow", "fsspec"}
    with_frames = loaded_after("import datlake_sdk.frames\nfrom datlake_sdk import JobContext")
    assert not roots(with_frames) & engines
    functional = loaded_after("import datlake_sdk.functional")
    assert not roots(functional) & engines
    assert not {name for name in functional if name.startswith("datlake_sdk.frames")}
    arrow_only = loaded_after(
        "import pyarrow as pa, pathlib, tempfile\n"
        "from datlake_sdk.frames._engines import write_file\n"
        "write_file(pa.table({'a': [1]}), pathlib.Path(tempfile.mkdtemp()) / 'a.csv', 'csv')"
    )
    assert "pyarrow" in roots(arrow_only)
    assert not {"polars", "duckdb"} & roots(arrow_only)


def test_the_frames_module_exports_exactly_its_list_sorted() -> None:
    import datlake_sdk.dask
    import datlake_sdk.frames

    assert datlake_sdk.frames.__all__ == [
        "Engine",
        "Format",
        "read_frame",
        "read_latest",
        "write_snapshot",
    ]
    assert datlake_sdk.dask.__all__ == ["DatlakeWorkerPlugin", "JoinedRun", "SharedRun"]


def test_a_missing_engine_says_which_extra_to_install(
    client: DatlakeClient, job: JobContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = unique("users")
    job.write(table, USERS, bucket="lake")
    monkeypatch.setitem(sys.modules, "polars", None)  # import polars now raises

    read = read_latest(client, job.run, table)

    assert isinstance(read, Err)
    assert "the frames extra is not installed (no module polars)" in str(read.error)
    assert "pip install 'datlake-sdk[frames]'" in str(read.error)
