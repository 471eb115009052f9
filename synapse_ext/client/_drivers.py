"""The two drivers: the only code that performs intents (network, disk, sleeping, threads).

``SyncDriver`` blocks; ``AsyncDriver`` awaits. Both run the same flows, step them the same
way (:class:`_Outcome`) and differ only in how each intent is carried out, most visibly in
``Parallel``: a thread pool versus a task group. A ``Parallel`` with an adaptive limit is
gated on the limit's current value, and every request sent under it reports its outcome to
it (:meth:`_Driver.sent`): the controller is shared, the drivers only gate. The gate (how
many sub-flows run under a limit) is one per limit per driver, shared by every ``Parallel``
gated on that limit: when one ``Parallel``'s sub-flows tail off, another's fill the slots,
and together they never exceed the limit. (So a sub-flow must not itself wait on a
``Parallel`` gated on the limit it runs under: it would hold a slot while waiting for one.)
"""

from __future__ import annotations

import contextvars
import inspect
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

import anyio
import attrs
import httpx
from synapse_client.client import AuthenticatedClient

from .._flow import Blocking, Call, Flow, Intent, PageCursor, Pages, Parallel, Sleep
from .._flow.concurrency import AdaptiveLimit, current_limit, signal_of
from .._wire.call import Op, attempt
from .._wire.dataplane import StoragePool, httpx_is_patched
from .._wire.storage import StoragePut

__all__ = ["AsyncDriver", "SyncDriver"]

T = TypeVar("T")
_HANDLERS = {Call: "_call", Sleep: "_sleep", Blocking: "_blocking", Parallel: "_parallel"}


@attrs.frozen
class _Outcome:
    """What the last intent produced: a value to send into the flow, or an error to throw."""

    value: Any = None
    error: Exception | None = None

    def resume(self, flow: Flow[Any]) -> Intent:
        """The flow's next intent (``StopIteration`` carries its result)."""
        return flow.throw(self.error) if self.error is not None else flow.send(self.value)


class _Driver:
    """What both drivers share: the generated client and the choice of handler."""

    def __init__(self, base_url: str) -> None:
        # Auth headers live on our own httpx client (only those configured), so the generated
        # client's single auth header is unused and its repr holds no secret.
        self.client = AuthenticatedClient(base_url=base_url, token="", prefix="")

    def handler(self, intent: Intent) -> Callable[[Any], Any]:
        name = _HANDLERS.get(type(intent))
        if name is None:
            raise TypeError(f"a flow yielded {intent!r}, which is not an intent")
        return cast(Callable[[Any], Any], getattr(self, name))

    @staticmethod
    def sending() -> tuple[AdaptiveLimit | None, float]:
        """The adaptive limit the request about to be sent reports to, and its start time."""
        limit = current_limit.get()
        return limit, (limit.now() if limit is not None else 0.0)

    @staticmethod
    def sent(limit: AdaptiveLimit | None, started: float, answer: object) -> object:
        """Report a request's answer (value or ``ClientError``) to ``limit``; return it."""
        if limit is not None:
            limit.observe(signal_of(answer), started)
        return answer


class _SyncGate:
    """How many sub-flows run under one adaptive limit, across every ``Parallel`` using it."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.running = 0


class _AsyncGate:
    """The async driver's :class:`_SyncGate`: a count and an ``anyio.Condition``."""

    def __init__(self) -> None:
        self.condition = anyio.Condition()
        self.running = 0


class SyncDriver(_Driver):
    """Performs intents with blocking I/O; ``Parallel`` runs sub-flows in a thread pool.

    With a ``storage`` pool, presigned storage PUTs go through it (urllib3) whenever httpx is
    not patched by a mock; everything else, and every PUT while it is, goes through ``http``.
    """

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        sleep: Callable[[float], None],
        storage: StoragePool | None = None,
    ) -> None:
        super().__init__(base_url)
        self.client.set_httpx_client(http)
        self._sleep_fn = sleep
        self.storage = storage
        self._gates: weakref.WeakKeyDictionary[AdaptiveLimit, _SyncGate] = (
            weakref.WeakKeyDictionary()
        )
        self._gates_lock = threading.Lock()

    def _gate(self, limit: AdaptiveLimit) -> _SyncGate:
        """The one gate of ``limit`` in this driver."""
        with self._gates_lock:
            gate = self._gates.get(limit)
            if gate is None:
                gate = self._gates[limit] = _SyncGate()
            return gate

    def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end and return its result."""
        outcome = _Outcome()
        try:
            while True:
                outcome = self._perform(outcome.resume(flow))
        except StopIteration as done:
            return cast(T, done.value)
        finally:
            flow.close()

    def iterate(self, pages: Pages[T]) -> Iterator[T]:
        """The items a paging flow emits, fetched page by page as they are consumed."""
        cursor = PageCursor(pages)
        while (items := self.run(cursor.next_page())) is not None:
            yield from items

    def _perform(self, intent: Intent) -> _Outcome:
        try:
            return _Outcome(self.handler(intent)(intent))
        except Exception as exc:
            return _Outcome(error=exc)

    def _send(self, op: Op[Any]) -> Any:
        limit, started = self.sending()
        with attempt(op) as current:
            put = op.endpoint
            if self.storage is not None and isinstance(put, StoragePut) and not httpx_is_patched():
                current.reply = self.storage.put(put, op.read_timeout)
            else:
                current.reply = op.send(self.client, current.extra)
        return self.sent(limit, started, current.outcome())

    def _call(self, intent: Call[Any]) -> Any:
        if intent.alongside is None:
            return self._send(intent.op)
        # MD5 releases the GIL: hash the chunk in a thread while it is being sent.
        helper = threading.Thread(target=intent.alongside, name="synapse-alongside")
        helper.start()
        try:
            return self._send(intent.op)
        finally:
            helper.join()

    def _sleep(self, intent: Sleep) -> None:
        self._sleep_fn(intent.seconds)

    def _blocking(self, intent: Blocking[Any]) -> Any:
        return intent.fn(*intent.args)

    def _parallel(self, intent: Parallel[Any]) -> list[Any]:
        if isinstance(intent.limit, AdaptiveLimit):
            return self._adaptive(intent.flows, intent.limit)
        workers = min(intent.limit, len(intent.flows))
        if workers <= 1:
            return [self.run(flow) for flow in intent.flows]
        # Each sub-flow runs in a copy of this context: its requests report where ours do.
        contexts = [contextvars.copy_context() for _ in intent.flows]
        with ThreadPoolExecutor(workers, thread_name_prefix="synapse") as pool:
            return list(pool.map(lambda c, f: c.run(self.run, f), contexts, intent.flows))

    def _adaptive(self, flows: Sequence[Flow[Any]], limit: AdaptiveLimit) -> list[Any]:
        """``ceiling`` threads; one starts the next sub-flow only while fewer than the
        limit's current value are running."""
        results: list[Any] = [None] * len(flows)
        errors: dict[int, BaseException] = {}
        shared = self._gate(limit)
        gate = shared.condition
        pending = iter(range(len(flows)))

        def run_one(index: int) -> None:
            current_limit.set(limit)  # in this sub-flow's own context
            results[index] = self.run(flows[index])

        def worker() -> None:
            while True:
                with gate:
                    while shared.running >= limit.current:
                        gate.wait()
                    index = next(pending, None)
                    if index is None:
                        gate.notify_all()  # nothing left: every waiting thread may end
                        return
                    shared.running += 1
                try:
                    contextvars.copy_context().run(run_one, index)
                except BaseException as exc:  # raised after all, like the fixed pool
                    errors[index] = exc
                finally:
                    with gate:
                        shared.running -= 1
                        gate.notify(max(1, limit.current - shared.running))  # free slots only

        workers = min(limit.ceiling, len(flows))
        threads = [threading.Thread(target=worker, name="synapse") for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[min(errors)]
        return results


class AsyncDriver(_Driver):
    """Performs intents with ``await``; blocking work goes to worker threads and ``Parallel``
    runs sub-flows in a task group.

    With a ``storage`` pool, presigned storage PUTs go through it (urllib3) in worker threads,
    at most ``storage_threads`` at once, whenever httpx is not patched by a mock: httpcore's
    async stack costs about twice the client CPU per PUT (docs/decisions.md).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        sleep: Callable[[float], Awaitable[None]],
        storage: StoragePool | None = None,
        storage_threads: int = 1,
    ) -> None:
        super().__init__(base_url)
        self.client.set_async_httpx_client(http)
        self._sleep_fn = sleep
        self.storage = storage
        self._storage_threads = storage_threads
        self._storage_limiter: anyio.CapacityLimiter | None = None  # made on the event loop
        self._gates: weakref.WeakKeyDictionary[AdaptiveLimit, _AsyncGate] = (
            weakref.WeakKeyDictionary()
        )

    def _gate(self, limit: AdaptiveLimit) -> _AsyncGate:
        """The one gate of ``limit`` in this driver (its tasks share one event loop)."""
        gate = self._gates.get(limit)
        if gate is None:
            gate = self._gates[limit] = _AsyncGate()
        return gate

    async def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end and return its result."""
        outcome = _Outcome()
        try:
            while True:
                outcome = await self._perform(outcome.resume(flow))
        except StopIteration as done:
            return cast(T, done.value)
        finally:
            flow.close()

    async def iterate(self, pages: Pages[T]) -> AsyncIterator[T]:
        """The items a paging flow emits, fetched page by page as they are consumed."""
        cursor = PageCursor(pages)
        while (items := await self.run(cursor.next_page())) is not None:
            for item in items:
                yield item

    async def _perform(self, intent: Intent) -> _Outcome:
        try:
            return _Outcome(await self.handler(intent)(intent))
        except Exception as exc:
            return _Outcome(error=exc)

    async def _send(self, op: Op[Any]) -> Any:
        limit, started = self.sending()
        with attempt(op) as current:
            put = op.endpoint
            if self.storage is not None and isinstance(put, StoragePut) and not httpx_is_patched():
                current.reply = await self._storage_put(self.storage, put, op.read_timeout)
            else:
                current.reply = await op.asend(self.client, current.extra)
        return self.sent(limit, started, current.outcome())

    async def _storage_put(
        self, storage: StoragePool, put: StoragePut, per_call: float | None
    ) -> httpx.Response:
        """``storage.put`` in a worker thread; a cancelled caller waits for it (its timeouts
        bound it), so a PUT is never left half-known."""
        if self._storage_limiter is None:
            self._storage_limiter = anyio.CapacityLimiter(self._storage_threads)
        return await anyio.to_thread.run_sync(
            storage.put, put, per_call, limiter=self._storage_limiter
        )

    async def _call(self, intent: Call[Any]) -> Any:
        if intent.alongside is None:
            return await self._send(intent.op)
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.to_thread.run_sync, intent.alongside)
            return await self._send(intent.op)

    async def _sleep(self, intent: Sleep) -> None:
        await self._sleep_fn(intent.seconds)

    async def _blocking(self, intent: Blocking[Any]) -> Any:
        if inspect.iscoroutinefunction(intent.fn):  # a caller's async hook runs on the loop
            return await intent.fn(*intent.args)
        return await anyio.to_thread.run_sync(intent.fn, *intent.args)

    async def _parallel(self, intent: Parallel[Any]) -> list[Any]:
        results: list[Any] = [None] * len(intent.flows)
        adaptive = intent.limit if isinstance(intent.limit, AdaptiveLimit) else None
        fixed = intent.limit if isinstance(intent.limit, int) else 1
        limiter = anyio.CapacityLimiter(max(1, fixed))

        async def gated(flow: Flow[Any], limit: AdaptiveLimit) -> Any:
            shared = self._gate(limit)
            gate = shared.condition
            async with gate:
                while shared.running >= limit.current:
                    await gate.wait()
                shared.running += 1
            try:
                current_limit.set(limit)  # in this task's own context
                return await self.run(flow)
            finally:
                with anyio.CancelScope(shield=True):
                    async with gate:
                        shared.running -= 1
                        gate.notify(max(1, limit.current - shared.running))

        async def one(index: int, flow: Flow[Any]) -> None:
            if adaptive is not None:
                results[index] = await gated(flow, adaptive)
                return
            async with limiter:
                results[index] = await self.run(flow)

        try:
            async with anyio.create_task_group() as group:
                for index, flow in enumerate(intent.flows):
                    group.start_soon(one, index, flow)
        except ExceptionGroup as failed:  # the first failure, as the sync driver raises it
            raise failed.exceptions[0] from None
        return results
