from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.run_log import RunLog
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_name: str,
    run_id: str,
    *,
    from_chunk: int | Unset = 0,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-Id"] = x_request_id

    params: dict[str, Any] = {}

    params["from_chunk"] = from_chunk

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/jobs/{job_name}/runs/{run_id}/log".format(
            job_name=quote(str(job_name), safe=""),
            run_id=quote(str(run_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | RunLog | None:
    if response.status_code == 200:
        response_200 = RunLog.from_dict(response.json())

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
) -> Response[Problem | RunLog]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_name: str,
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    from_chunk: int | Unset = 0,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | RunLog]:
    """A run's live log, as shipped so far (v1.3)

     The text of the log chunks recorded from position `from_chunk` on (chunks are
    numbered 0, 1, 2, ... per run in the order they arrived), and `next_chunk`, the
    position to read on from (tail a running job by passing it back). A job that died
    leaves its log up to its last shipped chunk.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a
            client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so
            that a write has its identity before it is sent and a replay of it is recognised
        from_chunk (int | Unset):  Default: 0.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RunLog]
    """

    kwargs = _get_kwargs(
        job_name=job_name,
        run_id=run_id,
        from_chunk=from_chunk,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_name: str,
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    from_chunk: int | Unset = 0,
    x_request_id: str | Unset = UNSET,
) -> Problem | RunLog | None:
    """A run's live log, as shipped so far (v1.3)

     The text of the log chunks recorded from position `from_chunk` on (chunks are
    numbered 0, 1, 2, ... per run in the order they arrived), and `next_chunk`, the
    position to read on from (tail a running job by passing it back). A job that died
    leaves its log up to its last shipped chunk.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a
            client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so
            that a write has its identity before it is sent and a replay of it is recognised
        from_chunk (int | Unset):  Default: 0.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RunLog
    """

    return sync_detailed(
        job_name=job_name,
        run_id=run_id,
        client=client,
        from_chunk=from_chunk,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    job_name: str,
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    from_chunk: int | Unset = 0,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | RunLog]:
    """A run's live log, as shipped so far (v1.3)

     The text of the log chunks recorded from position `from_chunk` on (chunks are
    numbered 0, 1, 2, ... per run in the order they arrived), and `next_chunk`, the
    position to read on from (tail a running job by passing it back). A job that died
    leaves its log up to its last shipped chunk.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a
            client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so
            that a write has its identity before it is sent and a replay of it is recognised
        from_chunk (int | Unset):  Default: 0.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RunLog]
    """

    kwargs = _get_kwargs(
        job_name=job_name,
        run_id=run_id,
        from_chunk=from_chunk,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_name: str,
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    from_chunk: int | Unset = 0,
    x_request_id: str | Unset = UNSET,
) -> Problem | RunLog | None:
    """A run's live log, as shipped so far (v1.3)

     The text of the log chunks recorded from position `from_chunk` on (chunks are
    numbered 0, 1, 2, ... per run in the order they arrived), and `next_chunk`, the
    position to read on from (tail a running job by passing it back). A job that died
    leaves its log up to its last shipped chunk.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a
            client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so
            that a write has its identity before it is sent and a replay of it is recognised
        from_chunk (int | Unset):  Default: 0.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RunLog
    """

    return (
        await asyncio_detailed(
            job_name=job_name,
            run_id=run_id,
            client=client,
            from_chunk=from_chunk,
            x_request_id=x_request_id,
        )
    ).parsed
