"""Domain errors to HTTP, once: ``application/problem+json`` (RFC 9457) with a stable type.

The ``type`` of every problem is ``urn:governance-engine:problem:<code>``, where ``code`` is
the domain error's stable code (see ``governance_engine.errors``).
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from governance_engine import errors

logger = logging.getLogger("governance_engine.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:governance-engine:problem:"

# The one table: domain error class -> HTTP status. Most specific classes first.
STATUS: list[tuple[type[errors.GovernanceError], int]] = [
    (errors.NotAuthenticated, 401),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.StaleVersion, 412),
    (errors.Conflict, 409),
    (errors.InvalidInput, 422),
    (errors.ConfigurationError, 503),
    (errors.TryAgain, 503),
    (errors.LogIntegrityError, 500),
    (errors.GovernanceError, 400),
]

TITLES = {
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the current state",
    412: "Precondition failed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    428: "Precondition required",
    500: "Internal error",
    503: "Unavailable",
}


class Problem(BaseModel):
    """An RFC 9457 problem details document."""

    type: str = Field(examples=[TYPE_PREFIX + "guard-failed"])
    title: str = Field(examples=["Conflict with the current state"])
    status: int = Field(examples=[409])
    detail: str = Field(examples=["guard has_revision failed: the proposal has no revision"])
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Field errors, for 422 responses"
    )
    current_version: int | None = Field(
        default=None, description="For 412: the resource's current version"
    )


def status_of(error: errors.GovernanceError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400


def problem_response(
    status: int,
    code: str,
    detail: str,
    request: Request,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="governance-engine"'
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def retry_after_header(error: errors.GovernanceError) -> dict[str, str]:
    """``Retry-After`` for an error that says when to try again (``TryAgain``), else none."""
    wait = error.details.get("retry_after")
    if not isinstance(wait, timedelta):
        return {}
    # Whole seconds, at least one (RFC 9110: Retry-After = delay-seconds).
    return {"Retry-After": str(max(1, math.ceil(wait.total_seconds())))}


def _out_of_range(request: Request) -> JSONResponse:
    return problem_response(
        422, "invalid-input", "a number in the request is out of range", request
    )


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the problems a route can answer with."""
    return {
        status: {
            "model": Problem,
            "description": TITLES.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.GovernanceError)
    async def domain_error(request: Request, error: errors.GovernanceError) -> JSONResponse:
        status = status_of(error)
        extra: dict[str, Any] = {}
        if "field" in error.details:
            extra["errors"] = [{"loc": [error.details["field"]], "msg": error.message}]
        if "current_version" in error.details:
            extra["current_version"] = error.details["current_version"]
        headers = retry_after_header(error)
        if status >= 500 and not isinstance(error, errors.TryAgain):
            logger.error("%s: %s", error.code, error.message)
        return problem_response(
            status, error.code, error.message, request, headers=headers, **extra
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {
                "loc": list(item.get("loc", ())),
                "msg": str(item.get("msg", "")),
                "type": item.get("type"),
            }
            for item in error.errors()
        ]
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(part) for part in first["loc"])
        return problem_response(
            422, "invalid-input", f"{where}: {first['msg']}", request, errors=details
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:
            # The framework's "error parsing the body" (e.g. bytes that are not UTF-8): bad
            # input like any other, so the same 422 and the same problem type.
            return problem_response(422, "invalid-input", str(error.detail), request)
        code = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
        return problem_response(error.status_code, code, str(error.detail), request)

    @app.exception_handler(OverflowError)
    async def overflow(request: Request, error: OverflowError) -> JSONResponse:
        return _out_of_range(request)

    @app.exception_handler(DataError)
    async def data_error(request: Request, error: DataError) -> JSONResponse:
        # The database refused a value for its column type: an id or number out of range.
        return _out_of_range(request)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal-error", "an unexpected error occurred", request)


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation can answer 422 (and 413 when it takes a body) as problem+json.

    FastAPI documents its own validation error shape for 422; ours is a Problem, so the
    OpenAPI document says so for every operation, whatever each route declared.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    problem = {
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            answers = operation.setdefault("responses", {})
            answers["422"] = {"description": TITLES[422], **problem}
            if "requestBody" in operation:
                answers.setdefault("413", {"description": TITLES[413], **problem})
    return schema
