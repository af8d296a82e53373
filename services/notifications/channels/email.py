"""Email over SMTP with aiosmtplib: a few kept-open connections, STARTTLS and login from settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr

import aiosmtplib

from services.notifications.channels.base import Message, SendResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    start_tls: bool = False
    use_tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_s: float = 10.0
    pool_size: int = 4


class EmailChannel:
    """Sends on up to ``pool_size`` open connections: opening one per message costs more than the send."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] = asyncio.LifoQueue()
        self._slots = asyncio.Semaphore(config.pool_size)

    async def send(self, message: Message) -> SendResult:
        email = build_email(message, sender=self._config.sender)
        async with self._slots:
            try:
                client = await self._client()
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                return SendResult.transient(f"cannot reach the SMTP server: {type(exc).__name__}: {exc}")
            try:
                await client.send_message(email)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                self._idle.put_nowait(client)
                codes = [refusal.code for refusal in exc.recipients]
                error = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
                if all(400 <= code < 500 for code in codes):
                    return SendResult.transient(error, status_code=codes[0])
                return SendResult.permanent(error, status_code=codes[0] if codes else None)
            except aiosmtplib.SMTPResponseException as exc:
                self._idle.put_nowait(client)
                text = f"SMTP {exc.code}: {exc.message}"
                if 400 <= exc.code < 500:
                    return SendResult.transient(text, status_code=exc.code)
                return SendResult.permanent(text, status_code=exc.code)
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await _quietly_close(client)  # the connection is in an unknown state: never reuse it
                return SendResult.transient(f"{type(exc).__name__}: {exc}")
            self._idle.put_nowait(client)
            return SendResult.delivered(250)

    async def _client(self) -> aiosmtplib.SMTP:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                return client
        config = self._config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            start_tls=config.start_tls,
            use_tls=config.use_tls,
            username=config.username,
            password=config.password,
            timeout=config.timeout_s,
        )
        await client.connect()
        return client

    async def close(self) -> None:
        while not self._idle.empty():
            await _quietly_close(self._idle.get_nowait())


async def _quietly_close(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
        if client.is_connected:
            await client.quit()
    client.close()


def build_email(message: Message, *, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    recipients = message.recipients or (message.address,)
    email["To"] = ", ".join(
        formataddr((message.recipient_name, address)) if len(recipients) == 1 else address
        for address in recipients
    )
    email["Subject"] = message.subject
    # The delivery id in the Message-ID: a resend after a crash carries the same id, and clients dedupe it.
    domain = sender.rpartition("@")[2] or "edu-clusters.local"
    email["Message-ID"] = f"<{message.delivery_id}@{domain}>"
    email["X-Edu-Clusters-Event-Id"] = message.source_event_id
    email["X-Edu-Clusters-Event-Type"] = message.source_event_type
    email.set_content(message.body)
    return email
