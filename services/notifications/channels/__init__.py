"""The channels that carry a message out: email (SMTP), SMS (an HTTP gateway), webhooks, the inbox."""
