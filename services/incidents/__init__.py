"""The incidents service: report, route, acknowledge, escalate and resolve unusual incidents at schools."""
