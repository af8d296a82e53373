"""The incidents service's HTTP routes, one router per concept."""

from services.incidents.catalog.api import router as catalog_router
from services.incidents.filing.api import router as filing_router
from services.incidents.incidents.api import router as incidents_router
from services.incidents.reports.api import router as reports_router

ROUTERS = (filing_router, incidents_router, catalog_router, reports_router)

__all__ = ["ROUTERS"]
