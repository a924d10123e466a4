from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.register_snapshot_request import RegisterSnapshotRequest
from ...models.snapshot import Snapshot
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: RegisterSnapshotRequest,
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
        "url": "/api/v1/jobs/register-snapshot",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | Snapshot | None:
    if response.status_code == 201:
        response_201 = Snapshot.from_dict(response.json())

        return response_201

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
) -> Response[Problem | Snapshot]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RegisterSnapshotRequest,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Snapshot]:
    """Register a snapshot a run wrote (output edge)

     Records a new snapshot of `table_name` and an output edge from the run to it, with the
    client's `snapshot_id` when the body has one (the server makes one otherwise). The run
    must be `running` (or `lost`): a finished run answers 409 `run-finished`.

    Replays: with an `Idempotency-Key`, checked first, a replay with the same key and body
    returns the first answer (with `Idempotent-Replayed: true`); the same key with another
    body is a 409 `idempotency-key-reused`. Then a `snapshot_id` that already names a
    snapshot with the same content (`table_name`, `uri`, `format`, `schema`, `job_name`,
    `run_id`) returns it (201, `Idempotent-Replayed: true`), even if the run has finished
    since; the same `snapshot_id` with other content is a 409 `id-conflict`.

    Args:
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (RegisterSnapshotRequest): the client may choose `snapshot_id`; the server makes one
            when it is absent

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Snapshot]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: RegisterSnapshotRequest,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Problem | Snapshot | None:
    """Register a snapshot a run wrote (output edge)

     Records a new snapshot of `table_name` and an output edge from the run to it, with the
    client's `snapshot_id` when the body has one (the server makes one otherwise). The run
    must be `running` (or `lost`): a finished run answers 409 `run-finished`.

    Replays: with an `Idempotency-Key`, checked first, a replay with the same key and body
    returns the first answer (with `Idempotent-Replayed: true`); the same key with another
    body is a 409 `idempotency-key-reused`. Then a `snapshot_id` that already names a
    snapshot with the same content (`table_name`, `uri`, `format`, `schema`, `job_name`,
    `run_id`) returns it (201, `Idempotent-Replayed: true`), even if the run has finished
    since; the same `snapshot_id` with other content is a 409 `id-conflict`.

    Args:
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (RegisterSnapshotRequest): the client may choose `snapshot_id`; the server makes one
            when it is absent

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Snapshot
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RegisterSnapshotRequest,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Snapshot]:
    """Register a snapshot a run wrote (output edge)

     Records a new snapshot of `table_name` and an output edge from the run to it, with the
    client's `snapshot_id` when the body has one (the server makes one otherwise). The run
    must be `running` (or `lost`): a finished run answers 409 `run-finished`.

    Replays: with an `Idempotency-Key`, checked first, a replay with the same key and body
    returns the first answer (with `Idempotent-Replayed: true`); the same key with another
    body is a 409 `idempotency-key-reused`. Then a `snapshot_id` that already names a
    snapshot with the same content (`table_name`, `uri`, `format`, `schema`, `job_name`,
    `run_id`) returns it (201, `Idempotent-Replayed: true`), even if the run has finished
    since; the same `snapshot_id` with other content is a 409 `id-conflict`.

    Args:
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (RegisterSnapshotRequest): the client may choose `snapshot_id`; the server makes one
            when it is absent

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Snapshot]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RegisterSnapshotRequest,
    idempotency_key: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
) -> Problem | Snapshot | None:
    """Register a snapshot a run wrote (output edge)

     Records a new snapshot of `table_name` and an output edge from the run to it, with the
    client's `snapshot_id` when the body has one (the server makes one otherwise). The run
    must be `running` (or `lost`): a finished run answers 409 `run-finished`.

    Replays: with an `Idempotency-Key`, checked first, a replay with the same key and body
    returns the first answer (with `Idempotent-Replayed: true`); the same key with another
    body is a 409 `idempotency-key-reused`. Then a `snapshot_id` that already names a
    snapshot with the same content (`table_name`, `uri`, `format`, `schema`, `job_name`,
    `run_id`) returns it (201, `Idempotent-Replayed: true`), even if the run has finished
    since; the same `snapshot_id` with other content is a 409 `id-conflict`.

    Args:
        idempotency_key (str | Unset):
        x_request_id (str | Unset):
        body (RegisterSnapshotRequest): the client may choose `snapshot_id`; the server makes one
            when it is absent

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Snapshot
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            x_request_id=x_request_id,
        )
    ).parsed
