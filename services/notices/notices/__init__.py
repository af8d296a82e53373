"""Notices: drafts with their number, date, issuing unit, subject, body, audience and reply date."""
