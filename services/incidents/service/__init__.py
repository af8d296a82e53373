"""The incidents service's use cases, by concept: each loads, applies a domain rule, saves and records
its events in one unit of work, and only these functions commit."""
