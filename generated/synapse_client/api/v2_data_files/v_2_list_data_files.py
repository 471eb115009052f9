from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.v2_data_file_list_envelope import V2DataFileListEnvelope
from ...models.v2_error_envelope import V2ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    checksum: str | Unset = UNSET,
    data_collection: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["checksum"] = checksum

    params["data_collection"] = data_collection

    params["cursor"] = cursor

    params["per_page"] = per_page

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/data-files/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | V2DataFileListEnvelope | V2ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = V2DataFileListEnvelope.from_dict(response.json())

        return response_200

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
) -> Response[Any | V2DataFileListEnvelope | V2ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    checksum: str | Unset = UNSET,
    data_collection: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> Response[Any | V2DataFileListEnvelope | V2ErrorEnvelope]:
    """v2: list data files, e.g. to look up one checksum (cursor pagination).

     The read-only v2 replacement of `verify_checksums`, one checksum per request.

    Args:
        checksum (str | Unset):  Example: 9e107d9d372bb6826bd81d3542a419d6.
        data_collection (int | Unset):  Example: 1.
        cursor (str | Unset):  Example: cD0yMDI2LTAx.
        per_page (int | Unset):  Example: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2DataFileListEnvelope | V2ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        checksum=checksum,
        data_collection=data_collection,
        cursor=cursor,
        per_page=per_page,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    checksum: str | Unset = UNSET,
    data_collection: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> Any | V2DataFileListEnvelope | V2ErrorEnvelope | None:
    """v2: list data files, e.g. to look up one checksum (cursor pagination).

     The read-only v2 replacement of `verify_checksums`, one checksum per request.

    Args:
        checksum (str | Unset):  Example: 9e107d9d372bb6826bd81d3542a419d6.
        data_collection (int | Unset):  Example: 1.
        cursor (str | Unset):  Example: cD0yMDI2LTAx.
        per_page (int | Unset):  Example: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2DataFileListEnvelope | V2ErrorEnvelope
    """

    return sync_detailed(
        client=client,
        checksum=checksum,
        data_collection=data_collection,
        cursor=cursor,
        per_page=per_page,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    checksum: str | Unset = UNSET,
    data_collection: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> Response[Any | V2DataFileListEnvelope | V2ErrorEnvelope]:
    """v2: list data files, e.g. to look up one checksum (cursor pagination).

     The read-only v2 replacement of `verify_checksums`, one checksum per request.

    Args:
        checksum (str | Unset):  Example: 9e107d9d372bb6826bd81d3542a419d6.
        data_collection (int | Unset):  Example: 1.
        cursor (str | Unset):  Example: cD0yMDI2LTAx.
        per_page (int | Unset):  Example: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2DataFileListEnvelope | V2ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        checksum=checksum,
        data_collection=data_collection,
        cursor=cursor,
        per_page=per_page,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    checksum: str | Unset = UNSET,
    data_collection: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    per_page: int | Unset = UNSET,
) -> Any | V2DataFileListEnvelope | V2ErrorEnvelope | None:
    """v2: list data files, e.g. to look up one checksum (cursor pagination).

     The read-only v2 replacement of `verify_checksums`, one checksum per request.

    Args:
        checksum (str | Unset):  Example: 9e107d9d372bb6826bd81d3542a419d6.
        data_collection (int | Unset):  Example: 1.
        cursor (str | Unset):  Example: cD0yMDI2LTAx.
        per_page (int | Unset):  Example: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2DataFileListEnvelope | V2ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            checksum=checksum,
            data_collection=data_collection,
            cursor=cursor,
            per_page=per_page,
        )
    ).parsed
