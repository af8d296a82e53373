"""Message templates per event type, channel and language (Vietnamese first, English too)."""
