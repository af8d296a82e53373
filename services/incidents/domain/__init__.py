"""The incidents service's rules, free of I/O: lifecycle, classification, routing, escalation, access and
statistics. Each module holds one concept; the service layer loads, applies these and saves."""
