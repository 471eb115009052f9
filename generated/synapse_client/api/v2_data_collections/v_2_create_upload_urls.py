from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.presigned_upload_request import PresignedUploadRequest
from ...models.v2_error_envelope import V2ErrorEnvelope
from ...models.v2_presigned_upload_envelope import V2PresignedUploadEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    body: PresignedUploadRequest,
    dry_run: bool | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/data-collections/{id}/upload-urls/".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | V2ErrorEnvelope | V2PresignedUploadEnvelope | None:
    if response.status_code == 200:
        response_200 = V2PresignedUploadEnvelope.from_dict(response.json())

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
) -> Response[Any | V2ErrorEnvelope | V2PresignedUploadEnvelope]:
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
    body: PresignedUploadRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[Any | V2ErrorEnvelope | V2PresignedUploadEnvelope]:
    """v2: get presigned storage URLs for files to upload into this collection's storage.

     Answers one entry per requested file, paired **by position**: a `file_key` and either a
    `presigned_url` (one PUT of the raw bytes, no Synapse headers) or `multipart` (one PUT
    per part); the other is null. 400 when the collection's storage cannot presign. Then
    upload the bytes and call `v2FinalizeUpload`.

    Args:
        id (int):  Example: 1.
        dry_run (bool | Unset):  Example: False.
        body (PresignedUploadRequest): v2 `upload-urls` request. Example: {'files': [{'filename':
            'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration': 3600}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2ErrorEnvelope | V2PresignedUploadEnvelope]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        dry_run=dry_run,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    body: PresignedUploadRequest,
    dry_run: bool | Unset = UNSET,
) -> Any | V2ErrorEnvelope | V2PresignedUploadEnvelope | None:
    """v2: get presigned storage URLs for files to upload into this collection's storage.

     Answers one entry per requested file, paired **by position**: a `file_key` and either a
    `presigned_url` (one PUT of the raw bytes, no Synapse headers) or `multipart` (one PUT
    per part); the other is null. 400 when the collection's storage cannot presign. Then
    upload the bytes and call `v2FinalizeUpload`.

    Args:
        id (int):  Example: 1.
        dry_run (bool | Unset):  Example: False.
        body (PresignedUploadRequest): v2 `upload-urls` request. Example: {'files': [{'filename':
            'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration': 3600}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2ErrorEnvelope | V2PresignedUploadEnvelope
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
        dry_run=dry_run,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: PresignedUploadRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[Any | V2ErrorEnvelope | V2PresignedUploadEnvelope]:
    """v2: get presigned storage URLs for files to upload into this collection's storage.

     Answers one entry per requested file, paired **by position**: a `file_key` and either a
    `presigned_url` (one PUT of the raw bytes, no Synapse headers) or `multipart` (one PUT
    per part); the other is null. 400 when the collection's storage cannot presign. Then
    upload the bytes and call `v2FinalizeUpload`.

    Args:
        id (int):  Example: 1.
        dry_run (bool | Unset):  Example: False.
        body (PresignedUploadRequest): v2 `upload-urls` request. Example: {'files': [{'filename':
            'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration': 3600}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | V2ErrorEnvelope | V2PresignedUploadEnvelope]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
        dry_run=dry_run,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    body: PresignedUploadRequest,
    dry_run: bool | Unset = UNSET,
) -> Any | V2ErrorEnvelope | V2PresignedUploadEnvelope | None:
    """v2: get presigned storage URLs for files to upload into this collection's storage.

     Answers one entry per requested file, paired **by position**: a `file_key` and either a
    `presigned_url` (one PUT of the raw bytes, no Synapse headers) or `multipart` (one PUT
    per part); the other is null. 400 when the collection's storage cannot presign. Then
    upload the bytes and call `v2FinalizeUpload`.

    Args:
        id (int):  Example: 1.
        dry_run (bool | Unset):  Example: False.
        body (PresignedUploadRequest): v2 `upload-urls` request. Example: {'files': [{'filename':
            'a01.jpg', 'size': 48213, 'content_type': 'image/jpeg'}], 'expiration': 3600}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | V2ErrorEnvelope | V2PresignedUploadEnvelope
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
            dry_run=dry_run,
        )
    ).parsed
