"""Who a verified token says the caller is, before the registry says what they may act for.

The identity provider knows people and clients (their subject, roles, staff code, email); it does not
know which cluster, school or commune a person serves: that is the registry's, and it changes without a
new token (a leader replaced today loses the cluster today).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.auth.roles import Role


@dataclass(frozen=True)
class Identity:
    subject: str
    """The provider's id of the person or client (``sub``)."""
    roles: frozenset[Role]
    staff_code: str | None = None
    email: str | None = None
    name: str | None = None
    client_id: str | None = None
    """For an integration client (client credentials), its client id."""
    grants: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_integration_client(self) -> bool:
        return Role.INTEGRATION_CLIENT in self.roles

    @property
    def shown(self) -> str:
        """How a refusal names the caller: the staff code, else the email, else the subject."""
        return self.staff_code or self.email or self.subject
