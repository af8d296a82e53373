"""The development mail catcher: a local SMTP server that keeps what it receives, and ``GET /dev/mail``."""
