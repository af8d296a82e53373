"""Results: scores, ranking with ties, awards with the recognition decision; versions, never edits."""
