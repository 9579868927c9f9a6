"""Pages: the map of streams and needs (Leaflet) and the flow diagrams (ECharts' Sankey). Both
pages draw in the browser from the public API (/api/v1/map, /api/v1/flows), with the libraries
served from the package; their JSON twins come from the same service calls as the pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.responses import Response

from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import SECURITY_HEADERS, Visitor
from sidestream.entrypoints.web.pages import finish, page
from sidestream.services.flows import list_scenario_flow_choices, realised_flows
from sidestream.services.geo import listings_feature_collection, map_listings

router = APIRouter(include_in_schema=False)
MAP_API = "/api/v1/map"
FLOWS_API = "/api/v1/flows"


def _tile_origin(tile_url: str) -> str:
    """The CSP source of a tile URL template: its scheme and host ({s} subdomains as *)."""
    parts = urlsplit(tile_url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}"


def _map_security_policy(tile_url: str | None) -> str | None:
    """The page's Content-Security-Policy, with images from the tile host when tiles are set."""
    if tile_url is None:
        return None
    policy = dict(SECURITY_HEADERS)["content-security-policy"]
    return f"{policy}; img-src 'self' {_tile_origin(tile_url)}"


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    settings = container.settings
    response = page(
        request,
        visitor,
        "map.html",
        {
            "listings_url": f"{MAP_API}/listings.geojson",
            "municipalities_url": f"{MAP_API}/municipalities.geojson",
            "regions_url": f"{MAP_API}/regions.geojson",
            "tile_url": settings.map_tile_url or "",
            "tile_attribution": settings.map_tile_attribution,
        },
    )
    policy = _map_security_policy(settings.map_tile_url)
    if policy is not None:
        response.headers["Content-Security-Policy"] = policy
    return response


@router.get("/map.json")
def map_json(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    material_class_code: Annotated[str | None, Query()] = None,
) -> Response:
    """The map's listings as the page shows them (the same GeoJSON as the API)."""
    listings = map_listings(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        container.today(),
        material_class_code,
    )
    return finish(JSONResponse(listings_feature_collection(listings)), request, visitor)


@dataclass(frozen=True)
class FlowChoice:
    """A diagram the flows page offers: the realised synergies in one unit, or a plan of a
    saved scenario; `url` is the API answer it is drawn from."""

    url: str
    unit: str | None = None  # realised synergies
    scenario_name: str | None = None
    plan_number: int | None = None
    plan_label: str | None = None


def _flow_choices(container: AppContainer, visitor: Visitor) -> list[FlowChoice]:
    """Realised synergies in each unit they are agreed in (tonnes always), then every plan of
    every saved scenario the reader may see."""
    realised = realised_flows(container.unit_of_work, container.reference, visitor.principal)
    units = ["t", *(unit for unit in realised.units if unit != "t")]
    choices = [FlowChoice(f"{FLOWS_API}/realised?unit={quote(unit)}", unit=unit) for unit in units]
    for name, plans in list_scenario_flow_choices(container.unit_of_work, visitor.principal):
        choices.extend(
            FlowChoice(
                f"{FLOWS_API}/scenarios/{quote(name, safe='')}?plan={plan.plan_number}",
                scenario_name=name,
                plan_number=plan.plan_number,
                plan_label=plan.label,
            )
            for plan in plans
        )
    return choices


@router.get("/flows", response_class=HTMLResponse)
def flows_page(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    return page(request, visitor, "flows.html", {"choices": _flow_choices(container, visitor)})


@router.get("/flows.json")
def flows_json(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    """The diagrams the page offers, each with the API address it is drawn from."""
    choices = [asdict(choice) for choice in _flow_choices(container, visitor)]
    return finish(JSONResponse({"choices": choices}), request, visitor)
