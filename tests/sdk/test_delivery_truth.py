"""An `Err` is the truth: writes carry ids chosen before sending, a write whose last attempt
failed after an earlier one may have landed is checked on the server first, a 2xx cut off on
the way is retried, and the deadline bounds a whole call, however slowly its answer drips."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Err,
    Ok,
    Run,
    Transient,
    fetch_latest_uri,
    register_snapshot,
    start_run,
    upload_file,
)

from .helpers import (
    API_KEY,
    BASE_URL,
    CURATED_SNAPSHOT_JSON,
    RUN_JSON,
    SHA_OF_ABC,
    make_client,
)

RUNS = f"{BASE_URL}/api/v1/jobs/daily_users/runs"


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


def sent_run_id(request: httpx.Request) -> str:
    run_id: str = json.loads(request.content)["run_id"]
    return run_id


def test_start_run_chooses_the_run_id_and_keeps_it_across_retries(
    mock: respx.MockRouter,
) -> None:
    route = mock.post(RUNS).mock(
        side_effect=[httpx.Response(503), httpx.Response(201, json=RUN_JSON)]
    )
    with make_client() as client:
        assert isinstance(start_run(client, "daily_users"), Ok)
    first, second = (sent_run_id(call.request) for call in route.calls)
    assert first == second
    assert len(first) == 32
    assert first[12] == "7"


def test_a_start_that_landed_before_its_last_attempt_failed_is_found(
    mock: respx.MockRouter,
) -> None:
    # the first attempt reached the server (a gateway timed out), the second was refused
    mock.post(RUNS).mock(side_effect=[httpx.Response(504), httpx.Response(503)])

    def landed(request: httpx.Request, run_id: str) -> httpx.Response:
        return httpx.Response(200, json={**RUN_JSON, "run_id": run_id})

    lookup = mock.get(url__regex=rf"{RUNS}/(?P<run_id>[0-9a-f]{{32}})$").mock(side_effect=landed)
    with make_client(retry="max=2,base_ms=0") as client:
        res = start_run(client, "daily_users")
    assert isinstance(res, Ok)
    assert lookup.called
    assert res.value.run_id == sent_run_id(mock.calls[0].request)


def test_a_start_that_never_landed_stays_an_err_without_a_lookup(
    mock: respx.MockRouter,
) -> None:
    mock.post(RUNS).mock(return_value=httpx.Response(503))
    lookup = mock.get(url__regex=rf"{RUNS}/.*").mock(return_value=httpx.Response(404))
    with make_client(retry="max=2,base_ms=0") as client:
        res = start_run(client, "daily_users")
    assert isinstance(res, Err)
    assert isinstance(res.error, Transient)
    assert not lookup.called
    assert not res.error.maybe_recorded


def test_a_write_whose_fate_cannot_be_checked_says_so(mock: respx.MockRouter) -> None:
    mock.post(RUNS).mock(side_effect=httpx.ReadError("reset after sending"))
    mock.get(url__regex=rf"{RUNS}/.*").mock(side_effect=httpx.ConnectError("refused"))
    with make_client(retry="max=2,base_ms=0") as client:
        res = start_run(client, "daily_users")
    assert isinstance(res, Err)
    assert res.error.maybe_recorded
    assert "calling again is safe" in str(res.error)


def test_a_snapshot_that_landed_is_found_in_the_runs_outputs(mock: respx.MockRouter) -> None:
    registered: list[str] = []

    def register(request: httpx.Request) -> httpx.Response:
        registered.append(json.loads(request.content)["snapshot_id"])
        return httpx.Response(502)

    mock.post(f"{BASE_URL}/api/v1/jobs/register-snapshot").mock(side_effect=register)

    def run_with_output(request: httpx.Request) -> httpx.Response:
        output = {**CURATED_SNAPSHOT_JSON, "snapshot_id": registered[0]}
        return httpx.Response(200, json={**RUN_JSON, "outputs": [output]})

    mock.get(f"{RUNS}/{RUN_JSON['run_id']}").mock(side_effect=run_with_output)
    run = Run("daily_users", RUN_JSON["run_id"])
    with make_client(retry="max=2,base_ms=0") as client:
        res = register_snapshot(client, run, "users_curated", "file:///x", format="parquet")
    assert isinstance(res, Ok)
    assert res.value.snapshot_id == registered[0]
    assert len(set(registered)) == 1  # one id for every attempt


def test_a_2xx_cut_off_on_the_way_is_retried_on_a_retry_safe_call(
    mock: respx.MockRouter,
) -> None:
    route = mock.post(RUNS).mock(
        side_effect=[
            httpx.Response(201, content=json.dumps(RUN_JSON).encode()[:40]),
            httpx.Response(201, json=RUN_JSON),
        ]
    )
    with make_client() as client:
        assert isinstance(start_run(client, "daily_users"), Ok)
    assert route.call_count == 2


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """Answers every request with a 200 whose body comes one byte every 0.2 s."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    def drip(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            body = json.dumps({"status": "ok", "version": "1" * 70}).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            conn.sendall(f"Content-Length: {len(body)}\r\n\r\n".encode())
            for byte in body:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    listener.close()


def test_the_deadline_bounds_a_call_whose_answer_drips(dripping_server: str) -> None:
    from datlake_sdk.functional import health

    with DatlakeClient(
        dripping_server, API_KEY, timeout=1, retry="max=2,base_ms=0,deadline_s=1"
    ) as client:
        started = time.monotonic()
        res = health(client)
        elapsed = time.monotonic() - started
    assert isinstance(res, Err)
    assert isinstance(res.error, Transient)
    # a body of 100 bytes at 5 a second would take 20 s; the 1 s deadline stops it
    assert elapsed < 10, elapsed


def test_fetch_under_suppress_transient_is_an_err_not_the_sentinel(
    mock: respx.MockRouter,
) -> None:
    mock.get(f"{BASE_URL}/api/v1/tables/users_raw/snapshots/latest").mock(
        return_value=httpx.Response(503)
    )
    mock.get(url__regex=rf"{RUNS}/.*").mock(return_value=httpx.Response(404))
    run = Run("daily_users", RUN_JSON["run_id"])
    with make_client(error_strategy="suppress_transient") as client:
        res = fetch_latest_uri(client, run, "users_raw")
    assert isinstance(res, Err)
    assert isinstance(res.error, Transient)


def test_an_upload_that_landed_is_found_by_its_checksum(
    mock: respx.MockRouter, tmp_path: Path
) -> None:
    data = tmp_path / "part-0.csv"
    data.write_bytes(b"abc")
    target = f"{BASE_URL}/api/v1/datasets/lake/users%2Fpart-0.csv"
    mock.put(target).mock(side_effect=[httpx.Response(504), httpx.Response(503)])
    stored = mock.get(target).mock(
        return_value=httpx.Response(
            200, content=b"abc", headers={"X-Checksum-Sha256": SHA_OF_ABC, "Content-Length": "3"}
        )
    )
    with make_client(retry="max=2,base_ms=0") as client:
        res = upload_file(client, "lake", "users/part-0.csv", data)
    assert stored.called
    assert isinstance(res, Ok)
    assert res.value.sha256 == SHA_OF_ABC


def test_an_upload_whose_object_holds_other_bytes_stays_an_err(
    mock: respx.MockRouter, tmp_path: Path
) -> None:
    data = tmp_path / "part-0.csv"
    data.write_bytes(b"abc")
    target = f"{BASE_URL}/api/v1/datasets/lake/users%2Fpart-0.csv"
    mock.put(target).mock(return_value=httpx.Response(502))
    mock.get(target).mock(
        return_value=httpx.Response(
            200, content=b"old", headers={"X-Checksum-Sha256": "0" * 64, "Content-Length": "3"}
        )
    )
    with make_client(retry="max=2,base_ms=0") as client:
        res = upload_file(client, "lake", "users/part-0.csv", data)
    assert isinstance(res, Err)
    assert not res.error.maybe_recorded
