"""The two drivers: the only code that performs intents (network, disk, sleeping, threads).

``SyncDriver`` blocks; ``AsyncDriver`` awaits. Both run the same flows, step them the same
way (:class:`_Outcome`) and differ only in how each intent is carried out, most visibly in
``Parallel``: worker threads versus a task group. One semantics in both: on the first failure
of a sub-flow no new sub-flow starts, the running siblings are cancelled (async: the task
group's cancel scope, at once; sync: each stops at its next intent, since a blocking request
cannot be interrupted, and its thread is joined; a real sleep ends at once) and the first
failure, by time, is raised (:class:`_Scope`). A ``Parallel`` with an adaptive limit is
gated on the limit's current value, and every request sent under it reports its outcome to
it (:meth:`_Driver.sent`): the controller is shared, the drivers only gate. The gate (how
many sub-flows run under a limit) is one per limit per driver, shared by every ``Parallel``
gated on that limit: when one ``Parallel``'s sub-flows tail off, another's fill the slots,
and together they never exceed the limit. (So a sub-flow must not itself wait on a
``Parallel`` gated on the limit it runs under: it would hold a slot while waiting for one.)
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
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


class _Cancelled(BaseException):
    """Ends a sub-flow the sync driver stopped because a sibling failed (never a failure).

    A ``BaseException``, like the async world's cancellation: a flow's ``except Exception``
    does not swallow it; the flow is closed at its ``yield`` (its ``finally`` blocks run).
    """


class _Scope:
    """The cancellation of one ``Parallel``'s sub-flows and of every ``Parallel`` nested in
    them: cancelling a scope cancels its children and calls its wakers (which wake threads
    waiting for a slot, or cancel the async task group)."""

    def __init__(self, parent: _Scope | None) -> None:
        self.cancelled = False
        self.parent = parent
        self._lock = threading.Lock()
        self._children: set[_Scope] = set()
        self._wakers: list[Callable[[], object]] = []
        if parent is not None:
            parent._adopt(self)

    def _adopt(self, child: _Scope) -> None:
        with self._lock:
            if not self.cancelled:
                self._children.add(child)
                return
        child.cancel()  # born inside a cancelled scope

    def on_cancel(self, wake: Callable[[], object]) -> None:
        """Call ``wake`` when this scope is cancelled (at once if it already is)."""
        with self._lock:
            if not self.cancelled:
                self._wakers.append(wake)
                return
        wake()

    def forget(self, wake: Callable[[], object]) -> None:
        """Stop calling ``wake`` on cancellation (what it woke is over)."""
        with self._lock, contextlib.suppress(ValueError):
            self._wakers.remove(wake)

    def cancel(self) -> None:
        """Cancel this scope and every scope nested in it (idempotent)."""
        with self._lock:
            if self.cancelled:
                return
            self.cancelled = True
            children, wakers = list(self._children), list(self._wakers)
        for wake in wakers:
            wake()
        for child in children:
            child.cancel()

    def close(self) -> None:
        """The ``Parallel`` is over: its parent forgets it."""
        if self.parent is not None:
            with self.parent._lock:
                self.parent._children.discard(self)


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "synapse_scope", default=None
)
"""The scope of the ``Parallel`` the current sub-flow runs in (None outside any)."""


class _Driver:
    """What both drivers share: the generated client and the choice of handler."""

    def __init__(self, base_url: str, storage: StoragePool | None) -> None:
        # Auth headers live on our own httpx client (only those configured), so the generated
        # client's single auth header is unused and its repr holds no secret.
        self.client = AuthenticatedClient(base_url=base_url, token="", prefix="")
        self.storage = storage

    def pooled(self, op: Op[Any]) -> tuple[StoragePool, StoragePut] | None:
        """The urllib3 pool and ``op``'s storage PUT when the PUT goes through the pool: one
        is there and no mock patches httpx (a mock must see every request); else ``None``."""
        put = op.endpoint
        if self.storage is not None and isinstance(put, StoragePut) and not httpx_is_patched():
            return self.storage, put
        return None

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


class _Queued:
    """One ``Parallel``'s place at a :class:`_SyncGate`: its threads wait on ``condition``."""

    def __init__(self, lock: threading.Lock) -> None:
        self.condition = threading.Condition(lock)
        self.waiting = 0
        """Its threads waiting for a slot now."""
        self.done = False
        """No sub-flow of it is left to start."""


class _SyncGate:
    """How many sub-flows run under one adaptive limit, across every ``Parallel`` using it.

    A free slot goes to the earliest ``Parallel`` (by arrival) with a thread waiting, so
    the batch flows sharing a limit finish their uploads one after another rather than all
    together (an earlier batch's finalize and units overlap the later ones' uploads). Each
    ``Parallel`` waits on its own condition over the gate's one lock: a freed slot wakes
    one thread of the ``Parallel`` it goes to, not every waiting thread.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self._queue: list[_Queued] = []

    def join(self) -> _Queued:
        """A place for a new ``Parallel``, after every one already there (lock held)."""
        place = _Queued(self.lock)
        self._queue.append(place)
        return place

    def leave(self, place: _Queued) -> None:
        """``place`` starts no more sub-flows: the slots go to the others (lock held)."""
        place.done = True
        if place in self._queue:
            self._queue.remove(place)
        place.condition.notify_all()

    def turn(self, place: _Queued, capacity: int) -> bool:
        """Whether a waiting thread of ``place`` may take a slot now: one is free after the
        threads of the earlier ``Parallel``s waiting for one got theirs (lock held)."""
        free = capacity - self.running
        for earlier in self._queue:
            if earlier is place or free <= 0:
                break
            free -= earlier.waiting
        return free > 0

    def wake(self, capacity: int) -> None:
        """Hand the free slots (``capacity`` minus those running) to the earliest waiting
        ``Parallel``s, one thread per slot (lock held)."""
        free = capacity - self.running
        for place in self._queue:
            if free <= 0:
                return
            if place.waiting:
                place.condition.notify(min(free, place.waiting))
                free -= place.waiting


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
        super().__init__(base_url, storage)
        self.client.set_httpx_client(http)
        self._sleep_fn = sleep
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
        """Drive ``flow`` to its end and return its result.

        Inside a ``Parallel`` whose scope is cancelled, the flow is stopped at its ``yield``
        (closed there: the answer of the intent it was in is dropped, its next intent is
        never performed) and :class:`_Cancelled` is raised.
        """
        scope = _scope.get()
        outcome = _Outcome()
        try:
            while True:
                if scope is not None and scope.cancelled:
                    raise _Cancelled
                intent = outcome.resume(flow)
                if scope is not None and scope.cancelled:
                    raise _Cancelled
                outcome = self._perform(intent)
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
            if (pooled := self.pooled(op)) is not None:
                current.reply = pooled[0].put(pooled[1], op.read_timeout)
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
        scope = _scope.get()
        if scope is None or self._sleep_fn is not time.sleep:  # an injected sleep: as asked
            self._sleep_fn(intent.seconds)
            return
        # A real wait inside a Parallel ends early when a sibling fails, as async's does.
        woken = threading.Event()
        scope.on_cancel(woken.set)
        try:
            woken.wait(intent.seconds)
        finally:
            scope.forget(woken.set)

    def _blocking(self, intent: Blocking[Any]) -> Any:
        return intent.fn(*intent.args)

    def _parallel(self, intent: Parallel[Any]) -> list[Any]:
        flows = intent.flows
        if isinstance(intent.limit, AdaptiveLimit):
            limit = intent.limit
            return self._fan_out(flows, limit.ceiling, self._gate(limit), limit)
        workers = min(intent.limit, len(flows))
        if workers > 1:
            return self._fan_out(flows, workers, _SyncGate(), None)
        results: list[Any] = []
        try:  # one at a time, in this thread: a failure ends the rest before they start
            for flow in flows:
                results.append(self.run(flow))
        finally:
            for flow in flows[len(results) :]:
                flow.close()
        return results

    def _fan_out(
        self,
        flows: Sequence[Flow[Any]],
        workers: int,
        shared: _SyncGate,
        limit: AdaptiveLimit | None,
    ) -> list[Any]:
        """``workers`` threads; one starts the next sub-flow only while fewer than the limit's
        current value run on ``shared`` (the limit's gate; without a limit, ``workers``).

        The first failure cancels the scope: no sub-flow starts any more, the running ones
        stop at their next intent; once every thread is joined, that failure is raised.
        """
        results: list[Any] = [None] * len(flows)
        first: list[BaseException] = []
        first_lock = threading.Lock()
        with shared.lock:
            place = shared.join()
        scope = _Scope(_scope.get())
        pending = iter(range(len(flows)))
        # Each sub-flow runs in a copy of this context (a new thread starts with an empty
        # one): its requests report to the limit ours report to, unless it has its own.
        context = contextvars.copy_context()

        def capacity() -> int:
            return limit.current if limit is not None else workers

        def wake() -> None:  # threads waiting for a slot see the cancellation
            with shared.lock:
                place.condition.notify_all()

        scope.on_cancel(wake)

        def run_one(index: int) -> None:  # in this sub-flow's own context
            _scope.set(scope)
            if limit is not None:
                current_limit.set(limit)
            results[index] = self.run(flows[index])

        def worker() -> None:
            while True:
                with shared.lock:
                    place.waiting += 1
                    while not (scope.cancelled or place.done or shared.turn(place, capacity())):
                        shared.wake(capacity())  # an earlier Parallel's turn: tell it
                        place.condition.wait()
                    place.waiting -= 1
                    index = None if scope.cancelled or place.done else next(pending, None)
                    if index is None:  # nothing (more) to start: every waiting thread may end
                        shared.leave(place)
                        shared.wake(capacity())
                        return
                    shared.running += 1
                try:
                    context.copy().run(run_one, index)
                except _Cancelled:
                    pass  # stopped: a sibling (or the enclosing Parallel) failed
                except BaseException as exc:
                    with first_lock:
                        if not first:
                            first.append(exc)
                    scope.cancel()
                finally:
                    with shared.lock:
                        shared.running -= 1
                        shared.wake(capacity())

        threads = [
            threading.Thread(target=worker, name="synapse") for _ in range(min(workers, len(flows)))
        ]
        try:
            for thread in threads:
                thread.start()
        finally:
            for thread in threads:
                if thread.ident is not None:
                    thread.join()
            with shared.lock:
                shared.leave(place)  # no thread started, or they all left already
            scope.close()
            for index in pending:  # never started
                flows[index].close()
        if first:
            raise first[0]
        if scope.cancelled:  # the enclosing Parallel failed
            raise _Cancelled
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
        super().__init__(base_url, storage)
        self.client.set_async_httpx_client(http)
        self._sleep_fn = sleep
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
        """Drive ``flow`` to its end and return its result.

        Inside a cancelled ``Parallel``, the flow is stopped at its ``yield`` as in the sync
        driver, even when the intent it was in (a worker thread) did not notice the
        cancellation: that answer is dropped, the next intent never performed.
        """
        outcome = _Outcome()
        try:
            while True:
                await anyio.lowlevel.checkpoint_if_cancelled()
                intent = outcome.resume(flow)
                await anyio.lowlevel.checkpoint_if_cancelled()
                outcome = await self._perform(intent)
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
            if (pooled := self.pooled(op)) is not None:
                current.reply = await self._storage_put(*pooled, op.read_timeout)
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
        flows = intent.flows
        results: list[Any] = [None] * len(flows)
        started = [False] * len(flows)
        first: list[BaseException] = []
        adaptive = intent.limit if isinstance(intent.limit, AdaptiveLimit) else None
        fixed = intent.limit if isinstance(intent.limit, int) else 1
        limiter = anyio.CapacityLimiter(max(1, fixed))
        cancelled = anyio.get_cancelled_exc_class()

        async def start(index: int) -> Any:
            await anyio.lowlevel.checkpoint_if_cancelled()  # none starts after a failure
            started[index] = True
            return await self.run(flows[index])

        async def gated(index: int, limit: AdaptiveLimit) -> Any:
            shared = self._gate(limit)
            gate = shared.condition
            async with gate:
                while shared.running >= limit.current:
                    await gate.wait()
                shared.running += 1
            try:
                current_limit.set(limit)  # in this task's own context
                return await start(index)
            finally:  # a cancelled sub-flow's slot is released too
                with anyio.CancelScope(shield=True):
                    async with gate:
                        shared.running -= 1
                        gate.notify(max(1, limit.current - shared.running))

        async def one(index: int, scope: _Scope) -> None:
            try:
                if adaptive is not None:
                    results[index] = await gated(index, adaptive)
                    return
                async with limiter:
                    results[index] = await start(index)
            except cancelled:
                raise
            except BaseException as exc:
                if not first:
                    first.append(exc)
                scope.cancel()  # the siblings, now (before this error reaches the group)
                raise

        try:
            async with anyio.create_task_group() as group:
                scope = _Scope(None)
                scope.on_cancel(group.cancel_scope.cancel)
                for index in range(len(flows)):
                    group.start_soon(one, index, scope)
        except BaseExceptionGroup:
            if not first:
                raise
            raise first[0] from None  # the first failure, as the sync driver raises it
        finally:
            for index, flow in enumerate(flows):
                if not started[index]:
                    flow.close()
        return results
