from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.data_unit import DataUnit
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["expand"] = expand

    params["url_host"] = url_host

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/data_units/{id}/".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DataUnit | Error | None:
    if response.status_code == 200:
        response_200 = DataUnit.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DataUnit | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> Response[DataUnit | Error]:
    """Get one data unit with its files.

    Args:
        id (int):  Example: 1.
        expand (str | Unset):  Example: files.
        url_host (str | Unset):  Example: internal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DataUnit | Error]
    """

    kwargs = _get_kwargs(
        id=id,
        expand=expand,
        url_host=url_host,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> DataUnit | Error | None:
    """Get one data unit with its files.

    Args:
        id (int):  Example: 1.
        expand (str | Unset):  Example: files.
        url_host (str | Unset):  Example: internal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DataUnit | Error
    """

    return sync_detailed(
        id=id,
        client=client,
        expand=expand,
        url_host=url_host,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> Response[DataUnit | Error]:
    """Get one data unit with its files.

    Args:
        id (int):  Example: 1.
        expand (str | Unset):  Example: files.
        url_host (str | Unset):  Example: internal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DataUnit | Error]
    """

    kwargs = _get_kwargs(
        id=id,
        expand=expand,
        url_host=url_host,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> DataUnit | Error | None:
    """Get one data unit with its files.

    Args:
        id (int):  Example: 1.
        expand (str | Unset):  Example: files.
        url_host (str | Unset):  Example: internal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DataUnit | Error
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            expand=expand,
            url_host=url_host,
        )
    ).parsed
