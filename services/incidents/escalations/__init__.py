"""Escalations: finding the steps that are due, and firing each exactly once (the scheduler's use cases)."""
