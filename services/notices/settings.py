"""The notices service's settings: where its files and links live, the attachment limits, the jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator

from shared.settings import Environment, ServiceSettings

DEV_LINK_SECRET = "dev-only-notice-links-change-me-0123456789"  # noqa: S105 - refused in production


class NoticesSettings(ServiceSettings):
    service_name: str = "notices"
    seed_on_start: bool = Field(default=True, description="Add the shipped return forms if missing")

    public_base_url: str = Field(
        default="http://127.0.0.1:8005",
        description="Where recipients reach this service: the base of the links in emails",
    )
    link_secret: SecretStr = Field(
        default=SecretStr(DEV_LINK_SECRET),
        description="Signs the acknowledge, open and download links (HMAC-SHA256)",
    )
    link_validity_days: int = Field(
        default=30, ge=1, description="How long links work when the notice has no reply date"
    )

    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Larger uploads: 413")
    inline_attachments_max_bytes: int = Field(
        default=256 * 1024,
        ge=0,
        description="Attachments up to this size in all travel in the event, for emails to carry",
    )

    reminder_lead_hours: float = Field(
        default=48.0, gt=0, description="How long before the reply date the unacknowledged are reminded"
    )
    reminders_interval_s: float = Field(default=60.0, gt=0)
    overdue_returns_interval_s: float = Field(default=60.0, gt=0)
    jobs_enabled: bool = Field(default=True, description="The reminders and overdue-returns jobs")
    metrics_interval_s: float = Field(default=30.0, gt=0, description="How often the gauges are refreshed")

    @property
    def files_dir(self) -> Path:
        """The attachments' files, under the service's data directory."""
        return self.data_dir / "notices-files"

    @model_validator(mode="after")
    def _refuse_the_development_secret_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and (
            self.link_secret.get_secret_value() == DEV_LINK_SECRET
            or len(self.link_secret.get_secret_value()) < 32
        ):
            raise ValueError("LINK_SECRET must be set (32 characters or more) in production")
        return self
