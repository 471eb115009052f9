"""One call to the API: an ``Op`` (what to send, how to read the answer), one ``Attempt`` of it,
and ``unwrap``.

An ``Op`` names a generated endpoint module (or a raw request, where the generator cannot
express it) with its arguments, so both senders, ``sync_detailed`` and ``asyncio_detailed``,
come from one description. ``unwrap`` is the only place that turns a generated ``Response``
(or a raw ``httpx.Response``) into a model or a typed error, including non-JSON bodies and
non-standard status codes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from types import ModuleType
from typing import Any, Generic, TypeVar

import attrs
import httpx
from synapse_client.client import AuthenticatedClient
from synapse_client.types import Response

from .._redact import redacted_repr
from ..errors import (
    ClientError,
    ProtocolError,
    RequestNotSentError,
    ResponseLostError,
    error_from_response,
)
from .storage import StoragePut, storage_error
from .transport import Recorder, recording

__all__ = ["Attempt", "Op", "RawRequest", "attempt", "transport_error", "unwrap"]

T = TypeVar("T")
Reply = Response[Any] | httpx.Response
Arguments = Callable[[], AbstractContextManager[dict[str, Any]]]

# Raised by generated parsing: JSONDecodeError/ValueError (bad body, HTTPStatus(520)),
# TypeError (unknown literal enum), KeyError/AttributeError (missing required field).
_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError)
# The request certainly did not reach the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _no_arguments() -> AbstractContextManager[dict[str, Any]]:
    return contextlib.nullcontext({})


@attrs.frozen
class RawRequest:
    """A request the generator cannot express: a URL that must be used exactly as given."""

    method: str
    url: str = attrs.field(repr=redacted_repr)
    headers: dict[str, str] = attrs.Factory(dict)


@attrs.frozen
class Op(Generic[T]):
    """A single request, described once for both worlds, plus how to read a 2xx answer."""

    name: str
    endpoint: ModuleType | RawRequest | StoragePut
    """A generated ``synapse_client.api.<tag>.<op>`` module, a raw request, or a storage PUT."""
    parse: Callable[[Any], T]
    """Raw JSON of a 2xx answer to the result (used when the generated parse is unusable);
    for a storage PUT, the ``httpx.Response`` itself."""
    accept: Callable[[Any], T | None]
    """The generated ``parsed`` value to the result, or ``None`` if it is not a success model."""
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = attrs.Factory(dict)
    arguments: Arguments = _no_arguments
    """Keyword arguments built afresh for every attempt (bodies with file handles or buffers)."""
    safe: bool = True
    """True when resending cannot apply the request twice (reads, PUTs of chunks we verify)."""
    read_timeout: float | None = None

    @property
    def storage(self) -> bool:
        """True for a PUT to a presigned object-storage URL (the policy's storage rules)."""
        return isinstance(self.endpoint, StoragePut)

    def send(self, client: AuthenticatedClient, extra: dict[str, Any]) -> Reply:
        """Send through the generated ``sync_detailed`` (or the raw request)."""
        if isinstance(self.endpoint, StoragePut):
            http = client.get_httpx_client()
            return http.send(self.endpoint.request(http))
        if isinstance(self.endpoint, RawRequest):
            raw = self.endpoint
            return client.get_httpx_client().request(
                raw.method, raw.url, headers=raw.headers, **extra
            )
        reply: Reply = self.endpoint.sync_detailed(
            *self.args, client=client, **self.kwargs, **extra
        )
        return reply

    def asend(self, client: AuthenticatedClient, extra: dict[str, Any]) -> Awaitable[Reply]:
        """Send through the generated ``asyncio_detailed`` (or the raw request)."""
        if isinstance(self.endpoint, StoragePut):
            ahttp = client.get_async_httpx_client()
            return ahttp.send(self.endpoint.request(ahttp))
        if isinstance(self.endpoint, RawRequest):
            raw = self.endpoint
            http = client.get_async_httpx_client()
            return http.request(raw.method, raw.url, headers=raw.headers, **extra)
        reply: Awaitable[Reply] = self.endpoint.asyncio_detailed(
            *self.args, client=client, **self.kwargs, **extra
        )
        return reply


def transport_error(exc: httpx.TransportError) -> ClientError:
    """Map an httpx transport failure to "not sent" or "maybe applied", truthfully."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, _NOT_SENT):
        return RequestNotSentError(detail)
    return ResponseLostError(detail)


@attrs.define
class Attempt(Generic[T]):
    """One attempt of an ``Op``: the driver sets ``reply``; :meth:`outcome` reads it."""

    op: Op[T]
    box: Recorder
    extra: dict[str, Any] = attrs.Factory(dict)
    reply: Reply | None = None
    failure: Exception | None = None

    def outcome(self) -> T | ClientError:
        """The success value, or the typed error (never raised: flows receive errors)."""
        try:
            if self.failure is None:
                assert self.reply is not None
                return unwrap(self.reply, self.box.response, self.op)
            if isinstance(self.failure, ClientError):
                return self.failure
            if isinstance(self.failure, httpx.TransportError):
                return transport_error(self.failure)
            return _from_raw(self.box.response, self.op.parse, self.failure)
        except ClientError as error:
            return error


@contextlib.contextmanager
def attempt(op: Op[T]) -> Iterator[Attempt[T]]:
    """Around one send of ``op``: records the raw response and captures its failure."""
    with recording(op.read_timeout) as box:
        current = Attempt(op, box)
        try:
            with op.arguments() as extra:
                current.extra = extra
                yield current
        except (ClientError, httpx.TransportError) as exc:
            current.failure = exc
        except _PARSE_ERRORS as exc:
            if box.response is None:
                raise  # not an answer that failed to parse: a bug or bad input, let it out
            current.failure = exc


def _from_raw(raw: httpx.Response | None, parse: Callable[[Any], T], cause: Exception | None) -> T:
    if raw is None:
        raise ProtocolError(None, f"unreadable response ({type(cause).__name__}: {cause})")
    code = raw.status_code
    if code >= 400:
        raise error_from_response(raw)
    if not 200 <= code < 300:
        raise ProtocolError(code, f"unexpected status {code}", raw)
    try:
        data = json.loads(raw.content) if raw.content else None
        return parse(data)
    except _PARSE_ERRORS as exc:
        body = raw.content[:200].decode("utf-8", errors="replace")
        raise ProtocolError(code, f"unparseable body ({type(exc).__name__}): {body}", raw) from exc


def unwrap(reply: Reply, raw: httpx.Response | None, op: Op[T]) -> T:
    """The success value of ``reply``, or raise the typed error it stands for."""
    if isinstance(op.endpoint, StoragePut):
        assert isinstance(reply, httpx.Response)
        if reply.status_code >= 400:
            raise storage_error(reply)
        if not 200 <= reply.status_code < 300:
            raise ProtocolError(reply.status_code, "unexpected storage status", reply)
        return op.parse(reply)
    if isinstance(reply, httpx.Response):
        return _from_raw(reply, op.parse, None)
    code = int(reply.status_code)
    if code >= 400 or raw is None or not 200 <= code < 300:
        return _from_raw(raw, op.parse, None) if raw is not None else _no_raw(reply)
    value = op.accept(reply.parsed)
    if value is not None:
        return value
    return _from_raw(raw, op.parse, None)


def _no_raw(reply: Response[Any]) -> Any:
    fake = httpx.Response(int(reply.status_code), headers=reply.headers, content=reply.content)
    if fake.status_code >= 400:
        raise error_from_response(fake)
    raise ProtocolError(fake.status_code, "unexpected response", fake)
