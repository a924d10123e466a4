"""Where a snapshot's bytes are: a local file for `file://` uris (read in place), a download
for `datlake://bucket/object` (streamed to disk, checked by SHA-256), a copy through fsspec
for any other scheme when fsspec is installed.

>>> from pathlib import Path
>>> local_file(None, "file:///data/users%20raw.csv", Path("/tmp"))  # doctest: +SKIP
Ok(value=PosixPath('/data/users raw.csv'))
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from .._client import DatlakeClient
from .._errors import SDKError, ValidationError
from .._objects import download_object
from .._result import Err, Ok, Result, map

__all__ = ["DATLAKE_SCHEME", "local_file"]

DATLAKE_SCHEME = "datlake://"
_CHUNK_SIZE = 1024 * 1024


def local_file(client: DatlakeClient, uri: str, folder: Path) -> Result[Path, SDKError]:
    """A local path holding the bytes at `uri`; anything copied goes into `folder`."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        if parsed.netloc not in ("", "localhost"):
            return Err(ValidationError(f"uri: {uri!r} names another host's file"))
        path = Path(url2pathname(parsed.path))
        if not path.is_file():
            return Err(ValidationError(f"uri: cannot read {uri!r}: no such file"))
        return Ok(path)
    target = folder / (Path(parsed.path).name or "object")
    if uri.startswith(DATLAKE_SCHEME):
        bucket, _, object_name = uri.removeprefix(DATLAKE_SCHEME).partition("/")
        return map(download_object(client, bucket, object_name, target), lambda _: target)
    return _copy_with_fsspec(uri, parsed.scheme, target)


def _copy_with_fsspec(uri: str, scheme: str, target: Path) -> Result[Path, SDKError]:
    try:
        import fsspec  # optional: not in any extra
    except ImportError:
        return Err(
            ValidationError(f"uri: reading {scheme}:// uris needs fsspec (pip install fsspec)")
        )
    try:
        source: Any = fsspec.open(uri, "rb")
        with source as stream, target.open("wb") as out:
            shutil.copyfileobj(stream, out, _CHUNK_SIZE)
    except Exception as ex:  # whatever the file system raises: missing, denied, unknown scheme
        error = ValidationError(f"uri: cannot read {uri!r}: {ex}")
        error.__cause__ = ex
        return Err(error)
    return Ok(target)
