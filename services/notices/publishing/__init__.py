"""Publishing a notice: resolve its audience, expect its receipts, request its return, tell everyone."""
