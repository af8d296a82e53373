"""The notifications service's settings: channels, the Department's own addresses, the queue's knobs."""

from __future__ import annotations

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


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
