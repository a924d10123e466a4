"""Objects: streamed uploads and downloads, encoded slashes, checksums, unsafe names."""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from .datlake_e2e import API_KEY, assert_problem

OCTETS = {"Content-Type": "application/octet-stream"}


def stored_file(data_dir: Path, bucket: str, name: str) -> Path:
    """Where the server keeps an object: named by the SHA-256 of its name."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    return data_dir / "objects" / bucket / digest[:2] / digest


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_upload_and_download_an_object_with_slashes_in_its_name(
    api: httpx.Client, data_dir: Path
) -> None:
    body = b"line 1\nline 2\n"
    digest = hashlib.sha256(body).hexdigest()
    response = api.put(
        "/datasets/logs/jobs%2Fx%2Frun.log", content=body, headers={"X-Checksum-Sha256": digest}
    )
    assert response.status_code == 201, response.text
    assert response.json() == {
        "bucket": "logs",
        "object": "jobs/x/run.log",
        "uri": "datlake://logs/jobs/x/run.log",
        "size": len(body),
        "sha256": digest,
    }
    assert response.request.url.raw_path == b"/api/v1/datasets/logs/jobs%2Fx%2Frun.log"
    stored = stored_file(data_dir, "logs", "jobs/x/run.log")
    assert stored.read_bytes() == body
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]  # no temporary left

    download = api.get("/datasets/logs/jobs%2Fx%2Frun.log")
    assert download.status_code == 200
    assert download.content == body
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["x-checksum-sha256"] == digest
    assert download.headers["content-length"] == str(len(body))
    assert download.headers["x-request-id"]


def test_an_upload_replaces_the_object(api: httpx.Client) -> None:
    assert api.put("/datasets/logs/replaced.txt", content=b"old").status_code == 201
    second = api.put("/datasets/logs/replaced.txt", content=b"new and longer")
    assert second.json()["size"] == len(b"new and longer")
    download = api.get("/datasets/logs/replaced.txt")
    assert download.content == b"new and longer"
    assert download.headers["x-checksum-sha256"] == hashlib.sha256(b"new and longer").hexdigest()


def test_empty_and_unicode_objects(api: httpx.Client, data_dir: Path) -> None:
    empty = api.put("/datasets/logs/empty", content=b"", headers=OCTETS)
    assert empty.status_code == 201
    assert empty.json()["size"] == 0
    assert api.get("/datasets/logs/empty").content == b""
    name = "r\u00e9sum\u00e9s/2026 q1.csv"
    encoded = "r%C3%A9sum%C3%A9s%2F2026%20q1.csv"
    assert api.put(f"/datasets/logs/{encoded}", content=b"a").json()["object"] == name
    assert stored_file(data_dir, "logs", name).read_bytes() == b"a"


def test_a_body_is_octets_and_required(api: httpx.Client) -> None:
    # no Content-Type: the bytes are taken as application/octet-stream (RFC 9110)
    assert api.put("/datasets/typed/untyped", content=b"x").status_code == 201
    with_parameter = {"Content-Type": "application/octet-stream; charset=binary"}
    typed = api.put("/datasets/typed/typed", content=b"x", headers=with_parameter)
    assert typed.status_code == 201
    # neither a type nor a byte: no body, and the spec requires one
    missing = assert_problem(api.put("/datasets/typed/missing"), 422, "invalid-body")
    assert missing["detail"] == "body: required but missing"
    for media_type in ("text/plain", "application/json"):
        refused = api.put(
            "/datasets/typed/wrong", content=b"{}", headers={"Content-Type": media_type}
        )
        problem = assert_problem(refused, 422, "invalid-body")
        assert media_type in problem["detail"]
    for name in ("missing", "wrong"):
        assert_problem(api.get(f"/datasets/typed/{name}"), 404, "object-not-found")


def test_a_checksum_mismatch_stores_nothing(api: httpx.Client, data_dir: Path) -> None:
    wrong = hashlib.sha256(b"something else").hexdigest()
    response = api.put(
        "/datasets/checked/a%2Fb.bin", content=b"payload", headers={"X-Checksum-Sha256": wrong}
    )
    problem = assert_problem(response, 422, "checksum-mismatch")
    assert wrong in problem["detail"]
    assert_problem(api.get("/datasets/checked/a%2Fb.bin"), 404, "object-not-found")
    assert files_in(data_dir / "objects" / "checked") == []
    malformed = api.put("/datasets/checked/c", content=b"x", headers={"X-Checksum-Sha256": "ABC"})
    assert_problem(malformed, 400, "invalid-request")


def test_an_object_may_also_be_a_folder_of_others(api: httpx.Client) -> None:
    # the spec's name rule is the only one: no file system stands in the way
    for name, body in (("a%2Fb", b"1"), ("a", b"2"), ("a%2Fb%2Fc", b"3")):
        assert api.put(f"/datasets/nested/{name}", content=body).status_code == 201
    for name, body in (("a%2Fb", b"1"), ("a", b"2"), ("a%2Fb%2Fc", b"3")):
        assert api.get(f"/datasets/nested/{name}").content == body


def _raw_request(url: str, method: str, raw_path: str, body: bytes) -> tuple[int, bytes]:
    """Send `raw_path` byte for byte (httpx would normalise `.` segments away)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request(method, raw_path, body=body, headers={"Authorization": f"Bearer {API_KEY}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


UNSAFE_NAMES = [
    "..%2F..%2Fetc%2Fpasswd",
    "..%2F..%2F..%2F..%2Ftmp%2Fescaped",
    "%2Fabs",
    "%2Fetc%2Fpasswd",
    "a%5Cb",
    "..%5C..%5Cwin",
    "a%00b",
    ".",
    "..",
    "%2E",
    "%2E%2E",
    "a%2F%2Fb",
    "a%2F.%2Fb",
    "a%2F..%2F..%2Fb",
    "a%2F",
    "%C3%A9" * 513,  # 513 characters but 1026 bytes of UTF-8
    "x" * 1025,
    "%FF%FE",  # not UTF-8
]


@pytest.mark.parametrize("raw_name", UNSAFE_NAMES)
def test_unsafe_object_names_are_refused(server_url: str, data_dir: Path, raw_name: str) -> None:
    payload = f"pwned by {raw_name[:20]}".encode()
    for method in ("PUT", "GET"):
        status, body = _raw_request(
            server_url, method, f"/api/v1/datasets/evil/{raw_name}", payload
        )
        assert status == 400, body
        assert b"/problems/invalid-request" in body
    assert not (data_dir / "objects" / "evil").exists()
    # nor anywhere else: the other tests' folders change meanwhile (their servers, their
    # journals), so the body is what is looked for
    written = [
        path
        for path in data_dir.parent.rglob("*")
        if path.is_file() and path.stat().st_size == len(payload) and path.read_bytes() == payload
    ]
    assert written == []


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def test_an_interrupted_upload_leaves_nothing_behind(
    api: httpx.Client, server_url: str, data_dir: Path
) -> None:
    parts = urlsplit(server_url)
    head = (
        "PUT /api/v1/datasets/cut/half%2Fdone.bin HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nAuthorization: Bearer {API_KEY}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n"
    )
    folder = data_dir / "objects" / "cut"
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(head.encode() + b"x" * 300_000)
        # the upload really is under way (its temporary file exists) before the cut
        _wait_for(lambda: bool(files_in(folder)), "the upload's temporary file")
    _wait_for(lambda: not files_in(folder), "the server to clean up after the cut")
    assert_problem(api.get("/datasets/cut/half%2Fdone.bin"), 404, "object-not-found")
    assert api.get("/health").status_code == 200


@pytest.mark.parametrize("name", ["a%2F" + "s" * 300, "s" * 300 + "%2Fb", "%C3%A9" * 512])
def test_a_segment_longer_than_a_file_name_is_stored(api: httpx.Client, name: str) -> None:
    # within the spec's 1024 bytes, beyond a file system's 255 bytes per file name
    response = api.put(f"/datasets/long-names/{name}", content=name.encode())
    assert response.status_code == 201, response.text
    assert api.get(f"/datasets/long-names/{name}").content == name.encode()


def test_bad_bucket_names_are_refused(api: httpx.Client) -> None:
    for bucket in ("UPPER", "ab", "-leading", "trailing-", "a_b", "a%2Fb"):
        response = api.put(f"/datasets/{bucket}/x", content=b"x")
        assert_problem(response, 400, "invalid-request")


@pytest.mark.slow
def test_a_200_mb_object_streams_both_ways(api: httpx.Client, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    block = os.urandom(1 << 20)
    expected = hashlib.sha256()
    with source.open("wb") as out:
        for index in range(200):
            chunk = index.to_bytes(4, "big") + block[4:]
            out.write(chunk)
            expected.update(chunk)

    def chunks() -> Iterator[bytes]:
        with source.open("rb") as src:
            while chunk := src.read(1 << 20):
                yield chunk

    response = api.put(
        "/datasets/big/nightly%2Fbig.bin",
        content=chunks(),
        headers={"X-Checksum-Sha256": expected.hexdigest()},
    )
    assert response.status_code == 201, response.text
    assert response.json()["size"] == 200 * (1 << 20)
    assert response.json()["sha256"] == expected.hexdigest()

    received = hashlib.sha256()
    size = 0
    with api.stream("GET", "/datasets/big/nightly%2Fbig.bin") as download:
        assert download.status_code == 200
        assert download.headers["x-checksum-sha256"] == expected.hexdigest()
        for chunk in download.iter_bytes():
            received.update(chunk)
            size += len(chunk)
    assert size == 200 * (1 << 20)
    assert received.hexdigest() == expected.hexdigest()
