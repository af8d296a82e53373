"""Communes and wards, the old districts they came from, and which cluster each belonged to when."""
