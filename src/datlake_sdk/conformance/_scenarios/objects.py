"""Objects: names with `/` travel as `%2F`; bytes come back as stored, with their checksum
both ways (verified on upload, sent on download)."""

from __future__ import annotations

import hashlib
import uuid

from .._probe import CheckFailed, Probe, expect_equal, expect_json, expect_problem, expect_status
from .._registry import scenario

BUCKET = "conformance"
OCTETS = {"Content-Type": "application/octet-stream"}


def _download(probe: Probe, path: str, data: bytes, what: str) -> None:
    response = probe.send("GET", path)
    expect_status(response, 200, what)
    if response.content != data:
        raise CheckFailed(f"{what} answered other bytes than were uploaded")
    digest = hashlib.sha256(data).hexdigest()
    expect_equal(response.headers.get("x-checksum-sha256"), digest, f"{what}'s X-Checksum-Sha256")


@scenario
def objects_round_trip_with_checksums(probe: Probe) -> None:
    """An object named `a/b/c.txt` travels as `a%2Fb%2Fc.txt`; the receipt has its uri, size
    and SHA-256; the download answers the bytes with that X-Checksum-Sha256; an upload
    replaces the object."""
    name = f"{probe.name('conf')}/a/b/données.txt"
    path = probe.object_path(BUCKET, name)
    for data in (b"\x00conformance\n" + uuid.uuid4().bytes, b"replaced " + uuid.uuid4().bytes):
        digest = hashlib.sha256(data).hexdigest()
        headers = {**OCTETS, "X-Checksum-Sha256": digest}
        response = probe.send("PUT", path, content=data, headers=headers)
        receipt = expect_json(response, 201, "upload_object")
        wanted = {"bucket": BUCKET, "object": name, "uri": f"datlake://{BUCKET}/{name}",
                  "size": len(data), "sha256": digest}  # fmt: skip
        for field, value in wanted.items():
            expect_equal(receipt.get(field), value, f"the upload receipt's {field}")
        _download(probe, path, data, "download_object")
    unsigned = b"sent without a checksum"
    receipt = expect_json(
        probe.send("PUT", path, content=unsigned, headers=OCTETS), 201, "upload_object"
    )
    expect_equal(receipt.get("sha256"), hashlib.sha256(unsigned).hexdigest(),
                 "the receipt's sha256 of an upload without X-Checksum-Sha256")  # fmt: skip
    _download(probe, path, unsigned, "download_object")


@scenario
def checksum_mismatch_rejected(probe: Probe) -> None:
    """A wrong X-Checksum-Sha256 is 422 checksum-mismatch and stores nothing."""
    path = probe.object_path(BUCKET, f"{probe.name('conf')}/mismatch.bin")
    headers = {**OCTETS, "X-Checksum-Sha256": hashlib.sha256(b"other bytes").hexdigest()}
    response = probe.send("PUT", path, content=b"these bytes", headers=headers)
    expect_problem(response, 422, "checksum-mismatch", "upload_object with a wrong checksum")
    expect_problem(
        probe.send("GET", path), 404, "object-not-found", "download after a rejected upload"
    )
