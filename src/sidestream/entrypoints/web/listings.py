"""Pages: the forms that create and change a side stream or a need, checking fields as they
are typed, and the pickers that search the List of Waste and NACE as one types.

The fields are the import columns (docs/reference/tabular-format.md): the same names, the same
reading and the same rules as a spreadsheet import and the API (services/listing_edits.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from sidestream.bootstrap.container import Container
from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.streams import ManagementRoute, PhysicalForm, Recurrence, Visibility
from sidestream.domain.units import QuantityUnit
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import Visitor, read_form_lists
from sidestream.entrypoints.web import i18n
from sidestream.entrypoints.web.i18n import gettext_noop
from sidestream.entrypoints.web.pages import finish, page, templates
from sidestream.services.listing_edits import (
    editable_organisations,
    need_for_edit,
    save_need,
    save_stream,
    stream_for_edit,
)
from sidestream.services.matching import match_listing
from sidestream.services.reference_search import search_nace, search_waste_codes
from sidestream.services.tabular_rows import NEED_COLUMNS, STREAM_COLUMNS

router = APIRouter(include_in_schema=False)
FormLists = Annotated[dict[str, list[str]], Depends(read_form_lists)]
PICKER_LIMIT = 15


@dataclass(frozen=True)
class FormField:
    name: str  # the import column
    label: str
    control: str  # text, textarea, number, date, select, multiselect, checkbox, picker
    required: bool = False
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    picker: str | None = None  # the picker's list: waste-codes or nace
    is_confidential: bool = False  # seen only by the owner's members and the facilitators


@dataclass(frozen=True)
class ListingKind:
    """What differs between the stream form and the need form."""

    kind: str  # stream or need
    title_new: str
    title_edit: str
    columns: tuple[str, ...]


STREAM = ListingKind(
    "stream", gettext_noop("New side stream"), gettext_noop("Side stream"), STREAM_COLUMNS
)
NEED = ListingKind("need", gettext_noop("New need"), gettext_noop("Need"), NEED_COLUMNS)


def _choices(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value.replace("_", " ")) for value in values)


def _common_fields(container: Container, visitor: Visitor) -> list[FormField]:
    organisations = editable_organisations(container.unit_of_work, visitor.principal)
    return [
        FormField(
            "organisation_name",
            gettext_noop("Organisation"),
            "select",
            required=True,
            options=tuple((org.name, org.name) for org in organisations),
        ),
        FormField(
            "site_name",
            gettext_noop("Site"),
            "select",
            required=True,
            hint=gettext_noop("One of the organisation's sites"),
            options=tuple(
                (site.name, f"{org.name}: {site.name}")
                for org in organisations
                for site in org.sites
            ),
        ),
        FormField("name", gettext_noop("Name"), "text", required=True),
        FormField("description", gettext_noop("Description"), "textarea"),
        FormField(
            "description_lang",
            gettext_noop("Language of the description"),
            "select",
            options=(("", "—"), ("fi", "suomi"), ("sv", "svenska"), ("en", "English")),
        ),
    ]


def _quantity_fields() -> list[FormField]:
    return [
        FormField("quantity_amount", gettext_noop("Quantity"), "number", required=True),
        FormField(
            "quantity_unit",
            gettext_noop("Unit"),
            "select",
            required=True,
            options=_choices([unit.value for unit in QuantityUnit]),
        ),
        FormField("quantity_low", gettext_noop("Quantity, low end of the range"), "number"),
        FormField("quantity_high", gettext_noop("Quantity, high end of the range"), "number"),
        FormField(
            "recurrence",
            gettext_noop("Recurrence"),
            "select",
            required=True,
            options=_choices([item.value for item in Recurrence]),
        ),
        FormField(
            "recurrence_months",
            gettext_noop("Months (seasonal only)"),
            "text",
            hint=gettext_noop("Month numbers, e.g. 5;6;7;8"),
        ),
    ]


def _tail_fields() -> list[FormField]:
    return [
        FormField(
            "visibility",
            gettext_noop("Who may see it"),
            "select",
            required=True,
            options=(
                (
                    Visibility.PRIVATE.value,
                    gettext_noop("private: your organisation and the facilitators"),
                ),
                (
                    Visibility.PARTNERS.value,
                    gettext_noop("partners: also the organisations you name"),
                ),
                (
                    Visibility.PUBLIC_ANONYMOUS.value,
                    gettext_noop(
                        "public, anonymous: material, code, quantity band and municipality"
                    ),
                ),
                (Visibility.PUBLIC.value, gettext_noop("public: everything but costs")),
            ),
        ),
        FormField("valid_until", gettext_noop("Valid until"), "date", required=True),
    ]


def stream_fields(container: Container, visitor: Visitor) -> list[FormField]:
    reference = container.reference
    classes = sorted(reference.material_classes.values(), key=lambda c: c.name.casefold())
    return [
        *_common_fields(container, visitor),
        FormField(
            "ewc_code",
            gettext_noop("List of Waste code"),
            "picker",
            picker="waste-codes",
            hint=gettext_noop("Type a code or words of its description, e.g. 10 02 or slag"),
        ),
        FormField(
            "hazard_assessment_basis",
            gettext_noop("Hazard assessment (mirror entries)"),
            "text",
            hint=gettext_noop("What shows the entry is (non-)hazardous, e.g. a lab report"),
        ),
        FormField("hazard_assessed_on", gettext_noop("Hazard assessed on"), "date"),
        FormField(
            "material_class_code",
            gettext_noop("Material class"),
            "select",
            required=True,
            options=tuple((c.material_class_code, c.name) for c in classes),
        ),
        FormField(
            "physical_form",
            gettext_noop("Physical form"),
            "select",
            required=True,
            options=_choices([item.value for item in PhysicalForm]),
        ),
        *_quantity_fields(),
        FormField("temperature_c", gettext_noop("Temperature, °C (heat)"), "number"),
        FormField("max_distance_km", gettext_noop("Farthest transport, km"), "number"),
        FormField(
            "properties",
            gettext_noop("Measured properties"),
            "textarea",
            hint=gettext_noop("One per line or separated by |: code=value unit [method; date]"),
        ),
        FormField(
            "management_route",
            gettext_noop("Current route"),
            "select",
            required=True,
            options=_choices([item.value for item in ManagementRoute]),
        ),
        FormField(
            "management_cost_eur_per_unit",
            gettext_noop("Cost of the current route, € per unit"),
            "number",
            is_confidential=True,
        ),
        FormField("asking_price_eur_per_unit", gettext_noop("Asking price, € per unit"), "number"),
        *_tail_fields(),
    ]


def need_fields(container: Container, visitor: Visitor) -> list[FormField]:
    reference = container.reference
    classes = sorted(reference.material_classes.values(), key=lambda c: c.name.casefold())
    virgin = sorted(reference.virgin_materials.values(), key=lambda v: v.name.casefold())
    return [
        *_common_fields(container, visitor),
        FormField(
            "accepted_material_class_codes",
            gettext_noop("Accepted material classes"),
            "multiselect",
            options=tuple((c.material_class_code, c.name) for c in classes),
        ),
        FormField(
            "accepted_ewc_codes",
            gettext_noop("Accepted List of Waste codes"),
            "picker",
            picker="waste-codes",
            hint=gettext_noop("Separate codes with ;"),
        ),
        FormField(
            "replaces_virgin_material_code",
            gettext_noop("Virgin material it replaces"),
            "select",
            options=(("", "—"), *((v.virgin_material_code, v.name) for v in virgin)),
        ),
        FormField("accepts_hazardous", gettext_noop("Accepts hazardous waste"), "checkbox"),
        *_quantity_fields(),
        FormField(
            "min_temperature_c", gettext_noop("Lowest usable temperature, °C (heat)"), "number"
        ),
        FormField(
            "property_limits",
            gettext_noop("Property limits"),
            "textarea",
            hint=gettext_noop("One per line or separated by |: code unit min..max"),
        ),
        FormField(
            "max_distance_km", gettext_noop("Farthest transport, km"), "number", required=True
        ),
        FormField(
            "willingness_to_pay_eur_per_unit",
            gettext_noop("Willingness to pay, € per unit"),
            "number",
        ),
        *_tail_fields(),
    ]


# --- reading the form ----------------------------------------------------------------------


def _fields_of(form: dict[str, list[str]], fields: Sequence[FormField]) -> dict[str, str]:
    """The posted values as import columns: several choices joined by ';', lines of the
    properties and limits by ' | ', an unticked box as 'no'."""
    values: dict[str, str] = {}
    for form_field in fields:
        posted = form.get(form_field.name, [])
        if form_field.control == "multiselect":
            values[form_field.name] = ";".join(value for value in posted if value)
        elif form_field.control == "checkbox":
            values[form_field.name] = "yes" if posted and posted[0] else "no"
        elif form_field.name in {"properties", "property_limits"} and posted:
            lines = [line.strip() for line in posted[0].replace("|", "\n").splitlines()]
            values[form_field.name] = " | ".join(line for line in lines if line)
        else:
            values[form_field.name] = posted[0] if posted else ""
    return values


def _by_field(errors: Sequence[FieldError]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(i18n.translate_error(error))
    return grouped


def _display_values(values: dict[str, str]) -> dict[str, Any]:
    shown: dict[str, Any] = dict(values)
    for name in ("properties", "property_limits"):
        if name in shown:
            shown[name] = "\n".join(part.strip() for part in shown[name].split("|"))
    shown["accepted_material_class_codes"] = set(
        filter(None, values.get("accepted_material_class_codes", "").split(";"))
    )
    shown["accepts_hazardous"] = values.get("accepts_hazardous", "").lower() in {"yes", "true"}
    return shown


# --- the pages ------------------------------------------------------------------------------


def _form_page(
    request: Request,
    visitor: Visitor,
    kind: ListingKind,
    fields: Sequence[FormField],
    values: dict[str, str],
    listing_id: int | None,
    errors: Sequence[FieldError] = (),
    saved: bool = False,
    status_code: int = 200,
    proposals: int = -1,
) -> Response:
    action = f"/{kind.kind}s/new" if listing_id is None else f"/{kind.kind}s/{listing_id}/edit"
    return page(
        request,
        visitor,
        "listing_form.html",
        {
            "kind": kind,
            "fields": fields,
            "values": _display_values(values),
            "errors": _by_field(errors),
            "error_count": len(errors),
            "listing_id": listing_id,
            "action": action,
            "check_action": f"/{kind.kind}s/check"
            + (f"?listing_id={listing_id}" if listing_id else ""),
            "saved": saved,
            "proposals_found": proposals,  # by matching the saved listing; -1: not matched
        },
        status_code=status_code,
        has_form=True,
    )


def _require_signed_in(visitor: Visitor, path: str) -> Response | None:
    if visitor.principal.is_anonymous:
        return RedirectResponse(f"/signin?next={path}", status_code=303)
    return None


def _defaults(container: Container, fields: Sequence[FormField]) -> dict[str, str]:
    """A new listing's starting values: the first organisation and site, a year's validity."""
    values = {
        form_field.name: form_field.options[0][0]
        for form_field in fields
        if form_field.control == "select" and form_field.required and form_field.options
    }
    today = container.today()
    values["valid_until"] = date(today.year + 1, today.month, min(today.day, 28)).isoformat()
    return values


Saver = Callable[[Container, Visitor, dict[str, str], int | None, bool], Any]


def _save_stream(
    container: Container, visitor: Visitor, values: dict[str, str], key: int | None, dry: bool
) -> Any:
    return save_stream(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        values,
        container.today(),
        container.clock.now(),
        stream_id=key,
        dry_run=dry,
    )


def _save_need(
    container: Container, visitor: Visitor, values: dict[str, str], key: int | None, dry: bool
) -> Any:
    return save_need(
        container.unit_of_work,
        container.reference,
        visitor.principal,
        values,
        container.clock.now(),
        need_id=key,
        dry_run=dry,
    )


def match_at_once(container: Container, kind: ListingKind, listing_id: int | None) -> int:
    """Match a saved or newly evidenced listing at once, so its proposals are waiting when its
    owner looks: how many it has then, or -1 when it cannot be matched (which is no error of
    what was saved: its page says why the matcher skips it on the next full run)."""
    assert listing_id is not None
    key = {"stream_id": listing_id} if kind is STREAM else {"need_id": listing_id}
    try:
        found = match_listing(
            container.unit_of_work,
            container.reference,
            container.knowledge_base,
            container.today(),
            **key,
            regulatory=container.regulatory_knowledge,
        )
    except InvalidInput:
        return -1
    return len(found)


def _editable_values(
    container: Container, visitor: Visitor, kind: ListingKind, listing_id: int
) -> dict[str, str]:
    reader = stream_for_edit if kind is STREAM else need_for_edit
    return reader(container.unit_of_work, container.reference, visitor.principal, listing_id).fields


def _add_form_routes(
    kind: ListingKind,
    fields_of_kind: Callable[[Container, Visitor], list[FormField]],
    saver: Saver,
) -> None:
    """The routes of one kind's form: /streams/... or /needs/..."""
    base = f"/{kind.kind}s"

    @router.get(base + "/new", response_class=HTMLResponse)
    def new_listing(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
        if (redirect := _require_signed_in(visitor, request.url.path)) is not None:
            return redirect
        fields = fields_of_kind(container, visitor)
        return _form_page(request, visitor, kind, fields, _defaults(container, fields), None)

    def submit(
        request: Request,
        container: Container,
        visitor: Visitor,
        form: dict[str, list[str]],
        listing_id: int | None,
    ) -> Response:
        fields = fields_of_kind(container, visitor)
        values = _fields_of(form, fields)
        try:
            saved = saver(container, visitor, values, listing_id, False)
        except InvalidInput as error:
            return _form_page(
                request, visitor, kind, fields, values, listing_id, error.errors, status_code=422
            )
        saved_id = saved.stream_id if kind is STREAM else saved.need_id
        found = match_at_once(container, kind, saved_id)
        response = RedirectResponse(
            f"{base}/{saved_id}/edit?saved=1&proposals={found}", status_code=303
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.post(base + "/new", response_class=HTMLResponse)
    def create_listing(
        request: Request, container: AppContainer, visitor: CurrentVisitor, form: FormLists
    ) -> Response:
        return submit(request, container, visitor, form, None)

    @router.get(base + "/{listing_id}/edit", response_class=HTMLResponse)
    def edit_listing(
        request: Request,
        container: AppContainer,
        visitor: CurrentVisitor,
        listing_id: int,
        saved: bool = False,
        proposals: int = -1,
    ) -> Response:
        if (redirect := _require_signed_in(visitor, request.url.path)) is not None:
            return redirect
        values = _editable_values(container, visitor, kind, listing_id)
        fields = fields_of_kind(container, visitor)
        return _form_page(
            request, visitor, kind, fields, values, listing_id, saved=saved, proposals=proposals
        )

    @router.get(base + "/{listing_id}/edit.json")
    def edit_listing_json(
        request: Request, container: AppContainer, visitor: CurrentVisitor, listing_id: int
    ) -> Response:
        """The edit page's JSON twin: the listing's fields as its editors see them."""
        values = _editable_values(container, visitor, kind, listing_id)
        body = {f"{kind.kind}_id": listing_id, "fields": values}
        return finish(JSONResponse(body), request, visitor)

    @router.post(base + "/{listing_id}/edit", response_class=HTMLResponse)
    def change_listing(
        request: Request,
        container: AppContainer,
        visitor: CurrentVisitor,
        listing_id: int,
        form: FormLists,
    ) -> Response:
        return submit(request, container, visitor, form, listing_id)

    @router.post(base + "/check", response_class=HTMLResponse)
    def check_listing(
        request: Request,
        container: AppContainer,
        visitor: CurrentVisitor,
        form: FormLists,
        listing_id: int | None = None,
    ) -> Response:
        """The form's fields checked as they are typed, without storing anything: each
        field's message, swapped in next to it (HTMX out-of-band swaps)."""
        fields = fields_of_kind(container, visitor)
        errors: Sequence[FieldError] = ()
        try:
            saver(container, visitor, _fields_of(form, fields), listing_id, True)
        except InvalidInput as error:
            errors = error.errors
        response = templates.TemplateResponse(
            request,
            "listing_form_errors.html",
            {"fields": fields, "errors": _by_field(errors), "error_count": len(errors)},
        )
        return finish(response, request, visitor)


_add_form_routes(STREAM, stream_fields, _save_stream)
_add_form_routes(NEED, need_fields, _save_need)


# --- pickers ----------------------------------------------------------------------------------


def _typed(request: Request) -> tuple[str, str]:
    """What was typed into the picker's field (HTMX sends it under the field's name), split
    into the codes already chosen (before the last ';') and the part being typed."""
    names = ("ewc_code", "accepted_ewc_codes", "nace_code", "q")
    text = next((request.query_params[n] for n in names if n in request.query_params), "")[:200]
    chosen, _, typing = text.rpartition(";")
    return (chosen + ";" if chosen else ""), typing.strip()


@router.get("/pickers/waste-codes", response_class=HTMLResponse)
def waste_code_picker(request: Request, container: AppContainer) -> Response:
    chosen, typing = _typed(request)
    matches = search_waste_codes(container.reference, typing, PICKER_LIMIT) if typing else []
    options = [(chosen + match.display_code, match.description) for match in matches]
    return templates.TemplateResponse(request, "picker_options.html", {"options": options})


@router.get("/pickers/nace", response_class=HTMLResponse)
def nace_picker(request: Request, container: AppContainer) -> Response:
    chosen, typing = _typed(request)
    matches = search_nace(container.reference, typing, PICKER_LIMIT) if typing else []
    options = [(chosen + match.nace_code, match.title) for match in matches]
    return templates.TemplateResponse(request, "picker_options.html", {"options": options})
