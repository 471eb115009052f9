from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.paginated_data_unit_list import PaginatedDataUnitList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    data_collection: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["data_collection"] = data_collection

    params["page"] = page

    params["page_size"] = page_size

    params["expand"] = expand

    params["url_host"] = url_host

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/data_units/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[Error] | PaginatedDataUnitList | None:
    if response.status_code == 200:
        response_200 = PaginatedDataUnitList.from_dict(response.json())

        return response_200

    if response.status_code == 400:

        def _parse_response_400(data: object) -> Error | list[Error]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_400_type_0 = Error.from_dict(data)

                return response_400_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            response_400_type_1 = []
            _response_400_type_1 = data
            for response_400_type_1_item_data in _response_400_type_1:
                response_400_type_1_item = Error.from_dict(response_400_type_1_item_data)

                response_400_type_1.append(response_400_type_1_item)

            return response_400_type_1

        response_400 = _parse_response_400(response.json())

        return response_400

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
) -> Response[Error | list[Error] | PaginatedDataUnitList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    data_collection: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> Response[Error | list[Error] | PaginatedDataUnitList]:
    """List data units, optionally of one data collection (page-number pagination).

    Args:
        data_collection (int | Unset):  Example: 1.
        page (int | Unset):  Example: 1.
        page_size (int | Unset):  Example: 100.
        expand (str | Unset):  Example: files.
        url_host (str | Unset):  Example: internal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Error | list[Error] | PaginatedDataUnitList]
    """

    kwargs = _get_kwargs(
        data_collection=data_collection,
        page=page,
        page_size=page_size,
        expand=expand,
        url_host=url_host,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    data_collection: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> Error | list[Error] | PaginatedDataUnitList | None:
    """List data units, optionally of one data collection (page-number pagination).

    Args:
        data_collection (int | Unset):  Example: 1.
        page (int | Unset):  Example: 1.
        page_size (int | Unset):  Example: 100.
        expand (str | Unset):  Example: files.
        url_host (str | Unset):  Example: internal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Error | list[Error] | PaginatedDataUnitList
    """

    return sync_detailed(
        client=client,
        data_collection=data_collection,
        page=page,
        page_size=page_size,
        expand=expand,
        url_host=url_host,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    data_collection: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> Response[Error | list[Error] | PaginatedDataUnitList]:
    """List data units, optionally of one data collection (page-number pagination).

    Args:
        data_collection (int | Unset):  Example: 1.
        page (int | Unset):  Example: 1.
        page_size (int | Unset):  Example: 100.
        expand (str | Unset):  Example: files.
        url_host (str | Unset):  Example: internal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Error | list[Error] | PaginatedDataUnitList]
    """

    kwargs = _get_kwargs(
        data_collection=data_collection,
        page=page,
        page_size=page_size,
        expand=expand,
        url_host=url_host,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    data_collection: int | Unset = UNSET,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    expand: str | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> Error | list[Error] | PaginatedDataUnitList | None:
    """List data units, optionally of one data collection (page-number pagination).

    Args:
        data_collection (int | Unset):  Example: 1.
        page (int | Unset):  Example: 1.
        page_size (int | Unset):  Example: 100.
        expand (str | Unset):  Example: files.
        url_host (str | Unset):  Example: internal.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Error | list[Error] | PaginatedDataUnitList
    """

    return (
        await asyncio_detailed(
            client=client,
            data_collection=data_collection,
            page=page,
            page_size=page_size,
            expand=expand,
            url_host=url_host,
        )
    ).parsed
