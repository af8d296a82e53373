"""How every benchmark prints a ratio next to its goal, so ``make bench`` reads as one table."""

from __future__ import annotations


def goal(label: str, ratio: float, target: float, *, at_most: bool = False) -> str:
    """``ratio`` against ``target`` (at least, or ``at_most``); the line says whether it is met."""
    met = ratio <= target if at_most else ratio >= target
    sign = "≤" if at_most else "≥"
    return f"  GOAL {label:52} {ratio:8.2f}  (goal {sign} {target:g}) {'met' if met else 'NOT MET'}"
