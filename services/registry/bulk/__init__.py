"""Bulk import (dry run, all or nothing) and export of schools and staff, in CSV and JSON."""
