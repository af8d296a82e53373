"""The registry's settings: the shared base plus what only the registry needs."""

from pydantic import Field

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    seed_on_start: bool = True
    sample_schools: int = Field(
        default=0, ge=0, description="Generate this many labelled sample schools at start (demos); 0: none"
    )
    due_moves_interval_s: float = Field(
        default=300.0, gt=0, description="How often moves of communes dated ahead are checked for their day"
    )
