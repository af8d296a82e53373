"""The one Kafka broker object of a service, configured the way every service needs it.

Publishing is idempotent with ``acks=all`` (KAFKA-NOTES: aiokafka's default is ``acks=1`` without
idempotence), and FastStream's Prometheus middleware reports into the service's own registry.
"""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from prometheus_client import CollectorRegistry

from shared.settings import KafkaSecurityProtocol, SaslMechanism, ServiceSettings

_SASL_CLASSES: dict[SaslMechanism, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    SaslMechanism.PLAIN: SASLPlaintext,
    SaslMechanism.SCRAM_SHA_256: SASLScram256,
    SaslMechanism.SCRAM_SHA_512: SASLScram512,
}


def kafka_security(settings: ServiceSettings) -> BaseSecurity | None:
    """TLS and SASL/SCRAM from settings; ``None`` for a plaintext broker on loopback."""
    protocol = settings.kafka_security_protocol
    if protocol is KafkaSecurityProtocol.PLAINTEXT:
        return None
    use_ssl = protocol in (KafkaSecurityProtocol.SSL, KafkaSecurityProtocol.SASL_SSL)
    context = _ssl_context(settings) if use_ssl else None
    if protocol is KafkaSecurityProtocol.SSL:
        return BaseSecurity(ssl_context=context, use_ssl=True)
    assert settings.kafka_sasl_mechanism
    assert settings.kafka_sasl_username
    assert settings.kafka_sasl_password
    sasl_class = _SASL_CLASSES[settings.kafka_sasl_mechanism]
    return sasl_class(
        settings.kafka_sasl_username,
        settings.kafka_sasl_password.get_secret_value(),
        ssl_context=context,
        use_ssl=use_ssl,
    )


def _ssl_context(settings: ServiceSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(
        cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
    )
    if settings.kafka_ssl_certfile:
        context.load_cert_chain(
            str(settings.kafka_ssl_certfile),
            str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None,
        )
    return context


def aiokafka_client_options(settings: ServiceSettings) -> dict[str, Any]:
    """Connection options for plain aiokafka clients (the admin client), matching the broker's."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": f"{settings.service_name}-admin",
        **parse_security(kafka_security(settings)),
    }


def create_broker(settings: ServiceSettings, *, metrics_registry: CollectorRegistry) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        enable_idempotence=True,
        acks="all",
        security=kafka_security(settings),
        middlewares=[KafkaPrometheusMiddleware(registry=metrics_registry, app_name=settings.service_name)],
        graceful_timeout=15.0,
        specification_url=settings.kafka_bootstrap_servers,
    )


def aiokafka_producer(broker: KafkaBroker) -> AIOKafkaProducer | None:
    """The started broker's own aiokafka producer (idempotent, ``acks=all``), for senders of rows that
    are already serialised (the outbox relay); ``None`` when FastStream keeps it elsewhere or it is
    stopped, and then the caller publishes through the broker."""
    state = getattr(getattr(broker.config, "producer", None), "_producer", None)
    producer = getattr(state, "producer", None) if state else None  # an empty state raises
    return producer if isinstance(producer, AIOKafkaProducer) else None
