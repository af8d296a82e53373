"""The activities service's settings."""

from shared.settings import ServiceSettings


class ActivitiesSettings(ServiceSettings):
    service_name: str = "activities"
    seed_on_start: bool = True
    """Seed the catalog of the Department's specialized divisions when it is empty."""
    registration_check_interval_s: float = 60.0
    """How often registrations whose window ended are closed (and their event published)."""
