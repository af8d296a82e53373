"""The channels to people: email over SMTP, SMS through an HTTP gateway, the in-app inbox; and ``Channels``,
the one door the delivery worker sends through (webhooks, for machines, are in ``webhooks.adapters``).

Email keeps a few SMTP connections open (aiosmtplib), with STARTTLS and login from settings. Its headers
are built with ``email.headerregistry``, which refuses a line break in any of them (no header injection)
and parses each address strictly; an email that cannot be built, or that aiosmtplib refuses to put on the
wire, is a permanent failure with its reason: no retry can send it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email import encoders
from email.errors import MessageError
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr

import aiosmtplib
import httpx

from services.notifications.channels.domain import Channel, Message, SendResult, classify_http
from shared.events.notifications import DeliveryChannel
from shared.validation import one_line

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


class UnsendableEmail(ValueError):
    """An email no retry can send: an address that is not one, a header value with a line break."""


class EmailChannel:
    """Sends on up to ``pool_size`` open connections: opening one per message costs more than the send."""

    def __init__(self, config: SmtpConfig) -> None:
        sender_domain(config.sender)  # a sender that is not one address fails at start, not every email
        self._config = config
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] = asyncio.LifoQueue()
        self._slots = asyncio.Semaphore(config.pool_size)

    async def send(self, message: Message) -> SendResult:
        try:
            email = build_email(message, sender=self._config.sender)
        except UnsendableEmail as exc:
            return SendResult.permanent(str(exc))
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
            except aiosmtplib.SMTPNotSupported as exc:  # e.g. a non-ASCII address and no SMTPUTF8
                self._idle.put_nowait(client)
                return SendResult.permanent(f"the SMTP server cannot carry this email: {exc}")
            except ValueError as exc:  # aiosmtplib refused an address for the SMTP command line
                await _quietly_close(client)
                return SendResult.permanent(f"the email cannot be sent: {exc}")
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


@functools.lru_cache(maxsize=16)
def sender_domain(sender: str) -> str:
    """The domain of the configured sender (``Name <address>``), for the Message-ID; ``ValueError`` when the
    sender is not exactly one address. Kept per sender: parsing it cost a fifth of each email's send."""
    header = EmailMessage()
    header["From"] = sender
    addresses = header["From"].addresses
    if len(addresses) != 1 or not addresses[0].domain or header["From"].defects:
        raise ValueError(f"SMTP_FROM must be one email address, optionally with a name: {sender!r}")
    return str(addresses[0].domain)


def build_email(message: Message, *, sender: str) -> MIMEText | MIMEMultipart:
    """The email of a message, or ``UnsendableEmail`` with the reason when it can never be sent as it is.

    Headers are folded by ``email.header`` (Vietnamese becomes encoded words), not by ``EmailMessage``'s
    default policy: where that folds a long subject between two encoded words it drops the space there
    (CPython 3.11), and "Công trình mất an toàn" reaches people as "Công trìnhmất". That older API does not
    refuse a line break in a header, so this does, in three ways: display text (the subject, a person's
    name) is put on one line first, so a school or person named with a line break before names were checked
    still gets its email out (the Department's too); each address is parsed strictly by
    ``email.headerregistry.Address``, so an address that is not exactly one is refused, never passed through
    (``"a@x.vn, b@y.vn"`` would otherwise add a recipient); and any other header value with a line break is
    refused."""
    try:
        return _email(message, sender)
    except (ValueError, IndexError, MessageError) as exc:  # header defects are ValueErrors
        raise UnsendableEmail(f"the email cannot be built: {type(exc).__name__}: {exc}") from exc


def _email(message: Message, sender: str) -> MIMEText | MIMEMultipart:
    email = MIMEText(message.body, "plain", "utf-8")
    email["From"] = formataddr(parseaddr(sender))
    recipients = [_one_address(address) for address in message.recipients or (message.address,)]
    name = one_line(message.recipient_name)
    email["To"] = ", ".join(
        formataddr((name, address)) if len(recipients) == 1 else address for address in recipients
    )
    email["Subject"] = Header(one_line(message.subject), "utf-8")  # type: ignore[assignment]  # compat32
    # The delivery id in the Message-ID: a resend after a crash carries the same id, and clients dedupe it.
    email["Message-ID"] = f"<{message.delivery_id}@{sender_domain(sender)}>"
    email["X-Edu-Clusters-Event-Id"] = message.source_event_id
    email["X-Edu-Clusters-Event-Type"] = message.source_event_type
    for header, value in email.items():
        if "\r" in str(value) or "\n" in str(value):
            raise ValueError(f"the {header} header would hold a line break")
    if not message.attachments:
        return email
    # With attachments (a notice's PDF): the text and the files as parts of one multipart message.
    whole = MIMEMultipart()
    for header, value in email.items():
        if header.lower() not in {"content-type", "content-transfer-encoding", "mime-version"}:
            whole[header] = value
    whole.attach(MIMEText(message.body, "plain", "utf-8"))
    for attachment in message.attachments:
        main, _, sub = attachment.content_type.partition("/")
        part = MIMEBase(main or "application", sub or "octet-stream")
        part.set_payload(attachment.content)
        encoders.encode_base64(part)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", attachment.filename))
        whole.attach(part)
    return whole
    return email


def _one_address(address: str) -> str:
    """``address`` if it is exactly one email address (``Address`` refuses anything else)."""
    return str(Address(addr_spec=address).addr_spec)


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


class InboxChannel:
    """The in-app inbox: nothing leaves the service, the item is written with the outcome."""

    async def send(self, message: Message) -> SendResult:
        return SendResult.delivered()

    async def close(self) -> None:
        return None


class Channels:
    """The channels this instance sends on, behind one door: at most ``concurrency`` sends at a time, none
    taking longer than ``send_deadline_s`` in all, and a channel that raises is a transient failure."""

    def __init__(
        self, channels: Mapping[DeliveryChannel, Channel], *, concurrency: int, send_deadline_s: float
    ) -> None:
        self._channels = dict(channels)
        self._sends = asyncio.Semaphore(concurrency)
        # Read timeouts reset with every byte: a receiver that trickles its answer would otherwise hold the
        # whole batch (and, renewed, its lease) for ever.
        self._send_deadline_s = send_deadline_s

    def __contains__(self, channel: object) -> bool:
        return channel in self._channels

    @property
    def kinds(self) -> frozenset[DeliveryChannel]:
        return frozenset(self._channels)

    async def send(self, message: Message) -> SendResult:
        """Send on the message's channel, which the caller has checked is one of these."""
        channel = self._channels[message.channel]
        async with self._sends:
            try:
                async with asyncio.timeout(self._send_deadline_s):
                    return await channel.send(message)
            except TimeoutError:
                return SendResult.transient(f"no answer within {self._send_deadline_s:g} s in all")
            except Exception as exc:
                log.exception("channel %s failed", message.channel)
                return SendResult.transient(f"{type(exc).__name__}: {exc}")

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
