"""Pages: the proposal inbox and one proposal, with the parties' decisions.

Each page and its JSON twin (`/proposals.json`, `/proposals/{id}.json`) come from the same
service call (services.proposal_views), which has already cut every listing and the
explanation to what the reader may see. The forms post back here: without JavaScript a
decision redirects to the proposal; with HTMX the proposal's article is swapped in place. A
decline without a reason shows the message next to the field, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from sidestream.domain.errors import InvalidInput
from sidestream.domain.proposals import Decision, ProposalStatus, Side
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import Visitor
from sidestream.entrypoints.web import i18n
from sidestream.entrypoints.web.pages import Form, finish, page
from sidestream.services.proposal_views import (
    ProposalView,
    ask_for_contact,
    decide_as_party,
    proposal_inbox,
    proposal_view,
)

router = APIRouter(include_in_schema=False)
STATUS_CHOICES = tuple(status.value for status in ProposalStatus)


def _status(request: Request) -> ProposalStatus | None:
    asked = request.query_params.get("status", "")
    if not asked:
        return None
    if asked not in STATUS_CHOICES:
        raise InvalidInput.single("status", f"{asked!r} is not one of {', '.join(STATUS_CHOICES)}")
    return ProposalStatus(asked)


def _inbox(
    container: AppContainer, visitor: Visitor, status: ProposalStatus | None
) -> list[ProposalView]:
    return proposal_inbox(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        visitor.principal,
        container.today(),
        status,
    )


def _view(container: AppContainer, visitor: Visitor, proposal_id: int) -> ProposalView:
    return proposal_view(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        visitor.principal,
        container.today(),
        proposal_id,
        regulatory=container.regulatory_knowledge,
    )


def _to_sign_in(request: Request) -> Response:
    """To the sign-in form, and back to this page after it."""
    return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)


@router.get("/proposals.json")
def inbox_json(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    views = _inbox(container, visitor, _status(request))
    body = {"proposals": [view.as_record() for view in views]}
    return finish(JSONResponse(body), request, visitor)


@router.get("/proposals", response_class=HTMLResponse)
def inbox(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    if visitor.principal.is_anonymous:
        return _to_sign_in(request)
    status = _status(request)
    views = _inbox(container, visitor, status)
    return page(
        request,
        visitor,
        "proposals.html",
        {
            "views": views,
            "status": status.value if status else "",
            "statuses": STATUS_CHOICES,
            "oversees": visitor.principal.oversees_registry,
        },
    )


@router.get("/proposals/{proposal_id}.json")
def proposal_json(
    request: Request, proposal_id: int, container: AppContainer, visitor: CurrentVisitor
) -> Response:
    view = _view(container, visitor, proposal_id)
    return finish(JSONResponse(view.as_record()), request, visitor)


def _proposal_page(
    request: Request,
    container: AppContainer,
    visitor: Visitor,
    view: ProposalView,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The proposal page, or only its article for an HTMX request (swapped in place; HTMX
    swaps only 2xx answers, so a refused form comes back as 200 with its message)."""
    is_htmx = request.headers.get("hx-request") == "true"
    context: dict[str, Any] = {
        "view": view,
        "errors": errors or {},
        "values": values or {},
        "municipalities": container.reference.municipalities,
        "sides": [side.value for side in view.sides],
    }
    return page(
        request,
        visitor,
        "proposal_detail.html" if is_htmx else "proposal.html",
        context,
        status_code=200 if is_htmx else status_code,
        has_form=True,
    )


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal(
    request: Request, proposal_id: int, container: AppContainer, visitor: CurrentVisitor
) -> Response:
    if visitor.principal.is_anonymous:
        return _to_sign_in(request)
    return _proposal_page(request, container, visitor, _view(container, visitor, proposal_id))


def _side(form: dict[str, str]) -> Side | None:
    chosen = form.get("side", "")
    if not chosen:
        return None
    if chosen not in {side.value for side in Side}:
        raise InvalidInput.single("side", f"{chosen!r} is not stream or need")
    return Side(chosen)


def _after_change(
    request: Request, container: AppContainer, visitor: Visitor, proposal_id: int
) -> Response:
    if request.headers.get("hx-request") == "true":
        return _proposal_page(request, container, visitor, _view(container, visitor, proposal_id))
    response = RedirectResponse(f"/proposals/{proposal_id}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return finish(response, request, visitor)


def _decide(
    request: Request,
    container: AppContainer,
    visitor: Visitor,
    form: dict[str, str],
    proposal_id: int,
    decision: Decision,
) -> Response:
    reason = form.get("reason") if decision is Decision.DECLINED else None
    try:
        decide_as_party(
            container.unit_of_work,
            visitor.principal,
            proposal_id,
            decision,
            reason,
            container.clock.now(),
            _side(form),
        )
    except InvalidInput as error:
        view = _view(container, visitor, proposal_id)
        errors = {e.field: i18n.translate_error(e) for e in error.errors}
        return _proposal_page(request, container, visitor, view, errors, form, status_code=422)
    return _after_change(request, container, visitor, proposal_id)


@router.post("/proposals/{proposal_id}/accept", response_class=HTMLResponse)
def accept(
    request: Request,
    proposal_id: int,
    container: AppContainer,
    visitor: CurrentVisitor,
    form: Form,
) -> Response:
    return _decide(request, container, visitor, form, proposal_id, Decision.ACCEPTED)


@router.post("/proposals/{proposal_id}/decline", response_class=HTMLResponse)
def decline(
    request: Request,
    proposal_id: int,
    container: AppContainer,
    visitor: CurrentVisitor,
    form: Form,
) -> Response:
    return _decide(request, container, visitor, form, proposal_id, Decision.DECLINED)


@router.post("/proposals/{proposal_id}/contact", response_class=HTMLResponse)
def contact(
    request: Request,
    proposal_id: int,
    container: AppContainer,
    visitor: CurrentVisitor,
    form: Form,
) -> Response:
    try:
        ask_for_contact(
            container.unit_of_work,
            visitor.principal,
            proposal_id,
            container.clock.now(),
            _side(form),
            form.get("note") or None,
        )
    except InvalidInput as error:
        view = _view(container, visitor, proposal_id)
        errors = {e.field: i18n.translate_error(e) for e in error.errors}
        return _proposal_page(request, container, visitor, view, errors, form, status_code=422)
    return _after_change(request, container, visitor, proposal_id)
