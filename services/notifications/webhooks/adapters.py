"""Webhooks on the wire: a delivery POSTed signed the Standard Webhooks way, the registration handshake,
and a receiver's name resolved (checked at registration, and again at each send)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from services.notifications.channels.domain import Message, SendResult, classify_http
from services.notifications.tables import new_id
from services.notifications.webhooks.domain import UnsafeUrl, check_addresses, signature_headers
from shared.errors import Unprocessable

VERIFICATION_TYPE = "webhook.verification"


async def addresses_of(host: str) -> list[str]:
    """The addresses ``host`` resolves to now; raises ``OSError`` when it does not resolve."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, 443)
    return [str(info[4][0]) for info in infos]


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
    """POSTs the event signed the Standard Webhooks way; ``webhook-id`` is the delivery id on every try."""

    def __init__(self, client: httpx.AsyncClient, *, allow_private: bool, timeout_s: float = 10.0) -> None:
        self._client = client
        self._allow_private = allow_private
        self._timeout_s = timeout_s

    async def send(self, message: Message) -> SendResult:
        assert message.secret is not None, "a webhook message carries its subscription's secret"
        if not self._allow_private:
            problem = await _resolves_to_private(message.address)
            if problem:
                return SendResult.permanent(problem)
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
        except httpx.HTTPError as exc:
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


async def _resolves_to_private(url: str) -> str | None:
    """A name that resolved to a public address at registration may not point inside later."""
    host = urlsplit(url).hostname or ""
    try:
        check_addresses(await addresses_of(host))
    except UnsafeUrl as exc:
        return str(exc)
    except OSError:
        return None  # resolution failed: the POST will fail and be retried
    return None
