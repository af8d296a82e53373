"""What people read instead of codes: statuses, roles, levels and deadlines in Vietnamese and English."""
