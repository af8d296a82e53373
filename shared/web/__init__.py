"""The HTTP edge every service shares: the app factory, request dependencies and error mapping."""

from shared.web.app import create_service_app
from shared.web.runtime import ServiceRuntime, UnitOfWorkDep

__all__ = [
    "ServiceRuntime",
    "UnitOfWorkDep",
    "create_service_app",
]
