from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.object_receipt import ObjectReceipt
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    bucket: str,
    object_: str,
    *,
    body: File,
    x_checksum_sha_256: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_checksum_sha_256, Unset):
        headers["X-Checksum-Sha256"] = x_checksum_sha_256

    if not isinstance(x_request_id, Unset):
        headers["X-Request-Id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/datasets/{bucket}/{object_}".format(
            bucket=quote(str(bucket), safe=""),
            object_=quote(str(object_), safe=""),
        ),
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ObjectReceipt | Problem | None:
    if response.status_code == 201:
        response_201 = ObjectReceipt.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ObjectReceipt | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    bucket: str,
    object_: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    x_checksum_sha_256: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[ObjectReceipt | Problem]:
    """Store an object (streamed), verified against its checksum

     Writes the object atomically, replacing any previous one. When `X-Checksum-Sha256` is
    sent and does not match the bytes received, nothing is stored and the answer is 422
    `checksum-mismatch`.

    The header is optional, so a client can hash the body while it streams it (one read of
    the file) instead of before: the receipt's `size` and `sha256` are always those of the
    bytes stored, and such a client compares them with what it sent. When they differ, the
    stored object is not the client's; it uploads again with `X-Checksum-Sha256`, which
    replaces the object with the right bytes or stores nothing.

    The body is `application/octet-stream`; a body without `Content-Type` is taken as one
    (RFC 9110), but a request with neither a `Content-Type` nor a byte has no body and is
    a 422 `invalid-body`, as is any other content type: an empty object is sent with
    `Content-Type: application/octet-stream`. Any name the `ObjectName` schema allows can
    be stored: `a` and `a/b` may both be objects, and no segment is too long.

    Args:
        bucket (str):
        object_ (str): 1 to 1024 bytes of UTF-8 (`maxLength` counts characters, so it only bounds
            this; the
            server checks the bytes); `/` separates folders; no NUL, no backslash, no leading `/`,
            no empty, `.` or `..` segment. These are the only rules: a backend stores every such
            name, whatever the length of a segment, and `a` beside `a/b`.
        x_checksum_sha_256 (str | Unset):
        x_request_id (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ObjectReceipt | Problem]
    """

    kwargs = _get_kwargs(
        bucket=bucket,
        object_=object_,
        body=body,
        x_checksum_sha_256=x_checksum_sha_256,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    bucket: str,
    object_: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    x_checksum_sha_256: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> ObjectReceipt | Problem | None:
    """Store an object (streamed), verified against its checksum

     Writes the object atomically, replacing any previous one. When `X-Checksum-Sha256` is
    sent and does not match the bytes received, nothing is stored and the answer is 422
    `checksum-mismatch`.

    The header is optional, so a client can hash the body while it streams it (one read of
    the file) instead of before: the receipt's `size` and `sha256` are always those of the
    bytes stored, and such a client compares them with what it sent. When they differ, the
    stored object is not the client's; it uploads again with `X-Checksum-Sha256`, which
    replaces the object with the right bytes or stores nothing.

    The body is `application/octet-stream`; a body without `Content-Type` is taken as one
    (RFC 9110), but a request with neither a `Content-Type` nor a byte has no body and is
    a 422 `invalid-body`, as is any other content type: an empty object is sent with
    `Content-Type: application/octet-stream`. Any name the `ObjectName` schema allows can
    be stored: `a` and `a/b` may both be objects, and no segment is too long.

    Args:
        bucket (str):
        object_ (str): 1 to 1024 bytes of UTF-8 (`maxLength` counts characters, so it only bounds
            this; the
            server checks the bytes); `/` separates folders; no NUL, no backslash, no leading `/`,
            no empty, `.` or `..` segment. These are the only rules: a backend stores every such
            name, whatever the length of a segment, and `a` beside `a/b`.
        x_checksum_sha_256 (str | Unset):
        x_request_id (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ObjectReceipt | Problem
    """

    return sync_detailed(
        bucket=bucket,
        object_=object_,
        client=client,
        body=body,
        x_checksum_sha_256=x_checksum_sha_256,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    bucket: str,
    object_: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    x_checksum_sha_256: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[ObjectReceipt | Problem]:
    """Store an object (streamed), verified against its checksum

     Writes the object atomically, replacing any previous one. When `X-Checksum-Sha256` is
    sent and does not match the bytes received, nothing is stored and the answer is 422
    `checksum-mismatch`.

    The header is optional, so a client can hash the body while it streams it (one read of
    the file) instead of before: the receipt's `size` and `sha256` are always those of the
    bytes stored, and such a client compares them with what it sent. When they differ, the
    stored object is not the client's; it uploads again with `X-Checksum-Sha256`, which
    replaces the object with the right bytes or stores nothing.

    The body is `application/octet-stream`; a body without `Content-Type` is taken as one
    (RFC 9110), but a request with neither a `Content-Type` nor a byte has no body and is
    a 422 `invalid-body`, as is any other content type: an empty object is sent with
    `Content-Type: application/octet-stream`. Any name the `ObjectName` schema allows can
    be stored: `a` and `a/b` may both be objects, and no segment is too long.

    Args:
        bucket (str):
        object_ (str): 1 to 1024 bytes of UTF-8 (`maxLength` counts characters, so it only bounds
            this; the
            server checks the bytes); `/` separates folders; no NUL, no backslash, no leading `/`,
            no empty, `.` or `..` segment. These are the only rules: a backend stores every such
            name, whatever the length of a segment, and `a` beside `a/b`.
        x_checksum_sha_256 (str | Unset):
        x_request_id (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ObjectReceipt | Problem]
    """

    kwargs = _get_kwargs(
        bucket=bucket,
        object_=object_,
        body=body,
        x_checksum_sha_256=x_checksum_sha_256,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    bucket: str,
    object_: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
    x_checksum_sha_256: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> ObjectReceipt | Problem | None:
    """Store an object (streamed), verified against its checksum

     Writes the object atomically, replacing any previous one. When `X-Checksum-Sha256` is
    sent and does not match the bytes received, nothing is stored and the answer is 422
    `checksum-mismatch`.

    The header is optional, so a client can hash the body while it streams it (one read of
    the file) instead of before: the receipt's `size` and `sha256` are always those of the
    bytes stored, and such a client compares them with what it sent. When they differ, the
    stored object is not the client's; it uploads again with `X-Checksum-Sha256`, which
    replaces the object with the right bytes or stores nothing.

    The body is `application/octet-stream`; a body without `Content-Type` is taken as one
    (RFC 9110), but a request with neither a `Content-Type` nor a byte has no body and is
    a 422 `invalid-body`, as is any other content type: an empty object is sent with
    `Content-Type: application/octet-stream`. Any name the `ObjectName` schema allows can
    be stored: `a` and `a/b` may both be objects, and no segment is too long.

    Args:
        bucket (str):
        object_ (str): 1 to 1024 bytes of UTF-8 (`maxLength` counts characters, so it only bounds
            this; the
            server checks the bytes); `/` separates folders; no NUL, no backslash, no leading `/`,
            no empty, `.` or `..` segment. These are the only rules: a backend stores every such
            name, whatever the length of a segment, and `a` beside `a/b`.
        x_checksum_sha_256 (str | Unset):
        x_request_id (str | Unset):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ObjectReceipt | Problem
    """

    return (
        await asyncio_detailed(
            bucket=bucket,
            object_=object_,
            client=client,
            body=body,
            x_checksum_sha_256=x_checksum_sha_256,
            x_request_id=x_request_id,
        )
    ).parsed
