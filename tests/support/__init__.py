"""Helpers the tests share: waiting for conditions, probe events and Kafka readers."""
