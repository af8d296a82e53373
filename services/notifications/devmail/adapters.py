"""A local mail catcher for development: a real SMTP server (aiosmtpd) that keeps what it receives.

``make run`` turns it on (``MAIL_CATCHER=true``): the service then sends all email to it, and
``GET /dev/mail`` lists what arrived. It runs in a thread of its own, as aiosmtpd's ``Controller`` does.
aiosmtpd is a development dependency, imported only when the catcher is asked for.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from shared.clock import utc_now

_BIND_ATTEMPTS = 5


@dataclass(frozen=True)
class CaughtMail:
    sender: str
    recipients: list[str]
    subject: str
    body: str
    message_id: str | None
    headers: dict[str, str]
    received_at: datetime
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    """(filename, content type, content) of each attached file."""


class MailCatcher:
    def __init__(self, *, port: int = 0, keep: int = 1000) -> None:
        """``port`` 0: any free port, which ``port`` names once ``start()`` has bound it."""
        self._chosen = port
        self.port = port or free_port()
        self._messages: deque[CaughtMail] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self._controller: Any = None

    def start(self) -> None:
        """Bind and serve. aiosmtpd's controller needs its port before it binds, so a free port is picked
        first; another process can take it in between, and then the next free one is tried (aiosmtpd
        notices the failed bind only at the end of its ready timeout, 5 s: rare, and better than failing)."""
        from aiosmtpd.controller import Controller

        for attempt in range(_BIND_ATTEMPTS):
            controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
            try:
                controller.start()
            except OSError as exc:
                if self._chosen or exc.errno != errno.EADDRINUSE or attempt == _BIND_ATTEMPTS - 1:
                    raise
                self.port = free_port()
                continue
            self._controller = controller
            return

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[CaughtMail]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def _keep(self, mail: CaughtMail) -> None:
        with self._lock:
            self._messages.append(mail)


class _Handler:
    def __init__(self, catcher: MailCatcher) -> None:
        self._catcher = catcher

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        body_part = parsed.get_body(preferencelist=("plain",))
        self._catcher._keep(
            CaughtMail(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                subject=str(parsed.get("Subject", "")),
                body=body_part.get_content().strip() if body_part is not None else "",
                message_id=parsed.get("Message-ID"),
                headers={name: str(value) for name, value in parsed.items()},
                received_at=utc_now(),
                attachments=[_attachment(part) for part in parsed.iter_attachments()],
            )
        )
        return "250 Message accepted for delivery"


def _attachment(part: Any) -> tuple[str, str, bytes]:
    content = part.get_payload(decode=True)
    return part.get_filename() or "", part.get_content_type(), content if isinstance(content, bytes) else b""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
