"""Signed links: single-use acknowledgement, opening, and attachment downloads without a token."""
