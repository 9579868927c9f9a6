"""/api/v1: a stream's lab results and their screening against the limit values of a use
(decision support, not a legal opinion), and the rule sets with their legal sources."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sidestream.domain.errors import InvalidInput
from sidestream.domain.regulation import Basis, RegulatoryStatus, StatusRecord
from sidestream.entrypoints.api.schemas import RequestModel, StreamId
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.documents import readable_documents, with_documents
from sidestream.services.matching import match_listing
from sidestream.services.screening import (
    add_lab_results,
    record_status,
    screen_stream,
    screening_record,
    status_record,
)

router = APIRouter(tags=["regulation"])
MAX_RESULTS_PER_REQUEST = 1000


class LabResultCreate(RequestModel):
    parameter_code: str = Field(
        max_length=40,
        description="A parameter of /api/v1/regulation/rule-sets, or a property of "
        "/api/v1/reference/properties (e.g. particle_size_max, moisture, "
        "compressive_strength): a measurement of the stream's property",
    )
    basis: Basis | None = Field(
        default=None,
        description="total content, or leaching at L/S 2 or 10 l/kg; null for a property",
    )
    value: float = Field(ge=0, description="Per dry mass for contents, in `unit`")
    unit: str = Field(
        max_length=10, description="mg/kg, g/kg, g/t, ppm or %; a property's unit for a property"
    )
    standard: str = Field(max_length=200, description="The test or analysis standard")
    laboratory: str = Field(default="", max_length=200)
    tested_on: date
    below_detection: bool = Field(
        default=False, description="`value` is the detection limit: the true value is lower"
    )


class LabResultsCreate(RequestModel):
    results: list[LabResultCreate] = Field(min_length=1, max_length=MAX_RESULTS_PER_REQUEST)


class LabResultsAdded(BaseModel):
    added: int


@router.post(
    "/streams/{stream_id}/lab-results",
    status_code=201,
    response_model=LabResultsAdded,
    summary="Add a laboratory's results of a stream (all or none)",
)
def add_stream_lab_results(
    stream_id: StreamId,
    body: LabResultsCreate,
    container: AppContainer,
    visitor: CurrentVisitor,
) -> LabResultsAdded:
    rows = [
        {
            "parameter_code": result.parameter_code,
            "basis": result.basis.value if result.basis else "",
            "value": repr(result.value),
            "unit": result.unit,
            "standard": result.standard,
            "laboratory": result.laboratory,
            "tested_on": result.tested_on.isoformat(),
            "below_detection": "yes" if result.below_detection else "no",
        }
        for result in body.results
    ]
    added = add_lab_results(
        container.unit_of_work,
        container.regulation,
        visitor.principal,
        stream_id,
        rows,
        container.today(),
        container.clock.now(),
        from_file=False,
        reference=container.reference,
    )
    # The stream's proposals weigh its lab results: match it again. A stream the matcher
    # cannot evaluate is no error of the results, which are stored.
    with suppress(InvalidInput):
        match_listing(
            container.unit_of_work,
            container.reference,
            container.knowledge_base,
            container.today(),
            stream_id=stream_id,
            regulatory=container.regulatory_knowledge,
        )
    return LabResultsAdded(added=added)


@router.get(
    "/streams/{stream_id}/screening",
    summary="Screen a stream's lab results against the limit values of a use",
)
def get_stream_screening(
    stream_id: StreamId,
    container: AppContainer,
    visitor: CurrentVisitor,
    use: str | None = Query(
        default=None,
        max_length=80,
        description="A valorisation route (its rule sets and regulatory path) or one rule set; "
        "every rule set if none",
    ),
) -> dict[str, Any]:
    """With full access to the stream, its documents too: every one in `stream_documents`, and
    in each status the files that support it (`attached_documents`)."""
    screened = screen_stream(
        container.unit_of_work,
        container.regulation,
        visitor.principal,
        stream_id,
        use,
        regulatory=container.regulatory_knowledge,
        today=container.today(),
    )
    documents = readable_documents(container.unit_of_work, visitor.principal, stream_id)
    return with_documents(screening_record(screened), documents)


@router.get("/regulation/rule-sets", summary="The rule sets, each limit with its source")
def list_rule_sets(container: AppContainer) -> list[dict[str, Any]]:
    return [
        {
            "rule_set_id": rule_set.rule_set_id,
            "name": rule_set.name,
            "use": rule_set.use,
            "legal_source": rule_set.legal_source,
            "source_locator": rule_set.source_locator,
            "in_force_from": rule_set.in_force_from.isoformat(),
            "limits": [
                {
                    "parameter_code": limit.parameter_code,
                    "parameter": container.regulation.parameters[limit.parameter_code].name,
                    "basis": limit.basis.value,
                    "limit_value": limit.limit_value,
                    "unit": limit.unit,
                    "is_verified": limit.is_verified,
                }
                for limit in rule_set.limits
            ],
        }
        for rule_set in container.regulation.rule_sets.values()
    ]


class StatusRecordCreate(RequestModel):
    use: str = Field(max_length=2000, description="The intended use, in words")
    status: RegulatoryStatus
    legal_basis: str = Field(max_length=2000, description="e.g. Waste Act 646/2011, section 5")
    decided_on: date
    route_id: str | None = Field(default=None, max_length=80)
    decision_reference: str | None = Field(default=None, max_length=2000)
    authority: str | None = Field(default=None, max_length=2000)
    valid_until: date | None = None
    scope_of_use: str | None = Field(default=None, max_length=2000)
    documents: list[str] = Field(default_factory=list, max_length=50)
    fulfils: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list,
        max_length=20,
        description="Requirements of the use this record shows met beyond its status, e.g. "
        "mara_notification, environmental_permit, reach_registration",
    )


@router.post(
    "/streams/{stream_id}/statuses",
    status_code=201,
    summary="Record a stream's regulatory status for one intended use",
)
def add_stream_status(
    stream_id: StreamId,
    body: StatusRecordCreate,
    container: AppContainer,
    visitor: CurrentVisitor,
) -> dict[str, Any]:
    fields = body.model_dump(exclude={"documents", "fulfils"})
    record = StatusRecord(
        stream_id=stream_id,
        documents=tuple(body.documents),
        fulfils=tuple(body.fulfils),
        **fields,
    )
    regulatory = container.regulatory_knowledge
    saved = record_status(
        container.unit_of_work,
        frozenset(regulatory.routes),
        visitor.principal,
        record,
        container.today(),
        container.clock.now(),
        requirement_codes=frozenset(regulatory.kinds),
    )
    return status_record(saved)
