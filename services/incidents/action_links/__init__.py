"""One-click links from the emails and SMS of a report: preview one, and acknowledge with it once."""
