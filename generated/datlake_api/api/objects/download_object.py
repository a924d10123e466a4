from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    bucket: str,
    object_: str,
    *,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-Id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/datasets/{bucket}/{object_}".format(
            bucket=quote(str(bucket), safe=""),
            object_=quote(str(object_), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> File | Problem | None:
    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[File | Problem]:
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
    x_request_id: str | Unset = UNSET,
) -> Response[File | Problem]:
    """Read a stored object (streamed)

    Args:
        bucket (str):
        object_ (str): 1 to 1024 bytes of UTF-8 (`maxLength` counts characters, so it only bounds
            this; the
            server checks the bytes); `/` separates folders; no NUL, no backslash, no leading `/`,
            no empty, `.` or `..` segment. These are the only rules: a backend stores every such
            name, whatever the length of a segment, and `a` beside `a/b`.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        bucket=bucket,
        object_=object_,
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
    x_request_id: str | Unset = UNSET,
) -> File | Problem | None:
    """Read a stored object (streamed)

    Args:
        bucket (str):
        object_ (str): 1 to 1024 bytes of UTF-8 (`maxLength` counts characters, so it only bounds
            this; the
            server checks the bytes); `/` separates folders; no NUL, no backslash, no leading `/`,
            no empty, `.` or `..` segment. These are the only rules: a backend stores every such
            name, whatever the length of a segment, and `a` beside `a/b`.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return sync_detailed(
        bucket=bucket,
        object_=object_,
        client=client,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    bucket: str,
    object_: str,
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
) -> Response[File | Problem]:
    """Read a stored object (streamed)

    Args:
        bucket (str):
        object_ (str): 1 to 1024 bytes of UTF-8 (`maxLength` counts characters, so it only bounds
            this; the
            server checks the bytes); `/` separates folders; no NUL, no backslash, no leading `/`,
            no empty, `.` or `..` segment. These are the only rules: a backend stores every such
            name, whatever the length of a segment, and `a` beside `a/b`.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[File | Problem]
    """

    kwargs = _get_kwargs(
        bucket=bucket,
        object_=object_,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    bucket: str,
    object_: str,
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
) -> File | Problem | None:
    """Read a stored object (streamed)

    Args:
        bucket (str):
        object_ (str): 1 to 1024 bytes of UTF-8 (`maxLength` counts characters, so it only bounds
            this; the
            server checks the bytes); `/` separates folders; no NUL, no backslash, no leading `/`,
            no empty, `.` or `..` segment. These are the only rules: a backend stores every such
            name, whatever the length of a segment, and `a` beside `a/b`.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        File | Problem
    """

    return (
        await asyncio_detailed(
            bucket=bucket,
            object_=object_,
            client=client,
            x_request_id=x_request_id,
        )
    ).parsed
