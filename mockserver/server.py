"""Serve a dispatcher over real HTTP with uvicorn in a background thread.

Needs uvicorn (the ``mock`` extra); :func:`mockserver.mock_synapse` with ``mode="server"`` is
the way in.
"""

from __future__ import annotations

import asyncio
import socket
import threading

import uvicorn

from mockserver.asgi import MockAsgiApp, quiet_aborts
from mockserver.dispatch import Dispatcher

__all__ = ["ThreadedServer"]


class ThreadedServer:
    """uvicorn on a pre-bound socket in a daemon thread; the URL is known before start."""

    def __init__(self, dispatcher: Dispatcher, host: str = "127.0.0.1", port: int = 0) -> None:
        self.dispatcher = dispatcher
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
        # without it every response waits ~40 ms for the client's delayed ACK (Nagle).
        self._socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self._socket.listen(128)
        bound_host, bound_port = self._socket.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self.url = f"http://{shown}:{bound_port}"
        quiet_aborts()
        config = uvicorn.Config(
            MockAsgiApp(dispatcher),
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="synapse-mock-server", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
