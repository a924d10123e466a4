"""A run's artifacts, listed and downloaded by run.

>>> from datlake_sdk.functional import list_artifacts, download_artifact
>>> for artifact in unwrap(list_artifacts(client, run)):  # doctest: +SKIP
...     if artifact.type == "log":
...         download_artifact(client, artifact, "run.log")
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ._call import Chain, Plan, Refusal
from ._catalog_types import ObjectInfo
from ._client import Session
from ._errors import ValidationError
from ._objects import StrPath, plan_download_object
from ._operations import operation
from ._result import Ok
from ._runs import plan_get_run
from ._types import Artifact, Run

__all__ = ["download_artifact", "list_artifacts", "plan_download_artifact", "plan_list_artifacts"]


def plan_list_artifacts(client: Session[Any], run: Run) -> Plan[tuple[Artifact, ...]]:
    """The artifacts `run` was completed with (none while it runs).

    >>> list_artifacts(client, run)  # doctest: +SKIP
    Ok(value=(Artifact(type='log', uri='datlake://artifacts/jobs/daily_users/.../run.log', ...),))
    """
    return Chain(plan_get_run(client, run.job_name, run.run_id), lambda found: Ok(found.artifacts))


list_artifacts = operation(plan_list_artifacts)


def plan_download_artifact(
    client: Session[Any], artifact: Artifact, dest_path: StrPath
) -> Plan[ObjectInfo]:
    """Download an artifact Datlake stores (a `datlake://bucket/object` uri) into `dest_path`,
    checked by SHA-256 (against the artifact's own `sha256` too, when it has one). An artifact
    stored elsewhere (`s3://`, `https://`) is `Err(ValidationError)`: fetch it with its tools.

    >>> download_artifact(client, artifact, "run.log")  # doctest: +SKIP
    Ok(value=ObjectInfo(bucket='artifacts', object_name='jobs/daily_users/.../run.log', ...))
    """
    parts = urlsplit(artifact.uri)
    if parts.scheme != "datlake" or not parts.netloc or len(parts.path) < 2:
        invalid = ValidationError(f"artifact: {artifact.uri!r} is not stored in Datlake")
        return Refusal("download_object", invalid)

    def checked(downloaded: ObjectInfo) -> Plan[ObjectInfo]:
        if artifact.sha256 in (None, downloaded.sha256):
            return Ok(downloaded)
        mismatch = ValidationError(
            f"artifact: the stored bytes hash to {downloaded.sha256}, the artifact says"
            f" {artifact.sha256} (the object was replaced since it was attached)"
        )
        return Refusal("download_object", mismatch)

    return Chain(plan_download_object(client, parts.netloc, parts.path[1:], dest_path), checked)


download_artifact = operation(plan_download_artifact)
