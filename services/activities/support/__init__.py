"""The "Department helps department, school helps school" program: pairings, contributions, totals, awards."""
