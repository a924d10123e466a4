"""The detached cache: while Datlake cannot be reached, `fetch_latest_uri` serves the newest
snapshot the client saw, and the input edge to that very snapshot is delivered later; against
real local Datlakes over loopback (down: nothing listens on the port)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from datlake_sdk import ConfigError, DatlakeClient, JobContext
from datlake_sdk._config import load_settings
from datlake_sdk.functional import Err, Ok, Transient, fetch_latest_uri, get_run, unwrap

from .test_outbox import API_KEY, client_for, datlake, free_port, seed_table, unique


@pytest.fixture
def port() -> int:
    return free_port()


def test_a_job_reads_its_input_from_the_cache_and_the_edge_names_that_snapshot(
    port: int, tmp_path: Path
) -> None:
    data, outbox = tmp_path / "datlake", tmp_path / "outbox.sqlite3"
    job, table = unique("offline"), unique("input")
    with datlake(data, port) as url:
        read_snapshot = seed_table(url, table)
        with client_for(port, outbox) as warm:
            assert unwrap(fetch_latest_uri(warm, None, table)).snapshot_id == read_snapshot
    # Datlake is down for the whole job
    with client_for(port, outbox, outbox_exit_timeout=0) as client:
        with JobContext(client, job) as ctx:
            src = ctx.input(table)
            ctx.output(f"{job}_out", src.uri + ".out", format="csv")
        assert src.from_cache
        assert src.pending
        assert src.snapshot_id == read_snapshot
        assert src.cache_age is not None
    with datlake(data, port) as url:
        newer = seed_table(url, table)  # the table moved on before the edge is delivered
        with client_for(port, outbox) as flusher:
            assert flusher.flush_outbox(timeout=30).pending == 0
        with DatlakeClient(url, API_KEY) as direct:
            stored = unwrap(get_run(direct, job, ctx.run.run_id))
    assert [s.snapshot_id for s in stored.inputs] == [read_snapshot]
    assert newer != read_snapshot
    assert stored.status == "succeeded"
    assert len(stored.outputs) == 1


def test_a_snapshot_older_than_the_max_age_is_not_served(port: int, tmp_path: Path) -> None:
    data, outbox = tmp_path / "datlake", tmp_path / "outbox.sqlite3"
    table = unique("input")
    with datlake(data, port) as url:
        seed_table(url, table)
        with client_for(port, outbox) as warm:
            unwrap(fetch_latest_uri(warm, None, table))
    with client_for(port, outbox, cache_max_age=0) as client:
        res = fetch_latest_uri(client, None, table)
    assert isinstance(res, Err)
    assert isinstance(res.error, Transient)


def test_with_the_cache_off_a_read_during_an_outage_is_an_err(port: int, tmp_path: Path) -> None:
    data, outbox = tmp_path / "datlake", tmp_path / "outbox.sqlite3"
    table = unique("input")
    with datlake(data, port) as url:
        seed_table(url, table)
        with client_for(port, outbox) as warm:
            unwrap(fetch_latest_uri(warm, None, table))
    with client_for(port, outbox, cache="off") as client:
        assert client.snapshot_cache is None
        assert isinstance(fetch_latest_uri(client, None, table), Err)


def test_a_table_the_client_never_saw_is_an_err(port: int, tmp_path: Path) -> None:
    with client_for(port, tmp_path / "outbox.sqlite3") as client:
        res = fetch_latest_uri(client, None, unique("never"))
    assert isinstance(res, Err)
    assert isinstance(res.error, Transient)


def test_registered_and_listed_snapshots_are_remembered(port: int, tmp_path: Path) -> None:
    from datlake_sdk.functional import list_snapshots, register_snapshot, start_run

    data, outbox = tmp_path / "datlake", tmp_path / "outbox.sqlite3"
    written, listed = unique("written"), unique("listed")
    with datlake(data, port) as url:
        seed_table(url, listed)
        with client_for(port, outbox) as client:
            run = unwrap(start_run(client, unique("writer")))
            unwrap(register_snapshot(client, run, written, "file:///w", format="csv"))
            unwrap(list_snapshots(client, listed))
    with client_for(port, outbox) as offline:
        assert isinstance(fetch_latest_uri(offline, None, written), Ok)
        assert isinstance(fetch_latest_uri(offline, None, listed), Ok)


def test_the_cache_lives_with_the_outbox() -> None:
    url = "http://127.0.0.1:8765"
    assert load_settings(url, environ={}).cache is False
    with pytest.raises(ConfigError, match="DATLAKE_SDK_CACHE"):
        load_settings(url, environ={"DATLAKE_SDK_CACHE": "on"})
    with pytest.raises(ConfigError, match="DATLAKE_SDK_CACHE_MAX_AGE: 'soon'"):
        load_settings(url, outbox="on", environ={"DATLAKE_SDK_CACHE_MAX_AGE": "soon"})
    on = load_settings(url, outbox="on", environ={"DATLAKE_SDK_CACHE_MAX_AGE": "2h"})
    assert on.cache is True
    assert on.cache_max_age == 7200


def test_cache_warm_and_show(port: int, tmp_path: Path) -> None:
    data, outbox = tmp_path / "datlake", tmp_path / "outbox.sqlite3"
    table = unique("input")
    env = {
        **os.environ,
        "DATLAKE_SDK_OUTBOX": str(outbox),
        "DATLAKE_URL": f"http://127.0.0.1:{port}",
        "DATLAKE_API_KEY": API_KEY,
    }
    command = [sys.executable, "-m", "datlake_sdk.cli", "cache"]
    with datlake(data, port) as url:
        snapshot = seed_table(url, table)
        warm = subprocess.run([*command, "warm", table, "no_such_table"], env=env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    assert warm.returncode == 1
    assert f"{table}: {snapshot}" in warm.stdout
    assert "no_such_table: not cached" in warm.stderr
    show = subprocess.run([*command, "show"], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert show.returncode == 0
    assert table in show.stdout
    assert snapshot in show.stdout
