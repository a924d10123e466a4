from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.snapshot import Snapshot
from ...types import UNSET, Response, Unset


def _get_kwargs(
    table: str,
    *,
    run_id: str | Unset = UNSET,
    job_name: str | Unset = UNSET,
    snapshot_id: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-Id"] = x_request_id

    params: dict[str, Any] = {}

    params["run_id"] = run_id

    params["job_name"] = job_name

    params["snapshot_id"] = snapshot_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/tables/{table}/snapshots/latest".format(
            table=quote(str(table), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | Snapshot | None:
    if response.status_code == 200:
        response_200 = Snapshot.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[Problem | Snapshot]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    table: str,
    *,
    client: AuthenticatedClient | Client,
    run_id: str | Unset = UNSET,
    job_name: str | Unset = UNSET,
    snapshot_id: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Snapshot]:
    """The newest snapshot of a table (input edge when a run is given)

     With the `run_id` of a running run, records an input edge from the snapshot to the run;
    reading the same snapshot twice records one edge. Run ids are unique across jobs;
    `job_name`, when given, must be the run's job.

    With `snapshot_id` (the snapshot the run actually read), the answer is that snapshot,
    not the newest, and with `run_id` the input edge goes to it: a client can replay an
    input edge later and still point it at the snapshot that was read. When that edge is
    already recorded the answer is 200 even if the run has finished since (a replay after
    completion); a new edge on a finished run stays a 409 `run-finished`.

    404 `table-not-found` when the table has no snapshot, `snapshot-not-found` when
    `snapshot_id` is not a snapshot of this table, `run-not-found` when the run does not
    exist; 409 `run-finished` when the run is finished.

    Args:
        table (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase hex
            digits; a client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex
            digits), so that a write has its identity before it is sent and a replay of it is
            recognised
        job_name (str | Unset): a job or table name; dots make namespaces (`sales.daily_users`)
        snapshot_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase
            hex digits; a client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase
            hex digits), so that a write has its identity before it is sent and a replay of it is
            recognised
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Snapshot]
    """

    kwargs = _get_kwargs(
        table=table,
        run_id=run_id,
        job_name=job_name,
        snapshot_id=snapshot_id,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    table: str,
    *,
    client: AuthenticatedClient | Client,
    run_id: str | Unset = UNSET,
    job_name: str | Unset = UNSET,
    snapshot_id: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Problem | Snapshot | None:
    """The newest snapshot of a table (input edge when a run is given)

     With the `run_id` of a running run, records an input edge from the snapshot to the run;
    reading the same snapshot twice records one edge. Run ids are unique across jobs;
    `job_name`, when given, must be the run's job.

    With `snapshot_id` (the snapshot the run actually read), the answer is that snapshot,
    not the newest, and with `run_id` the input edge goes to it: a client can replay an
    input edge later and still point it at the snapshot that was read. When that edge is
    already recorded the answer is 200 even if the run has finished since (a replay after
    completion); a new edge on a finished run stays a 409 `run-finished`.

    404 `table-not-found` when the table has no snapshot, `snapshot-not-found` when
    `snapshot_id` is not a snapshot of this table, `run-not-found` when the run does not
    exist; 409 `run-finished` when the run is finished.

    Args:
        table (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase hex
            digits; a client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex
            digits), so that a write has its identity before it is sent and a replay of it is
            recognised
        job_name (str | Unset): a job or table name; dots make namespaces (`sales.daily_users`)
        snapshot_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase
            hex digits; a client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase
            hex digits), so that a write has its identity before it is sent and a replay of it is
            recognised
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Snapshot
    """

    return sync_detailed(
        table=table,
        client=client,
        run_id=run_id,
        job_name=job_name,
        snapshot_id=snapshot_id,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    table: str,
    *,
    client: AuthenticatedClient | Client,
    run_id: str | Unset = UNSET,
    job_name: str | Unset = UNSET,
    snapshot_id: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Snapshot]:
    """The newest snapshot of a table (input edge when a run is given)

     With the `run_id` of a running run, records an input edge from the snapshot to the run;
    reading the same snapshot twice records one edge. Run ids are unique across jobs;
    `job_name`, when given, must be the run's job.

    With `snapshot_id` (the snapshot the run actually read), the answer is that snapshot,
    not the newest, and with `run_id` the input edge goes to it: a client can replay an
    input edge later and still point it at the snapshot that was read. When that edge is
    already recorded the answer is 200 even if the run has finished since (a replay after
    completion); a new edge on a finished run stays a 409 `run-finished`.

    404 `table-not-found` when the table has no snapshot, `snapshot-not-found` when
    `snapshot_id` is not a snapshot of this table, `run-not-found` when the run does not
    exist; 409 `run-finished` when the run is finished.

    Args:
        table (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase hex
            digits; a client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex
            digits), so that a write has its identity before it is sent and a replay of it is
            recognised
        job_name (str | Unset): a job or table name; dots make namespaces (`sales.daily_users`)
        snapshot_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase
            hex digits; a client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase
            hex digits), so that a write has its identity before it is sent and a replay of it is
            recognised
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Snapshot]
    """

    kwargs = _get_kwargs(
        table=table,
        run_id=run_id,
        job_name=job_name,
        snapshot_id=snapshot_id,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    table: str,
    *,
    client: AuthenticatedClient | Client,
    run_id: str | Unset = UNSET,
    job_name: str | Unset = UNSET,
    snapshot_id: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Problem | Snapshot | None:
    """The newest snapshot of a table (input edge when a run is given)

     With the `run_id` of a running run, records an input edge from the snapshot to the run;
    reading the same snapshot twice records one edge. Run ids are unique across jobs;
    `job_name`, when given, must be the run's job.

    With `snapshot_id` (the snapshot the run actually read), the answer is that snapshot,
    not the newest, and with `run_id` the input edge goes to it: a client can replay an
    input edge later and still point it at the snapshot that was read. When that edge is
    already recorded the answer is 200 even if the run has finished since (a replay after
    completion); a new edge on a finished run stays a 409 `run-finished`.

    404 `table-not-found` when the table has no snapshot, `snapshot-not-found` when
    `snapshot_id` is not a snapshot of this table, `run-not-found` when the run does not
    exist; 409 `run-finished` when the run is finished.

    Args:
        table (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase hex
            digits; a client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex
            digits), so that a write has its identity before it is sent and a replay of it is
            recognised
        job_name (str | Unset): a job or table name; dots make namespaces (`sales.daily_users`)
        snapshot_id (str | Unset): the id of a run or a snapshot: the server makes 32 lowercase
            hex digits; a client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase
            hex digits), so that a write has its identity before it is sent and a replay of it is
            recognised
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Snapshot
    """

    return (
        await asyncio_detailed(
            table=table,
            client=client,
            run_id=run_id,
            job_name=job_name,
            snapshot_id=snapshot_id,
            x_request_id=x_request_id,
        )
    ).parsed
