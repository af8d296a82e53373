"""The registry: the province's source of truth for clusters, communes, schools and staff."""
