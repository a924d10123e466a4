"""The async object transfers: the plans of `datlake_sdk.functional`'s `upload_file`,
`download_object`, `download_artifact` and `make_log_artifact`, carried out by an
`AsyncDatlakeClient`. The file is read, and a download written and hashed, in worker threads:
the event loop only moves bytes.

>>> import asyncio
>>> from datlake_sdk.aio import AsyncDatlakeClient, download_object, upload_file
>>> async def copy(client: AsyncDatlakeClient) -> None:
...     await upload_file(client, "datasets", "users/part-0.csv", "part-0.csv")
...     await download_object(client, "datasets", "users/part-0.csv", "copy.csv")
"""

from __future__ import annotations

from .._artifacts import plan_download_artifact
from .._errors import SDKError
from .._objects import StrPath, plan_download_object, plan_make_log_artifact, plan_upload_file
from .._result import Result, map
from .._types import Run
from ._client import AsyncDatlakeClient
from ._operations import async_operation

__all__ = [
    "download_artifact",
    "download_object",
    "make_log_artifact",
    "upload_file",
    "upload_object",
]

upload_file = async_operation(plan_upload_file)
download_object = async_operation(plan_download_object)
download_artifact = async_operation(plan_download_artifact)
make_log_artifact = async_operation(plan_make_log_artifact)


async def upload_object(
    client: AsyncDatlakeClient,
    bucket: str,
    object_name: str,
    file_path: StrPath,
    *,
    run: Run | None = None,
) -> Result[str, SDKError]:
    """`datlake_sdk.functional.upload_object`, awaited: `Ok` holds the object's uri."""
    return map(
        await upload_file(client, bucket, object_name, file_path, run=run), lambda info: info.uri
    )
