from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.open_lineage_run_event import OpenLineageRunEvent
from ...models.problem import Problem
from ...models.run import Run
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: OpenLineageRunEvent,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-Id"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/openlineage",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | Run | None:
    if response.status_code == 200:
        response_200 = Run.from_dict(response.json())

        return response_200

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
    *,
    client: AuthenticatedClient | Client,
    body: OpenLineageRunEvent,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Run]:
    """Record an OpenLineage RunEvent as a run, its input edges and its snapshots (v1.3)

     Accepts the RunEvents of any OpenLineage producer (the official clients, Airflow, dbt,
    Spark): point its HTTP transport at this server with the endpoint `api/v1/openlineage`
    (its default, `api/v1/lineage`, is get_lineage) and the API key as its bearer token.
    The mapping, the same one the SDK's export uses the other way round:

    * the run: `run.runId` (a UUID) becomes the run id as 32 lowercase hex digits (the
      `datlake_run` run facet's `run_id`, when present, is used as is); `job.name` becomes
      the job name, made a valid name (characters other than letters, digits, `.`, `_`,
      `-` become `_`, `/` becomes `.`); the `parent` run facet becomes `parent_run_id`.
    * a dataset `(namespace, name)` becomes the table named after `name` (made a valid name
      the same way, a leading `/` dropped); its snapshot uri is the `datlake_snapshot`
      dataset facet's `uri`, else `namespace` and `name` joined by `/` (`s3://bucket` and
      `path/x.parquet` give `s3://bucket/path/x.parquet`). Its `schema` facet's fields
      become the snapshot's schema (`{name: type}`), its `storage` facet's `fileFormat`
      the format (`openlineage` when absent).
    * outputs become snapshots written by the run; inputs become its input edges, to the
      snapshot the `version` facet (or `datlake_snapshot`) names, else to the table's newest
      snapshot; a table with none is first given one, written by a run of the job
      `openlineage.external` (a source Datlake never saw written).
    * `COMPLETE` completes the run as succeeded, `FAIL` and `ABORT` as failed (the
      `errorMessage` run facet's message as `extra.error`); `START`, `RUNNING` and `OTHER`
      record datasets only.

    Idempotent: ids are derived from the event (snapshot ids from the run, the dataset and
    its version), so the same event sent twice records once, and events may arrive in any
    order. A terminal event contradicting the run's outcome is a 409 `run-finished`; a run
    id that names a run of another job is a 409 `id-conflict`. Answers the run as recorded.

    Args:
        x_request_id (str | Unset):
        body (OpenLineageRunEvent): An OpenLineage RunEvent
            (https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent):
            the members Datlake reads are listed; any other member and facet is accepted.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Run]
    """

    kwargs = _get_kwargs(
        body=body,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: OpenLineageRunEvent,
    x_request_id: str | Unset = UNSET,
) -> Problem | Run | None:
    """Record an OpenLineage RunEvent as a run, its input edges and its snapshots (v1.3)

     Accepts the RunEvents of any OpenLineage producer (the official clients, Airflow, dbt,
    Spark): point its HTTP transport at this server with the endpoint `api/v1/openlineage`
    (its default, `api/v1/lineage`, is get_lineage) and the API key as its bearer token.
    The mapping, the same one the SDK's export uses the other way round:

    * the run: `run.runId` (a UUID) becomes the run id as 32 lowercase hex digits (the
      `datlake_run` run facet's `run_id`, when present, is used as is); `job.name` becomes
      the job name, made a valid name (characters other than letters, digits, `.`, `_`,
      `-` become `_`, `/` becomes `.`); the `parent` run facet becomes `parent_run_id`.
    * a dataset `(namespace, name)` becomes the table named after `name` (made a valid name
      the same way, a leading `/` dropped); its snapshot uri is the `datlake_snapshot`
      dataset facet's `uri`, else `namespace` and `name` joined by `/` (`s3://bucket` and
      `path/x.parquet` give `s3://bucket/path/x.parquet`). Its `schema` facet's fields
      become the snapshot's schema (`{name: type}`), its `storage` facet's `fileFormat`
      the format (`openlineage` when absent).
    * outputs become snapshots written by the run; inputs become its input edges, to the
      snapshot the `version` facet (or `datlake_snapshot`) names, else to the table's newest
      snapshot; a table with none is first given one, written by a run of the job
      `openlineage.external` (a source Datlake never saw written).
    * `COMPLETE` completes the run as succeeded, `FAIL` and `ABORT` as failed (the
      `errorMessage` run facet's message as `extra.error`); `START`, `RUNNING` and `OTHER`
      record datasets only.

    Idempotent: ids are derived from the event (snapshot ids from the run, the dataset and
    its version), so the same event sent twice records once, and events may arrive in any
    order. A terminal event contradicting the run's outcome is a 409 `run-finished`; a run
    id that names a run of another job is a 409 `id-conflict`. Answers the run as recorded.

    Args:
        x_request_id (str | Unset):
        body (OpenLineageRunEvent): An OpenLineage RunEvent
            (https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent):
            the members Datlake reads are listed; any other member and facet is accepted.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Run
    """

    return sync_detailed(
        client=client,
        body=body,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: OpenLineageRunEvent,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Run]:
    """Record an OpenLineage RunEvent as a run, its input edges and its snapshots (v1.3)

     Accepts the RunEvents of any OpenLineage producer (the official clients, Airflow, dbt,
    Spark): point its HTTP transport at this server with the endpoint `api/v1/openlineage`
    (its default, `api/v1/lineage`, is get_lineage) and the API key as its bearer token.
    The mapping, the same one the SDK's export uses the other way round:

    * the run: `run.runId` (a UUID) becomes the run id as 32 lowercase hex digits (the
      `datlake_run` run facet's `run_id`, when present, is used as is); `job.name` becomes
      the job name, made a valid name (characters other than letters, digits, `.`, `_`,
      `-` become `_`, `/` becomes `.`); the `parent` run facet becomes `parent_run_id`.
    * a dataset `(namespace, name)` becomes the table named after `name` (made a valid name
      the same way, a leading `/` dropped); its snapshot uri is the `datlake_snapshot`
      dataset facet's `uri`, else `namespace` and `name` joined by `/` (`s3://bucket` and
      `path/x.parquet` give `s3://bucket/path/x.parquet`). Its `schema` facet's fields
      become the snapshot's schema (`{name: type}`), its `storage` facet's `fileFormat`
      the format (`openlineage` when absent).
    * outputs become snapshots written by the run; inputs become its input edges, to the
      snapshot the `version` facet (or `datlake_snapshot`) names, else to the table's newest
      snapshot; a table with none is first given one, written by a run of the job
      `openlineage.external` (a source Datlake never saw written).
    * `COMPLETE` completes the run as succeeded, `FAIL` and `ABORT` as failed (the
      `errorMessage` run facet's message as `extra.error`); `START`, `RUNNING` and `OTHER`
      record datasets only.

    Idempotent: ids are derived from the event (snapshot ids from the run, the dataset and
    its version), so the same event sent twice records once, and events may arrive in any
    order. A terminal event contradicting the run's outcome is a 409 `run-finished`; a run
    id that names a run of another job is a 409 `id-conflict`. Answers the run as recorded.

    Args:
        x_request_id (str | Unset):
        body (OpenLineageRunEvent): An OpenLineage RunEvent
            (https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent):
            the members Datlake reads are listed; any other member and facet is accepted.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Run]
    """

    kwargs = _get_kwargs(
        body=body,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: OpenLineageRunEvent,
    x_request_id: str | Unset = UNSET,
) -> Problem | Run | None:
    """Record an OpenLineage RunEvent as a run, its input edges and its snapshots (v1.3)

     Accepts the RunEvents of any OpenLineage producer (the official clients, Airflow, dbt,
    Spark): point its HTTP transport at this server with the endpoint `api/v1/openlineage`
    (its default, `api/v1/lineage`, is get_lineage) and the API key as its bearer token.
    The mapping, the same one the SDK's export uses the other way round:

    * the run: `run.runId` (a UUID) becomes the run id as 32 lowercase hex digits (the
      `datlake_run` run facet's `run_id`, when present, is used as is); `job.name` becomes
      the job name, made a valid name (characters other than letters, digits, `.`, `_`,
      `-` become `_`, `/` becomes `.`); the `parent` run facet becomes `parent_run_id`.
    * a dataset `(namespace, name)` becomes the table named after `name` (made a valid name
      the same way, a leading `/` dropped); its snapshot uri is the `datlake_snapshot`
      dataset facet's `uri`, else `namespace` and `name` joined by `/` (`s3://bucket` and
      `path/x.parquet` give `s3://bucket/path/x.parquet`). Its `schema` facet's fields
      become the snapshot's schema (`{name: type}`), its `storage` facet's `fileFormat`
      the format (`openlineage` when absent).
    * outputs become snapshots written by the run; inputs become its input edges, to the
      snapshot the `version` facet (or `datlake_snapshot`) names, else to the table's newest
      snapshot; a table with none is first given one, written by a run of the job
      `openlineage.external` (a source Datlake never saw written).
    * `COMPLETE` completes the run as succeeded, `FAIL` and `ABORT` as failed (the
      `errorMessage` run facet's message as `extra.error`); `START`, `RUNNING` and `OTHER`
      record datasets only.

    Idempotent: ids are derived from the event (snapshot ids from the run, the dataset and
    its version), so the same event sent twice records once, and events may arrive in any
    order. A terminal event contradicting the run's outcome is a 409 `run-finished`; a run
    id that names a run of another job is a 409 `id-conflict`. Answers the run as recorded.

    Args:
        x_request_id (str | Unset):
        body (OpenLineageRunEvent): An OpenLineage RunEvent
            (https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent):
            the members Datlake reads are listed; any other member and facet is accepted.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Run
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_request_id=x_request_id,
        )
    ).parsed
