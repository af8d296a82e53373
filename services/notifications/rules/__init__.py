"""Rules as data: which events, under which conditions, go to which roles on which channels."""
