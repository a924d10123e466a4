"""Objects: stream files to and from a bucket, checked by SHA-256, in constant memory.

>>> from datlake_sdk.functional import upload_object, make_log_artifact
>>> upload_object(client, "artifacts", "reports/2026-11-27.html", "out/report.html")
... # doctest: +SKIP
Ok(value='datlake://artifacts/reports/2026-11-27.html')
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import httpx
from datlake_api.types import File

from . import _convert as domain
from ._call import Call, Deferral
from ._catalog_types import ObjectInfo
from ._client import DatlakeClient
from ._errors import SDKError, ServerError, Transient, ValidationError
from ._ids import new_id
from ._lazy import lazy
from ._names import bad_bucket, bad_object_name, bad_run, first_invalid
from ._operations import api_call
from ._result import Result, map
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
    "upload_file",
    "upload_object",
]

StrPath = str | os.PathLike[str]

LOG_CONTENT_TYPE = "text/plain; charset=utf-8"

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


def upload_file(
    client: DatlakeClient,
    bucket: str,
    object_name: str,
    file_path: StrPath,
    *,
    run: Run | None = None,
) -> Result[ObjectInfo, SDKError]:
    """Stream a file to PUT `/datasets/{bucket}/{object}` and return what the server stored.

    The file is hashed first (in chunks), the digest travels as `X-Checksum-Sha256` so the server
    stores nothing on a mismatch, and the body is read from disk in chunks: memory does not grow
    with the file. A retry rewinds the file. A missing or unreadable file is `Err(ValidationError)`.
    When the upload waits in the outbox, the outbox keeps a copy of the file: deleting or
    changing the original afterwards loses nothing.

    >>> upload_file(client, "datasets", "users/part-0.csv", "part-0.csv")  # doctest: +SKIP
    Ok(value=ObjectInfo(bucket='datasets', object_name='users/part-0.csv', uri=..., size=..., ...))
    """
    invalid = first_invalid(
        bad_bucket("bucket", bucket),
        bad_object_name("object_name", object_name),
        None if run is None else bad_run("run", run),
    )
    if invalid is not None:
        return client.refuse("upload_object", invalid, run)
    try:
        file = open(file_path, "rb")  # noqa: SIM115 - closed below, after the call
    except (OSError, ValueError) as ex:  # ValueError: a NUL, or text the OS cannot spell
        return client.refuse("upload_object", _unreadable(file_path, ex), run)
    with file:
        try:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
            file.seek(0)
        except OSError as ex:
            return client.refuse("upload_object", _unreadable(file_path, ex), run)
        return client.execute(
            _upload_call(bucket, object_name, file, digest, run, os.fspath(file_path))
        )


def download_object(
    client: DatlakeClient,
    bucket: str,
    object_name: str,
    dest_path: StrPath,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> Result[ObjectInfo, SDKError]:
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

    >>> download_object(client, "artifacts", "jobs/daily/r1/run.log", "run.log")  # doctest: +SKIP
    Ok(value=ObjectInfo(bucket='artifacts', object_name='jobs/daily/r1/run.log', ...))
    """
    invalid = first_invalid(
        bad_bucket("bucket", bucket), bad_object_name("object_name", object_name)
    )
    if invalid is not None:
        return client.refuse("download_object", invalid)
    dest = Path(dest_path)
    if not _encodable(dest) or not dest.parent.is_dir() or dest.is_dir():
        return client.refuse(
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

    def save(*, client: object, response: httpx.Response) -> ObjectInfo:
        return _save_streamed(response, dest, info, progress)

    # The generated parser reads the whole body into memory: this one streams it to disk.
    call = api_call(
        download_object_endpoint,
        lambda request_id: download_object_endpoint._get_kwargs(
            bucket, object_name, x_request_id=request_id
        ),
        ObjectInfo,
        _same,
    )
    return client.execute(call._replace(parse=save, stream=True))


def log_object_name(run: Run) -> str:
    """Where a run's log is stored: `jobs/{job_name}/{run_id}/run.log`."""
    return f"jobs/{run.job_name}/{run.run_id}/run.log"


def make_log_artifact(
    client: DatlakeClient, bucket: str, run: Run, local_log_path: StrPath
) -> Result[Artifact, SDKError]:
    """Upload a run's log to `bucket` as `jobs/{job}/{run_id}/run.log`; `Ok` holds the
    `Artifact(type="log", uri=..., name="run.log", ...)` (with its content type, size and
    SHA-256) to pass to `complete_run(..., artifacts=[...])`.

    >>> make_log_artifact(client, "artifacts", run, "/var/log/app/run.log")  # doctest: +SKIP
    Ok(value=Artifact(type='log', uri='datlake://artifacts/jobs/daily_users/3f2a.../run.log', ...))
    """
    invalid = bad_run("run", run)
    if invalid is not None:
        return client.refuse("make_log_artifact", invalid, run)
    return map(
        upload_file(client, bucket, log_object_name(run), local_log_path, run=run),
        lambda info: file_artifact(info, "log", name="run.log", content_type=LOG_CONTENT_TYPE),
    )


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


def _upload_call(
    bucket: str,
    object_name: str,
    file: BinaryIO,
    digest: str,
    run: Run | None,
    file_path: str,
) -> Call[api.ObjectReceipt, ObjectInfo]:
    def rewind() -> None:
        file.seek(0)

    size = os.fstat(file.fileno()).st_size

    uri = f"datlake://{bucket}/{object_name}"

    def pending() -> ObjectInfo:
        return ObjectInfo(bucket, object_name, uri, size, digest, pending=True)

    def stored(*, client: object, response: httpx.Response) -> ObjectInfo | None:
        # an earlier attempt landed when the server holds these very bytes; the headers tell,
        # the body is never read
        same = response.headers.get(
            "X-Checksum-Sha256", ""
        ).lower() == digest and response.headers.get("Content-Length") == str(size)
        return ObjectInfo(bucket, object_name, uri, size, digest) if same else None

    def lookup() -> Call[object, ObjectInfo | None]:
        return Call(
            operation="download_object",
            request=lambda request_id: download_object_endpoint._get_kwargs(
                bucket, object_name, x_request_id=request_id
            ),
            parse=stored,
            expect=object,
            convert=lambda found: found if isinstance(found, ObjectInfo) else None,
            retry_safe=True,
            stream=True,
        )

    def verified(receipt: api.ObjectReceipt) -> ObjectInfo:
        info = domain.object_info(receipt)  # checks the receipt's types first
        # a server that stored other bytes than we sent must not pass for a good upload
        if info.sha256 != digest or info.size != size:
            raise ServerError(
                f"the server stored {info.size} bytes hashing to {info.sha256}; "
                f"we sent {size} bytes hashing to {digest}",
                code=201,
            )
        return info

    # httpx reads a file object given as `content` in chunks and sets Content-Length from its size.
    return api_call(
        upload_object_endpoint,
        lambda request_id: upload_object_endpoint._get_kwargs(
            bucket,
            object_name,
            body=File(payload=file),
            x_checksum_sha_256=digest,
            x_request_id=request_id,
        ),
        api.ObjectReceipt,
        verified,
        rewind=rewind,
        run=run,
        defer=Deferral(
            new_id() if run is None else run.run_id,
            pending,
            None if run is None else run.job_name,
            None if run is None else run.run_id,
            file=file_path,
        ),
        resolve=lookup,
    )


def _save_streamed(
    response: httpx.Response,
    dest: Path,
    info: ObjectInfo,
    progress: Callable[[int, int | None], None] | None = None,
) -> ObjectInfo:
    # Raises SDKErrors, which the translator passes on as they are: a local disk failure is the
    # caller's (not the server's), and bytes that do not match their checksum are worth a retry.
    media_type = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if "X-Checksum-Sha256" not in response.headers and media_type not in _OBJECT_MEDIA_TYPES:
        # nothing to check the bytes against, and they are not an object's: refuse them
        raise ServerError(
            f"HTTP {response.status_code} with a {media_type} body and no"
            " X-Checksum-Sha256: not an object's bytes",
            code=response.status_code,
        )
    digest = hashlib.sha256()
    size = 0
    announced = response.headers.get("Content-Length", "")
    total = int(announced) if announced.isdigit() else None
    try:
        descriptor, temp_name = tempfile.mkstemp(
            dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"
        )
    except OSError as ex:
        raise _unwritable(dest, ex) from ex
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in response.iter_bytes():  # as they arrive: no copies into bigger chunks
                try:
                    out.write(chunk)
                except OSError as ex:
                    raise _unwritable(dest, ex) from ex
                digest.update(chunk)
                size += len(chunk)
                if progress is not None:
                    progress(size, total)
        sha256 = digest.hexdigest()
        expected = response.headers.get("X-Checksum-Sha256")
        if expected is not None and expected.lower() != sha256:
            raise Transient(
                f"downloaded bytes hash to {sha256}, the server announced {expected}",
                code=response.status_code,
            )
        try:
            os.replace(temp_name, dest)
        except OSError as ex:
            raise _unwritable(dest, ex) from ex
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return ObjectInfo(
        bucket=info.bucket, object_name=info.object_name, uri=info.uri, size=size, sha256=sha256
    )


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
