"""The console's calls to the services over a real socket: a kept-alive connection the service closed as
it was reused is asked again once for a read, never for a write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from services.console.gateway.adapters import Services, ServiceUnreachable


class ClosingService:
    """Closes the first connection after reading its request, as a service ending a keep-alive does; answers
    the ones after."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(request.split(b"\r\n", 1)[0])
        if len(self.requests) > 1:
            writer.write(
                b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
            )
            await writer.drain()
        writer.close()


@pytest.fixture
async def service() -> AsyncIterator[tuple[ClosingService, str]]:
    closing = ClosingService()
    server = await asyncio.start_server(closing.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield closing, f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def test_a_read_cut_by_the_service_is_asked_once_more(service: tuple[ClosingService, str]) -> None:
    closing, base = service
    services = Services({"incidents": base}, timeout_s=5)
    try:
        assert await services.get("incidents", "/incidents", token="t") == {"ok": True}
    finally:
        await services.close()
    assert closing.requests == [b"GET /incidents HTTP/1.1", b"GET /incidents HTTP/1.1"]


async def test_a_write_cut_by_the_service_is_not_sent_twice(service: tuple[ClosingService, str]) -> None:
    closing, base = service
    services = Services({"incidents": base}, timeout_s=5)
    try:
        with pytest.raises(ServiceUnreachable):
            await services.call("incidents", "POST", "/incidents/x/acknowledge", token="t", json={})
    finally:
        await services.close()
    assert closing.requests == [b"POST /incidents/x/acknowledge HTTP/1.1"]
