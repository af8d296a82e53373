"""Working and inspection delegations: members, visits, the report with findings and follow-ups."""
