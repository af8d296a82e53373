"""Settings refuse unsafe production configurations at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.registry.settings import RegistrySettings
from shared.settings import Environment, ServiceSettings


def test_default_database_is_a_sqlite_file_named_after_the_service() -> None:
    settings = ServiceSettings(service_name="registry")
    assert settings.resolved_database_url == "sqlite+aiosqlite:///var/registry.db"


SAFE_KAFKA = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_mechanism": "SCRAM-SHA-512",
    "kafka_sasl_username": "u",
    "kafka_sasl_password": "p",
}


def test_production_refuses_to_run_without_the_identity_provider() -> None:
    """Without OIDC_ISSUER only shared-secret tokens could be checked, and production accepts none."""
    with pytest.raises(ValidationError, match="OIDC_ISSUER must name the identity provider"):
        ServiceSettings(service_name="registry", environment=Environment.PRODUCTION, **SAFE_KAFKA)
    with pytest.raises(ValidationError, match="https://"):
        ServiceSettings(
            service_name="registry",
            environment=Environment.PRODUCTION,
            oidc_issuer="http://sso.example/realms/edu",
            **SAFE_KAFKA,
        )


def test_production_accepts_no_shared_secret_token() -> None:
    production = ServiceSettings(
        service_name="registry",
        environment=Environment.PRODUCTION,
        oidc_issuer="https://sso.nghean.edu.vn/realms/edu-clusters",
        **SAFE_KAFKA,
    )
    assert not production.accepts_shared_secret_tokens
    assert ServiceSettings(service_name="registry").accepts_shared_secret_tokens


def test_production_refuses_plaintext_kafka() -> None:
    with pytest.raises(ValidationError, match="PLAINTEXT"):
        ServiceSettings(
            service_name="registry",
            environment=Environment.PRODUCTION,
            oidc_issuer="https://sso.nghean.edu.vn/realms/edu-clusters",
        )


def test_sasl_needs_its_credentials() -> None:
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME"):
        ServiceSettings(service_name="registry", kafka_security_protocol="SASL_SSL")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@db/registry")
    settings = ServiceSettings(service_name="registry")
    assert settings.kafka_bootstrap_servers == "kafka-1:9093"
    assert settings.resolved_database_url == "postgresql+asyncpg://u@db/registry"


def test_production_has_no_demo_people() -> None:
    production: dict[str, object] = {
        "environment": Environment.PRODUCTION,
        "oidc_issuer": "https://sso.nghean.edu.vn/realms/edu-clusters",
        **SAFE_KAFKA,
    }
    assert not RegistrySettings.model_validate(production).seed_demo_people
    with pytest.raises(ValidationError, match="SEED_DEMO_PEOPLE"):
        RegistrySettings.model_validate({**production, "seed_demo_people": True})
    assert RegistrySettings(seed_demo_people=True).seed_demo_people  # development
