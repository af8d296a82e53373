"""The console's settings: where the identity provider and the services' public APIs are, and the session.

The console owns no domain data: it signs people in, keeps their tokens server-side, and calls each
service's public HTTP API with the signed-in person's access token.
"""

from __future__ import annotations

import os
import re
import socket
from typing import Self

from pydantic import Field, SecretStr, model_validator

from shared.settings import Environment, ServiceSettings

DEV_CLIENT_SECRET = "dev-only-console-secret-not-for-production"  # noqa: S105 - the realm's dev secret


def own_live_group(hostname: str, pid: int) -> str:
    """A group of this process's own (a pod's hostname is its name): every instance hears every change.
    A new group starts at the topic's end, so a restarted instance replays nothing."""
    host = re.sub(r"[^A-Za-z0-9._-]", "-", hostname)[:100] or "host"
    return f"console.live.{host}-{pid}"


class ConsoleSettings(ServiceSettings):
    service_name: str = "console"

    public_base_url: str = Field(
        default="http://127.0.0.1:8006",
        description="Where people reach the console: the base of the sign-in redirect URI",
    )
    oidc_client_id: str = Field(default="edu-clusters-console", description="The console's client")
    oidc_client_secret: SecretStr = Field(default=SecretStr(DEV_CLIENT_SECRET))
    oidc_internal_issuer: str | None = Field(
        default=None,
        description="The issuer as this server reaches it (http://keycloak:8080/realms/...), when people's "
        "browsers reach it at OIDC_ISSUER and this server cannot",
    )

    registry_url: str = "http://127.0.0.1:8001"
    incidents_url: str = "http://127.0.0.1:8002"
    activities_url: str = "http://127.0.0.1:8003"
    notifications_url: str = "http://127.0.0.1:8004"
    notices_url: str = "http://127.0.0.1:8005"
    service_timeout_s: float = Field(default=10.0, gt=0, description="One call to a service's API")

    session_idle_hours: float = Field(default=8.0, gt=0, description="A session unused this long ends")
    sign_in_minutes: float = Field(default=10.0, gt=0, description="How long a started sign-in may take")
    cookie_secure: bool = Field(default=False, description="Send the session cookie over HTTPS only")

    live_group: str = Field(
        default_factory=lambda: own_live_group(socket.gethostname(), os.getpid()),
        pattern=r"^console\.live[A-Za-z0-9._-]*$",
        description="The consumer group of the live pages; each console instance needs its own, since "
        "every instance pushes to the pages open on it: by default console.live.<hostname>-<pid>",
    )
    live_heartbeat_s: float = Field(default=20.0, gt=0, description="A comment line keeps the stream open")

    @model_validator(mode="after")
    def _refuse_development_values_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            if self.oidc_client_secret.get_secret_value() == DEV_CLIENT_SECRET:
                raise ValueError("OIDC_CLIENT_SECRET must be set in production")
            if not self.cookie_secure:
                raise ValueError("COOKIE_SECURE must be true in production (the console is served on HTTPS)")
        return self
