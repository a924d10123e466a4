from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.telemetry_batch import TelemetryBatch
from ...models.telemetry_receipt import TelemetryReceipt
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_name: str,
    run_id: str,
    *,
    body: TelemetryBatch,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(x_request_id, Unset):
        headers["X-Request-Id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/jobs/{job_name}/runs/{run_id}/telemetry".format(
            job_name=quote(str(job_name), safe=""),
            run_id=quote(str(run_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TelemetryReceipt | None:
    if response.status_code == 200:
        response_200 = TelemetryReceipt.from_dict(response.json())

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
) -> Response[Problem | TelemetryReceipt]:
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
    body: TelemetryBatch,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | TelemetryReceipt]:
    """Record a batch of metric points, the latest progress and live log chunks (v1.3)

     What a job reports while it runs, batched: up to 1000 metric points, its latest
    progress (it replaces the one the run had) and up to 32 chunks of its live log. A log
    chunk is numbered (`seq`, from 0) within its `source` (one writer: a process, a
    logger), so several writers can share a run's log; a chunk already recorded under its
    source and number is kept as it was, so a resent chunk never doubles the log. The log
    is kept in the order the chunks arrived. A finished run
    answers 409 `run-finished`. With an `Idempotency-Key`, a replay returns the first
    answer (with `Idempotent-Replayed: true`) instead of recording the batch twice.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a
            client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so
            that a write has its identity before it is sent and a replay of it is recognised
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (TelemetryBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TelemetryReceipt]
    """

    kwargs = _get_kwargs(
        job_name=job_name,
        run_id=run_id,
        body=body,
        idempotency_key=idempotency_key,
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
    body: TelemetryBatch,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Problem | TelemetryReceipt | None:
    """Record a batch of metric points, the latest progress and live log chunks (v1.3)

     What a job reports while it runs, batched: up to 1000 metric points, its latest
    progress (it replaces the one the run had) and up to 32 chunks of its live log. A log
    chunk is numbered (`seq`, from 0) within its `source` (one writer: a process, a
    logger), so several writers can share a run's log; a chunk already recorded under its
    source and number is kept as it was, so a resent chunk never doubles the log. The log
    is kept in the order the chunks arrived. A finished run
    answers 409 `run-finished`. With an `Idempotency-Key`, a replay returns the first
    answer (with `Idempotent-Replayed: true`) instead of recording the batch twice.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a
            client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so
            that a write has its identity before it is sent and a replay of it is recognised
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (TelemetryBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TelemetryReceipt
    """

    return sync_detailed(
        job_name=job_name,
        run_id=run_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    job_name: str,
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: TelemetryBatch,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | TelemetryReceipt]:
    """Record a batch of metric points, the latest progress and live log chunks (v1.3)

     What a job reports while it runs, batched: up to 1000 metric points, its latest
    progress (it replaces the one the run had) and up to 32 chunks of its live log. A log
    chunk is numbered (`seq`, from 0) within its `source` (one writer: a process, a
    logger), so several writers can share a run's log; a chunk already recorded under its
    source and number is kept as it was, so a resent chunk never doubles the log. The log
    is kept in the order the chunks arrived. A finished run
    answers 409 `run-finished`. With an `Idempotency-Key`, a replay returns the first
    answer (with `Idempotent-Replayed: true`) instead of recording the batch twice.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a
            client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so
            that a write has its identity before it is sent and a replay of it is recognised
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (TelemetryBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TelemetryReceipt]
    """

    kwargs = _get_kwargs(
        job_name=job_name,
        run_id=run_id,
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_name: str,
    run_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: TelemetryBatch,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Problem | TelemetryReceipt | None:
    """Record a batch of metric points, the latest progress and live log chunks (v1.3)

     What a job reports while it runs, batched: up to 1000 metric points, its latest
    progress (it replaces the one the run had) and up to 32 chunks of its live log. A log
    chunk is numbered (`seq`, from 0) within its `source` (one writer: a process, a
    logger), so several writers can share a run's log; a chunk already recorded under its
    source and number is kept as it was, so a resent chunk never doubles the log. The log
    is kept in the order the chunks arrived. A finished run
    answers 409 `run-finished`. With an `Idempotency-Key`, a replay returns the first
    answer (with `Idempotent-Replayed: true`) instead of recording the batch twice.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        run_id (str): the id of a run or a snapshot: the server makes 32 lowercase hex digits; a
            client may choose its own (the SDK sends a UUIDv7 written as 32 lowercase hex digits), so
            that a write has its identity before it is sent and a replay of it is recognised
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (TelemetryBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TelemetryReceipt
    """

    return (
        await asyncio_detailed(
            job_name=job_name,
            run_id=run_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            x_request_id=x_request_id,
        )
    ).parsed
