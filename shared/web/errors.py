"""The one translation of refused requests into HTTP answers, with one error body for every service.

Use cases raise plain exceptions (no FastAPI in the domain); the web edge maps them to 4xx with a
message that names what was wrong. FastAPI's own refusals (a body that fails validation, a missing
token, an unknown route) answer with the same body, so a client reads every 4xx the same way. An
answer never repeats more than a short prefix of what the caller sent: a 20 MB title must not come back
as a 20 MB (or, echoed once per error, a 120 MB) error.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db.availability import database_unavailable
from shared.errors import ServiceError

log = logging.getLogger(__name__)

ECHO_LIMIT = 80
"""At most this many characters of anything the caller sent come back in an error."""
DETAIL_LIMIT = 200
"""A detail longer than this is cut: messages may quote an input inside a sentence."""


class ErrorBody(BaseModel):
    """The body of every 4xx a service answers: what was wrong, on which field, under which rule."""

    # Every key is always sent, null where it does not apply.
    model_config = ConfigDict(json_schema_extra={"required": ["detail", "field", "rule"]})

    detail: str = Field(description="What was wrong, for a person to read")
    field: str | None = Field(
        default=None,
        description="The input that was wrong: a body field (``title``, ``body.title``), a query "
        "parameter (``query.limit``), a header (``content-type``); null when no one input is to blame",
    )
    rule: str | None = Field(
        default=None, description="The business rule that refused the request, when one did"
    )


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, marked as cut."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def error_json(detail: str, *, field: str | None = None, rule: str | None = None) -> dict[str, Any]:
    """The error body as JSON: every key present, ``null`` where it does not apply."""
    return {
        "detail": clip(detail, DETAIL_LIMIT),
        "field": None if field is None else clip(field),
        "rule": rule,
    }


def error_response(
    status_code: int,
    detail: str,
    *,
    field: str | None = None,
    rule: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_json(detail, field=field, rule=rule), status_code=status_code, headers=headers)


def error_body(exc: ServiceError) -> dict[str, Any]:
    return error_json(exc.detail, field=exc.field, rule=exc.rule)


def validation_error_json(
    errors: Sequence[Any], content_type: str | None = None
) -> tuple[int, dict[str, Any]]:
    """The status and body for pydantic's errors of a request: the first error, named by its location.

    Neither the input nor pydantic's ``ctx`` is repeated; messages that quote an input are cut.
    """
    if not errors:
        return 422, error_json("the request is not valid")
    first = errors[0]
    location = [str(part) for part in first.get("loc", ())]
    error_type = first.get("type", "")
    if error_type == "json_invalid":
        reason = str(first.get("ctx", {}).get("error", "")) or "not valid JSON"
        position = f" at position {location[1]}" if len(location) > 1 else ""
        return 422, error_json(f"the body is not valid JSON: {reason}{position}", field="body")
    if location == ["body"] and content_type is not None and not _is_json(content_type):
        # A JSON route sent CSV, a form or nothing named: the media type is wrong, not a field.
        return 415, error_json(
            f"send the body as application/json, not {clip(content_type, 40)}", field="content-type"
        )
    field = ".".join(clip(part) for part in location) or None
    detail = str(first.get("msg", "not valid"))
    if len(errors) > 1:
        more = len(errors) - 1
        detail = f"{clip(detail, DETAIL_LIMIT - 40)} (and {more} more problem{'s' if more > 1 else ''})"
    return 422, error_json(detail, field=field)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse(error_body(exc), status_code=exc.status_code)


async def _request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # FastAPI hands over the raw bytes when the content type was not JSON (the body was never parsed).
    content_type = request.headers.get("content-type", "") if isinstance(exc.body, bytes) else None
    status_code, body = validation_error_json(exc.errors(), content_type)
    return JSONResponse(body, status_code=status_code)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code in (204, 304):  # no body allowed
        return Response(status_code=exc.status_code, headers=headers)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return error_response(exc.status_code, detail, headers=headers)


RETRY_AFTER_SECONDS = 2
"""What a 503 asks the client to wait: a restarted database accepts connections again within seconds."""


async def _database_error(request: Request, exc: Exception) -> Response:
    """A database that is restarting or busy is a 503 the client may retry, not a 500.

    Anything else the database raised is a defect: it is raised again, so it is logged as one.
    """
    if not database_unavailable(exc):
        raise exc
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(
        503,
        "the service's database is unavailable for a moment; try again",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(OSError, _database_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
