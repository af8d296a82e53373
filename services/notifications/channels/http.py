"""The two channels that speak HTTP: an SMS gateway (a generic JSON contract) and signed webhooks."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from services.notifications.channels.base import Message, SendResult, classify_http
from services.notifications.webhooks.domain import UnsafeUrl, check_addresses, signature_headers


@dataclass(frozen=True)
class SmsGatewayConfig:
    url: str
    token: str | None
    sender: str = "SoGDDT-NA"
    timeout_s: float = 10.0


class SmsChannel:
    """POSTs ``{"to", "text", "sender", "reference"}`` with a bearer token; any 2xx is accepted.

    ``reference`` is the delivery id: a gateway that dedupes on it sends a retried SMS once.
    """

    def __init__(self, config: SmsGatewayConfig, client: httpx.AsyncClient) -> None:
        self._config = config
        self._client = client

    async def send(self, message: Message) -> SendResult:
        headers = {"Authorization": f"Bearer {self._config.token}"} if self._config.token else {}
        body = {
            "to": message.address,
            "text": message.body,
            "sender": self._config.sender,
            "reference": message.delivery_id,
        }
        try:
            response = await self._client.post(
                self._config.url, json=body, headers=headers, timeout=self._config.timeout_s
            )
        except httpx.TimeoutException as exc:
            return SendResult.transient(f"the SMS gateway timed out: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return SendResult.transient(f"cannot reach the SMS gateway: {type(exc).__name__}: {exc}")
        return classify_http(response.status_code, response.headers.get("retry-after"))

    async def close(self) -> None:
        return None


def webhook_body(message: Message, *, timestamp: datetime) -> bytes:
    document: dict[str, Any] = {
        "type": message.source_event_type,
        "id": message.source_event_id,
        "timestamp": timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": message.payload,
    }
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

    async def close(self) -> None:
        return None


async def _resolves_to_private(url: str) -> str | None:
    """A name that resolved to a public address at registration may not point inside later."""
    host = urlsplit(url).hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, 443)
        check_addresses([str(info[4][0]) for info in infos])
    except UnsafeUrl as exc:
        return str(exc)
    except OSError:
        return None  # resolution failed: the POST will fail and be retried
    return None
