"""Receipts: per addressee, delivered, opened and acknowledged; reminders; the report of who has not."""
