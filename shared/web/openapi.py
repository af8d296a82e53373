"""The OpenAPI document says what the services really answer when they refuse a request.

FastAPI documents every 422 as its own validation error (``detail``: an array) and no other 4xx; the
services answer every refusal with ``ErrorBody``. This rewrites the generated document once, for every
service: each operation declares the 4xx it can answer with ``ErrorBody``, and a route's own model for a
4xx (an import's report of bad rows) is kept beside it, since a bad query value still gets ``ErrorBody``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from shared.web.errors import ErrorBody
from shared.web.limits import BodyLimits

ERROR_REF = "#/components/schemas/ErrorBody"
_FASTAPI_VALIDATION_REFS = frozenset(
    {"#/components/schemas/HTTPValidationError", "#/components/schemas/ValidationError"}
)
_WRITES = frozenset({"post", "put", "patch", "delete"})

_DESCRIPTIONS = {
    400: "The body could not be parsed at all",
    401: "No valid bearer token",
    403: "The caller's role may not do this",
    404: "Not found, or outside what the caller may see",
    409: "The current state forbids it (a named rule refused it)",
    413: "The body is larger than this route takes",
    415: "The body is not in a media type this route reads",
    422: "A field, parameter or named rule refused the request, or a query parameter it does not take",
}


def refusals_of(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The 4xx an operation can answer, from what the document says of it."""
    codes: set[int] = set()
    body = operation.get("requestBody")
    if operation.get("security"):
        codes |= {401, 403}
    if "{" in path or body is not None:
        codes.add(404)  # the entity in the path, or one the body names
    codes.add(422)  # a parameter or body field, or a query parameter the operation does not take
    if method in _WRITES:
        codes |= {409, 413}
    if body is not None and "application/json" in body.get("content", {}):
        codes |= {400, 415}
    return codes


def document_refusals(document: dict[str, Any], limits: BodyLimits) -> dict[str, Any]:
    """``document`` with every operation's 4xx answers declared as ``ErrorBody`` (changed in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            for code in refusals_of(path, method, operation) | _declared_4xx(responses):
                responses[str(code)] = _with_error_body(
                    responses.get(str(code)), code, limits.of(method.upper(), path)
                )
            operation["responses"] = dict(sorted(responses.items()))
    if not _mentions(document.get("paths", {}), _FASTAPI_VALIDATION_REFS):
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
    return document


def install_openapi(app: FastAPI, limits: BodyLimits) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``) serve the rewritten document.

    FastAPI builds and caches the document (again when routes are added); each new one is rewritten once.
    """
    rewritten: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        document = FastAPI.openapi(app)
        if not rewritten or rewritten[0] is not document:
            rewritten[:] = [document_refusals(document, limits)]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _declared_4xx(responses: dict[str, Any]) -> set[int]:
    return {int(code) for code in responses if code.isdigit() and 400 <= int(code) < 500}


def _with_error_body(response: dict[str, Any] | None, code: int, limit: int) -> dict[str, Any]:
    description = _DESCRIPTIONS.get(code, "The request was refused")
    if code == 413:
        description = f"The body is larger than this route takes ({limit:,} bytes)"
    if response is None:
        return {"description": description, "content": _json({"$ref": ERROR_REF})}
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    merged: dict[str, Any]
    if schema is None or schema.get("$ref") in _FASTAPI_VALIDATION_REFS:
        merged = {"$ref": ERROR_REF}
        if response.get("description") in (None, "Validation Error"):
            response["description"] = description
    elif schema.get("$ref") == ERROR_REF or {"$ref": ERROR_REF} in schema.get("anyOf", []):
        merged = schema
    else:
        merged = {"anyOf": [schema, {"$ref": ERROR_REF}]}
    response.setdefault("content", {}).setdefault("application/json", {})["schema"] = merged
    return response


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _mentions(node: Any, refs: frozenset[str]) -> bool:
    if isinstance(node, dict):
        return any((key == "$ref" and value in refs) or _mentions(value, refs) for key, value in node.items())
    if isinstance(node, list):
        return any(_mentions(item, refs) for item in node)
    return False
