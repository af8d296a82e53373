"""The HTTP edge every service shares: the app factory, request dependencies and error mapping."""

from shared.web.app import create_service_app
from shared.web.errors import ErrorBody
from shared.web.limits import KIB, MIB, body_limit
from shared.web.runtime import ServiceRuntime, UnitOfWorkDep

__all__ = [
    "KIB",
    "MIB",
    "ErrorBody",
    "ServiceRuntime",
    "UnitOfWorkDep",
    "body_limit",
    "create_service_app",
]
