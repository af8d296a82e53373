"""The development mail catcher binds a free port even when another process takes the one it picked."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator

import pytest

from services.notifications.devmail import adapters
from services.notifications.devmail.adapters import MailCatcher


@pytest.fixture
def taken_port(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    # aiosmtpd reports a failed bind only when its ready timeout (5 s) ends: shorter here.
    monkeypatch.setenv("AIOSMTPD_CONTROLLER_TIMEOUT", "1")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_a_picked_port_taken_in_between_is_replaced_by_another(
    taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    catcher = MailCatcher()
    catcher.port = taken_port  # as if another process bound the picked port before the catcher did
    picks = iter([taken_port])  # and the first new pick is no better
    real_pick = adapters.free_port
    monkeypatch.setattr(adapters, "free_port", lambda: next(picks, None) or real_pick())
    catcher.start()
    try:
        assert catcher.port != taken_port
        with smtplib.SMTP("127.0.0.1", catcher.port, timeout=10) as client:
            client.sendmail("a@example.org", ["b@example.org"], "Subject: hi\r\n\r\nbody")
        assert [mail.subject for mail in catcher.messages()] == ["hi"]
    finally:
        catcher.stop()


def test_a_port_asked_for_by_name_is_not_replaced(taken_port: int) -> None:
    with pytest.raises(OSError, match="in use"):
        MailCatcher(port=taken_port).start()
