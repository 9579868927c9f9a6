"""/api/v1/reference: the vocabularies listings are written in (List of Waste, NACE Rev. 2,
material classes, municipalities). Public: they are published reference data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sidestream.domain.units import UNITS_BY_DIMENSION
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.reference_search import search_nace, search_waste_codes

router = APIRouter(prefix="/reference", tags=["reference"])

SearchText = Annotated[
    str,
    Query(
        max_length=200,
        description="A code prefix with or without spaces ('10 02', '1002', '10 02 07*', "
        "'24.1'), words of the description ('slag'), or both ('10 02 slag'); empty lists all",
    ),
]
Limit = Annotated[int, Query(ge=1, le=100, description="At most this many results (1 to 100)")]


class WasteCodeRead(BaseModel):
    ewc_code: str = Field(description="Six digits, no spaces or asterisk: `100207`")
    display_code: str = Field(description="As people write it: `10 02 07*`")
    description: str
    is_hazardous: bool
    is_mirror_entry: bool


class NaceActivityRead(BaseModel):
    nace_code: str = Field(description="`C`, `24`, `24.1` or `24.10`")
    level_name: str = Field(description="section, division, group or class")
    title: str


class MaterialClassRead(BaseModel):
    material_class_code: str
    name: str
    group: str
    typical_physical_form: str
    description: str


class PropertyRead(BaseModel):
    property_code: str
    name: str
    dimension: str
    kind: str = Field(description="composition or physical")
    units: list[str] = Field(description="The units a value of it may be given in")
    description: str


class MunicipalityRead(BaseModel):
    municipality_code: str = Field(description="Statistics Finland, three digits")
    name_fi: str
    name_sv: str
    region_code: str
    region_name_fi: str
    centre_latitude_deg: float
    centre_longitude_deg: float


@router.get("/waste-codes", summary="Search the List of Waste")
def list_waste_codes(
    container: AppContainer, visitor: CurrentVisitor, q: SearchText = "", limit: Limit = 20
) -> list[WasteCodeRead]:
    """Code-prefix hits first, then entries whose description matches; each by code."""
    return [
        WasteCodeRead(**vars(match)) for match in search_waste_codes(container.reference, q, limit)
    ]


@router.get("/nace", summary="Search NACE Rev. 2")
def list_nace_activities(
    container: AppContainer, visitor: CurrentVisitor, q: SearchText = "", limit: Limit = 20
) -> list[NaceActivityRead]:
    """A lone letter is a section; digits are a code prefix ('24.1', '2410'); words match
    the title."""
    return [NaceActivityRead(**vars(match)) for match in search_nace(container.reference, q, limit)]


@router.get("/material-classes", summary="Every material class")
def list_material_classes(
    container: AppContainer, visitor: CurrentVisitor
) -> list[MaterialClassRead]:
    return [
        MaterialClassRead(**vars(material))
        for material in container.reference.material_classes.values()
    ]


@router.get("/properties", summary="Every measurable property of a stream")
def list_properties(container: AppContainer, visitor: CurrentVisitor) -> list[PropertyRead]:
    """What a listing's measurements, a need's limits and a laboratory's file may name."""
    return [
        PropertyRead(
            property_code=definition.property_code,
            name=definition.name,
            dimension=definition.dimension,
            kind=definition.kind,
            units=list(UNITS_BY_DIMENSION.get(definition.dimension, ())),
            description=definition.description,
        )
        for definition in container.reference.properties.values()
    ]


@router.get("/municipalities", summary="Every Finnish municipality")
def list_municipalities(container: AppContainer, visitor: CurrentVisitor) -> list[MunicipalityRead]:
    return [
        MunicipalityRead(
            municipality_code=municipality.municipality_code,
            name_fi=municipality.name_fi,
            name_sv=municipality.name_sv,
            region_code=municipality.region_code,
            region_name_fi=municipality.region_name_fi,
            centre_latitude_deg=municipality.centre_latitude_deg,
            centre_longitude_deg=municipality.centre_longitude_deg,
        )
        for municipality in container.reference.municipalities.values()
    ]
