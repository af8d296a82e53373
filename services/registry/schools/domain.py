"""School rules free of I/O: how many schools a core-principal region holds."""

from __future__ import annotations

MIN_REGION_SIZE = 5
MAX_REGION_SIZE = 10
"""A core principal's region has 5 to 10 schools; more cannot be led by one core principal."""


def within_target_size(schools: int) -> bool:
    """Whether a region of this many schools has the 5 to 10 it should."""
    return MIN_REGION_SIZE <= schools <= MAX_REGION_SIZE
