from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.data_file import DataFile
from ...models.data_file_from_chunked_upload import DataFileFromChunkedUpload
from ...models.data_file_upload import DataFileUpload
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: DataFileUpload | DataFileFromChunkedUpload | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["url_host"] = url_host

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/data_files/",
        "params": params,
    }

    if isinstance(body, DataFileUpload):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"
    if isinstance(body, DataFileFromChunkedUpload):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DataFile | Error | list[Error] | None:
    if response.status_code == 201:
        response_201 = DataFile.from_dict(response.json())

        return response_201

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

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DataFile | Error | list[Error]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: DataFileUpload | DataFileFromChunkedUpload | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> Response[DataFile | Error | list[Error]]:
    """Create a data file from a direct multipart upload or from a completed chunked upload.

    Args:
        url_host (str | Unset):  Example: internal.
        body (DataFileUpload):
        body (DataFileFromChunkedUpload):  Example: {'chunked_upload':
            '5230ec1f-59d1-4d31-bd3b-0b5bc3c8d0e2'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DataFile | Error | Error | list[Error]]
    """

    kwargs = _get_kwargs(
        body=body,
        url_host=url_host,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: DataFileUpload | DataFileFromChunkedUpload | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> DataFile | Error | list[Error] | None:
    """Create a data file from a direct multipart upload or from a completed chunked upload.

    Args:
        url_host (str | Unset):  Example: internal.
        body (DataFileUpload):
        body (DataFileFromChunkedUpload):  Example: {'chunked_upload':
            '5230ec1f-59d1-4d31-bd3b-0b5bc3c8d0e2'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DataFile | Error | Error | list[Error]
    """

    return sync_detailed(
        client=client,
        body=body,
        url_host=url_host,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: DataFileUpload | DataFileFromChunkedUpload | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> Response[DataFile | Error | list[Error]]:
    """Create a data file from a direct multipart upload or from a completed chunked upload.

    Args:
        url_host (str | Unset):  Example: internal.
        body (DataFileUpload):
        body (DataFileFromChunkedUpload):  Example: {'chunked_upload':
            '5230ec1f-59d1-4d31-bd3b-0b5bc3c8d0e2'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DataFile | Error | Error | list[Error]]
    """

    kwargs = _get_kwargs(
        body=body,
        url_host=url_host,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: DataFileUpload | DataFileFromChunkedUpload | Unset = UNSET,
    url_host: str | Unset = UNSET,
) -> DataFile | Error | list[Error] | None:
    """Create a data file from a direct multipart upload or from a completed chunked upload.

    Args:
        url_host (str | Unset):  Example: internal.
        body (DataFileUpload):
        body (DataFileFromChunkedUpload):  Example: {'chunked_upload':
            '5230ec1f-59d1-4d31-bd3b-0b5bc3c8d0e2'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DataFile | Error | Error | list[Error]
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            url_host=url_host,
        )
    ).parsed
