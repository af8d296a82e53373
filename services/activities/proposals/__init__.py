"""Personnel proposals from a cluster to the Department Director."""
