"""Webhooks on the wire: a delivery POSTed signed the Standard Webhooks way, the registration handshake,
and the connection to a receiver, made only to an address that was checked.

A receiver's name is resolved once per connection, by the connection itself: every address it resolves to
is checked (``check_addresses``: globally routable only), and the connection is made to one of exactly
those addresses. There is no second lookup for a name to be rebound between (DNS rebinding: a public
address when checked, ``127.0.0.1`` when connecting), and a lookup that fails fails the request instead of
letting it go ahead unchecked. TLS is still verified against the name (httpcore sends it as SNI and
checks the certificate against it); only the address it connects to is chosen here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import secrets
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx

from services.notifications.channels.domain import Message, SendResult, classify_http
from services.notifications.tables import new_id
from services.notifications.webhooks.domain import UnsafeUrl, check_addresses, signature_headers
from shared.errors import Unprocessable

VERIFICATION_TYPE = "webhook.verification"

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""A name and a port to the addresses to connect to, in the order to try them; ``OSError`` when the name
does not resolve. The system's resolver in the service; the tests give one they control."""


async def addresses_of(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to now, from the system's resolver."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class LookupFailed(OSError):
    """The receiver's name did not resolve (now): worth another try later."""


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the one lookup in it: resolve, check every address, connect to a
    checked one. With ``allow_private`` (development and tests) the check is skipped, the pinning is not."""

    def __init__(self, *, resolve: Resolver = addresses_of, allow_private: bool = False) -> None:
        self._resolve = resolve
        self._allow_private = allow_private
        self._network = httpcore.AnyIOBackend()

    async def addresses(self, host: str, port: int, timeout: float | None = None) -> list[str]:  # noqa: ASYNC109
        """The checked addresses for ``host``: ``UnsafeUrl`` if any is not global, ``LookupFailed`` if it
        does not resolve."""
        try:
            ipaddress.ip_address(host)
            addresses = [host]  # a literal address: nothing to resolve
        except ValueError:
            try:
                async with asyncio.timeout(timeout):
                    addresses = await self._resolve(host, port)
            except (OSError, TimeoutError) as exc:
                raise LookupFailed(f"cannot resolve {host}: {type(exc).__name__}: {exc}") from exc
        if not addresses:
            raise LookupFailed(f"cannot resolve {host}: no address")
        if not self._allow_private:
            try:  # all of them: which one a connection would end up on is not known beforehand
                check_addresses(addresses)
            except UnsafeUrl:
                raise
            except ValueError as exc:  # the resolver answered something that is not an address
                raise UnsafeUrl(f"{host} resolved to something that is not an address: {exc}") from exc
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address in await self.addresses(host, port, timeout):
            try:  # each checked address in turn, as a connection to the name would (IPv6 first, say)
                return await self._network.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeUrl("webhooks are sent over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (its pool, TLS verification, exception mapping) on a ``CheckedBackend``.

    httpx takes no network backend, so the pool it builds is replaced by the same pool with one. Connections
    are pooled by name, as usual: a connection reused was made to a checked address and verified for that
    name. No proxy from the environment: a proxy would resolve the name itself, unchecked."""

    def __init__(
        self,
        backend: CheckedBackend,
        *,
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        """``verify``: the TLS context (default: the system's CAs, as httpx's; tests give their own CA)."""
        limits = limits or httpx.Limits()
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=verify or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


def webhook_client(
    *, allow_private: bool, timeout_s: float, resolve: Resolver = addresses_of
) -> httpx.AsyncClient:
    """The HTTP client every webhook request goes through (deliveries and registration handshakes)."""
    backend = CheckedBackend(resolve=resolve, allow_private=allow_private)
    return httpx.AsyncClient(transport=CheckedTransport(backend), timeout=timeout_s, trust_env=False)


def webhook_body(message: Message, *, timestamp: datetime) -> bytes:
    document: dict[str, Any] = {
        "type": message.source_event_type,
        "id": message.source_event_id,
        "timestamp": timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": message.payload,
    }
    if message.text is not None:
        document["text"] = message.text
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookChannel:
    """POSTs the event signed the Standard Webhooks way; ``webhook-id`` is the delivery id on every try.

    ``client`` is a ``webhook_client``: it connects only to checked addresses. An address that is not
    global is a permanent failure (the subscription's name now points inside); a name that does not resolve
    is a transient one."""

    def __init__(self, client: httpx.AsyncClient, *, timeout_s: float = 10.0) -> None:
        self._client = client
        self._timeout_s = timeout_s

    async def send(self, message: Message) -> SendResult:
        assert message.secret is not None, "a webhook message carries its subscription's secret"
        now = time.time()
        body = webhook_body(message, timestamp=datetime.fromtimestamp(now, UTC))
        headers = signature_headers(
            message.secret, message_id=message.delivery_id, timestamp=int(now), body=body
        )
        try:
            response = await self._client.post(
                message.address,
                content=body,
                headers=headers,
                timeout=self._timeout_s,
                follow_redirects=False,
            )
        except UnsafeUrl as exc:
            return SendResult.permanent(str(exc))
        except LookupFailed as exc:
            return SendResult.transient(str(exc))
        except httpx.InvalidURL as exc:
            return SendResult.permanent(f"the subscription's URL is not valid: {exc}")
        except httpx.TimeoutException as exc:
            return SendResult.transient(f"the receiver timed out: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return SendResult.transient(f"cannot reach the receiver: {type(exc).__name__}: {exc}")
        return classify_http(response.status_code, response.headers.get("retry-after"))

    async def verify_receiver(self, url: str, secret: str) -> None:
        """The registration handshake: POST ``{"type": "webhook.verification", "challenge": …}``, signed; the
        receiver answers 2xx with the challenge echoed (``{"challenge": …}``), which shows the URL is one
        that expects our deliveries. Raises ``Unprocessable`` (field ``url``) otherwise.

        A client that chose its own secret can verify the handshake's signature too; one that lets the
        service generate it learns it from the registration's answer, before any event is sent."""
        challenge = secrets.token_urlsafe(24)
        body = json.dumps({"type": VERIFICATION_TYPE, "challenge": challenge}).encode()
        message_id = f"verify_{new_id()}"
        headers = signature_headers(secret, message_id=message_id, timestamp=int(time.time()), body=body)
        try:
            response = await self._client.post(
                url, content=body, headers=headers, timeout=10.0, follow_redirects=False
            )
        except UnsafeUrl as exc:
            raise Unprocessable(str(exc), field="url") from exc
        except (LookupFailed, httpx.HTTPError) as exc:
            raise Unprocessable(
                f"the verification request failed: {type(exc).__name__}: {exc}", field="url"
            ) from exc
        try:
            echoed = response.json().get("challenge")
        except (ValueError, AttributeError):
            echoed = None
        if not (200 <= response.status_code < 300) or echoed != challenge:
            raise Unprocessable(
                f"the receiver did not echo the verification challenge (status {response.status_code})",
                field="url",
            )

    async def close(self) -> None:
        return None
