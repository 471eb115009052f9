"""Public methods written once, as flows, for both typed clients.

A method of :class:`~synapse_ext.client._api.ClientApi` decorated with :class:`operation`
(or :class:`pages`) is a flow. Each client class built on :class:`SyncWorld` or
:class:`AsyncWorld` gets a real method per flow when the class is created: the sync one runs
the flow to its result, the async one awaits it, and paging flows become an ``Iterator`` or
an ``AsyncIterator``. Signatures, docstrings and type hints are the flow's, with the return
type each world gives it, so ``inspect`` and ``typing.get_type_hints`` see ordinary methods.
"""

from __future__ import annotations

import inspect
import typing
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from .._flow.intents import Emit

if TYPE_CHECKING:
    from .._flow import Flow, Pages
    from ._drivers import AsyncDriver, SyncDriver

__all__ = [
    "AsyncWorld",
    "SyncWorld",
    "awaitable_function",
    "blocking_function",
    "operation",
    "pages",
]

P = ParamSpec("P")
T = TypeVar("T")


class operation(Generic[P, T]):
    """A flow method that becomes a public method of both typed clients."""

    def __init__(
        self, flow: Callable[Concatenate[Any, P], Flow[T]], *, deprecated_name: str | None = None
    ) -> None:
        self.flow = flow
        self.__doc__ = flow.__doc__
        self.deprecated_name = deprecated_name

    def renamed_from(self, old_name: str) -> Self:
        """The same method under its former name, which warns when it is called."""
        return type(self)(self.flow, deprecated_name=old_name)

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> Self: ...
    @overload
    def __get__(self, obj: SyncWorld, owner: type[Any] | None = None) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, obj: AsyncWorld, owner: type[Any] | None = None
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, obj: object, owner: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        raise TypeError(f"{self.flow.__name__} is a flow; call it on a client")


class pages(operation[P, T]):
    """A paging flow method: an ``Iterator`` (sync) or an ``AsyncIterator`` (async)."""

    def __init__(
        self, flow: Callable[Concatenate[Any, P], Pages[T]], *, deprecated_name: str | None = None
    ) -> None:
        super().__init__(flow, deprecated_name=deprecated_name)  # type: ignore[arg-type]

    @overload  # type: ignore[override]
    def __get__(self, obj: None, owner: type[Any] | None = None) -> Self: ...
    @overload
    def __get__(
        self, obj: SyncWorld, owner: type[Any] | None = None
    ) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(
        self, obj: AsyncWorld, owner: type[Any] | None = None
    ) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, obj: object, owner: type[Any] | None = None) -> Any:
        return super().__get__(obj, owner)  # type: ignore[call-overload]


def _result_type(op: operation[Any, Any]) -> Any:
    """``T`` of the flow's ``Flow[T]`` annotation (of ``Pages[T]``, the item type)."""
    returned = typing.get_type_hints(op.flow)["return"]
    args = typing.get_args(returned)
    if not isinstance(op, pages):
        return args[2]
    emitted = [a for a in typing.get_args(args[0]) if typing.get_origin(a) is Emit]
    return typing.get_args(emitted[0])[0]


def _dress(method: Callable[..., Any], name: str, op: operation[Any, Any], returns: Any) -> None:
    signature = inspect.signature(op.flow, eval_str=True)
    method.__signature__ = signature.replace(return_annotation=returns)  # type: ignore[attr-defined]
    hints = dict(typing.get_type_hints(op.flow))
    hints["return"] = returns
    method.__annotations__ = hints
    method.__name__ = name
    method.__qualname__ = f"{op.flow.__qualname__.rsplit('.', 1)[0]}.{name}"
    method.__module__ = op.flow.__module__
    method.__doc__ = op.flow.__doc__
    if op.deprecated_name is not None:
        method.__doc__ = f"Deprecated alias of :meth:`{op.flow.__name__}`."


def _warn(op: operation[Any, Any]) -> None:
    if op.deprecated_name is not None:
        warnings.warn(
            f"{op.deprecated_name}() is deprecated; use {op.flow.__name__}()",
            DeprecationWarning,
            stacklevel=3,
        )


def _operations(cls: type) -> Iterator[tuple[str, operation[Any, Any]]]:
    seen: set[str] = set()
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if name not in seen:
                seen.add(name)
                if isinstance(value, operation):
                    yield name, value


class SyncWorld:
    """Base of blocking clients: each flow method becomes a method returning its result."""

    _driver: SyncDriver

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, op in _operations(cls):
            setattr(cls, name, _sync_method(name, op))


class AsyncWorld:
    """Base of asyncio clients: each flow method becomes a coroutine method (or async iterator)."""

    _driver: AsyncDriver

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, op in _operations(cls):
            setattr(cls, name, _async_method(name, op))


def _sync_method(name: str, op: operation[Any, Any]) -> Callable[..., Any]:
    flow = op.flow
    paging = isinstance(op, pages)

    def method(self: SyncWorld, *args: Any, **kwargs: Any) -> Any:
        _warn(op)
        if paging:
            return self._driver.iterate(flow(self, *args, **kwargs))
        return self._driver.run(flow(self, *args, **kwargs))

    result = _result_type(op)
    _dress(method, name, op, Iterator[result] if paging else result)  # type: ignore[valid-type]
    return method


def _async_method(name: str, op: operation[Any, Any]) -> Callable[..., Any]:
    flow = op.flow
    result = _result_type(op)
    if isinstance(op, pages):

        def iterate(self: AsyncWorld, *args: Any, **kwargs: Any) -> Any:
            _warn(op)
            return self._driver.iterate(flow(self, *args, **kwargs))

        _dress(iterate, name, op, AsyncIterator[result])  # type: ignore[valid-type]
        return iterate

    async def method(self: AsyncWorld, *args: Any, **kwargs: Any) -> Any:
        _warn(op)
        return await self._driver.run(flow(self, *args, **kwargs))

    _dress(method, name, op, result)
    return method


C = TypeVar("C")


def _dress_function(
    function: Callable[..., Any], flow: Callable[..., Any], name: str, client_type: type
) -> None:
    signature = inspect.signature(flow, eval_str=True)
    first, *rest = signature.parameters.values()
    returned = typing.get_args(typing.get_type_hints(flow)["return"])[2]
    function.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[first.replace(annotation=client_type), *rest], return_annotation=returned
    )
    hints = dict(typing.get_type_hints(flow))
    hints.update({first.name: client_type, "return": returned})
    function.__annotations__ = hints
    function.__name__ = function.__qualname__ = name
    function.__doc__ = flow.__doc__


def blocking_function(
    flow: Callable[Concatenate[Any, P], Flow[T]], name: str, client_type: type[C]
) -> Callable[Concatenate[C, P], T]:
    """A function of a blocking client (its first argument) that runs ``flow`` to its end."""

    def function(client: C, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return client._driver.run(flow(client, *args, **kwargs))  # type: ignore[attr-defined,no-any-return]

    _dress_function(function, flow, name, client_type)
    return function


def awaitable_function(
    flow: Callable[Concatenate[Any, P], Flow[T]], name: str, client_type: type[C]
) -> Callable[Concatenate[C, P], Coroutine[Any, Any, T]]:
    """A coroutine function of an asyncio client (its first argument) that awaits ``flow``."""

    async def function(client: C, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await client._driver.run(flow(client, *args, **kwargs))  # type: ignore[attr-defined,no-any-return]

    _dress_function(function, flow, name, client_type)
    return function
