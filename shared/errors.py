"""The errors use cases and domain rules raise, knowing nothing of HTTP.

Each kind carries the status the web edge answers with (``shared.web.errors`` maps them, one body for
every service), the message a person reads, the field that was wrong and, for a broken business rule,
the rule's name, so a caller learns which rule refused them and on which field.
"""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None) -> None:
        super().__init__(f"{rule}: {message}" if rule else message)
        self.message = message
        self.field = field
        self.rule = rule

    @property
    def detail(self) -> str:
        """What the person reads: the rule's name first when a rule refused them."""
        return f"{self.rule}: {self.message}" if self.rule else self.message


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    """The state of things forbids it now (a window closed, full, double-booked)."""

    status_code = 409


class Forbidden(ServiceError):
    status_code = 403


class Gone(ServiceError):
    """It existed and can no longer be used: a link expired, or used already (HTTP 410)."""

    status_code = 410


class Unprocessable(ServiceError):
    """The request can never be right as it is (ineligible, dates the wrong way round)."""

    status_code = 422


def rule_broken(rule: str, message: str, *, field: str | None = None, conflict: bool = True) -> ServiceError:
    """A named business rule refused the request: 409 when the state forbids it now, 422 when never."""
    kind = Conflict if conflict else Unprocessable
    return kind(message, field=field, rule=rule)
