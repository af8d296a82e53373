"""A read-only replica of the registry: clusters, communes (with their offices), schools, staff."""
