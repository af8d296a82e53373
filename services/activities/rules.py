"""A broken business rule, named, so a caller learns which rule refused them and on which field.

Domain functions raise ``RuleBroken`` without knowing HTTP; the app maps it to 409 (the state of things
forbids it now: window closed, full, double-booked) or 422 (the request can never be right: ineligible,
dates the wrong way round), with the rule and the field in the body.
"""

from __future__ import annotations


class RuleBroken(Exception):
    def __init__(self, rule: str, message: str, *, field: str | None = None, conflict: bool = True) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.field = field
        self.status_code = 409 if conflict else 422


def unprocessable(rule: str, message: str, *, field: str | None = None) -> RuleBroken:
    return RuleBroken(rule, message, field=field, conflict=False)
