"""Cluster summaries: one page about a cluster, read from every other concept, so it sits above them all."""
