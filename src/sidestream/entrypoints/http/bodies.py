"""Request bodies, for the pages and the API alike: every write is refused with 413 before a byte
beyond its route's limit is read, whether the client declares the length or streams the body in
chunks. A route that takes files says so; only there is a multipart form read at all, within the
route's limit (security.read_form_lists), so no other route can be made to spool uploads."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message

MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries, part headers and the form's other fields
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_TAKES_FILES = "sidestream.takes_files"  # set in the request's scope by the route


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


def limited_body_route(limit: int, takes_files: bool = False) -> type[APIRoute]:
    """A route class whose POST, PUT and PATCH bodies may hold at most `limit` bytes;
    `takes_files`: its forms may be multipart/form-data."""

    class LimitedBodyRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                if request.method in _BODY_METHODS:
                    request = await _within_limit(request, limit)
                    request.scope[_TAKES_FILES] = takes_files
                try:
                    return await handler(request)
                finally:
                    await request.close()  # a parsed form's files, whoever parsed it

            return limited

    return LimitedBodyRoute


def takes_files(request: Request) -> bool:
    """Whether the request's route takes files, and so has bounded its body already."""
    return bool(request.scope.get(_TAKES_FILES, False))
