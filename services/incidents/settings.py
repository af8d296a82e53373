"""The incidents service's settings: the shared base plus its scheduler and reporting knobs, and the key
that checks the one-click links notifications signs."""

from typing import Self

from pydantic import Field, model_validator

from shared.auth.action_links import DEV_ACTION_LINK_PUBLIC_KEY, key_bytes
from shared.settings import Environment, ServiceSettings


class IncidentsSettings(ServiceSettings):
    service_name: str = "incidents"
    seed_catalog_on_start: bool = True
    occurred_at_skew_s: float = Field(
        default=300.0, ge=0, description="How far in the future a reported time may be (clock skew)"
    )
    scheduler_enabled: bool = True
    scheduler_interval_s: float = Field(default=5.0, gt=0, description="Seconds between escalation ticks")
    scheduler_batch_size: int = Field(default=500, ge=1, description="Escalations fired per tick at most")
    scheduler_instance_id: str = Field(default="", description="Names this instance in the timeline")
    action_link_public_key: str = Field(
        default=DEV_ACTION_LINK_PUBLIC_KEY,
        description="Checks the one-click links in notifications' messages (Ed25519 public key, base64url); "
        "notifications holds the private key",
    )

    @model_validator(mode="after")
    def _a_real_action_link_key(self) -> Self:
        key_bytes(self.action_link_public_key, "public")
        if self.environment is Environment.PRODUCTION and (
            self.action_link_public_key.strip() == DEV_ACTION_LINK_PUBLIC_KEY
        ):
            raise ValueError(
                "ACTION_LINK_PUBLIC_KEY must be set in production: links signed with the development key "
                "are anyone's"
            )
        return self
