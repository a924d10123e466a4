from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.lineage_direction import LineageDirection
from ...models.lineage_graph import LineageGraph
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    table: str,
    depth: int | Unset = 3,
    direction: LineageDirection | Unset = UNSET,
    limit: int | Unset = 1000,
    history: int | Unset = 20,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-Id"] = x_request_id

    params: dict[str, Any] = {}

    params["table"] = table

    params["depth"] = depth

    json_direction: str | Unset = UNSET
    if not isinstance(direction, Unset):
        json_direction = direction.value

    params["direction"] = json_direction

    params["limit"] = limit

    params["history"] = history

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/lineage",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LineageGraph | Problem | None:
    if response.status_code == 200:
        response_200 = LineageGraph.from_dict(response.json())

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
) -> Response[LineageGraph | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    table: str,
    depth: int | Unset = 3,
    direction: LineageDirection | Unset = UNSET,
    limit: int | Unset = 1000,
    history: int | Unset = 20,
    x_request_id: str | Unset = UNSET,
) -> Response[LineageGraph | Problem]:
    """The lineage graph around a table

     Nodes are tables and runs; edges are `read` (table to run) and `wrote` (run to table).
    `upstream` follows what the table was made from, `downstream` what was made from it;
    `depth` counts table-to-table hops.

    The graph is bounded, whatever the ledger's size (v1.3). The walk goes hop by hop,
    newest first: from each table it follows only its `history` newest snapshots
    (upstream: the runs that wrote them) or reads (downstream: the runs that read it),
    and it stops adding nodes at `limit`. What it leaves out is marked, never hidden: a
    table node whose older history was folded has `history_truncated: true`, and the
    graph has `truncated: true` when anything (folded history, or nodes beyond `limit`)
    is missing. The folded history pages with `list_snapshots` (a table's snapshots and
    the runs that wrote them) and `list_runs`; a larger `history` or `limit` asks for more.

    Args:
        table (str): a job or table name; dots make namespaces (`sales.daily_users`)
        depth (int | Unset):  Default: 3.
        direction (LineageDirection | Unset):
        limit (int | Unset):  Default: 1000.
        history (int | Unset):  Default: 20.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LineageGraph | Problem]
    """

    kwargs = _get_kwargs(
        table=table,
        depth=depth,
        direction=direction,
        limit=limit,
        history=history,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    table: str,
    depth: int | Unset = 3,
    direction: LineageDirection | Unset = UNSET,
    limit: int | Unset = 1000,
    history: int | Unset = 20,
    x_request_id: str | Unset = UNSET,
) -> LineageGraph | Problem | None:
    """The lineage graph around a table

     Nodes are tables and runs; edges are `read` (table to run) and `wrote` (run to table).
    `upstream` follows what the table was made from, `downstream` what was made from it;
    `depth` counts table-to-table hops.

    The graph is bounded, whatever the ledger's size (v1.3). The walk goes hop by hop,
    newest first: from each table it follows only its `history` newest snapshots
    (upstream: the runs that wrote them) or reads (downstream: the runs that read it),
    and it stops adding nodes at `limit`. What it leaves out is marked, never hidden: a
    table node whose older history was folded has `history_truncated: true`, and the
    graph has `truncated: true` when anything (folded history, or nodes beyond `limit`)
    is missing. The folded history pages with `list_snapshots` (a table's snapshots and
    the runs that wrote them) and `list_runs`; a larger `history` or `limit` asks for more.

    Args:
        table (str): a job or table name; dots make namespaces (`sales.daily_users`)
        depth (int | Unset):  Default: 3.
        direction (LineageDirection | Unset):
        limit (int | Unset):  Default: 1000.
        history (int | Unset):  Default: 20.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LineageGraph | Problem
    """

    return sync_detailed(
        client=client,
        table=table,
        depth=depth,
        direction=direction,
        limit=limit,
        history=history,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    table: str,
    depth: int | Unset = 3,
    direction: LineageDirection | Unset = UNSET,
    limit: int | Unset = 1000,
    history: int | Unset = 20,
    x_request_id: str | Unset = UNSET,
) -> Response[LineageGraph | Problem]:
    """The lineage graph around a table

     Nodes are tables and runs; edges are `read` (table to run) and `wrote` (run to table).
    `upstream` follows what the table was made from, `downstream` what was made from it;
    `depth` counts table-to-table hops.

    The graph is bounded, whatever the ledger's size (v1.3). The walk goes hop by hop,
    newest first: from each table it follows only its `history` newest snapshots
    (upstream: the runs that wrote them) or reads (downstream: the runs that read it),
    and it stops adding nodes at `limit`. What it leaves out is marked, never hidden: a
    table node whose older history was folded has `history_truncated: true`, and the
    graph has `truncated: true` when anything (folded history, or nodes beyond `limit`)
    is missing. The folded history pages with `list_snapshots` (a table's snapshots and
    the runs that wrote them) and `list_runs`; a larger `history` or `limit` asks for more.

    Args:
        table (str): a job or table name; dots make namespaces (`sales.daily_users`)
        depth (int | Unset):  Default: 3.
        direction (LineageDirection | Unset):
        limit (int | Unset):  Default: 1000.
        history (int | Unset):  Default: 20.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LineageGraph | Problem]
    """

    kwargs = _get_kwargs(
        table=table,
        depth=depth,
        direction=direction,
        limit=limit,
        history=history,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    table: str,
    depth: int | Unset = 3,
    direction: LineageDirection | Unset = UNSET,
    limit: int | Unset = 1000,
    history: int | Unset = 20,
    x_request_id: str | Unset = UNSET,
) -> LineageGraph | Problem | None:
    """The lineage graph around a table

     Nodes are tables and runs; edges are `read` (table to run) and `wrote` (run to table).
    `upstream` follows what the table was made from, `downstream` what was made from it;
    `depth` counts table-to-table hops.

    The graph is bounded, whatever the ledger's size (v1.3). The walk goes hop by hop,
    newest first: from each table it follows only its `history` newest snapshots
    (upstream: the runs that wrote them) or reads (downstream: the runs that read it),
    and it stops adding nodes at `limit`. What it leaves out is marked, never hidden: a
    table node whose older history was folded has `history_truncated: true`, and the
    graph has `truncated: true` when anything (folded history, or nodes beyond `limit`)
    is missing. The folded history pages with `list_snapshots` (a table's snapshots and
    the runs that wrote them) and `list_runs`; a larger `history` or `limit` asks for more.

    Args:
        table (str): a job or table name; dots make namespaces (`sales.daily_users`)
        depth (int | Unset):  Default: 3.
        direction (LineageDirection | Unset):
        limit (int | Unset):  Default: 1000.
        history (int | Unset):  Default: 20.
        x_request_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LineageGraph | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            table=table,
            depth=depth,
            direction=direction,
            limit=limit,
            history=history,
            x_request_id=x_request_id,
        )
    ).parsed
