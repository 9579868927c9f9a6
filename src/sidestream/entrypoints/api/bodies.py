"""Request bodies of the API: every write is refused with 413 before a byte beyond its limit is
read, whether the client declares the length or streams the body in chunks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message

from sidestream.entrypoints.http.problems import PROBLEM_MEDIA_TYPE, Problem

MAX_JSON_BYTES = 256 * 1024  # a stream with every field filled is a few kB
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # an imported table
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries and part headers around an uploaded file
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# For the OpenAPI schema of the routers whose writes are limited.
TOO_LARGE_RESPONSES: dict[int | str, dict[str, object]] = {
    413: {
        "model": Problem,
        "content": {PROBLEM_MEDIA_TYPE: {}},
        "description": "The request body is larger than the limit",
    }
}


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request body is larger than {limit // 1024} kB")


async def _within_limit(request: Request, limit: int) -> Request:
    """The request, or 413 when its body is larger than `limit` bytes. A declared length is
    trusted (the server never delivers more than it); a chunked body is read up to the limit
    and replayed to the handler."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        return request
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    replay = bytes(body)

    async def receive() -> Message:
        return {"type": "http.request", "body": replay, "more_body": False}

    return Request(request.scope, receive)


def limited_body_route(limit: int) -> type[APIRoute]:
    """A route class whose POST, PUT and PATCH bodies may hold at most `limit` bytes."""

    class LimitedBodyRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                if request.method in _BODY_METHODS:
                    request = await _within_limit(request, limit)
                return await handler(request)

            return limited

    return LimitedBodyRoute


JsonBodyRoute = limited_body_route(MAX_JSON_BYTES)
UploadRoute = limited_body_route(MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES)
