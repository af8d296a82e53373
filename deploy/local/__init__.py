"""Launchers for the real infrastructure (Kafka, PostgreSQL) on machines without Docker."""
