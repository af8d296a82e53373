"""One-click action links in the messages that ask a person to act (acknowledge an incident)."""
