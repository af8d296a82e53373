"""The channels that carry a message to people: email (SMTP), SMS (an HTTP gateway), the inbox."""
