"""Objects: stream files to and from a bucket, checked by SHA-256, in constant memory.

>>> from datlake_sdk.functional import upload_object, make_log_artifact
>>> upload_object(client, "artifacts", "reports/2026-11-27.html", "out/report.html")
... # doctest: +SKIP
Ok(value='datlake://artifacts/reports/2026-11-27.html')
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import mimetypes
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import httpx
from datlake_api.types import UNSET, File

from . import _convert as domain
from ._call import Call, Chain, Deferral, Plan, Refusal
from ._catalog_types import ObjectInfo
from ._client import DatlakeClient, Session
from ._errors import SDKError, ServerError, Transient, ValidationError
from ._ids import new_id
from ._lazy import lazy
from ._log import logger
from ._names import bad_bucket, bad_object_name, bad_run, first_invalid
from ._operations import api_call, operation
from ._result import Ok, Result, map
from ._streams import Chunk, FileBody, read_by_sink
from ._types import Artifact, Run

if TYPE_CHECKING:
    from datlake_api import models as api
    from datlake_api.api.objects import download_object as download_object_endpoint
    from datlake_api.api.objects import upload_object as upload_object_endpoint
else:  # the generated layer loads on first use (see _lazy)
    api = lazy("datlake_api.models")
    download_object_endpoint = lazy("datlake_api.api.objects.download_object")
    upload_object_endpoint = lazy("datlake_api.api.objects.upload_object")


__all__ = [
    "LOG_CONTENT_TYPE",
    "download_object",
    "file_artifact",
    "log_object_name",
    "make_log_artifact",
    "plan_download_object",
    "plan_make_log_artifact",
    "plan_upload_file",
    "upload_file",
    "upload_object",
]

StrPath = str | os.PathLike[str]

LOG_CONTENT_TYPE = "text/plain; charset=utf-8"

_SHA256 = re.compile(r"[0-9a-f]{64}")

# A download of at least _DIRECT_LEAST bytes writes its whole _BLOCKs with O_DIRECT (Linux)
_O_DIRECT = getattr(os, "O_DIRECT", 0)
_BLOCK = 4096
_DIRECT_LEAST = 4 * 1024 * 1024

# what a download's body may declare itself to be ("": no Content-Type at all)
_OBJECT_MEDIA_TYPES = frozenset({"", "application/octet-stream"})


def upload_object(
    client: DatlakeClient,
    bucket: str,
    object_name: str,
    file_path: StrPath,
    *,
    run: Run | None = None,
) -> Result[str, SDKError]:
    """Upload the file at `file_path` as `bucket`/`object_name`; `Ok` holds the object's uri
    (`datlake://bucket/object`). `upload_file` returns its size and SHA-256 as well.
    With `run`, an upload kept in the outbox is delivered in order with that run's writes.

    >>> upload_object(client, "artifacts", "jobs/daily/r1/run.log", "run.log")  # doctest: +SKIP
    Ok(value='datlake://artifacts/jobs/daily/r1/run.log')
    """
    return map(upload_file(client, bucket, object_name, file_path, run=run), lambda info: info.uri)


def plan_upload_file(
    client: Session[Any],
    bucket: str,
    object_name: str,
    file_path: StrPath,
    *,
    run: Run | None = None,
    sha256: str | None = None,
) -> Plan[ObjectInfo]:
    """Stream a file to PUT `/datasets/{bucket}/{object}` and return what the server stored.

    The file is read once, in 1 MiB chunks, and hashed as it goes out: memory does not grow
    with the file, and the upload runs at the speed of the disk and the server. The server
    answers the size and SHA-256 of what it stored; they must be the bytes sent. If they are
    not (bytes damaged on the way), the SDK uploads the file again, this time with
    `X-Checksum-Sha256`, so the server refuses anything but the right bytes: no silently
    corrupt object is left behind, and if that second upload is refused too, the `Err` says so
    (the object then holds what the first attempt stored). A caller who knows the digest
    already passes it as `sha256`: it travels as `X-Checksum-Sha256` from the first attempt.

    A retry reads the file again from its first byte. A missing or unreadable file is
    `Err(ValidationError)`. When the upload waits in the outbox, the outbox keeps a copy of
    the file and sends it with the copy's `X-Checksum-Sha256`: deleting or changing the
    original afterwards loses nothing.

    >>> upload_file(client, "datasets", "users/part-0.csv", "part-0.csv")  # doctest: +SKIP
    Ok(value=ObjectInfo(bucket='datasets', object_name='users/part-0.csv', uri=..., size=..., ...))
    """
    invalid = first_invalid(
        bad_bucket("bucket", bucket),
        bad_object_name("object_name", object_name),
        None if run is None else bad_run("run", run),
        None
        if sha256 is None or _SHA256.fullmatch(sha256)
        else ValidationError(f"sha256: {sha256!r} is not a lowercase hex SHA-256"),
    )
    if invalid is not None:
        return Refusal("upload_object", invalid, run)
    try:
        with open(file_path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
    except (OSError, ValueError) as ex:  # ValueError: a NUL, or text the OS cannot spell
        return Refusal("upload_object", _unreadable(file_path, ex), run)
    upload = _Upload(bucket, object_name, os.fspath(file_path), size, run)
    if sha256 is not None:
        return upload.call(sha256)
    return Chain(upload.call(None), upload.replaced_if_damaged)


upload_file = operation(plan_upload_file)


def plan_download_object(
    client: Session[Any],
    bucket: str,
    object_name: str,
    dest_path: StrPath,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> Plan[ObjectInfo]:
    """Stream `bucket`/`object_name` into `dest_path` and return its size and SHA-256;
    `progress(done, total)` hears of each chunk (`total`: the announced size, if any).

    The bytes go to a temporary file beside `dest_path`, are checked, and only then replace
    `dest_path`: a failed download never leaves a partial file. The destination folder must
    exist.

    The check: the contract documents `X-Checksum-Sha256` on a download but does not require
    it, so a server that leaves it out is not refused for that. With the header, the bytes
    must hash to it (else `Err(Transient)`, retried: they were damaged on the way). Without
    it, the answer must at least be what the contract says a download is: a body of
    `Content-Type: application/octet-stream` (or of no declared type); a 200 carrying
    anything else, such as a proxy's or a login page's HTML, is `Err(ServerError)` and
    `dest_path` is left as it was.

    The bytes are written in one worker thread and hashed in another while the next ones
    arrive, so `progress` is called from the writing thread. On Linux, an object of 4 MiB or
    more is written with `O_DIRECT` where the file system allows it: straight to disk, at the
    disk's speed, without filling the page cache with it (or needing fresh memory for it
    while the old `dest_path` still holds its own).

    >>> download_object(client, "artifacts", "jobs/daily/r1/run.log", "run.log")  # doctest: +SKIP
    Ok(value=ObjectInfo(bucket='artifacts', object_name='jobs/daily/r1/run.log', ...))
    """
    invalid = first_invalid(
        bad_bucket("bucket", bucket), bad_object_name("object_name", object_name)
    )
    if invalid is not None:
        return Refusal("download_object", invalid)
    dest = Path(dest_path)
    if not _encodable(dest) or not dest.parent.is_dir() or dest.is_dir():
        return Refusal(
            "download_object",
            ValidationError(
                f"dest_path: {str(dest_path)!r} is not a file path in an existing folder"
            ),
        )
    info = ObjectInfo(
        bucket=bucket,
        object_name=object_name,
        uri=f"datlake://{bucket}/{object_name}",
        size=0,
        sha256="",
    )

    def sink(response: httpx.Response) -> _Download:
        return _Download(response, dest, info, progress)

    # The generated parser reads the whole body into memory: the sink streams it to disk.
    call = api_call(
        download_object_endpoint,
        lambda request_id: download_object_endpoint._get_kwargs(
            bucket, object_name, x_request_id=request_id
        ),
        ObjectInfo,
        _same,
    )
    return call._replace(parse=read_by_sink, sink=sink, stream=True)


download_object = operation(plan_download_object)


def log_object_name(run: Run) -> str:
    """Where a run's log is stored: `jobs/{job_name}/{run_id}/run.log`."""
    return f"jobs/{run.job_name}/{run.run_id}/run.log"


def plan_make_log_artifact(
    client: Session[Any], bucket: str, run: Run, local_log_path: StrPath
) -> Plan[Artifact]:
    """Upload a run's log to `bucket` as `jobs/{job}/{run_id}/run.log`; `Ok` holds the
    `Artifact(type="log", uri=..., name="run.log", ...)` (with its content type, size and
    SHA-256) to pass to `complete_run(..., artifacts=[...])`.

    >>> make_log_artifact(client, "artifacts", run, "/var/log/app/run.log")  # doctest: +SKIP
    Ok(value=Artifact(type='log', uri='datlake://artifacts/jobs/daily_users/3f2a.../run.log', ...))
    """
    invalid = bad_run("run", run)
    if invalid is not None:
        return Refusal("make_log_artifact", invalid, run)
    return Chain(
        plan_upload_file(client, bucket, log_object_name(run), local_log_path, run=run),
        lambda info: Ok(file_artifact(info, "log", name="run.log", content_type=LOG_CONTENT_TYPE)),
    )


make_log_artifact = operation(plan_make_log_artifact)


def file_artifact(
    info: ObjectInfo,
    type: str,
    *,
    name: str | None = None,
    content_type: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Artifact:
    """The artifact of an uploaded object: its uri, size and SHA-256, named after the object
    unless `name` says otherwise, its content type guessed from the name unless given.

    >>> info = ObjectInfo("reports", "daily/r1.html", "datlake://reports/daily/r1.html", 5, "ab")
    >>> file_artifact(info, "report").content_type
    'text/html'
    """
    shown = name or info.object_name.rpartition("/")[2]
    guessed = mimetypes.guess_type(shown)[0] or "application/octet-stream"
    return Artifact(
        type,
        info.uri,
        name=shown,
        content_type=content_type or guessed,
        size=info.size,
        sha256=info.sha256,
        metadata=None if metadata is None else dict(metadata),
    )


@attrs.frozen
class _Upload:
    """One file's upload to `bucket`/`object_name`, with what it takes to check it."""

    bucket: str
    object_name: str
    file_path: str
    size: int
    run: Run | None
    body: FileBody = attrs.field(init=False)

    @body.default
    def _file_body(self) -> FileBody:
        return FileBody(self.file_path, self.size)

    @property
    def uri(self) -> str:
        return f"datlake://{self.bucket}/{self.object_name}"

    def sent_sha256(self) -> str:
        """The digest of the bytes sent, or (no attempt read the file to its end) of the file."""
        if self.body.sha256 is None:
            with open(self.file_path, "rb") as file:
                return hashlib.file_digest(file, "sha256").hexdigest()
        return self.body.sha256

    def replaced_if_damaged(self, info: ObjectInfo) -> Plan[ObjectInfo]:
        """`info` when the server stored the bytes sent, else the checked upload of the file."""
        if info.pending or (info.sha256 == self.body.sha256 and info.size == self.size):
            return Ok(info)
        logger.warning(
            "upload_object: %s was stored as %d bytes hashing to %s, not the %d bytes sent"
            " (hashing to %s): uploading it again, checked",
            self.uri,
            info.size,
            info.sha256,
            self.size,
            self.body.sha256,
        )
        return self.call(self.sent_sha256())

    def call(self, sha256: str | None) -> Call[api.ObjectReceipt, ObjectInfo]:
        """The PUT; with `sha256`, sent as `X-Checksum-Sha256` (the server then checks it)."""

        def pending() -> ObjectInfo:
            digest = sha256 or self.sent_sha256()
            return ObjectInfo(
                self.bucket, self.object_name, self.uri, self.size, digest, pending=True
            )

        def stored(*, client: object, response: httpx.Response) -> ObjectInfo | None:
            # an earlier attempt landed when the server holds these very bytes; the headers
            # tell, the body is never read
            digest = sha256 or self.sent_sha256()
            same = response.headers.get(
                "X-Checksum-Sha256", ""
            ).lower() == digest and response.headers.get("Content-Length") == str(self.size)
            return (
                ObjectInfo(self.bucket, self.object_name, self.uri, self.size, digest)
                if same
                else None
            )

        def lookup() -> Call[object, ObjectInfo | None]:
            return Call(
                operation="download_object",
                request=lambda request_id: download_object_endpoint._get_kwargs(
                    self.bucket, self.object_name, x_request_id=request_id
                ),
                parse=stored,
                expect=object,
                convert=lambda found: found if isinstance(found, ObjectInfo) else None,
                retry_safe=True,
                stream=True,
            )

        def checked(receipt: api.ObjectReceipt) -> ObjectInfo:
            info = domain.object_info(receipt)  # checks the receipt's types first
            # a server that stored other bytes than it was told to must not pass for a good
            # upload (without `sha256`, `replaced_if_damaged` looks at the receipt)
            if sha256 is not None and (info.sha256 != sha256 or info.size != self.size):
                raise ServerError(
                    f"the server stored {info.size} bytes hashing to {info.sha256}; "
                    f"we sent {self.size} bytes hashing to {sha256}",
                    code=201,
                )
            return info

        def request(request_id: str) -> dict[str, Any]:
            kwargs = upload_object_endpoint._get_kwargs(
                self.bucket,
                self.object_name,
                body=File(payload=io.BytesIO()),  # replaced by the file below
                x_checksum_sha_256=UNSET if sha256 is None else sha256,
                x_request_id=request_id,
            )
            # the file itself, read once and hashed on the way; its size, declared up front
            kwargs["content"] = self.body
            kwargs["headers"]["Content-Length"] = str(self.size)
            return kwargs

        run = self.run
        return api_call(
            upload_object_endpoint,
            request,
            api.ObjectReceipt,
            checked,
            rewind=_nothing_to_rewind,
            run=run,
            defer=Deferral(
                new_id() if run is None else run.run_id,
                pending,
                None if run is None else run.job_name,
                None if run is None else run.run_id,
                file=self.file_path,
            ),
            resolve=lookup,
        )


def _nothing_to_rewind() -> None:
    """Each attempt reads the file from its first byte (`FileBody`): nothing to rewind. (A
    call with a `rewind` is a file transfer: its deadline does not cut the body short.)"""


class _Download:
    """A download's bytes on their way to `dest` (a `Sink`): written to a temporary file
    beside it and hashed as they come; `close` checks them and only then puts them in place.

    Raises SDKErrors, which the translator passes on as they are: a local disk failure is the
    caller's (not the server's), and bytes that do not match their checksum are worth a retry.
    """

    def __init__(
        self,
        response: httpx.Response,
        dest: Path,
        info: ObjectInfo,
        progress: Callable[[int, int | None], None] | None,
    ) -> None:
        media_type = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
        self._expected = response.headers.get("X-Checksum-Sha256")
        if self._expected is None and media_type not in _OBJECT_MEDIA_TYPES:
            # nothing to check the bytes against, and they are not an object's: refuse them
            raise ServerError(
                f"HTTP {response.status_code} with a {media_type} body and no"
                " X-Checksum-Sha256: not an object's bytes",
                code=response.status_code,
            )
        self._status = response.status_code
        self._dest, self._info, self._progress = dest, info, progress
        announced = response.headers.get("Content-Length", "")
        self._total = int(announced) if announced.isdigit() else None
        self._digest = hashlib.sha256()
        self._size = 0
        try:
            descriptor, self._temp = tempfile.mkstemp(
                dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"
            )
        except OSError as ex:
            raise _unwritable(dest, ex) from ex
        self._descriptor = descriptor
        # a big body's whole blocks skip the page cache: written straight to disk, they need
        # no fresh page cache pages (the old file still holds its own until replaced)
        self._direct = -1
        if self._total is not None and self._total >= _DIRECT_LEAST and _O_DIRECT:
            with contextlib.suppress(OSError):  # a file system without it: the page cache
                self._direct = os.open(self._temp, os.O_WRONLY | _O_DIRECT)

    def write(self, batch: Sequence[Chunk]) -> None:
        for chunk in batch:
            try:
                self._put(memoryview(chunk))
            except OSError as ex:
                raise _unwritable(self._dest, ex) from ex
            self._size += len(chunk)
            if self._progress is not None:
                self._progress(self._size, self._total)

    def _put(self, chunk: memoryview) -> None:
        """Write `chunk` at the end: its whole blocks with `O_DIRECT` while every write so far
        was whole blocks from aligned memory (the kernel says `EINVAL` otherwise), the rest
        through the page cache."""
        done = 0
        if self._direct >= 0 and self._size % _BLOCK == 0:
            whole = len(chunk) - len(chunk) % _BLOCK
            try:
                while done < whole:
                    done += os.pwrite(self._direct, chunk[done:whole], self._size + done)
            except OSError as ex:
                if ex.errno not in (errno.EINVAL, errno.EOPNOTSUPP):
                    raise
                self._stop_direct()
        _write_all(self._descriptor, chunk[done:], self._size + done)

    def _stop_direct(self) -> None:
        if self._direct >= 0:
            with contextlib.suppress(OSError):
                os.close(self._direct)
            self._direct = -1

    def hash(self, batch: Sequence[Chunk]) -> None:
        for chunk in batch:
            self._digest.update(chunk)

    def close(self) -> ObjectInfo:
        self._stop_direct()
        try:
            os.close(self._descriptor)
        except OSError as ex:
            raise _unwritable(self._dest, ex) from ex
        sha256 = self._digest.hexdigest()
        if self._expected is not None and self._expected.lower() != sha256:
            raise Transient(
                f"downloaded bytes hash to {sha256}, the server announced {self._expected}",
                code=self._status,
            )
        try:
            os.replace(self._temp, self._dest)
        except OSError as ex:
            raise _unwritable(self._dest, ex) from ex
        return attrs.evolve(self._info, size=self._size, sha256=sha256)

    def abort(self) -> None:
        self._stop_direct()
        with contextlib.suppress(OSError):
            os.close(self._descriptor)
        with contextlib.suppress(OSError):
            os.unlink(self._temp)


def _write_all(descriptor: int, data: memoryview, offset: int) -> None:
    while data:
        written = os.pwrite(descriptor, data, offset)
        data, offset = data[written:], offset + written


def _encodable(path: Path) -> bool:
    """Whether the OS can spell `path` (no NUL, no text its file system encoding lacks)."""
    try:
        os.fsencode(path)
    except (ValueError, UnicodeError):
        return False
    return "\x00" not in str(path)


def _same(info: ObjectInfo) -> ObjectInfo:
    return info


def _unwritable(dest: Path, ex: OSError) -> ValidationError:
    return ValidationError(
        f"dest_path: cannot write {str(dest)!r}: {getattr(ex, 'strerror', None) or ex}"
    )


def _unreadable(file_path: StrPath, ex: OSError | ValueError) -> ValidationError:
    error = ValidationError(
        f"file_path: cannot read {str(file_path)!r}: {getattr(ex, 'strerror', None) or ex}"
    )
    error.__cause__ = ex
    return error
