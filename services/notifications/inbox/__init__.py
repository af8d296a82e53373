"""The in-app inbox: each person's messages, unread count, mark read."""
