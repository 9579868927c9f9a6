"""Errors as RFC 9457 problem details (`application/problem+json`), from one table.

Every error a user can cause maps to a status and a problem type here; validation errors list
each field with its reason. Nothing unexpected reaches a client as a stack trace: it is logged
and answered with a bare 500 problem.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sidestream.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    SidestreamError,
    SignInFailed,
    TooManyAttempts,
)
from sidestream.entrypoints.http.security import CsrfRefused

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "/problems/"
log = logging.getLogger("sidestream.http")


class ProblemFieldError(BaseModel):
    field: str = Field(description="The field, dotted for nested fields (`quantity.amount`)")
    reason: str
    row: int | None = Field(default=None, description="The 1-based data row of an upload")


class Problem(BaseModel):
    """RFC 9457 problem details, with `errors` for each field a request got wrong."""

    type: str = Field(description="A URI reference naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="The path of the request")
    errors: list[ProblemFieldError] | None = None


@dataclass(frozen=True)
class ProblemKind:
    slug: str
    status: int
    title: str
    description: str  # what the problem means, served at /problems/<slug>


KINDS: dict[type[Exception], ProblemKind] = {
    InvalidInput: ProblemKind(
        "invalid-input",
        422,
        "The request has invalid fields",
        "One or more fields break a rule; `errors` names each field and the reason. "
        "Nothing was stored.",
    ),
    NotFound: ProblemKind(
        "not-found",
        404,
        "Not found",
        "The record does not exist, or you may not see it.",
    ),
    Conflict: ProblemKind(
        "conflict",
        409,
        "Conflict with the current state",
        "The request clashes with what is stored now (a duplicate name, a record changed "
        "since it was read). Nothing was changed.",
    ),
    Forbidden: ProblemKind(
        "forbidden",
        403,
        "Forbidden",
        "Your role or memberships do not allow this. Nothing was changed.",
    ),
    SignInFailed: ProblemKind(
        "sign-in-failed", 401, "Sign-in failed", "The e-mail address or password is wrong."
    ),
    TooManyAttempts: ProblemKind(
        "too-many-attempts",
        429,
        "Too many attempts",
        "Too many failed sign-ins recently; `Retry-After` says when to try again.",
    ),
    CsrfRefused: ProblemKind(
        "csrf-refused",
        403,
        "Missing or wrong CSRF token",
        "A state-changing request from a browser session must carry the page's CSRF token "
        "(the `X-CSRF-Token` header or the `csrf_token` field). Nothing was changed.",
    ),
}
REQUEST_INVALID = KINDS[InvalidInput]
UNAUTHORISED = ProblemKind(
    "unauthorised",
    401,
    "Not signed in",
    "Sign in, or send `Authorization: Bearer <token>` with a valid API token.",
)
TOO_LARGE = ProblemKind(
    "too-large",
    413,
    "Request too large",
    "The body or the uploaded file is larger than this endpoint accepts. Nothing was stored.",
)
BAD_REQUEST = ProblemKind(
    "bad-request",
    400,
    "Malformed request",
    "The request could not be read (e.g. a body that is not valid UTF-8 or JSON).",
)
INTERNAL = ProblemKind(
    "internal-error",
    500,
    "Internal error",
    "Something went wrong on the server. It has been logged; nothing was changed.",
)
ALL_KINDS = {
    kind.slug: kind for kind in [*KINDS.values(), UNAUTHORISED, TOO_LARGE, BAD_REQUEST, INTERNAL]
}
# The kind of an HTTP error raised by the framework or a route, by its status.
HTTP_KINDS = {
    400: BAD_REQUEST,
    401: UNAUTHORISED,
    403: KINDS[Forbidden],
    404: KINDS[NotFound],
    409: KINDS[Conflict],
    413: TOO_LARGE,
}


def kind_of(error: Exception) -> ProblemKind:
    for error_type in type(error).__mro__:
        kind = KINDS.get(error_type)
        if kind is not None:
            return kind
    return INTERNAL


def problem(
    kind: ProblemKind,
    request: Request,
    detail: str | None = None,
    errors: Sequence[FieldError] = (),
) -> Problem:
    return Problem(
        type=PROBLEM_TYPE_PREFIX + kind.slug,
        title=kind.title,
        status=kind.status,
        detail=detail,
        instance=request.url.path,
        errors=[ProblemFieldError(field=e.field, reason=e.reason, row=e.row) for e in errors]
        or None,
    )


def problem_response(body: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=body.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def problem_of_error(error: SidestreamError | CsrfRefused, request: Request) -> Problem:
    kind = kind_of(error)
    if kind is INTERNAL:  # e.g. ReferenceDataError: a packaging defect, not for a client's eyes
        return problem(INTERNAL, request)
    errors = error.errors if isinstance(error, InvalidInput) else ()
    detail = "Nothing was stored." if isinstance(error, InvalidInput) else str(error)
    return problem(kind, request, detail, errors)


def _field_name(location: Sequence[int | str]) -> str:
    """`("body", "quantity", "amount")` → `quantity.amount`; a query parameter keeps its name."""
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _readable(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")


def validation_errors(error: RequestValidationError) -> list[FieldError]:
    return [FieldError(_field_name(e.get("loc", ())), _readable(e)) for e in error.errors()]


PageRenderer = Callable[[Request, Problem], Response]


def wants_problem_json(request: Request) -> bool:
    """API paths and JSON twins answer with problems; pages with an HTML page."""
    path = request.url.path
    accept = request.headers.get("accept", "")
    return (
        path.startswith("/api/")
        or path.endswith(".json")
        or path.endswith(".geojson")
        or ("application/json" in accept and "text/html" not in accept)
    )


def install_problem_handlers(app: FastAPI, render_page: PageRenderer) -> None:
    """Answer every error as a problem (JSON clients) or an error page (browsers)."""

    def answer(request: Request, body: Problem, headers: dict[str, str] | None = None) -> Response:
        if wants_problem_json(request):
            return problem_response(body, headers)
        response = render_page(request, body)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(SidestreamError)
    def domain_error(request: Request, error: SidestreamError) -> Response:
        if kind_of(error) is INTERNAL:
            log.error("internal error on %s", request.url.path, exc_info=error)
        headers = None
        if isinstance(error, TooManyAttempts):
            now = request.app.state.container.clock.now()
            wait = math.ceil((error.retry_at - now).total_seconds())
            headers = {"Retry-After": str(max(wait, 1))}
        return answer(request, problem_of_error(error, request), headers)

    @app.exception_handler(CsrfRefused)
    def csrf_refused(request: Request, error: CsrfRefused) -> Response:
        return answer(request, problem_of_error(error, request))

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, error: RequestValidationError) -> Response:
        body = problem(REQUEST_INVALID, request, "Nothing was stored.", validation_errors(error))
        return answer(request, body)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> Response:
        kind = HTTP_KINDS.get(
            error.status_code,
            ProblemKind("about:blank", error.status_code, _reason(error.status_code), ""),
        )
        body = Problem(
            type=kind.slug if kind.slug == "about:blank" else PROBLEM_TYPE_PREFIX + kind.slug,
            title=kind.title,
            status=error.status_code,
            detail=str(error.detail) if error.detail else None,
            instance=request.url.path,
        )
        return answer(request, body, dict(error.headers or {}))

    @app.exception_handler(Exception)
    def unexpected(request: Request, error: Exception) -> Response:
        log.error("unexpected error on %s", request.url.path, exc_info=error)
        return answer(request, problem(INTERNAL, request))


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
