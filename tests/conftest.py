"""The real parts (Kafka, PostgreSQL, Keycloak) come from tests/fixtures for every test layer."""

pytest_plugins = ["tests.fixtures.infra", "tests.fixtures.keycloak"]
