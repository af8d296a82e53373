"""The notifications service's settings: channels, the Department's own addresses, the queue's knobs, and
the key that signs the action links in its messages."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from shared.auth.action_links import DEV_ACTION_LINK_PRIVATE_KEY, key_bytes
from shared.settings import Environment, ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    seed_on_start: bool = Field(default=True, description="Add the default rules and templates if missing")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=0, le=65535)
    smtp_starttls: bool = Field(default=False, description="Require STARTTLS after connecting")
    smtp_use_tls: bool = Field(default=False, description="Implicit TLS from the start (port 465)")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Sở GD&ĐT Nghệ An <thongbao@nghean.edu.vn>"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    smtp_pool_size: int = Field(default=4, ge=1, description="SMTP connections kept open")

    mail_catcher: bool = Field(
        default=False, description="Run a local SMTP server in-process and send all email to it (development)"
    )
    mail_catcher_port: int = Field(default=0, ge=0, le=65535, description="0: a free port")

    sms_gateway_url: str | None = Field(default=None, description="Empty: no SMS is planned")
    sms_gateway_token: SecretStr | None = None
    sms_sender: str = "SoGDDT-NA"

    department_duty_desk_name: str = "Văn phòng Sở GD&ĐT Nghệ An (trực ban)"
    department_duty_desk_email: str | None = "vanphong@nghean.edu.vn"
    department_duty_desk_phone: str | None = None
    department_leadership_name: str = "Ban Giám đốc Sở GD&ĐT Nghệ An"
    department_leadership_email: str | None = "giamdoc@nghean.edu.vn"
    department_leadership_phone: str | None = None

    delivery_batch_size: int = Field(default=200, ge=1)
    delivery_concurrency: int = Field(default=32, ge=1)
    delivery_poll_interval_s: float = Field(default=0.2, gt=0)
    delivery_lease_s: float = Field(default=120.0, gt=0, description="A claimed row is retried after this")
    delivery_max_attempts: int = Field(default=8, ge=1)
    delivery_retry_base_s: float = Field(default=2.0, ge=0)
    delivery_retry_max_s: float = Field(default=900.0, ge=0)
    delivery_worker_enabled: bool = True
    delivery_send_deadline_s: float = Field(default=60.0, gt=0, description="The most one send may take")
    http_timeout_s: float = Field(default=10.0, gt=0, description="SMS gateway and webhook requests")

    console_public_url: str = Field(
        default="http://127.0.0.1:8006",
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="Where people reach the console: action links in messages are {this}/act/{token}",
    )
    action_link_private_key: SecretStr = Field(
        default=SecretStr(DEV_ACTION_LINK_PRIVATE_KEY),
        description="Signs the one-click action links (Ed25519 seed, base64url); incidents holds the "
        "public key",
    )

    @model_validator(mode="after")
    def _a_real_action_link_key(self) -> Self:
        key = self.action_link_private_key.get_secret_value()
        key_bytes(key, "private")
        if self.environment is Environment.PRODUCTION and key.strip() == DEV_ACTION_LINK_PRIVATE_KEY:
            raise ValueError(
                "ACTION_LINK_PRIVATE_KEY must be set in production: the development key is public"
            )
        if self.environment is Environment.PRODUCTION and not self.console_public_url.startswith("https://"):
            raise ValueError("CONSOLE_PUBLIC_URL must be an https:// URL in production")
        return self
