"""The activities service's settings."""

from shared.settings import ServiceSettings


class ActivitiesSettings(ServiceSettings):
    service_name: str = "activities"
    seed_on_start: bool = True
    """Seed the catalog of the Department's specialized divisions when it is empty."""
