"""/api/v1/organisations: the organisations of the registry and their sites. Exact locations
and contacts only to the organisation's members and facilitators (services.organisations)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sidestream.domain.organisations import SizeClass
from sidestream.entrypoints.api.schemas import OrganisationId
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.listings import registry_view
from sidestream.services.organisations import organisation_detail

router = APIRouter(prefix="/organisations", tags=["organisations"])


class OrganisationSummaryRead(BaseModel):
    organisation_id: int
    name: str
    nace_code: str | None
    nace_title: str | None
    municipalities: list[str] = Field(description="Names of the municipalities of its sites")
    site_count: int


class SiteRead(BaseModel):
    site_id: int
    name: str
    municipality_code: str | None
    municipality_name: str | None
    has_rail_siding: bool
    has_port: bool
    latitude_deg: float | None = Field(
        description="WGS84; null unless you are a member of the organisation or a facilitator"
    )
    longitude_deg: float | None = Field(description="As latitude_deg")
    facility_id_eprtr: str | None = Field(description="As latitude_deg")


class OrganisationRead(BaseModel):
    organisation_id: int
    name: str
    business_id: str | None
    nace_code: str | None
    nace_title: str | None
    size_class: SizeClass | None
    is_exact: bool = Field(description="Whether locations and the contact are shown to you")
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    sites: list[SiteRead]


@router.get("", summary="Every organisation of the registry")
def list_organisations(
    container: AppContainer, visitor: CurrentVisitor
) -> list[OrganisationSummaryRead]:
    view = registry_view(
        container.unit_of_work, container.reference, visitor.principal, container.today()
    )
    return [
        OrganisationSummaryRead(
            organisation_id=summary.organisation_id,
            name=summary.name,
            nace_code=summary.nace_code,
            nace_title=summary.nace_title,
            municipalities=list(summary.municipalities),
            site_count=summary.site_count,
        )
        for summary in view.organisations
    ]


@router.get("/{organisation_id}", summary="One organisation with its sites")
def get_organisation(
    organisation_id: OrganisationId, container: AppContainer, visitor: CurrentVisitor
) -> OrganisationRead:
    detail = organisation_detail(
        container.unit_of_work, container.reference, visitor.principal, organisation_id
    )
    return OrganisationRead(
        organisation_id=detail.organisation_id,
        name=detail.name,
        business_id=detail.business_id,
        nace_code=detail.nace_code,
        nace_title=detail.nace_title,
        size_class=detail.size_class,
        is_exact=detail.is_exact,
        contact_name=detail.contact_name,
        contact_email=detail.contact_email,
        contact_phone=detail.contact_phone,
        sites=[SiteRead(**vars(site)) for site in detail.sites],
    )
