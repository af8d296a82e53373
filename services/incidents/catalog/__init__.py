"""The catalogs that drive behaviour: incident categories, severities (targets and escalation chains) and
the rules that raise a report's severity, seeded once and then edited by a department admin as data."""
