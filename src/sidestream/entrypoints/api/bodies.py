"""Request bodies of the API: every write is refused with 413 before a byte beyond its limit is
read, whether the client declares the length or streams the body in chunks (http/bodies.py)."""

from __future__ import annotations

from sidestream.entrypoints.http.bodies import MULTIPART_OVERHEAD_BYTES, limited_body_route
from sidestream.entrypoints.http.problems import PROBLEM_MEDIA_TYPE, Problem

MAX_JSON_BYTES = 256 * 1024  # a stream with every field filled is a few kB
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # an imported table
# For the OpenAPI schema of the routers whose writes are limited.
TOO_LARGE_RESPONSES: dict[int | str, dict[str, object]] = {
    413: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "The request body is larger than the limit",
    }
}

JsonBodyRoute = limited_body_route(MAX_JSON_BYTES)
UploadRoute = limited_body_route(MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES, takes_files=True)
