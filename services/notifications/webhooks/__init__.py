"""Webhook subscriptions of integration clients, signed the Standard Webhooks way."""
