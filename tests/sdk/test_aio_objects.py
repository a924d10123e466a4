"""The async object transfers over real HTTP against the local Datlake: the sync plans, the
same checks, the file read and written off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import httpx

from datlake_sdk.aio import (
    AsyncDatlakeClient,
    AsyncJobContext,
    complete_run,
    download_artifact,
    download_object,
    get_run,
    make_log_artifact,
    start_run,
    upload_file,
    upload_object,
)
from datlake_sdk.functional import Artifact, Err, NotFound, ValidationError, unwrap

from .helpers import BASE_URL, receipt_json
from .test_aio import server_url
from .test_operations_end_to_end import API_KEY, unique

__all__ = ["server_url"]


def test_a_file_goes_up_and_comes_back_whole(server_url: str, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # several chunks and batches, and a ragged end
    source, copy = tmp_path / "part-0.bin", tmp_path / "copy.bin"
    source.write_bytes(data)
    name = f"{unique('aio')}/part-0.bin"
    seen: list[tuple[int, int | None]] = []

    async def main() -> None:
        async with AsyncDatlakeClient(server_url, API_KEY) as client:
            stored = unwrap(await upload_file(client, "datasets", name, source))
            assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
            assert unwrap(await upload_object(client, "datasets", name, source)) == stored.uri
            got = unwrap(
                await download_object(
                    client, "datasets", name, copy, progress=lambda *done: seen.append(done)
                )
            )
            assert (got.size, got.sha256) == (stored.size, stored.sha256)

    asyncio.run(main())
    assert copy.read_bytes() == data
    assert seen[-1] == (len(data), len(data))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.bin", "part-0.bin"]


def test_a_log_artifact_is_attached_and_downloaded_by_its_artifact(
    server_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "run.log"
    log.write_text("line 1\nline 2\n")
    back = tmp_path / "back.log"

    async def main() -> None:
        async with AsyncDatlakeClient(server_url, API_KEY) as client:
            run = unwrap(await start_run(client, unique("aio_log")))
            artifact = unwrap(await make_log_artifact(client, "logs", run, log))
            assert (artifact.type, artifact.name, artifact.size) == ("log", "run.log", 14)
            unwrap(await complete_run(client, run, success=True, artifacts=[artifact]))
            unwrap(await download_artifact(client, artifact, back))
            other = Artifact("log", artifact.uri, sha256="0" * 64)
            replaced = await download_artifact(client, other, tmp_path / "other.log")
            assert isinstance(replaced, Err)
            assert isinstance(replaced.error, ValidationError)

    asyncio.run(main())
    assert back.read_text() == "line 1\nline 2\n"


def test_failures_are_errs_and_leave_no_file(server_url: str, tmp_path: Path) -> None:
    dest = tmp_path / "missing.bin"

    async def main() -> None:
        async with AsyncDatlakeClient(server_url, API_KEY) as client:
            missing = await download_object(client, "datasets", unique("none"), dest)
            assert isinstance(missing, Err)
            assert isinstance(missing.error, NotFound)
            unreadable = await upload_file(client, "datasets", "x.bin", tmp_path / "nope.bin")
            assert isinstance(unreadable, Err)
            assert isinstance(unreadable.error, ValidationError)
            bad_dest = await download_object(client, "datasets", "x.bin", tmp_path / "no" / "x")
            assert isinstance(bad_dest, Err)
            assert isinstance(bad_dest.error, ValidationError)

    asyncio.run(main())
    assert list(tmp_path.iterdir()) == []


def test_the_job_context_ships_its_log_and_attaches_files(server_url: str, tmp_path: Path) -> None:
    log, report = tmp_path / "run.log", tmp_path / "report.html"
    log.write_text("started\n")
    report.write_text("<p>ok</p>")
    job_name = unique("aio_ship")

    async def main() -> None:
        async with AsyncDatlakeClient(server_url, API_KEY) as client:
            async with AsyncJobContext(
                client, job_name, log_path=log, log_bucket="logs", heartbeat_every=None
            ) as job:
                attached = await job.attach_file(
                    report, bucket="reports", object_name=f"{job_name}/r.html", type="report"
                )
                assert attached is not None
                assert attached.content_type == "text/html"
            run = job.run
            assert [a.type for a in run.artifacts] == ["report", "log"]
            found = unwrap(await get_run(client, job_name, run.run_id))
            assert [a.uri for a in found.artifacts] == [a.uri for a in run.artifacts]
            assert unwrap(await download_artifact(client, run.artifacts[1], tmp_path / "l"))

    asyncio.run(main())
    assert (tmp_path / "l").read_text() == "started\n"


def test_a_transport_given_to_the_client_carries_the_transfers(tmp_path: Path) -> None:
    data = b"z" * (2 * 1024 * 1024 + 1)
    digest = hashlib.sha256(data).hexdigest()
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    received: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(request)
        if request.method == "PUT":
            return httpx.Response(201, json=receipt_json("datasets", "big.bin", len(data), digest))
        return httpx.Response(200, content=data, headers={"X-Checksum-Sha256": digest})

    async def main() -> None:
        transport = httpx.MockTransport(answer)
        async with AsyncDatlakeClient(BASE_URL, API_KEY, transport=transport) as client:
            stored = unwrap(await upload_file(client, "datasets", "big.bin", source))
            got = unwrap(await download_object(client, "datasets", "big.bin", tmp_path / "b"))
            assert stored.sha256 == got.sha256 == digest

    asyncio.run(main())
    put = received[0]
    assert put.content == data
    assert put.headers["Content-Length"] == str(len(data))
    assert "X-Checksum-Sha256" not in put.headers
    assert (tmp_path / "b").read_bytes() == data


def test_without_a_log_path_the_live_log_is_shipped(server_url: str, tmp_path: Path) -> None:
    job_name = unique("aio_live")
    back = tmp_path / "live.log"

    async def main() -> None:
        async with AsyncDatlakeClient(server_url, API_KEY) as client:
            async with AsyncJobContext(
                client, job_name, log_bucket="logs", capture_output=True, heartbeat_every=None
            ) as job:
                print("rows: 1200")
            (log,) = job.run.artifacts
            assert (log.type, log.name) == ("log", "run.log")
            unwrap(await download_artifact(client, log, back))

    asyncio.run(main())
    assert "rows: 1200" in back.read_text()
