"""The HTTP API under /api/v1: JSON in and out, errors as RFC 9457 problems
(entrypoints/http/problems.py), the same services and confidentiality rules as the pages.
Its OpenAPI schema is committed as docs/reference/openapi.json and checked for drift."""

from __future__ import annotations

from fastapi import APIRouter

from sidestream.entrypoints.api import (
    documents,
    flows,
    geo,
    impact,
    listings,
    organisations,
    proposals,
    reference,
    scenarios,
    screening,
    synergies,
    transfer,
)
from sidestream.entrypoints.http.problems import PROBLEM_MEDIA_TYPE, Problem

API_PREFIX = "/api/v1"

# Every endpoint documents the problem shape of its errors.
PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": description}
    for status, description in {
        401: "Not signed in, or the API token is unknown, expired or revoked",
        403: "Not allowed for your role or memberships, or no CSRF token from a browser",
        404: "Not found, or not visible to you",
        409: "Conflicts with the current state",
        422: "Invalid fields, each named with the reason",
    }.items()
}


def build_router() -> APIRouter:
    """Every API route, under /api/v1."""
    router = APIRouter(prefix=API_PREFIX, responses=PROBLEM_RESPONSES)
    for part in (
        reference,
        organisations,
        listings,
        proposals,
        synergies,
        impact,
        scenarios,
        screening,
        documents,
        geo,
        flows,
        transfer,
    ):
        router.include_router(part.router)
    return router
