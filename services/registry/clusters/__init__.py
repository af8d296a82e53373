"""Clusters: the Department's five professional clusters, and the periods of belonging to one (a commune's,
a person's)."""
