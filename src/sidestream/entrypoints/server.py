"""The one web application: the pages (entrypoints/web) and the HTTP API (entrypoints/api),
behind the shared security of entrypoints/http. `sidestream serve` runs it."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from sidestream import __version__
from sidestream.bootstrap.container import Container
from sidestream.entrypoints.api import API_PREFIX, build_router
from sidestream.entrypoints.http.dependencies import check_csrf
from sidestream.entrypoints.http.problems import install_problem_handlers
from sidestream.entrypoints.http.security import BrowserSecurity, SecurityHeaders
from sidestream.entrypoints.web import (
    audit,
    dashboard,
    i18n,
    listings,
    maps,
    organisations,
    pages,
    proposals,
    screening,
    synergies,
)
from sidestream.entrypoints.web.pages import STATIC_DIRECTORY, error_page


def create_app(container: Container) -> FastAPI:
    container.reference  # noqa: B018 - load and validate the reference data before serving
    # Every route resolves who is asking and checks the CSRF token of every state change.
    app = FastAPI(
        title="sidestream",
        summary="Side streams, needs, synergies and their impact in an industrial region",
        version=__version__,
        docs_url=None,  # Swagger UI would load its assets from a CDN
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
        dependencies=[Depends(check_csrf)],
    )
    app.state.container = container
    app.state.security = BrowserSecurity(container)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static")
    pages_and_twins = [pages, dashboard, listings, organisations, maps, proposals, synergies]
    for part in [*pages_and_twins, screening, audit]:
        app.include_router(part.router, dependencies=[Depends(i18n.request_language)])
    app.include_router(build_router())
    install_problem_handlers(app, error_page)
    return app


def create_app_from_environment() -> FastAPI:
    """The app as `sidestream serve` runs it: settings from the environment, and the server
    secret read (or made) at start, so a problem with it shows at once."""
    container = Container()
    container.secret_key  # noqa: B018
    return create_app(container)
