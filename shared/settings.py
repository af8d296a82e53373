"""The settings every service shares, read from the environment and validated at start.

Names are flat (``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``, ``JWT_SECRET``) because each service runs
as its own process or container with its own environment.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - refused in production


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class KafkaSecurityProtocol(StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SaslMechanism(StrEnum):
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    PLAIN = "PLAIN"


class ServiceSettings(BaseSettings):
    """Base class: each service subclasses it and sets its own ``service_name`` default."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    service_name: str
    environment: Environment = Environment.DEVELOPMENT
    database_url: str = ""
    data_dir: Path = Path("var")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: KafkaSecurityProtocol = KafkaSecurityProtocol.PLAINTEXT
    kafka_sasl_mechanism: SaslMechanism | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None
    kafka_topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="Prefixes every topic and consumer group: environments can share one Kafka cluster",
    )
    kafka_topic_partitions: int = Field(default=3, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_session_timeout_ms: int = Field(default=10_000, ge=1_000)
    kafka_heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    # Also the group's rebalance timeout: how long a rebalance may wait for a slow member. FastStream's
    # 5 minutes would let one stuck handler stall a whole group (and a shutdown) that long.
    kafka_max_poll_interval_ms: int = Field(default=60_000, ge=1_000)

    oidc_issuer: str | None = Field(
        default=None,
        description="The identity provider's issuer URL (its realm); its RS256/ES256 tokens are accepted",
    )
    oidc_audience: str = Field(default="edu-clusters-api", description="The audience our tokens must name")
    oidc_jwks_uri: str | None = Field(default=None, description="Overrides the JWKS URL from discovery")
    scope_cache_ttl_s: float = Field(
        default=5.0,
        ge=0,
        description="How long what the registry says of a signed-in person is kept between requests (0: "
        "read on every request); a change to the person empties it at once (shared.auth.people_cache)",
    )
    reference_cache_ttl_s: float = Field(
        default=60.0,
        ge=0,
        description="How long data read on every request or event but edited rarely (the incidents catalog, "
        "notification rules, subscriptions and templates) is kept between reads (0: read every time); a "
        "change to it empties it at once, in every instance (shared.db.kept)",
    )

    # Shared-secret (HS256) tokens: tests and local development only; production refuses them.
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "edu-clusters"
    jwt_audience: str = "edu-clusters"

    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP collector (http://collector:4318) to export spans to; unset: none exported",
    )

    max_body_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="The largest request body a route takes unless it declares its own limit (imports)",
    )

    outbox_sweep_interval_s: float = Field(default=1.0, gt=0)
    outbox_batch_size: int = Field(
        default=2000, ge=1, description="Rows one relay pass sends before it waits for Kafka and marks them"
    )
    consumer_max_batch: int = Field(
        default=500, ge=1, description="Records one fetch may return, applied in one transaction"
    )
    consumer_max_transaction_s: float = Field(
        default=0.25, gt=0, description="A batch's transaction commits once its handlers took this long"
    )
    consumer_max_attempts: int = Field(default=5, ge=1)
    consumer_retry_base_delay_s: float = Field(default=0.2, ge=0)
    consumer_retry_max_delay_s: float = Field(default=5.0, ge=0)

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file named after the service under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name + '.db')}"

    @property
    def accepts_shared_secret_tokens(self) -> bool:
        return self.environment is not Environment.PRODUCTION

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.service_name}.dead-letter"

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            if not self.oidc_issuer:
                raise ValueError(
                    "OIDC_ISSUER must name the identity provider in production: shared-secret (HS256) "
                    "tokens are for tests and local development only"
                )
            if not self.oidc_issuer.startswith("https://"):
                raise ValueError("OIDC_ISSUER must be an https:// URL in production")
            if self.kafka_security_protocol is KafkaSecurityProtocol.PLAINTEXT:
                raise ValueError("KAFKA_SECURITY_PROTOCOL must not be PLAINTEXT in production")
        if self.kafka_security_protocol in (
            KafkaSecurityProtocol.SASL_PLAINTEXT,
            KafkaSecurityProtocol.SASL_SSL,
        ) and not (self.kafka_sasl_mechanism and self.kafka_sasl_username and self.kafka_sasl_password):
            raise ValueError(
                "KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required "
                f"with KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol}"
            )
        return self
