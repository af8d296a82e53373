"""A read-only replica of the registry (clusters, communes, schools, staff) from its compacted topics."""
