"""/api/v1/map: the streams and needs on the map as GeoJSON (RFC 7946), each where the reader
may see it, and the outlines of Finland's municipalities and regions served from the package
(the map needs no tile server)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sidestream.adapters.datasets.geo import load_area_outlines
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import Visitor
from sidestream.services.geo import (
    listings_feature_collection,
    map_listings,
    outline_feature_collection,
)

GEOJSON_MEDIA_TYPE = "application/geo+json"
OUTLINE_MAX_AGE_S = 24 * 3600  # the outlines change with a release only
router = APIRouter(prefix="/map", tags=["map"])
_GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {GEOJSON_MEDIA_TYPE: {"schema": {"type": "object"}}}}
}


@dataclass(frozen=True)
class _Document:
    body: bytes
    etag: str


def _document(data: object) -> _Document:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return _Document(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def _outline_documents(request: Request, container: AppContainer) -> dict[str, _Document]:
    """The outline files as served, built once per app from the validated packaged files."""
    documents: dict[str, _Document] | None = getattr(request.app.state, "outline_documents", None)
    if documents is None:
        outlines = load_area_outlines(container.reference)
        documents = {
            "municipalities": _document(
                outline_feature_collection(outlines.municipalities, "municipality_code")
            ),
            "regions": _document(outline_feature_collection(outlines.regions, "region_code")),
        }
        request.app.state.outline_documents = documents
    return documents


def _outline_response(request: Request, document: _Document) -> Response:
    headers = {
        "Cache-Control": f"public, max-age={OUTLINE_MAX_AGE_S}",
        "ETag": document.etag,
    }
    if document.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(document.body, media_type=GEOJSON_MEDIA_TYPE, headers=headers)


def for_reader(response: Response, visitor: Visitor) -> Response:
    """What depends on who is asking is not cached for anyone else."""
    response.headers["Vary"] = "Cookie, Authorization"
    response.headers["Cache-Control"] = (
        "no-cache" if visitor.principal.is_anonymous else "private, no-store"
    )
    return response


@router.get("/listings.geojson", responses=_GEOJSON_RESPONSE, response_class=Response)
def listings_geojson(
    container: AppContainer,
    visitor: CurrentVisitor,
    material_class_code: Annotated[
        str | None, Query(description="only streams of this class and needs accepting it")
    ] = None,
) -> Response:
    """The streams and needs you may see as a FeatureCollection of points. A listing you see in
    full or publicly is at its site (`location` "site"); one you see anonymously is at its
    municipality's centre (`location` "municipality_centre"), never at its site, and without
    the organisation's name; one you may not see is not there. `material_class_names` names the
    classes the features list."""
    listings = map_listings(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        container.today(),
        material_class_code,
    )
    body = _document(listings_feature_collection(listings)).body
    return for_reader(Response(body, media_type=GEOJSON_MEDIA_TYPE), visitor)


@router.get("/municipalities.geojson", responses=_GEOJSON_RESPONSE, response_class=Response)
def municipalities_geojson(request: Request, container: AppContainer) -> Response:
    """Outlines of Finland's 309 municipalities (National Land Survey of Finland, simplified;
    CC BY 4.0), with `municipality_code`, `name_fi` and `name_sv`."""
    return _outline_response(request, _outline_documents(request, container)["municipalities"])


@router.get("/regions.geojson", responses=_GEOJSON_RESPONSE, response_class=Response)
def regions_geojson(request: Request, container: AppContainer) -> Response:
    """Outlines of Finland's 19 regions (maakunta; National Land Survey of Finland,
    simplified; CC BY 4.0), with `region_code`, `name_fi` and `name_sv`."""
    return _outline_response(request, _outline_documents(request, container)["regions"])
