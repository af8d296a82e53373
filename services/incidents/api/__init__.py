"""The incidents service's HTTP routes, one router per concept."""

from services.incidents.api.incidents import router as incidents_router
from services.incidents.api.reports import router as reports_router
from services.incidents.catalog.api import router as catalog_router

ROUTERS = (incidents_router, catalog_router, reports_router)

__all__ = ["ROUTERS"]
