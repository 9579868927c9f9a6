"""What every route asks for: the container it runs in, who is asking, and the CSRF check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sidestream.bootstrap.container import Container
from sidestream.entrypoints.http.security import BrowserSecurity, Visitor


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def security_of(request: Request) -> BrowserSecurity:
    security: BrowserSecurity = request.app.state.security
    return security


def current_visitor(request: Request) -> Visitor:
    """Who is asking (see security.py); resolved once per request."""
    cached: Visitor | None = getattr(request.state, "visitor", None)
    if cached is None:
        cached = security_of(request).visitor(request)
        request.state.visitor = cached
    return cached


async def check_csrf(
    request: Request, visitor: Annotated[Visitor, Depends(current_visitor)]
) -> None:
    await security_of(request).check_csrf(request, visitor)


AppContainer = Annotated[Container, Depends(container_of)]
CurrentVisitor = Annotated[Visitor, Depends(current_visitor)]
