"""Deliveries: one row per (source event, recipient, channel), worked by a queue with retries."""
