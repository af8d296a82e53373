"""Poison data and hostile receivers, on the real broker with real servers (issue 18).

- A school named with a line break (stored before names were checked, so it is in every replica) no longer
  stops the emails about its incidents, the Department's included; an address that is not one fails for
  good at the first attempt, with its reason, and injects no recipient.
- A webhook receiver's name is resolved once per connection, every address checked, and the connection made
  to a checked address: a name that pointed at a public address when subscribing and points at 127.0.0.1
  when sending is refused, a lookup that fails fails the send, and TLS is still verified against the name.
"""

# ruff: noqa: F811 - the delivery tests' fixtures (servers, settings, the incidents node) are imported by name

from __future__ import annotations

import datetime as dt
import json
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.notifications.app import create_app
from services.notifications.channels.domain import Message, ResultKind
from services.notifications.devmail.adapters import MailCatcher, free_port
from services.notifications.settings import NotificationsSettings
from services.notifications.webhooks.adapters import (
    CheckedBackend,
    CheckedTransport,
    WebhookChannel,
    webhook_client,
)
from services.notifications.webhooks.domain import verify
from shared.auth import Role
from shared.events import SchoolStateV1, StaffStateV1
from shared.events.base import EventPayload
from shared.events.notifications import DeliveryChannel
from tests.integration.test_notifications_delivery import (  # noqa: F401 - fixtures used by name
    DUTY_DESK,
    LEADERSHIP,
    OFFICE_EMAIL,
    Receiver,
    email_of,
    event_status,
    incidents_node,
    mail_to,
    receiver,
    registry_states,
    replica_ready,
    reported,
    settings_for,
    settled,
    token,
)
from tests.support.apps import running
from tests.support.harness import MessagingNode
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

POISONED_NAME = "Trường Tiểu học Hòa Hiếu\r\nBcc: spy@evil.example"
SPY = "spy@evil.example"
NOT_AN_ADDRESS = f"m002@example.vn, {SPY}"


def poisoned_states() -> list[EventPayload]:
    """The stand-in registry's states, as an older registry let them through: a school name with CR/LF,
    and a person whose "address" is two (a recipient smuggled in)."""
    states = []
    for state in registry_states():
        if isinstance(state, SchoolStateV1):
            state = state.model_copy(update={"name": POISONED_NAME})
        if isinstance(state, StaffStateV1) and state.code == "M002":
            state = state.model_copy(update={"email": NOT_AN_ADDRESS})
        states.append(state)
    return states


@pytest.fixture
def registry_seed() -> list[EventPayload]:
    return poisoned_states()


async def test_a_school_named_with_a_line_break_no_longer_stops_its_emails_and_a_bad_address_fails_once(
    registry_node: MessagingNode,
    incidents_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
    smtp: MailCatcher,
) -> None:
    app = create_app(settings_for(sqlite_url("notifications"), sms_gateway_url=None))
    async with running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")
        [event_id] = await incidents_node.publish(reported("critical"))
        status = await wait_for(lambda: event_status(app, client, event_id), until=settled, message="settled")

        emails = {d["recipient_key"]: d for d in status["deliveries"] if d["channel"] == "email"}
        bad = emails.pop("staff:M002")
        assert (bad["state"], bad["attempts"]) == ("failed", 1)  # permanent: no retry can send it
        assert "cannot be built" in bad["last_error"] and "Invalid addr_spec" in bad["last_error"]
        assert {d["state"] for d in emails.values()} == {"delivered"}, emails
        assert {"department:duty-desk", "department:leadership"} <= set(emails)

        for address in [email_of("L001"), email_of("M001"), OFFICE_EMAIL, DUTY_DESK, LEADERSHIP]:
            [mail] = mail_to(smtp, address)
            assert "Trường Tiểu học Hòa Hiếu Bcc: spy@evil.example" in mail.subject  # one line
            assert mail.recipients == [address]
        assert not mail_to(smtp, SPY)


class ChangingResolver:
    """A resolver the test controls: answers the next of ``answers`` each time (the last one for ever),
    and remembers each name it was asked."""

    def __init__(self, *answers: list[str] | OSError) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, OSError):
            raise answer
        return answer


PUBLIC = "93.184.215.14"  # a globally routable address (nothing is ever sent to it)


def hook_message(url: str, secret: str) -> Message:
    return Message(
        delivery_id="dlv_1",
        channel=DeliveryChannel.WEBHOOK,
        address=url,
        recipient_name="partner",
        subject="",
        body="",
        source_event_id="evt_1",
        source_event_type="vn.gov.nghean.edu.incidents.incident.reported.v1",
        payload={"incident_id": "i1"},
        secret=secret,
    )


SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


async def test_a_name_rebound_to_a_local_address_after_subscribing_is_refused_when_sending(
    receiver: Receiver,
) -> None:
    receiver.secrets["partner"] = SECRET
    url = f"http://hooks.partner.example:{receiver.port}/hooks/partner"
    # At subscription the name pointed at a public address; by the time of the send, at this machine.
    resolver = ChangingResolver([PUBLIC], ["127.0.0.1"])
    backend = CheckedBackend(resolve=resolver, allow_private=False)
    assert await backend.addresses("hooks.partner.example", receiver.port) == [PUBLIC]  # subscribing
    client = httpx.AsyncClient(transport=CheckedTransport(backend), timeout=5, trust_env=False)
    async with client:
        result = await WebhookChannel(client).send(hook_message(url, SECRET))
        assert result.kind is ResultKind.PERMANENT, result
        assert result.error and "127.0.0.1" in result.error
        assert resolver.asked == ["hooks.partner.example"] * 2  # one lookup for the send: its connection's
        assert receiver.hooks == []  # nothing reached the local receiver

        # One address among several that is not global is enough to refuse: any might be the one used.
        mixed = WebhookChannel(
            webhook_client(allow_private=False, timeout_s=5, resolve=ChangingResolver([PUBLIC, "10.0.0.7"]))
        )
        assert (await mixed.send(hook_message(url, SECRET))).kind is ResultKind.PERMANENT

        # A lookup that fails fails the send (and is tried again later), instead of letting it go ahead.
        unresolved = webhook_client(
            allow_private=False, timeout_s=5, resolve=ChangingResolver(OSError("no such host"))
        )
        failed = await WebhookChannel(unresolved).send(hook_message(url, SECRET))
        assert failed.kind is ResultKind.TRANSIENT and failed.error and "cannot resolve" in failed.error
        assert receiver.hooks == []


async def test_a_normal_send_reaches_the_receiver_at_exactly_the_address_resolved(
    receiver: Receiver,
) -> None:
    """The name does not exist anywhere but in the test's resolver: reaching the receiver shows the
    connection went to the address the resolver gave (and was checked), not to one of its own lookup."""
    receiver.secrets["partner"] = SECRET
    resolver = ChangingResolver(["127.0.0.1"])
    client = webhook_client(allow_private=True, timeout_s=5, resolve=resolver)  # development: local is fine
    async with client:
        url = f"http://hooks.partner.example:{receiver.port}/hooks/partner"
        channel = WebhookChannel(client)
        await channel.verify_receiver(url, SECRET)  # the registration handshake goes the same way
        result = await channel.send(hook_message(url, SECRET))
    assert result.kind is ResultKind.DELIVERED, result
    [(name, body, verified, status)] = receiver.hooks
    assert (name, verified, status, body["data"]) == ("partner", True, 200, {"incident_id": "i1"})
    assert resolver.asked and set(resolver.asked) == {"hooks.partner.example"}


def _certificate(tmp_path: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for ``name`` signed by a throwaway CA: the server's context, and a client's that
    trusts only that CA."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    return server, client


async def test_tls_is_still_verified_against_the_name_though_the_connection_goes_to_the_checked_address(
    tmp_path: Path,
) -> None:
    server_tls, client_tls = _certificate(tmp_path, "hooks.partner.example")
    got: list[tuple[str, dict[str, Any]]] = []

    async def on_hook(request: web.Request) -> web.Response:
        raw = await request.read()
        assert verify(SECRET, dict(request.headers), raw)
        got.append((request.host, json.loads(raw)))
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", on_hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, ssl_context=server_tls).start()
    try:
        resolver = ChangingResolver(["127.0.0.1"])
        backend = CheckedBackend(resolve=resolver, allow_private=True)
        transport = CheckedTransport(backend, verify=client_tls)
        async with httpx.AsyncClient(transport=transport, timeout=5, trust_env=False) as client:
            channel = WebhookChannel(client)
            right = await channel.send(hook_message(f"https://hooks.partner.example:{port}/hook", SECRET))
            assert right.kind is ResultKind.DELIVERED, right
            assert got == [(f"hooks.partner.example:{port}", got[0][1])]
            # Another name at the same address: the certificate is not for it, so nothing is sent.
            wrong = await channel.send(hook_message(f"https://other.partner.example:{port}/hook", SECRET))
            assert wrong.kind is ResultKind.TRANSIENT and wrong.error
            assert "CERTIFICATE_VERIFY_FAILED" in wrong.error or "certificate" in wrong.error.lower()
            assert len(got) == 1
    finally:
        await runner.cleanup()


async def test_the_service_sends_webhooks_through_the_resolver_it_was_given(
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
    receiver: Receiver,
    incidents_node: MessagingNode,
    registry_node: MessagingNode,
) -> None:
    """The app wires the checked client for registration and deliveries alike (in tests local addresses
    are allowed, as in development; the refusal itself is shown above)."""
    resolver = ChangingResolver(["127.0.0.1"])
    settings = settings_for(sqlite_url("notifications"), sms_gateway_url=None)
    app = create_app(settings, webhook_resolver=resolver)
    receiver.secrets["partner"] = SECRET
    async with running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")
        subscribed = await client.post(
            "/webhooks/subscriptions",
            json={
                "url": f"http://hooks.partner.example:{receiver.port}/hooks/partner",
                "event_types": ["incidents.incident.*"],
                "secret": SECRET,
            },
            headers=token(app, "client-partner", Role.INTEGRATION_CLIENT, grants=["cluster:3"]),
        )
        assert subscribed.status_code == 201, subscribed.text
        [event_id] = await incidents_node.publish(reported("high"))
        await wait_for(lambda: event_status(app, client, event_id), until=settled, message="settled")
    assert len(receiver.delivered_hooks("partner")) == 1
    assert resolver.asked and set(resolver.asked) == {"hooks.partner.example"}
