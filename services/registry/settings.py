"""The registry's settings: the shared base plus what only the registry needs."""

from typing import Self

from pydantic import Field, model_validator

from shared.settings import Environment, ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    seed_on_start: bool = True
    sample_schools: int = Field(
        default=0, ge=0, description="Generate this many labelled sample schools at start (demos); 0: none"
    )
    seed_demo_people: bool = Field(
        default=False,
        description="Create the demo people of a local run at start (the identity provider's demo users, "
        "staff codes DEMO-…); refused in production",
    )
    due_moves_interval_s: float = Field(
        default=300.0, gt=0, description="How often moves of communes dated ahead are checked for their day"
    )

    @model_validator(mode="after")
    def _no_demo_people_in_production(self) -> Self:
        if self.seed_demo_people and self.environment is Environment.PRODUCTION:
            raise ValueError("SEED_DEMO_PEOPLE is for local runs: production has no demo people")
        return self
