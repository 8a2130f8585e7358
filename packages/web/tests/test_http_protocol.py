"""``serve`` gives uvicorn a protocol that sets TCP_NODELAY on every connection: with
``--workers N`` the listening socket reaches uvicorn's worker processes without saying it is
TCP, asyncio then leaves Nagle's algorithm on, and each kept-alive response waited ~40 ms."""

from __future__ import annotations

import asyncio
import socket

import pytest
from skriptoteket_web.http_protocol import NoDelayH11Protocol
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState


async def _app(scope: object, receive: object, send: object) -> None:
    return None


async def _nodelay_of_accepted(protocol: type[H11Protocol]) -> int:
    config = Config(app=_app)
    config.load()
    made: list[H11Protocol] = []
    connected = asyncio.Event()

    class Recorded(protocol):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            connected.set()

    def factory() -> H11Protocol:
        made.append(Recorded(config=config, server_state=ServerState(), app_state={}))
        return made[-1]

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    # As in a uvicorn worker process: the same socket, rebuilt from its descriptor (proto 0).
    handed_over = socket.fromfd(listener.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    listener.close()
    server = await asyncio.get_running_loop().create_server(factory, sock=handed_over)
    try:
        _, writer = await asyncio.open_connection(*handed_over.getsockname()[:2])
        await asyncio.wait_for(connected.wait(), timeout=10)
        accepted = made[0].transport.get_extra_info("socket")
        value = int(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()
        return value
    finally:
        server.close()


@pytest.mark.parametrize(("protocol", "nodelay"), [(H11Protocol, 0), (NoDelayH11Protocol, 1)])
async def test_connections_get_tcp_nodelay_even_on_a_handed_over_socket(
    protocol: type[H11Protocol], nodelay: int
) -> None:
    """The plain protocol shows the fault (the check can fail); ours fixes it."""
    assert bool(await _nodelay_of_accepted(protocol)) is bool(nodelay)
