"""Pages: the synergy board (proposed → contacted → negotiating → lab test → pilot → realised,
or dropped with a reason), one synergy with the history of every move, and the forms that move
it. Who may do what is decided in the services (domain.synergies); a refused move comes back
as the synergy's page with the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from sidestream.bootstrap.container import Container
from sidestream.domain.errors import Conflict, FieldError, Forbidden, InvalidInput
from sidestream.domain.synergies import PATH, Stage
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import Visitor, read_form
from sidestream.entrypoints.web import i18n
from sidestream.entrypoints.web.pages import finish, page
from sidestream.services.regulatory_paths import step_record
from sidestream.services.synergies import (
    SynergyView,
    drop_synergy,
    list_synergies,
    move_synergy,
    realise_synergy,
    reopen_synergy,
    synergy_history,
)
from sidestream.services.tabular_rows import parse_number

router = APIRouter(include_in_schema=False)
Form = Annotated[dict[str, str], Depends(read_form)]
COLUMNS = (*PATH, Stage.DROPPED)


def _signin_redirect(visitor: Visitor, path: str) -> Response | None:
    if visitor.principal.is_anonymous:
        return RedirectResponse(f"/signin?next={path}", status_code=303)
    return None


def _record(view: SynergyView) -> dict[str, Any]:
    synergy = view.synergy
    return {
        "synergy_id": synergy.synergy_id,
        "proposal_id": synergy.proposal_id,
        "stage": synergy.stage.value,
        "proposal_status": view.proposal_status.value,
        "label": view.label,
        "stream_id": view.stream_id,
        "need_id": view.need_id,
        "material_class_code": view.material_class_code,
        "producer": view.producer,
        "receiver": view.receiver,
        "opened_at": synergy.opened_at.isoformat(),
        "updated_at": synergy.updated_at.isoformat(),
        "drop_reason": synergy.drop_reason,
        "agreement": None
        if synergy.agreement is None
        else {
            "quantity_per_yr": synergy.agreement.quantity,
            "unit": synergy.agreement.unit,
            "started_on": synergy.agreement.started_on.isoformat(),
        },
        "events": [
            {
                "at": event.at.isoformat(),
                "from_stage": event.from_stage.value if event.from_stage else None,
                "to_stage": event.to_stage.value,
                "note": event.note,
            }
            for event in synergy.events
        ],
        "next_steps": [step_record(step) for step in view.next_steps],
    }


def _board(container: AppContainer, visitor: Visitor) -> list[SynergyView]:
    return list_synergies(
        container.unit_of_work,
        visitor.principal,
        regulatory=container.regulatory_knowledge,
        today=container.today(),
    )


@router.get("/synergies", response_class=HTMLResponse)
def board(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    if (redirect := _signin_redirect(visitor, "/synergies")) is not None:
        return redirect
    views = _board(container, visitor)
    columns = {stage: [view for view in views if view.synergy.stage is stage] for stage in COLUMNS}
    return page(request, visitor, "synergies.html", {"columns": columns, "count": len(views)})


@router.get("/synergies.json")
def board_json(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    views = _board(container, visitor)
    body = {"synergies": [_record(view) for view in views]}
    return finish(JSONResponse(body), request, visitor)


def _next_stages(view: SynergyView) -> list[Stage]:
    """The stages a forward move may go to: every later stage before realised."""
    stage = view.synergy.stage
    if stage in (Stage.DROPPED, Stage.REALISED):
        return []
    return list(PATH[PATH.index(stage) + 1 : PATH.index(Stage.REALISED)])


def _previous_stage(view: SynergyView) -> Stage | None:
    stage = view.synergy.stage
    if stage is Stage.DROPPED or PATH.index(stage) == 0:
        return None
    return PATH[PATH.index(stage) - 1]


def _synergy_page(
    request: Request,
    container: Container,
    visitor: Visitor,
    synergy_id: int,
    errors: list[FieldError] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    view = synergy_history(container.unit_of_work, synergy_id, visitor.principal)
    return page(
        request,
        visitor,
        "synergy.html",
        {
            "view": view,
            "next_stages": _next_stages(view),
            "previous_stage": _previous_stage(view),
            "errors": {error.field: i18n.translate_error(error) for error in errors or ()},
            "message": message,
            "today": container.today().isoformat(),
        },
        status_code=status_code,
        has_form=True,
    )


# The JSON twin first: /synergies/{id} would take '5.json' for an id.
@router.get("/synergies/{synergy_id}.json")
def synergy_json(
    request: Request, container: AppContainer, visitor: CurrentVisitor, synergy_id: int
) -> Response:
    view = synergy_history(container.unit_of_work, synergy_id, visitor.principal)
    return finish(JSONResponse(_record(view)), request, visitor)


@router.get("/synergies/{synergy_id}", response_class=HTMLResponse)
def synergy_page(
    request: Request, container: AppContainer, visitor: CurrentVisitor, synergy_id: int
) -> Response:
    if (redirect := _signin_redirect(visitor, request.url.path)) is not None:
        return redirect
    return _synergy_page(request, container, visitor, synergy_id)


def _act(
    request: Request,
    container: Container,
    visitor: Visitor,
    synergy_id: int,
    action: Callable[[], object],
) -> Response:
    """Make the move, then back to the synergy; a refusal shows the page with its reason."""
    try:
        action()
    except InvalidInput as error:
        return _synergy_page(
            request, container, visitor, synergy_id, list(error.errors), status_code=422
        )
    except (Forbidden, Conflict) as error:
        status = 403 if isinstance(error, Forbidden) else 409
        return _synergy_page(
            request,
            container,
            visitor,
            synergy_id,
            message=i18n.gettext(str(error)),
            status_code=status,
        )
    return RedirectResponse(f"/synergies/{synergy_id}", status_code=303)


def _stage(text: str) -> Stage:
    try:
        return Stage(text)
    except ValueError:
        raise InvalidInput.single("stage", f"{text!r} is not a stage") from None


@router.post("/synergies/{synergy_id}/move")
def move(
    request: Request, container: AppContainer, visitor: CurrentVisitor, synergy_id: int, form: Form
) -> Response:
    return _act(
        request,
        container,
        visitor,
        synergy_id,
        lambda: move_synergy(
            container.unit_of_work,
            synergy_id,
            _stage(form.get("stage", "")),
            visitor.principal,
            container.clock.now(),
            form.get("note") or None,
        ),
    )


@router.post("/synergies/{synergy_id}/drop")
def drop(
    request: Request, container: AppContainer, visitor: CurrentVisitor, synergy_id: int, form: Form
) -> Response:
    return _act(
        request,
        container,
        visitor,
        synergy_id,
        lambda: drop_synergy(
            container.unit_of_work,
            synergy_id,
            form.get("reason", ""),
            visitor.principal,
            container.clock.now(),
        ),
    )


@router.post("/synergies/{synergy_id}/reopen")
def reopen(
    request: Request, container: AppContainer, visitor: CurrentVisitor, synergy_id: int, form: Form
) -> Response:
    return _act(
        request,
        container,
        visitor,
        synergy_id,
        lambda: reopen_synergy(
            container.unit_of_work,
            synergy_id,
            visitor.principal,
            container.clock.now(),
            form.get("note") or None,
        ),
    )


def _agreement(form: dict[str, str]) -> tuple[float, date]:
    errors = []
    quantity = parse_number(form.get("quantity", ""))
    if quantity is None:
        errors.append(FieldError("quantity", "give the quantity agreed a year, as a number"))
    try:
        started_on = date.fromisoformat(form.get("started_on", ""))
    except ValueError:
        errors.append(FieldError("started_on", "give the start date as YYYY-MM-DD"))
    if errors:
        raise InvalidInput(errors)
    assert quantity is not None
    return quantity, started_on


@router.post("/synergies/{synergy_id}/realise")
def realise(
    request: Request, container: AppContainer, visitor: CurrentVisitor, synergy_id: int, form: Form
) -> Response:
    def confirm() -> None:
        quantity, started_on = _agreement(form)
        realise_synergy(
            container.unit_of_work,
            synergy_id,
            quantity,
            started_on,
            visitor.principal,
            container.clock.now(),
            form.get("note") or None,
        )

    return _act(request, container, visitor, synergy_id, confirm)
