"""The Department's offices and the province-level recipient, each with the duty contact escalations reach."""
