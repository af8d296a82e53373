"""One incident as it lives on: its record, lifecycle, timeline and notes, its planned escalation steps,
who may see and act on it, and its routing once the replica knows its school or commune."""
