"""Clusters: the Department's five professional clusters, their leader and members over time."""
