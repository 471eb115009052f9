from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.task_v2_bulk_create_request import TaskV2BulkCreateRequest
from ...models.v2_error_envelope import V2ErrorEnvelope
from ...models.v2_task_bulk_create_envelope import V2TaskBulkCreateEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TaskV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/tasks/bulk-create/",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope | None:
    if response.status_code == 201:
        response_201 = V2TaskBulkCreateEnvelope.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = V2ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if response.status_code == 404:
        response_404 = cast(Any, None)
        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TaskV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope]:
    """v2: create one task per data unit in a project (up to 1000; existing tasks are skipped).

     The units must belong to one data collection, the project's (else 400); unknown or
    foreign ids reject the whole request with 400. Units that already have a task in the
    project are skipped (`skipped_count`), so repeating a request is safe.
    `created_count` is the number of inserts attempted, which can exceed the real inserts
    under concurrent requests.

    Args:
        dry_run (bool | Unset):  Example: False.
        body (TaskV2BulkCreateRequest): v2 `tasks/bulk-create` request: one task per data unit in
            a project. Example: {'project': 1, 'data_unit_ids': [4101, 4102]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: TaskV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope | None:
    """v2: create one task per data unit in a project (up to 1000; existing tasks are skipped).

     The units must belong to one data collection, the project's (else 400); unknown or
    foreign ids reject the whole request with 400. Units that already have a task in the
    project are skipped (`skipped_count`), so repeating a request is safe.
    `created_count` is the number of inserts attempted, which can exceed the real inserts
    under concurrent requests.

    Args:
        dry_run (bool | Unset):  Example: False.
        body (TaskV2BulkCreateRequest): v2 `tasks/bulk-create` request: one task per data unit in
            a project. Example: {'project': 1, 'data_unit_ids': [4101, 4102]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        dry_run=dry_run,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TaskV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope]:
    """v2: create one task per data unit in a project (up to 1000; existing tasks are skipped).

     The units must belong to one data collection, the project's (else 400); unknown or
    foreign ids reject the whole request with 400. Units that already have a task in the
    project are skipped (`skipped_count`), so repeating a request is safe.
    `created_count` is the number of inserts attempted, which can exceed the real inserts
    under concurrent requests.

    Args:
        dry_run (bool | Unset):  Example: False.
        body (TaskV2BulkCreateRequest): v2 `tasks/bulk-create` request: one task per data unit in
            a project. Example: {'project': 1, 'data_unit_ids': [4101, 4102]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TaskV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope | None:
    """v2: create one task per data unit in a project (up to 1000; existing tasks are skipped).

     The units must belong to one data collection, the project's (else 400); unknown or
    foreign ids reject the whole request with 400. Units that already have a task in the
    project are skipped (`skipped_count`), so repeating a request is safe.
    `created_count` is the number of inserts attempted, which can exceed the real inserts
    under concurrent requests.

    Args:
        dry_run (bool | Unset):  Example: False.
        body (TaskV2BulkCreateRequest): v2 `tasks/bulk-create` request: one task per data unit in
            a project. Example: {'project': 1, 'data_unit_ids': [4101, 4102]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2ErrorEnvelope | V2TaskBulkCreateEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            dry_run=dry_run,
        )
    ).parsed
