"""The web app: for now the public overview of the region's organisations, streams and needs."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from sidestream import __version__
from sidestream.bootstrap.container import Container
from sidestream.services.listings import RegistryView, public_overview

HERE = Path(__file__).parent


def _overview_json(overview: RegistryView) -> dict[str, Any]:
    return {
        "organisations": [asdict(organisation) for organisation in overview.organisations],
        "streams": [stream.as_record() for stream in overview.streams],
        "needs": [need.as_record() for need in overview.needs],
        "hidden_stream_count": overview.hidden_stream_count,
        "hidden_need_count": overview.hidden_need_count,
    }


def create_app(container: Container) -> FastAPI:
    container.reference  # noqa: B018 - load and validate the reference data before serving
    app = FastAPI(title="sidestream", version=__version__, docs_url=None, redoc_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def overview() -> RegistryView:
        return public_overview(container.unit_of_work, container.reference, container.today())

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        data = overview()
        municipalities = container.reference.municipalities
        return templates.TemplateResponse(
            request,
            "index.html",
            {"overview": data, "municipalities": municipalities, "version": __version__},
        )

    @app.get("/index.json")
    def index_json() -> JSONResponse:
        return JSONResponse(_overview_json(overview()))

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def create_app_from_environment() -> FastAPI:
    """The app as `sidestream serve` runs it: settings from the environment."""
    return create_app(Container())
