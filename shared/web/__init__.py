"""The HTTP edge every service shares: the app factory, request dependencies and error mapping."""

from shared.web.app import create_service_app
from shared.web.errors import Conflict, Forbidden, NotFound, ServiceError, Unprocessable
from shared.web.runtime import ServiceRuntime, UnitOfWorkDep

__all__ = [
    "Conflict",
    "Forbidden",
    "NotFound",
    "ServiceError",
    "ServiceRuntime",
    "UnitOfWorkDep",
    "Unprocessable",
    "create_service_app",
]
