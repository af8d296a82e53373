"""Cluster memberships: appointing a cluster's leader and members from a date, and ending their periods.

Above staff: a membership changes the person's published state. The table itself is in clusters/, below
staff, because that state lists a person's memberships.
"""
