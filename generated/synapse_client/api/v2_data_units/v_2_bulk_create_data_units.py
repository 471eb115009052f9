from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.data_unit_v2_bulk_create_request import DataUnitV2BulkCreateRequest
from ...models.v2_data_unit_bulk_create_envelope import V2DataUnitBulkCreateEnvelope
from ...models.v2_error_envelope import V2ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: DataUnitV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/data-units/bulk-create/",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope | None:
    if response.status_code == 201:
        response_201 = V2DataUnitBulkCreateEnvelope.from_dict(response.json())

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
) -> Response[Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: DataUnitV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope]:
    """v2: create up to 1000 data units from finalized files (idempotent, all-or-nothing).

     `files` keys are the collection's static (non-sequential) file-specification names,
    one file each. A missing required specification, an unknown name, a wrong file type or
    an unknown or foreign checksum rejects the whole request with 400; nothing is created.
    A unit with the same set of files is reused (`created: false`), so repeating a request
    is safe. Results are in request order.

    Args:
        dry_run (bool | Unset):  Example: False.
        body (DataUnitV2BulkCreateRequest): v2 `data-units/bulk-create` request: data units from
            finalized files. Example: {'data_collection': 1, 'units': [{'files': {'image':
            {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path': '/data/image/a01.jpg'}},
            'groups': ['batch-01'], 'meta': {'origin_file_stem': 'a01'}}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope]
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
    body: DataUnitV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope | None:
    """v2: create up to 1000 data units from finalized files (idempotent, all-or-nothing).

     `files` keys are the collection's static (non-sequential) file-specification names,
    one file each. A missing required specification, an unknown name, a wrong file type or
    an unknown or foreign checksum rejects the whole request with 400; nothing is created.
    A unit with the same set of files is reused (`created: false`), so repeating a request
    is safe. Results are in request order.

    Args:
        dry_run (bool | Unset):  Example: False.
        body (DataUnitV2BulkCreateRequest): v2 `data-units/bulk-create` request: data units from
            finalized files. Example: {'data_collection': 1, 'units': [{'files': {'image':
            {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path': '/data/image/a01.jpg'}},
            'groups': ['batch-01'], 'meta': {'origin_file_stem': 'a01'}}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        dry_run=dry_run,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: DataUnitV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope]:
    """v2: create up to 1000 data units from finalized files (idempotent, all-or-nothing).

     `files` keys are the collection's static (non-sequential) file-specification names,
    one file each. A missing required specification, an unknown name, a wrong file type or
    an unknown or foreign checksum rejects the whole request with 400; nothing is created.
    A unit with the same set of files is reused (`created: false`), so repeating a request
    is safe. Results are in request order.

    Args:
        dry_run (bool | Unset):  Example: False.
        body (DataUnitV2BulkCreateRequest): v2 `data-units/bulk-create` request: data units from
            finalized files. Example: {'data_collection': 1, 'units': [{'files': {'image':
            {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path': '/data/image/a01.jpg'}},
            'groups': ['batch-01'], 'meta': {'origin_file_stem': 'a01'}}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope]
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
    body: DataUnitV2BulkCreateRequest,
    dry_run: bool | Unset = UNSET,
) -> Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope | None:
    """v2: create up to 1000 data units from finalized files (idempotent, all-or-nothing).

     `files` keys are the collection's static (non-sequential) file-specification names,
    one file each. A missing required specification, an unknown name, a wrong file type or
    an unknown or foreign checksum rejects the whole request with 400; nothing is created.
    A unit with the same set of files is reused (`created: false`), so repeating a request
    is safe. Results are in request order.

    Args:
        dry_run (bool | Unset):  Example: False.
        body (DataUnitV2BulkCreateRequest): v2 `data-units/bulk-create` request: data units from
            finalized files. Example: {'data_collection': 1, 'units': [{'files': {'image':
            {'checksum': '9e107d9d372bb6826bd81d3542a419d6', 'path': '/data/image/a01.jpg'}},
            'groups': ['batch-01'], 'meta': {'origin_file_stem': 'a01'}}]}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2DataUnitBulkCreateEnvelope | V2ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            dry_run=dry_run,
        )
    ).parsed
