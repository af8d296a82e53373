"""Reports on incidents, read-only: statistics by group and period, open and overdue per cluster, and the
daily situation summary (days in Vietnam's time zone)."""
