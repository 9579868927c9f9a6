"""/api/v1/streams and /api/v1/needs: the registry's listings as the reader may see them, and
creating and changing one's own.

Writes take the import columns (docs/reference/tabular-format.md) as typed JSON fields and turn
them into the same text cells a spreadsheet row holds, so a request, a form and an imported file
are checked by one path (services.listing_edits) and every error names the column.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, model_validator

from sidestream.domain.streams import (
    ManagementRoute,
    MeasuredProperty,
    PhysicalForm,
    PropertyLimit,
    Recurrence,
    Visibility,
)
from sidestream.domain.units import QuantityUnit
from sidestream.domain.visibility import ListingView
from sidestream.entrypoints.api.bodies import TOO_LARGE_RESPONSES, JsonBodyRoute
from sidestream.entrypoints.api.schemas import NeedId, RequestModel, StreamId
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.listing_edits import (
    EditableListing,
    need_for_edit,
    save_need,
    save_stream,
    stream_for_edit,
)
from sidestream.services.listing_search import (
    ListingFilter,
    ListingKind,
    find_listings,
    visible_listing,
)
from sidestream.services.tabular_rows import (
    RowReader,
    format_bool,
    format_date,
    format_number,
    format_properties,
    format_property_limits,
)

router = APIRouter(tags=["listings"], route_class=JsonBodyRoute, responses=TOO_LARGE_RESPONSES)

# What the text cells use as separators may not appear inside one value.
_NO_SEPARATORS = r"^[^;|\[\]=<>]*$"
Code = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^;|]+$")]
Month = Annotated[int, Field(ge=1, le=12)]


# --- reading ---------------------------------------------------------------------------------


class Access(StrEnum):
    ANONYMOUS = "anonymous"
    PUBLIC = "public"
    FULL = "full"


class ListingRead(BaseModel):
    """A stream or need at your access level. Withheld fields are null; the two fields of full
    access (`cost_eur_per_unit`, `visibility`) are left out altogether below it."""

    kind: ListingKind
    listing_id: int
    access: Access = Field(
        description="anonymous: material, code, quantity band and municipality only; "
        "public: everything but costs; full: the owner's members and facilitators"
    )
    title: str = Field(description="The listing's name, or its material when anonymous")
    material: str
    ewc_code: str | None
    is_hazardous: bool
    quantity: str = Field(description="Exact with its unit, or a band when anonymous")
    municipality_code: str | None
    valid_until: date
    organisation_name: str | None
    site_name: str | None
    description: str | None
    price_eur_per_unit: float | None = Field(
        description="The asking price of a stream, the willingness to pay of a need"
    )
    cost_eur_per_unit: float | None = Field(
        default=None, description="The current route's cost: full access only"
    )
    visibility: Visibility | None = Field(default=None, description="Full access only")


class ListingPageRead(BaseModel):
    items: list[ListingRead]
    total_count: int = Field(description="Listings that pass the filters, on every page")
    hidden_count: int = Field(description="Listings you may not see: counted, never shown")
    offset: int
    limit: int


def _listing_read(view: ListingView) -> ListingRead:
    # Only the fields the view's access level keeps are set; the route leaves unset ones out.
    return ListingRead.model_validate(view.as_record())


Text = Annotated[
    str | None,
    Query(max_length=200, description="Words that must all start words of the visible fields"),
]
MaterialClassCode = Annotated[
    str | None,
    Query(
        max_length=100,
        description="Streams of this material class; needs that accept it",
    ),
]
MunicipalityCode = Annotated[
    str | None, Query(max_length=10, description="Of the listing's site (Statistics Finland)")
]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many items (1 to 1000)")]


def _page(
    container: AppContainer,
    visitor: CurrentVisitor,
    kind: ListingKind,
    listing_filter: ListingFilter,
    offset: int,
    limit: int,
) -> ListingPageRead:
    page = find_listings(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        container.today(),
        kind,
        listing_filter,
        offset,
        limit,
    )
    return ListingPageRead(
        items=[_listing_read(view) for view in page.listings],
        total_count=page.total_count,
        hidden_count=page.hidden_count,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/streams",
    summary="The side streams you may see",
    response_model=ListingPageRead,
    response_model_exclude_unset=True,
)
def list_streams(
    container: AppContainer,
    visitor: CurrentVisitor,
    material_class_code: MaterialClassCode = None,
    municipality_code: MunicipalityCode = None,
    q: Text = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> ListingPageRead:
    listing_filter = ListingFilter(material_class_code, municipality_code, q)
    return _page(container, visitor, ListingKind.STREAM, listing_filter, offset, limit)


@router.get(
    "/needs",
    summary="The needs you may see",
    response_model=ListingPageRead,
    response_model_exclude_unset=True,
)
def list_needs(
    container: AppContainer,
    visitor: CurrentVisitor,
    material_class_code: MaterialClassCode = None,
    municipality_code: MunicipalityCode = None,
    q: Text = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> ListingPageRead:
    listing_filter = ListingFilter(material_class_code, municipality_code, q)
    return _page(container, visitor, ListingKind.NEED, listing_filter, offset, limit)


@router.get(
    "/streams/{stream_id}",
    summary="One side stream at your access level",
    response_model=ListingRead,
    response_model_exclude_unset=True,
)
def get_stream(
    stream_id: StreamId, container: AppContainer, visitor: CurrentVisitor
) -> ListingRead:
    view = visible_listing(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        container.today(),
        ListingKind.STREAM,
        stream_id,
    )
    return _listing_read(view)


@router.get(
    "/needs/{need_id}",
    summary="One need at your access level",
    response_model=ListingRead,
    response_model_exclude_unset=True,
)
def get_need(need_id: NeedId, container: AppContainer, visitor: CurrentVisitor) -> ListingRead:
    view = visible_listing(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        container.today(),
        ListingKind.NEED,
        need_id,
    )
    return _listing_read(view)


# --- writing ---------------------------------------------------------------------------------


class MeasuredPropertyItem(RequestModel):
    """One measured value of a stream (a `properties` entry)."""

    property_code: str = Field(pattern=r"^[a-z0-9_]+$", max_length=100)
    value: float
    unit: str = Field(max_length=20, pattern=_NO_SEPARATORS)
    method: str = Field(min_length=1, max_length=200, pattern=_NO_SEPARATORS)
    measured_on: date
    laboratory: str = Field(default="", max_length=200, pattern=_NO_SEPARATORS)


class PropertyLimitItem(RequestModel):
    """What a need accepts of one property (a `property_limits` entry)."""

    property_code: str = Field(pattern=r"^[a-z0-9_]+$", max_length=100)
    unit: str = Field(max_length=20, pattern=_NO_SEPARATORS)
    min_value: float | None = None
    max_value: float | None = None

    @model_validator(mode="after")
    def _has_a_bound(self) -> PropertyLimitItem:
        if self.min_value is None and self.max_value is None:
            raise ValueError("give min_value, max_value or both")
        return self


class _ListingFields(RequestModel):
    """The columns streams and needs share."""

    # Lengths and emptiness are the domain's rules (as for an imported row), not repeated here.
    organisation_name: str
    site_name: str
    name: str
    description: str | None = None
    description_lang: str | None = Field(default=None, description="fi, sv or en")
    quantity_amount: float
    quantity_low: float | None = None
    quantity_high: float | None = None
    quantity_unit: QuantityUnit
    recurrence: Recurrence
    recurrence_months: list[Month] = Field(default_factory=list, max_length=12)
    visibility: Visibility
    valid_until: date


class StreamCreate(_ListingFields):
    """A side stream in its import columns, typed."""

    ewc_code: str | None = Field(default=None, max_length=20, description="`10 02 02`")
    hazard_assessment_basis: str | None = None
    hazard_assessed_on: date | None = None
    material_class_code: str
    physical_form: PhysicalForm
    temperature_c: float | None = None
    max_distance_km: float | None = Field(
        default=None, description="The furthest the producer would deliver; null: no limit"
    )
    properties: list[MeasuredPropertyItem] = Field(default_factory=list, max_length=100)
    management_route: ManagementRoute
    management_cost_eur_per_unit: float | None = None
    asking_price_eur_per_unit: float | None = None


class StreamUpdate(StreamCreate):
    """Every field of the stream: what is left out is cleared, as an empty cell is."""


class NeedCreate(_ListingFields):
    """A need in its import columns, typed."""

    accepted_material_class_codes: list[Code] = Field(default_factory=list, max_length=100)
    accepted_ewc_codes: list[Code] = Field(default_factory=list, max_length=100)
    replaces_virgin_material_code: str | None = Field(default=None, max_length=100)
    accepts_hazardous: bool = False
    min_temperature_c: float | None = None
    property_limits: list[PropertyLimitItem] = Field(default_factory=list, max_length=100)
    max_distance_km: float = Field(description="The furthest the receiver would transport")
    willingness_to_pay_eur_per_unit: float | None = None


class NeedUpdate(NeedCreate):
    """Every field of the need: what is left out is cleared, as an empty cell is."""


class StreamFieldsRead(StreamCreate):
    """Your own stream's every field, as you would send them back changed."""

    stream_id: int


class NeedFieldsRead(NeedCreate):
    """Your own need's every field, as you would send them back changed."""

    need_id: int


_LIST_COLUMNS = frozenset(
    {"recurrence_months", "accepted_material_class_codes", "accepted_ewc_codes"}
)


def _cell(value: object) -> str:
    """One typed value as the text of its import column."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return format_bool(value)
    if isinstance(value, int | float):
        return format_number(float(value))
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def _cells(body: StreamCreate | NeedCreate) -> dict[str, str]:
    """The request as a row of text cells, formatted as an export writes them."""
    cells: dict[str, str] = {}
    for name in type(body).model_fields:
        value = getattr(body, name)
        if name == "properties":
            cells[name] = format_properties(
                tuple(MeasuredProperty(**item.model_dump()) for item in value)
            )
        elif name == "property_limits":
            cells[name] = format_property_limits(
                tuple(PropertyLimit(**item.model_dump()) for item in value)
            )
        elif name in _LIST_COLUMNS:
            cells[name] = ";".join(_cell(item) for item in value)
        else:
            cells[name] = _cell(value)
    return cells


def _typed(editable: EditableListing) -> dict[str, Any]:
    """A stored listing's text cells as the typed fields of a request."""
    reader = RowReader(editable.fields, None)
    typed: dict[str, Any] = {}
    for name, text in editable.fields.items():
        if name == "properties":
            typed[name] = [vars(item) for item in reader.properties(name)]
        elif name == "property_limits":
            typed[name] = [vars(item) for item in reader.property_limits(name)]
        elif name in _LIST_COLUMNS:
            typed[name] = list(reader.codes(name))
        else:
            typed[name] = text or None
    return typed


def _stream_fields(editable: EditableListing) -> StreamFieldsRead:
    return StreamFieldsRead.model_validate(
        {**_typed(editable), "stream_id": editable.listing_id}, strict=False
    )


def _need_fields(editable: EditableListing) -> NeedFieldsRead:
    return NeedFieldsRead.model_validate(
        {**_typed(editable), "need_id": editable.listing_id}, strict=False
    )


@router.get("/streams/{stream_id}/fields", summary="Every field of your own stream")
def get_stream_fields(
    stream_id: StreamId, container: AppContainer, visitor: CurrentVisitor
) -> StreamFieldsRead:
    """For the stream's members and facilitators; anyone else gets 404."""
    editable = stream_for_edit(
        container.unit_of_work, container.reference, visitor.principal, stream_id
    )
    return _stream_fields(editable)


@router.get("/needs/{need_id}/fields", summary="Every field of your own need")
def get_need_fields(
    need_id: NeedId, container: AppContainer, visitor: CurrentVisitor
) -> NeedFieldsRead:
    """For the need's members and facilitators; anyone else gets 404."""
    editable = need_for_edit(
        container.unit_of_work, container.reference, visitor.principal, need_id
    )
    return _need_fields(editable)


@router.post("/streams", status_code=201, summary="Create a side stream")
def create_stream(
    body: StreamCreate,
    request: Request,
    response: Response,
    container: AppContainer,
    visitor: CurrentVisitor,
) -> StreamFieldsRead:
    """For members of the organisation named and facilitators. Every invalid field is named
    in the 422 problem, and nothing is stored unless all are valid."""
    stream = save_stream(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        _cells(body),
        container.today(),
        container.clock.now(),
    )
    assert stream.stream_id is not None
    response.headers["Location"] = request.url_for("get_stream", stream_id=stream.stream_id).path
    return _stream_fields(
        stream_for_edit(
            container.unit_of_work, container.reference, visitor.principal, stream.stream_id
        )
    )


@router.put("/streams/{stream_id}", summary="Change a side stream")
def update_stream(
    stream_id: StreamId, body: StreamUpdate, container: AppContainer, visitor: CurrentVisitor
) -> StreamFieldsRead:
    """Replaces every field. For the stream's members and facilitators."""
    save_stream(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        _cells(body),
        container.today(),
        container.clock.now(),
        stream_id,
    )
    return _stream_fields(
        stream_for_edit(container.unit_of_work, container.reference, visitor.principal, stream_id)
    )


@router.post("/needs", status_code=201, summary="Create a need")
def create_need(
    body: NeedCreate,
    request: Request,
    response: Response,
    container: AppContainer,
    visitor: CurrentVisitor,
) -> NeedFieldsRead:
    """For members of the organisation named and facilitators. Every invalid field is named
    in the 422 problem, and nothing is stored unless all are valid."""
    need = save_need(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        _cells(body),
        container.clock.now(),
    )
    assert need.need_id is not None
    response.headers["Location"] = request.url_for("get_need", need_id=need.need_id).path
    return _need_fields(
        need_for_edit(container.unit_of_work, container.reference, visitor.principal, need.need_id)
    )


@router.put("/needs/{need_id}", summary="Change a need")
def update_need(
    need_id: NeedId, body: NeedUpdate, container: AppContainer, visitor: CurrentVisitor
) -> NeedFieldsRead:
    """Replaces every field. For the need's members and facilitators."""
    save_need(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        _cells(body),
        container.clock.now(),
        need_id,
    )
    return _need_fields(
        need_for_edit(container.unit_of_work, container.reference, visitor.principal, need_id)
    )
