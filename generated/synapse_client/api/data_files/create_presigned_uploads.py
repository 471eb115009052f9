from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.presigned_upload_response import PresignedUploadResponse
from ...models.presigned_upload_v1_request import PresignedUploadV1Request
from ...types import Response


def _get_kwargs(
    *,
    body: PresignedUploadV1Request,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/data_files/presigned_upload/upload/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[Error] | PresignedUploadResponse | None:
    if response.status_code == 200:
        response_200 = PresignedUploadResponse.from_dict(response.json())

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

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | list[Error] | PresignedUploadResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PresignedUploadV1Request,
) -> Response[Error | list[Error] | PresignedUploadResponse]:
    """Get presigned storage URLs (single PUT or multipart) for files to upload directly to storage.

     Answers one entry per requested file, paired **by position**: a `file_key` and either a
    `presigned_url` (one PUT of the raw bytes) or `multipart` (one PUT per part); the other
    is null. The presigned URLs need no Synapse headers. After uploading, confirm with
    `confirmPresignedUploads`.

    Args:
        body (PresignedUploadV1Request): v1 `presigned_upload/upload/` request. Example: {'files':
            [{'filename': 'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration':
            3600}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Error | list[Error] | PresignedUploadResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PresignedUploadV1Request,
) -> Error | list[Error] | PresignedUploadResponse | None:
    """Get presigned storage URLs (single PUT or multipart) for files to upload directly to storage.

     Answers one entry per requested file, paired **by position**: a `file_key` and either a
    `presigned_url` (one PUT of the raw bytes) or `multipart` (one PUT per part); the other
    is null. The presigned URLs need no Synapse headers. After uploading, confirm with
    `confirmPresignedUploads`.

    Args:
        body (PresignedUploadV1Request): v1 `presigned_upload/upload/` request. Example: {'files':
            [{'filename': 'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration':
            3600}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Error | list[Error] | PresignedUploadResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PresignedUploadV1Request,
) -> Response[Error | list[Error] | PresignedUploadResponse]:
    """Get presigned storage URLs (single PUT or multipart) for files to upload directly to storage.

     Answers one entry per requested file, paired **by position**: a `file_key` and either a
    `presigned_url` (one PUT of the raw bytes) or `multipart` (one PUT per part); the other
    is null. The presigned URLs need no Synapse headers. After uploading, confirm with
    `confirmPresignedUploads`.

    Args:
        body (PresignedUploadV1Request): v1 `presigned_upload/upload/` request. Example: {'files':
            [{'filename': 'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration':
            3600}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Error | list[Error] | PresignedUploadResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PresignedUploadV1Request,
) -> Error | list[Error] | PresignedUploadResponse | None:
    """Get presigned storage URLs (single PUT or multipart) for files to upload directly to storage.

     Answers one entry per requested file, paired **by position**: a `file_key` and either a
    `presigned_url` (one PUT of the raw bytes) or `multipart` (one PUT per part); the other
    is null. The presigned URLs need no Synapse headers. After uploading, confirm with
    `confirmPresignedUploads`.

    Args:
        body (PresignedUploadV1Request): v1 `presigned_upload/upload/` request. Example: {'files':
            [{'filename': 'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration':
            3600}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Error | list[Error] | PresignedUploadResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
