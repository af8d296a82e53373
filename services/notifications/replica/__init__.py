"""The registry replica: staff, memberships, clusters, communes (with their offices) and schools."""
