"""The one translation of ``shared.errors`` into HTTP answers, with one error body for every service.

Use cases raise plain exceptions (no FastAPI in the domain); the web edge maps them to 4xx with a
message that names what was wrong. Anything unexpected is logged and answered with a generic 500 body.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.errors import ServiceError

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The body of every 4xx a service answers for a refused request."""

    detail: str
    field: str | None = None
    rule: str | None = None


def error_body(exc: ServiceError) -> dict[str, object]:
    body: dict[str, object] = {"detail": exc.detail}
    if exc.field:
        body["field"] = exc.field
    if exc.rule:
        body["rule"] = exc.rule
    return body


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse(error_body(exc), status_code=exc.status_code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
