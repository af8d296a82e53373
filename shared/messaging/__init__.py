"""Kafka messaging with the project's guarantees: outbox relay, inbox consumers and dead letters."""

from shared.db.messaging_tables import MESSAGING_METADATA, InboxMessage, OutboxMessage
from shared.messaging.consumer import Delivery, EventConsumer, PermanentError, RetryPolicy
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.outbox_relay import OutboxRelay
from shared.messaging.runtime import Messaging

__all__ = [
    "MESSAGING_METADATA",
    "DeadLetters",
    "Delivery",
    "EventConsumer",
    "InboxMessage",
    "Messaging",
    "OutboxMessage",
    "OutboxRelay",
    "PermanentError",
    "RetryPolicy",
]
