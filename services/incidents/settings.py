"""The incidents service's settings: the shared base plus its scheduler and reporting knobs."""

from pydantic import Field

from shared.settings import ServiceSettings


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
