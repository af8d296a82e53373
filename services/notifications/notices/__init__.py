"""Notices: what a notice's events add to a message (each addressee's signed links, its attachments)."""
