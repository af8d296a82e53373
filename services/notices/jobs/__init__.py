"""Background loops: reminders before a reply date, and the overdue returns of the day."""
