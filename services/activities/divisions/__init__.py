"""The catalog of the Department's specialized divisions, which chair activities: data an admin edits."""
