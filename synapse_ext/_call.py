"""One call to the API: an ``Op`` (what to send, how to read the answer) and ``unwrap``.

``unwrap`` is the only place that turns a generated ``Response`` (or a raw ``httpx.Response``)
into a model or a typed error, including non-JSON bodies and non-standard status codes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import attrs
import httpx
from synapse_client.client import AuthenticatedClient
from synapse_client.types import Response

from ._transport import Recorder, recording
from .errors import (
    ClientConnectionError,
    ClientError,
    ProtocolError,
    ResponseLostError,
    error_from_response,
)

__all__ = ["Op", "execute_async", "execute_sync", "unwrap"]

T = TypeVar("T")
Reply = Response[Any] | httpx.Response

# Raised by generated parsing: JSONDecodeError/ValueError (bad body, HTTPStatus(520)),
# TypeError (unknown literal enum), KeyError/AttributeError (missing required field).
_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError)
# The request certainly did not reach the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@attrs.frozen
class Op(Generic[T]):
    """A single request: sync and async senders plus how to read a 2xx answer."""

    name: str
    send: Callable[[AuthenticatedClient], Reply]
    asend: Callable[[AuthenticatedClient], Awaitable[Reply]]
    parse: Callable[[Any], T]
    """Raw JSON of a 2xx answer to the result (used when the generated parse is unusable)."""
    accept: Callable[[Any], T | None]
    """The generated ``parsed`` value to the result, or ``None`` if it is not a success model."""
    safe: bool = True
    """True when resending cannot apply the request twice (reads, PUTs of chunks we verify)."""
    read_timeout: float | None = None


def transport_error(exc: httpx.TransportError, safe: bool) -> ClientConnectionError:
    """Map an httpx transport failure to "not sent" or "maybe applied"."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, _NOT_SENT) or safe:
        return ClientConnectionError(detail)
    return ResponseLostError(detail)


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


def _fail(exc: Exception, box: Recorder, op: Op[T]) -> T:
    if isinstance(exc, httpx.TransportError):
        raise transport_error(exc, op.safe) from exc
    if isinstance(exc, _PARSE_ERRORS):
        return _from_raw(box.response, op.parse, exc)
    raise exc


def execute_sync(client: AuthenticatedClient, op: Op[T]) -> T:
    """Send ``op`` once through ``client`` and unwrap the answer."""
    with recording(op.read_timeout) as box:
        try:
            reply = op.send(client)
        except ClientError:
            raise
        except (httpx.TransportError, *_PARSE_ERRORS) as exc:
            return _fail(exc, box, op)
    return unwrap(reply, box.response, op)


async def execute_async(client: AuthenticatedClient, op: Op[T]) -> T:
    """Async twin of :func:`execute_sync`."""
    with recording(op.read_timeout) as box:
        try:
            reply = await op.asend(client)
        except ClientError:
            raise
        except (httpx.TransportError, *_PARSE_ERRORS) as exc:
            return _fail(exc, box, op)
    return unwrap(reply, box.response, op)
