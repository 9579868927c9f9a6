"""Pages: the audit log for facilitators and administrators: who created, changed, revealed
or exported what, and the sign-ins, newest first, filtered by action and kind of record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import AuditAction, AuditEvent, AuditFilter
from sidestream.domain.errors import InvalidInput
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import Visitor
from sidestream.entrypoints.web.pages import finish, page
from sidestream.services.accounts import list_users, read_audit_log

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 200


def _filter(action: str | None, entity_kind: str | None) -> AuditFilter:
    chosen = None
    if action:
        try:
            chosen = AuditAction(action)
        except ValueError:
            choices = ", ".join(item.value for item in AuditAction)
            raise InvalidInput.single(
                "action", "{text} is not one of {allowed}", text=repr(action), allowed=choices
            ) from None
    return AuditFilter(action=chosen, entity_kind=entity_kind or None, limit=PAGE_SIZE)


def _read(
    container: Container, visitor: Visitor, action: str | None, entity_kind: str | None
) -> tuple[list[AuditEvent], dict[int, str]]:
    """The events (Forbidden unless the reader oversees the registry) and the actors' e-mail
    addresses."""
    events = read_audit_log(container.unit_of_work, visitor.principal, _filter(action, entity_kind))
    emails = {
        summary.user.user_id: summary.user.email
        for summary in list_users(container.unit_of_work, visitor.principal)
        if summary.user.user_id is not None
    }
    return events, emails


def _record(event: AuditEvent, emails: dict[int, str]) -> dict[str, object]:
    return {
        "at": event.at.isoformat(),
        "actor": emails.get(event.actor_user_id) if event.actor_user_id is not None else None,
        "actor_user_id": event.actor_user_id,
        "action": event.action.value,
        "entity_kind": event.entity_kind,
        "entity_id": event.entity_id,
        "detail": event.detail,
    }


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    action: str | None = None,
    entity_kind: str | None = None,
) -> Response:
    if visitor.principal.is_anonymous:
        return RedirectResponse("/signin?next=/audit", status_code=303)
    events, emails = _read(container, visitor, action, entity_kind)
    return page(
        request,
        visitor,
        "audit.html",
        {
            "events": [_record(event, emails) for event in events],
            "actions": [item.value for item in AuditAction],
            "action": action or "",
            "entity_kind": entity_kind or "",
            "page_size": PAGE_SIZE,
        },
    )


@router.get("/audit.json")
def audit_json(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    action: str | None = None,
    entity_kind: str | None = None,
) -> Response:
    events, emails = _read(container, visitor, action, entity_kind)
    body = {"events": [_record(event, emails) for event in events]}
    return finish(JSONResponse(body), request, visitor)
