"""Pages: an organisation's profile, kept by its members (activity with the NACE picker,
size class, contact person, the partners who see its partner-tier listings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from sidestream.bootstrap.container import Container
from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.organisations import SizeClass
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import Visitor, read_form_lists
from sidestream.entrypoints.web import i18n
from sidestream.entrypoints.web.pages import finish, page
from sidestream.services.organisations import (
    PROFILE_FIELDS,
    organisation_profile,
    save_organisation_profile,
)

router = APIRouter(include_in_schema=False)
FormLists = Annotated[dict[str, list[str]], Depends(read_form_lists)]


def _profile_page(
    request: Request,
    container: Container,
    visitor: Visitor,
    organisation_id: int,
    values: dict[str, str] | None = None,
    partner_ids: frozenset[int] | None = None,
    errors: tuple[FieldError, ...] = (),
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    profile = organisation_profile(container.unit_of_work, visitor.principal, organisation_id)
    return page(
        request,
        visitor,
        "organisation.html",
        {
            "profile": profile,
            "values": values if values is not None else profile.fields,
            "partner_ids": partner_ids if partner_ids is not None else profile.partner_ids,
            "errors": {error.field: i18n.translate_error(error) for error in errors},
            "size_classes": [size.value for size in SizeClass],
            "saved": saved,
        },
        status_code=status_code,
        has_form=True,
    )


@router.get("/organisations/{organisation_id}/edit", response_class=HTMLResponse)
def edit_organisation(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    organisation_id: int,
    saved: bool = False,
) -> Response:
    if visitor.principal.is_anonymous:
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
    return _profile_page(request, container, visitor, organisation_id, saved=saved)


@router.get("/organisations/{organisation_id}/edit.json")
def edit_organisation_json(
    request: Request, container: AppContainer, visitor: CurrentVisitor, organisation_id: int
) -> Response:
    profile = organisation_profile(container.unit_of_work, visitor.principal, organisation_id)
    body = {
        "organisation_id": profile.organisation_id,
        "name": profile.name,
        "fields": profile.fields,
        "partner_ids": sorted(profile.partner_ids),
    }
    return finish(JSONResponse(body), request, visitor)


def _partner_ids(form: dict[str, list[str]]) -> frozenset[int]:
    try:
        return frozenset(int(value) for value in form.get("partner_ids", []) if value)
    except ValueError:
        raise InvalidInput.single("partner_ids", "choose partners from the list") from None


@router.post("/organisations/{organisation_id}/edit", response_class=HTMLResponse)
def change_organisation(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    organisation_id: int,
    form: FormLists,
) -> Response:
    values = {name: (form.get(name) or [""])[0] for name in PROFILE_FIELDS}
    try:
        partners = _partner_ids(form)
        save_organisation_profile(
            container.unit_of_work,
            container.reference,
            visitor.principal,
            organisation_id,
            values,
            partners,
            container.clock.now(),
        )
    except InvalidInput as error:
        return _profile_page(
            request,
            container,
            visitor,
            organisation_id,
            values,
            frozenset(),
            error.errors,
            status_code=422,
        )
    response = RedirectResponse(f"/organisations/{organisation_id}/edit?saved=1", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response
