"""Notifications: turns events into email, SMS, webhooks and an in-app inbox for the right people."""
