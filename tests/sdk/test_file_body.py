"""An upload's body (`FileBody`): each pass hands out the file from its first byte and its
digest, hashed beside the sending by a thread of the lowest priority (the pass finishing what
it has not reached), and leaves nothing running when it is abandoned; a file that changes
under an upload is caught against the real server."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from datlake_sdk import DatlakeClient, _streams
from datlake_sdk._streams import FileBody
from datlake_sdk.functional import Err, Ok, download_object, unwrap, upload_file

from .test_operations_end_to_end import API_KEY, client, server_url, unique

__all__ = ["client", "server_url"]

CHUNK = 1024  # small chunks: a pass of a few KiB takes many steps
SEGMENT = 4 * CHUNK  # and many segments through the SDK's transport
PIECE = CHUNK // 4  # each sent in many steps


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_streams, "CHUNK", CHUNK)
    monkeypatch.setattr(_streams, "SEGMENT", SEGMENT)
    monkeypatch.setattr(_streams, "PIECE", PIECE)


@pytest.fixture(params=["segments", "chunks"])
def any_client(request: pytest.FixtureRequest, server_url: str) -> Iterator[DatlakeClient]:
    """A client whose uploads go out as segments (the SDK's transport) or as the chunks a
    pass reads (a transport of the caller's)."""
    transport = None if request.param == "segments" else httpx.HTTPTransport()
    with DatlakeClient(server_url, API_KEY, transport=transport) as client:
        yield client


def _changing_after_the_first_write(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[], None]
) -> list[bool]:
    """Make every pass call `change` once its first chunk or segment has been sent."""
    real_iter = FileBody.__iter__
    changed: list[bool] = []

    def changing(body: FileBody) -> Iterator[bytes]:
        for index, chunk in enumerate(real_iter(body)):
            if index == 1 and not changed:
                changed.append(True)
                change()
            yield chunk

    monkeypatch.setattr(FileBody, "__iter__", changing)
    return changed


def _hash_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("datlake-upload-hash")]


def _file(tmp_path: Path, size: int) -> tuple[Path, bytes]:
    data = os.urandom(size)
    path = tmp_path / "part-0.bin"
    path.write_bytes(data)
    return path, data


@pytest.mark.parametrize("announced", [False, True], ids=["unsized", "sized"])
def test_every_pass_hands_out_the_whole_file_and_its_digest(
    tmp_path: Path, announced: bool
) -> None:
    path, data = _file(tmp_path, 10 * CHUNK + 17)
    body = FileBody(path, len(data) if announced else None)
    for _ in range(2):  # a retry's pass starts over from the first byte
        chunks = []
        for chunk in body:
            assert body.sha256 is None  # only a pass read to its end has a digest
            chunks.append(chunk)
        assert b"".join(chunks) == data
        assert body.sha256 == hashlib.sha256(data).hexdigest()
    assert not _hash_threads()


def test_a_small_file_is_hashed_without_a_thread(tmp_path: Path) -> None:
    path, data = _file(tmp_path, CHUNK - 1)
    body = FileBody(path, len(data))
    for _ in body:
        assert not _hash_threads()
    assert body.sha256 == hashlib.sha256(data).hexdigest()


def test_a_big_file_is_hashed_by_a_thread_of_the_lowest_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, data = _file(tmp_path, 10 * CHUNK)
    asked: list[tuple[str, int]] = []
    real = os.sched_setscheduler

    def spy(who: int, policy: int, param: os.sched_param) -> None:
        asked.append((threading.current_thread().name, policy))
        assert who == threading.get_native_id()  # the thread's own policy, not the process's
        real(who, policy, param)
        assert os.sched_getscheduler(who) == os.SCHED_IDLE

    monkeypatch.setattr(os, "sched_setscheduler", spy)
    body = FileBody(path, len(data))
    assert b"".join(body) == data
    assert body.sha256 == hashlib.sha256(data).hexdigest()
    if sys.platform == "linux":
        assert asked == [("datlake-upload-hash", os.SCHED_IDLE)]


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread priorities are Linux's")
def test_where_sched_idle_is_refused_the_thread_takes_nice_19(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, data = _file(tmp_path, 10 * CHUNK)
    niced: list[tuple[int, int]] = []

    def refuse(*_: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    monkeypatch.setattr(os, "setpriority", lambda _which, who, nice: niced.append((who, nice)))
    body = FileBody(path, len(data))
    assert b"".join(body) == data
    assert body.sha256 == hashlib.sha256(data).hexdigest()
    [(thread, nice)] = niced
    assert nice == 19
    assert thread != threading.get_native_id()  # the hashing thread's, not the caller's


def test_the_pass_hashes_what_the_thread_has_not_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a thread that never gets a core (a busy machine): the digest is still whole and right
    path, data = _file(tmp_path, 10 * CHUNK + 5)
    monkeypatch.setattr(_streams._Digest, "_in_background", lambda self: None)
    body = FileBody(path, len(data))
    assert b"".join(body) == data
    assert body.sha256 == hashlib.sha256(data).hexdigest()

    async def main() -> None:
        assert b"".join([chunk async for chunk in body.asynchronous()]) == data

    body.sha256 = None
    asyncio.run(main())
    assert body.sha256 == hashlib.sha256(data).hexdigest()


def test_an_abandoned_pass_leaves_no_thread_and_no_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped: list[bool] = []

    def hashing_long(digest: Any) -> None:  # still at it when the pass is abandoned
        stopped.append(digest._stop.wait(10))

    monkeypatch.setattr(_streams._Digest, "_in_background", hashing_long)
    path, _ = _file(tmp_path, 10 * CHUNK)
    body = FileBody(path, 10 * CHUNK)
    passing = iter(body)
    next(passing), next(passing)
    assert _hash_threads()  # a big file is hashed beside the sending
    passing.close()  # what a failed attempt does with its body
    assert not _hash_threads()
    assert stopped == [True]
    assert body.sha256 is None


def test_a_file_changed_in_place_during_an_upload_is_stored_as_it_is_after_the_change(
    any_client: DatlakeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the hashing reads the file apart from the sending: a change in place it reads shows as
    # a digest other than the server's, and the upload then sends the file again, checked
    # (the hashing held back until the pass ends, so that it reads the changed file)
    monkeypatch.setattr(_streams._Digest, "_in_background", lambda self: None)
    path, data = _file(tmp_path, 32 * CHUNK)
    name = f"{unique('in-place')}/part-0.bin"

    def change() -> None:
        with path.open("r+b") as file:  # later bytes change while the first are sent
            file.seek(24 * CHUNK)
            file.write(b"\0" * CHUNK)

    changed = _changing_after_the_first_write(monkeypatch, change)
    outcome = upload_file(any_client, "datasets", name, path)
    assert changed
    assert isinstance(outcome, Ok), outcome
    stored = unwrap(download_object(any_client, "datasets", name, tmp_path / "copy.bin"))
    assert (tmp_path / "copy.bin").read_bytes() == path.read_bytes() != data
    assert stored.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_async_pass_reads_ahead_and_leaves_no_read_running(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 10 * CHUNK + 17)
    body = FileBody(path)

    async def main() -> None:
        chunks = [chunk async for chunk in body.asynchronous()]
        assert b"".join(chunks) == data
        assert body.sha256 == hashlib.sha256(data).hexdigest()
        passing = body.asynchronous()
        assert await anext(passing) == data[:CHUNK]
        await passing.aclose()  # the chunk read ahead is waited for, then the file closed
        assert body.sha256 is None

    asyncio.run(main())


@pytest.mark.parametrize("change", ["grows", "shrinks"])
def test_a_file_that_changes_size_during_an_upload_is_an_err(
    any_client: DatlakeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    path, _ = _file(tmp_path, 16 * CHUNK)
    name = f"{unique(change)}/part-0.bin"

    def resize() -> None:
        with open(path, "r+b") as other:
            if change == "grows":
                other.seek(0, os.SEEK_END)
                other.write(b"more" * CHUNK)
            else:
                other.truncate(12 * CHUNK)

    changed = _changing_after_the_first_write(monkeypatch, resize)
    outcome = upload_file(any_client, "datasets", name, path)
    assert changed
    assert isinstance(outcome, Err), outcome
    assert "changed while it was uploaded" in str(outcome.error)
    # no object of other bytes than the file's is left behind
    assert isinstance(download_object(any_client, "datasets", name, tmp_path / "copy.bin"), Err)
    monkeypatch.undo()
    stored = unwrap(upload_file(any_client, "datasets", name, path))
    assert stored.size == path.stat().st_size


def test_a_pass_that_finds_another_size_than_announced_raises(tmp_path: Path) -> None:
    path, data = _file(tmp_path, 4 * CHUNK)
    for announced in (len(data) - 1, len(data) + 1):
        body = FileBody(path, announced)
        with pytest.raises(OSError, match="changed while it was uploaded"):
            for _ in body:
                pass

        async def main(body: FileBody = body) -> None:
            async for _ in body.asynchronous():
                pass

        with pytest.raises(OSError, match="changed while it was uploaded"):
            asyncio.run(main())
        assert body.sha256 is None


def test_a_grown_file_raises_before_its_last_announced_bytes_are_handed_out(
    tmp_path: Path,
) -> None:
    # were the last announced chunk sent, the server would hold a whole body and keep it
    path, _ = _file(tmp_path, 4 * CHUNK)
    body = FileBody(path, 3 * CHUNK)
    handed: list[bytes] = []
    with pytest.raises(OSError, match="changed while it was uploaded"):
        handed.extend(body)
    assert len(handed) == 2

    async def main() -> None:
        async for chunk in body.asynchronous():
            handed.append(chunk)

    handed.clear()
    with pytest.raises(OSError, match="changed while it was uploaded"):
        asyncio.run(main())
    assert len(handed) == 2
