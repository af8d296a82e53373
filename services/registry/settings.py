"""The registry's settings: the shared base plus what only the registry needs."""

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    seed_on_start: bool = True
