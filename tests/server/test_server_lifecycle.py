"""The server as a process: restarts, crashes, concurrent writers, the `datlake server`
command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from .datlake_e2e import (
    all_pages,
    complete,
    get_run,
    make_client,
    read,
    register,
    start,
)


def test_data_survives_a_restart(served: Callable[..., AbstractContextManager[str]]) -> None:
    with served() as url, make_client(url) as api:
        writer = start(api, "ingest", metadata={"v": 1})
        snapshot = register(api, writer, "users_raw", schema={"id": "int64"})
        complete(api, writer)
        reader = start(api, "daily_users")
        read(api, reader, "users_raw")
        api.post(f"/jobs/daily_users/runs/{reader['run_id']}/events", json={"kind": "metric"})
        assert api.put("/datasets/logs/jobs%2Frun.log", content=b"kept").status_code == 201
        before = (get_run(api, writer), get_run(api, reader))
        lineage = api.get("/lineage", params={"table": "users_raw"}).json()

    with served() as url, make_client(url) as api:
        assert (get_run(api, writer), get_run(api, reader)) == before
        latest = api.get("/tables/users_raw/snapshots/latest").json()
        assert latest == snapshot
        assert api.get("/lineage", params={"table": "users_raw"}).json() == lineage
        assert len(all_pages(api, f"/jobs/daily_users/runs/{reader['run_id']}/events")) == 1
        download = api.get("/datasets/logs/jobs%2Frun.log")
        assert download.content == b"kept"
        assert download.headers["x-checksum-sha256"]
        # and it keeps working after the restart
        assert complete(api, reader)["status"] == "succeeded"


def test_a_new_data_folder_is_private_to_its_owner(
    served: Callable[..., AbstractContextManager[str]], tmp_path: Path
) -> None:
    # the metadata and objects the API key guards are not for other local users to read
    with served() as url, make_client(url) as api:
        assert api.put("/datasets/logs/secret.txt", content=b"s").status_code == 201
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700


def _server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "datlake_server", *args]


def _start_cli(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str, str]:
    """Start the command; returns the process, its base URL and the banner it printed.

    The banner is read in a thread, so a server that hangs without printing fails the test
    after the deadline instead of blocking it on `readline` forever."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    stdout = process.stdout
    assert stdout is not None
    lines: list[str] = []
    announced = threading.Event()

    def read_banner() -> None:
        for line in stdout:
            lines.append(line)
            if line.startswith("  auth:"):
                announced.set()
                return

    reader = threading.Thread(target=read_banner, daemon=True)
    reader.start()
    reader.join(60)  # ends at the banner, or when the output does (the process died)
    if announced.is_set():
        banner = "".join(lines)
        return process, banner.split("listening on ", 1)[1].split()[0], banner
    process.kill()
    reader.join(30)
    rest = process.communicate(timeout=30)[0]
    raise AssertionError(f"the server did not start: {''.join(lines)}{rest}")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATLAKE_API_KEY"}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_server_command_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    key = "cli-secret-key-8c1f"
    data = tmp_path / "data"
    process, url, banner = _start_cli(
        _server_command("--port", "0", "--data", str(data), "--api-key", key), _env()
    )
    try:
        assert not url.endswith(":0")
        assert httpx.get(f"{url}/api/v1/health").json()["status"] == "ok"
        with make_client(url, api_key=key) as api:
            run = start(api, "cli_job")
    finally:
        process.send_signal(stop)
        output = banner + process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert key not in output
    assert str(data.resolve()) in output
    assert "auth: on" in output
    assert "default lease: 3600 s" in output
    # the WAL checkpointed; the lock file stays, unlocked
    assert {p.name for p in data.iterdir()} == {"datlake.db", "datlake.lock", "objects"}

    # the data folder serves again, this time with the key from the environment
    process, url, banner = _start_cli(
        [
            str(Path(sys.executable).parent / "datlake"),
            "server",
            "--port",
            "0",
            "--data",
            str(data),
        ],
        _env(DATLAKE_API_KEY=key),
    )
    try:
        with make_client(url, api_key=key) as api:
            assert get_run(api, run)["run_id"] == run["run_id"]
        assert httpx.get(f"{url}/api/v1/jobs/cli_job/runs").status_code == 401
    finally:
        process.terminate()
        output = banner + process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert key not in output
    assert "auth: on" in output


def test_an_open_server_refuses_a_non_loopback_host(tmp_path: Path) -> None:
    result = subprocess.run(
        _server_command("--host", "0.0.0.0", "--port", "0", "--data", str(tmp_path / "d")),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert result.returncode == 2
    assert "refusing" in result.stderr
    assert "--api-key" in result.stderr
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_server_command_sets_the_default_lease(tmp_path: Path, how: str) -> None:
    key = "lease-key-5e2a"
    args = ["--port", "0", "--data", str(tmp_path / "data"), "--api-key", key]
    if how == "option":  # the option wins over the environment
        command, env = (
            _server_command(*args, "--default-lease", "1"),
            _env(DATLAKE_DEFAULT_LEASE="7"),
        )
    else:
        command, env = _server_command(*args), _env(DATLAKE_DEFAULT_LEASE="1")
    process, url, banner = _start_cli(command, env)
    try:
        assert "default lease: 1 s" in banner
        with make_client(url, api_key=key) as api:
            run = start(api, "cli_leased")
            assert run["lease_expires_at"] is not None
            deadline = time.monotonic() + 30
            while get_run(api, run)["status"] != "lost":
                assert time.monotonic() < deadline, "the 1 s default lease never ran out"
                time.sleep(0.05)
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert process.returncode == 0


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--default-lease", "0"], {}, "--default-lease: not a positive number of seconds: '0'"),
        (["--default-lease", "soon"], {}, "not a positive number of seconds: 'soon'"),
        ([], {"DATLAKE_DEFAULT_LEASE": "-5"}, "DATLAKE_DEFAULT_LEASE: not a positive number"),
        ([], {"DATLAKE_DEFAULT_LEASE": "inf"}, "DATLAKE_DEFAULT_LEASE: not a positive number"),
    ],
)
def test_a_bad_default_lease_is_refused(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    data = tmp_path / "d"
    result = subprocess.run(
        _server_command("--port", "0", "--data", str(data), *args),
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert not data.exists()


def test_a_server_killed_during_an_upload_cleans_up_when_it_starts_again(
    served: Callable[..., AbstractContextManager[str]], tmp_path: Path
) -> None:
    key = "crash-key-1d7c"
    data = tmp_path / "data"
    bucket = data / "objects" / "crash"
    process, url, _ = _start_cli(
        _server_command("--port", "0", "--data", str(data), "--api-key", key), _env()
    )
    try:
        with make_client(url, api_key=key) as api:
            # an object may be named like a temporary file: it is an object, and it stays
            kept = api.put("/datasets/crash/kept%2F.upload-real.part", content=b"an object")
            assert kept.status_code == 201, kept.text
        kept_files = _files(bucket)
        # an upload under way: its head and part of its body sent, its temporary file written
        parts = urlsplit(url)
        head = (
            "PUT /api/v1/datasets/crash/deep%2Fer%2Fhalf.bin HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\nAuthorization: Bearer {key}\r\n"
            "Content-Type: application/octet-stream\r\nContent-Length: 4194304\r\n\r\n"
        )
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.sendall(head.encode() + b"x" * 2_500_000)  # more than one write batch
            deadline = time.monotonic() + 30
            while not [p for p in _files(bucket) if p not in kept_files and p.stat().st_size]:
                assert time.monotonic() < deadline, "the upload never wrote its temporary file"
                time.sleep(0.02)
            process.kill()  # kill -9: no shutdown, no cleanup
            process.wait(timeout=30)
    finally:
        process.kill()
        process.communicate(timeout=30)
    leftover = [p for p in _files(bucket) if p not in kept_files]
    assert len(leftover) == 1, leftover
    assert leftover[0].name.startswith(".upload-")
    # and one planted the way objects.py names them
    planted = bucket / "ab" / ".upload-abc123xy.part"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(b"half of a body")

    with served(api_key=key) as url, make_client(url, api_key=key) as api:
        assert _files(bucket) == kept_files
        assert api.get("/datasets/crash/deep%2Fer%2Fhalf.bin").status_code == 404
        assert api.get("/datasets/crash/kept%2F.upload-real.part").content == b"an object"


def test_a_data_folder_of_objects_named_by_their_names_is_moved_to_digest_names(
    served: Callable[..., AbstractContextManager[str]], tmp_path: Path
) -> None:
    """A data folder an older server wrote kept `objects/<bucket>/<name>`, which could not
    hold both `a` and `a/b`; opening it moves its objects, and they are served as before."""
    with served() as url, make_client(url) as api:
        for name in ("a", "b%2Fc"):
            assert api.put(f"/datasets/old/{name}", content=name.encode()).status_code == 201
    objects = tmp_path / "data" / "objects"
    # back to the old layout, as an older server left it (without the layout's marker file)
    for path in _files(objects):
        path.unlink()
    (objects / "old" / "b").mkdir(parents=True)
    (objects / "old" / "a").write_bytes(b"a")
    (objects / "old" / "b" / "c").write_bytes(b"b%2Fc")
    (objects / "old" / "stray").write_bytes(b"no row records it")

    with served() as url, make_client(url) as api:
        assert api.get("/datasets/old/a").content == b"a"
        assert api.get("/datasets/old/b%2Fc").content == b"b%2Fc"
        assert api.put("/datasets/old/a%2Fb", content=b"now a folder too").status_code == 201
        assert api.get("/datasets/old/stray").status_code == 404
    # what no row records is set aside, not deleted
    stray = tmp_path / "data" / "objects.by-name" / "old" / "stray"
    assert stray.read_bytes() == b"no row records it"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_the_command_line_without_a_command_shows_help() -> None:
    from datlake_sdk.cli import main

    assert main([]) == 2
    assert main(["server", "--port", "not-a-number"]) == 2


@pytest.mark.slow
def test_concurrent_writers_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    # the server runs in its own process, as it would for real jobs: the writers' threads
    # then compete with each other, not with the server, for this interpreter
    key = "parallel-key"
    command = _server_command("--port", "0", "--data", str(tmp_path), "--api-key", key)
    process, server_url, _ = _start_cli(command, _env())
    try:
        _write_concurrently(server_url, key)
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert process.returncode == 0


def _write_concurrently(server_url: str, key: str) -> None:
    job, table = "parallel", "parallel_out"
    threads_count, runs_per_thread = 8, 50
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []
    written: list[tuple[str, str]] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        try:
            with make_client(server_url, api_key=key) as api:
                barrier.wait()
                for index in range(runs_per_thread):
                    run = start(api, job, metadata={"worker": worker, "index": index})
                    snapshot = register(api, run, table, f"file:///{worker}/{index}")
                    complete(api, run)
                    with lock:
                        written.append((run["run_id"], snapshot["snapshot_id"]))
        except BaseException as error:  # surfaced below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]

    total = threads_count * runs_per_thread
    with make_client(server_url, api_key=key) as api:
        runs = all_pages(api, f"/jobs/{job}/runs", limit=500)
        snapshots = all_pages(api, f"/tables/{table}/snapshots", limit=37)
    assert len(runs) == len({r["run_id"] for r in runs}) == total
    assert {r["status"] for r in runs} == {"succeeded"}
    assert all(len(r["outputs"]) == 1 for r in runs)
    assert len(snapshots) == len({s["snapshot_id"] for s in snapshots}) == total
    assert {(s["run_id"], s["snapshot_id"]) for s in snapshots} == set(written)
    assert {(r["metadata"]["worker"], r["metadata"]["index"]) for r in runs} == {
        (w, i) for w in range(threads_count) for i in range(runs_per_thread)
    }
