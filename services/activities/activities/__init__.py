"""Activities themselves: plan, open and close registration, run, complete or cancel; the calendar."""
