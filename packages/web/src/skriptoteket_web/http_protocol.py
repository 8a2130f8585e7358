"""The HTTP protocol ``serve`` gives uvicorn: uvicorn's own, with ``TCP_NODELAY`` on every
connection.

asyncio sets ``TCP_NODELAY`` on an accepted connection only when the listening socket says it
is TCP. With ``serve --workers N`` uvicorn hands the listening socket to its worker processes,
where the socket no longer says so; Nagle's algorithm then meets the client's delayed ACK and
every response on a kept-alive connection waits about 40 ms (measured: 23 requests/s instead of
4,700 for a trivial app, ``bench/cluster.py``). Setting the option on each connection makes one
and N processes answer alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
