"""Deployment assets: Kafka runtime resolution, local launchers and container definitions."""
