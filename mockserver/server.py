"""Serve a dispatcher over real HTTP with uvicorn in a background thread.

One uvicorn server, two listening sockets: the API (``url``) and the object storage
(``storage_url``, the embedded store's origin); the app tells them apart by the socket a
connection came in on. Needs uvicorn (the ``mock`` extra); :func:`mockserver.mock_synapse`
with ``mode="server"`` is the way in.
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

    def __init__(
        self,
        dispatcher: Dispatcher,
        host: str = "127.0.0.1",
        port: int = 0,
        storage_port: int = 0,
    ) -> None:
        self.dispatcher = dispatcher
        self._socket, self.url = _listen(host, port)
        # The storage origin: a second socket of the same server (port 0: a free one).
        self._storage_socket, self.storage_url = _listen(host, storage_port)
        storage_ports = {self._storage_socket.getsockname()[1]}
        quiet_aborts()
        config = uvicorn.Config(
            MockAsgiApp(dispatcher, storage_ports=storage_ports),
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="synapse-mock-server", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket, self._storage_socket]))

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
        self._storage_socket.close()


def _listen(host: str, port: int) -> tuple[socket.socket, str]:
    """A listening TCP socket on (host, port) and its ``http://`` URL."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
    # without it every response waits ~40 ms for the client's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    return sock, f"http://{shown}:{bound_port}"
