from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.run import Run
from ...models.start_run_request import StartRunRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_name: str,
    *,
    body: StartRunRequest,
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
        "url": "/api/v1/jobs/{job_name}/runs".format(
            job_name=quote(str(job_name), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | Run | None:
    if response.status_code == 201:
        response_201 = Run.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Problem | Run]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: StartRunRequest,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Run]:
    """Start a run of a job

     Creates a run in state `running`, with the client's `run_id` when the body has one (the
    server makes one otherwise). The run holds the server's default lease from its start
    (`lease_expires_at`; an hour on the local Datlake, `datlake server --default-lease`):
    a run that neither heartbeats nor completes within it is reported `lost`.

    Replays: with an `Idempotency-Key`, checked first, a replay with the same key and the
    same body returns the first answer (with `Idempotent-Replayed: true`); the same key
    with a different body is a 409 `idempotency-key-reused`. Then a `run_id` that already
    names a run of this job with the same `metadata` and `parent_run_id` returns that run
    as it is now (201, `Idempotent-Replayed: true`), whatever its status: a start replayed
    after the run completed answers the completed run, not an error, and a replay neither
    resets nor extends the run's lease (it is no sign of life). The same `run_id` with
    other content (another job, metadata or parent) is a 409 `id-conflict`.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (StartRunRequest): the client may choose `run_id`; the server makes one when it is
            absent

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Run]
    """

    kwargs = _get_kwargs(
        job_name=job_name,
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
    *,
    client: AuthenticatedClient | Client,
    body: StartRunRequest,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Problem | Run | None:
    """Start a run of a job

     Creates a run in state `running`, with the client's `run_id` when the body has one (the
    server makes one otherwise). The run holds the server's default lease from its start
    (`lease_expires_at`; an hour on the local Datlake, `datlake server --default-lease`):
    a run that neither heartbeats nor completes within it is reported `lost`.

    Replays: with an `Idempotency-Key`, checked first, a replay with the same key and the
    same body returns the first answer (with `Idempotent-Replayed: true`); the same key
    with a different body is a 409 `idempotency-key-reused`. Then a `run_id` that already
    names a run of this job with the same `metadata` and `parent_run_id` returns that run
    as it is now (201, `Idempotent-Replayed: true`), whatever its status: a start replayed
    after the run completed answers the completed run, not an error, and a replay neither
    resets nor extends the run's lease (it is no sign of life). The same `run_id` with
    other content (another job, metadata or parent) is a 409 `id-conflict`.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (StartRunRequest): the client may choose `run_id`; the server makes one when it is
            absent

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Run
    """

    return sync_detailed(
        job_name=job_name,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    job_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: StartRunRequest,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Run]:
    """Start a run of a job

     Creates a run in state `running`, with the client's `run_id` when the body has one (the
    server makes one otherwise). The run holds the server's default lease from its start
    (`lease_expires_at`; an hour on the local Datlake, `datlake server --default-lease`):
    a run that neither heartbeats nor completes within it is reported `lost`.

    Replays: with an `Idempotency-Key`, checked first, a replay with the same key and the
    same body returns the first answer (with `Idempotent-Replayed: true`); the same key
    with a different body is a 409 `idempotency-key-reused`. Then a `run_id` that already
    names a run of this job with the same `metadata` and `parent_run_id` returns that run
    as it is now (201, `Idempotent-Replayed: true`), whatever its status: a start replayed
    after the run completed answers the completed run, not an error, and a replay neither
    resets nor extends the run's lease (it is no sign of life). The same `run_id` with
    other content (another job, metadata or parent) is a 409 `id-conflict`.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (StartRunRequest): the client may choose `run_id`; the server makes one when it is
            absent

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Run]
    """

    kwargs = _get_kwargs(
        job_name=job_name,
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_name: str,
    *,
    client: AuthenticatedClient | Client,
    body: StartRunRequest,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Problem | Run | None:
    """Start a run of a job

     Creates a run in state `running`, with the client's `run_id` when the body has one (the
    server makes one otherwise). The run holds the server's default lease from its start
    (`lease_expires_at`; an hour on the local Datlake, `datlake server --default-lease`):
    a run that neither heartbeats nor completes within it is reported `lost`.

    Replays: with an `Idempotency-Key`, checked first, a replay with the same key and the
    same body returns the first answer (with `Idempotent-Replayed: true`); the same key
    with a different body is a 409 `idempotency-key-reused`. Then a `run_id` that already
    names a run of this job with the same `metadata` and `parent_run_id` returns that run
    as it is now (201, `Idempotent-Replayed: true`), whatever its status: a start replayed
    after the run completed answers the completed run, not an error, and a replay neither
    resets nor extends the run's lease (it is no sign of life). The same `run_id` with
    other content (another job, metadata or parent) is a 409 `id-conflict`.

    Args:
        job_name (str): a job or table name; dots make namespaces (`sales.daily_users`)
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (StartRunRequest): the client may choose `run_id`; the server makes one when it is
            absent

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Run
    """

    return (
        await asyncio_detailed(
            job_name=job_name,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            x_request_id=x_request_id,
        )
    ).parsed
