"""/api/v1/synergies: the synergy board. Opening a synergy from a proposal, moving it along its
stages, dropping, reopening and realising it, and reading the board and a synergy's history.
Who may do what is decided in the services (services.synergies, domain.synergies)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, Field

from sidestream.domain.proposals import ProposalStatus
from sidestream.domain.synergies import MAX_NOTE_LENGTH, Stage, Synergy
from sidestream.entrypoints.api.bodies import TOO_LARGE_RESPONSES, JsonBodyRoute
from sidestream.entrypoints.api.schemas import (
    MAX_RECORD_ID,
    RegulatoryStepRead,
    RequestModel,
    SynergyId,
)
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.services.regulatory_paths import step_record
from sidestream.services.synergies import (
    SynergyView,
    drop_synergy,
    list_synergies,
    move_synergy,
    open_synergy,
    realise_synergy,
    reopen_synergy,
    synergy_history,
)

router = APIRouter(
    prefix="/synergies",
    tags=["synergies"],
    route_class=JsonBodyRoute,
    responses=TOO_LARGE_RESPONSES,
)

Note = Annotated[str | None, Field(max_length=MAX_NOTE_LENGTH, description="Why, in words")]


class AgreementRead(BaseModel):
    quantity: float = Field(description="Agreed a year, in `unit`")
    unit: str = Field(description="t, MWh or m3: the basis of the stream's quantity")
    started_on: date


class SynergyEventRead(BaseModel):
    at: datetime
    from_stage: Stage | None = Field(description="null: the synergy was opened")
    to_stage: Stage
    actor_user_id: int | None = Field(description="null: the operator at the command line")
    note: str | None


class SynergyRead(BaseModel):
    """A synergy as you may see it: the other party's names are null until both parties have
    accepted the proposal."""

    synergy_id: int
    proposal_id: int
    proposal_status: ProposalStatus
    stage: Stage
    stream_id: int
    need_id: int
    material_class_code: str
    unit: str = Field(description="t, MWh or m3: the basis of the stream's quantity")
    stream_name: str | None
    need_name: str | None
    producer: str | None = Field(description="The stream's organisation")
    receiver: str | None = Field(description="The need's organisation")
    label: str
    opened_at: datetime
    updated_at: datetime
    dropped_from: Stage | None
    drop_reason: str | None
    agreement: AgreementRead | None = Field(description="What was agreed, while realised")
    next_steps: list[RegulatoryStepRead] = Field(
        default_factory=list,
        description="What the use still lacks (a lab test, a permit), for readers who may see "
        "the stream's records",
    )


class SynergyHistoryRead(SynergyRead):
    events: list[SynergyEventRead] = Field(description="Every move, oldest first")


class SynergyCreate(RequestModel):
    proposal_id: int = Field(ge=1, le=MAX_RECORD_ID)
    note: Note = None


class SynergyMoveCreate(RequestModel):
    to_stage: Stage = Field(
        description="Forward one or more stages, or back one stage with a note saying why; "
        "dropping and realising have their own requests"
    )
    note: Note = None


class SynergyDropCreate(RequestModel):
    reason: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)


class SynergyReopenCreate(RequestModel):
    note: Note = None


class SynergyRealiseCreate(RequestModel):
    quantity: float = Field(
        description="Agreed a year, in the basis of the stream's quantity (t, MWh or m3); "
        "more than the smaller listing's only with a note saying why"
    )
    started_on: date
    note: Note = None


def _read(view: SynergyView) -> SynergyRead:
    synergy = view.synergy
    assert synergy.synergy_id is not None
    agreement = synergy.agreement
    return SynergyRead(
        synergy_id=synergy.synergy_id,
        proposal_id=synergy.proposal_id,
        proposal_status=view.proposal_status,
        stage=synergy.stage,
        stream_id=view.stream_id,
        need_id=view.need_id,
        material_class_code=view.material_class_code,
        unit=view.unit,
        stream_name=view.stream_name,
        need_name=view.need_name,
        producer=view.producer,
        receiver=view.receiver,
        label=view.label,
        opened_at=synergy.opened_at,
        updated_at=synergy.updated_at,
        dropped_from=synergy.dropped_from,
        drop_reason=synergy.drop_reason,
        agreement=AgreementRead(
            quantity=agreement.quantity, unit=agreement.unit, started_on=agreement.started_on
        )
        if agreement
        else None,
        next_steps=[RegulatoryStepRead.model_validate(step_record(s)) for s in view.next_steps],
    )


def _history(view: SynergyView) -> SynergyHistoryRead:
    return SynergyHistoryRead(
        **_read(view).model_dump(),
        events=[
            SynergyEventRead(
                at=event.at,
                from_stage=event.from_stage,
                to_stage=event.to_stage,
                actor_user_id=event.actor_user_id,
                note=event.note,
            )
            for event in view.synergy.events
        ],
    )


def _after(container: AppContainer, visitor: CurrentVisitor, synergy: Synergy) -> SynergyRead:
    """The synergy after a change, as the one who changed it sees it."""
    assert synergy.synergy_id is not None
    return _read(synergy_history(container.unit_of_work, synergy.synergy_id, visitor.principal))


@router.get("", summary="The synergy board")
def list_board(
    container: AppContainer,
    visitor: CurrentVisitor,
    stage: Annotated[Stage | None, Query(description="Only synergies at this stage")] = None,
) -> list[SynergyRead]:
    """Facilitators and administrators see every synergy; members those of their
    organisations; the public none (403)."""
    views = list_synergies(
        container.unit_of_work,
        visitor.principal,
        stage,
        regulatory=container.regulatory_knowledge,
        today=container.today(),
    )
    return [_read(view) for view in views]


@router.get("/{synergy_id}", summary="One synergy")
def get_synergy(
    synergy_id: SynergyId, container: AppContainer, visitor: CurrentVisitor
) -> SynergyRead:
    return _read(synergy_history(container.unit_of_work, synergy_id, visitor.principal))


@router.get("/{synergy_id}/history", summary="One synergy with every move it has made")
def get_synergy_history(
    synergy_id: SynergyId, container: AppContainer, visitor: CurrentVisitor
) -> SynergyHistoryRead:
    return _history(synergy_history(container.unit_of_work, synergy_id, visitor.principal))


@router.post("", status_code=201, summary="Open the synergy of a proposal")
def create_synergy(
    body: SynergyCreate,
    request: Request,
    response: Response,
    container: AppContainer,
    visitor: CurrentVisitor,
) -> SynergyRead:
    """A member of either party once both parties accepted the proposal; a facilitator at
    once. 409 when the proposal has a synergy already."""
    synergy = open_synergy(
        container.unit_of_work,
        body.proposal_id,
        visitor.principal,
        container.clock.now(),
        body.note,
    )
    assert synergy.synergy_id is not None
    response.headers["Location"] = request.url_for(
        "get_synergy", synergy_id=synergy.synergy_id
    ).path
    return _after(container, visitor, synergy)


@router.post("/{synergy_id}/moves", summary="Move a synergy to another stage")
def create_move(
    synergy_id: SynergyId,
    body: SynergyMoveCreate,
    container: AppContainer,
    visitor: CurrentVisitor,
) -> SynergyRead:
    synergy = move_synergy(
        container.unit_of_work,
        synergy_id,
        body.to_stage,
        visitor.principal,
        container.clock.now(),
        body.note,
    )
    return _after(container, visitor, synergy)


@router.post("/{synergy_id}/drop", summary="Drop a synergy, saying why")
def create_drop(
    synergy_id: SynergyId,
    body: SynergyDropCreate,
    container: AppContainer,
    visitor: CurrentVisitor,
) -> SynergyRead:
    synergy = drop_synergy(
        container.unit_of_work, synergy_id, body.reason, visitor.principal, container.clock.now()
    )
    return _after(container, visitor, synergy)


@router.post("/{synergy_id}/reopen", summary="Take a dropped synergy up again")
def create_reopen(
    synergy_id: SynergyId,
    container: AppContainer,
    visitor: CurrentVisitor,
    body: Annotated[SynergyReopenCreate | None, Body()] = None,
) -> SynergyRead:
    """At the stage it was dropped from. The body (a note) may be left out."""
    note = body.note if body else None
    synergy = reopen_synergy(
        container.unit_of_work, synergy_id, visitor.principal, container.clock.now(), note
    )
    return _after(container, visitor, synergy)


@router.post("/{synergy_id}/realise", summary="Confirm a synergy realised")
def create_realisation(
    synergy_id: SynergyId,
    body: SynergyRealiseCreate,
    container: AppContainer,
    visitor: CurrentVisitor,
) -> SynergyRead:
    """Facilitators and administrators, with the quantity agreed a year and the start date."""
    synergy = realise_synergy(
        container.unit_of_work,
        synergy_id,
        body.quantity,
        body.started_on,
        visitor.principal,
        container.clock.now(),
        body.note,
    )
    return _after(container, visitor, synergy)
