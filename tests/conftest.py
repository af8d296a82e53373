"""The real parts (Kafka, PostgreSQL) come from tests/fixtures/infra.py for every test layer."""

pytest_plugins = ["tests.fixtures.infra"]
