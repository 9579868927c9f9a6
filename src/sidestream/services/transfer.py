"""Import and export of organisations, side streams and needs as tables.

An import validates every row first and writes only when all are valid, in one transaction:
a file with any bad row is rejected whole with every problem listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sidestream.domain.errors import FieldError, InvalidInput
from sidestream.domain.organisations import Organisation, Site, SizeClass, check_organisation
from sidestream.domain.reference import ReferenceData
from sidestream.domain.streams import (
    ALL_MONTHS,
    ManagementRoute,
    Need,
    PhysicalForm,
    Quantity,
    Recurrence,
    SideStream,
    Visibility,
    check_need,
    check_side_stream,
)
from sidestream.domain.units import QuantityUnit
from sidestream.services.ports import (
    ListingRepository,
    ListingT,
    ProgressCallback,
    UnitOfWork,
    UnitOfWorkFactory,
    no_progress,
)
from sidestream.services.tabular_rows import (
    Row,
    RowReader,
    format_bool,
    format_date,
    format_months,
    format_number,
    format_properties,
    format_property_limits,
)

FIRST_DATA_ROW = 2  # row numbers are those a spreadsheet shows; the header is row 1


OrganisationCache = dict[str, Organisation | None]  # organisations looked up by name in one import


class Table(StrEnum):
    ORGANISATIONS = "organisations"
    STREAMS = "streams"
    NEEDS = "needs"


@dataclass(frozen=True)
class ImportReport:
    table: Table
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ExportRecord:
    """One exported row and the point it sits at (the site), for map formats."""

    row: dict[str, str]
    latitude_deg: float
    longitude_deg: float


def _raise_row_errors(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(errors)


def _rebase(error: FieldError, row_number: int) -> FieldError:
    return replace(error, row=row_number)


# --- organisations ---------------------------------------------------------------------------


def import_organisations(
    rows: Sequence[Row],
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    progress: ProgressCallback = no_progress,
) -> ImportReport:
    errors: list[FieldError] = []
    organisations: dict[str, tuple[int, Organisation]] = {}
    for index, row in enumerate(rows):
        row_number = index + FIRST_DATA_ROW
        reader = RowReader(row, row_number)
        name = reader.required_text("organisation_name")
        latitude = reader.number("latitude_deg", required=True)
        longitude = reader.number("longitude_deg", required=True)
        site = Site(
            name=reader.required_text("site_name"),
            latitude_deg=latitude if latitude is not None else 0.0,
            longitude_deg=longitude if longitude is not None else 0.0,
            municipality_code=reader.text("municipality_code"),
            has_rail_siding=reader.boolean("has_rail_siding"),
            has_port=reader.boolean("has_port"),
            facility_id_eprtr=reader.text("facility_id_eprtr"),
        )
        organisation = Organisation(
            name=name,
            business_id=reader.text("business_id"),
            nace_code=reader.text("nace_code"),
            size_class=reader.choice("size_class", SizeClass, required=False),
            contact_name=reader.text("contact_name"),
            contact_email=reader.text("contact_email"),
            contact_phone=reader.text("contact_phone"),
        )
        errors.extend(reader.errors)
        if reader.errors:
            continue
        if name in organisations:
            first_row, known = organisations[name]
            errors.extend(_organisation_conflicts(known, organisation, row_number, first_row))
            known.sites.append(site)
        else:
            organisation.sites.append(site)
            organisations[name] = (row_number, organisation)
    business_ids: dict[str, int] = {}
    for first_row, organisation in organisations.values():
        try:
            check_organisation(organisation, reference)
        except InvalidInput as error:
            errors.extend(_rebase(item, first_row) for item in error.errors)
        if organisation.business_id is not None:
            if organisation.business_id in business_ids:
                errors.append(
                    FieldError(
                        "business_id",
                        f"is also given to another organisation on row "
                        f"{business_ids[organisation.business_id]}",
                        first_row,
                    )
                )
            business_ids.setdefault(organisation.business_id, first_row)
    _raise_row_errors(errors)

    created = updated = unchanged = 0
    with unit_of_work() as uow:
        for business_id, row_number in business_ids.items():
            holder = uow.organisations.get_by_business_id(business_id)
            if holder is not None and holder.name not in organisations:
                errors.append(
                    FieldError("business_id", f"already belongs to {holder.name!r}", row_number)
                )
        _raise_row_errors(errors)
        for done, (_, organisation) in enumerate(organisations.values(), start=1):
            existing = uow.organisations.get_by_name(organisation.name)
            if existing is None:
                uow.organisations.add(organisation)
                created += 1
            else:
                merged = _merge_organisation(existing, organisation)
                if merged == existing:
                    unchanged += 1
                else:
                    uow.organisations.update(merged)
                    updated += 1
            progress(done, len(organisations))
        uow.commit()
    return ImportReport(Table.ORGANISATIONS, created, updated, unchanged)


def _organisation_conflicts(
    known: Organisation, other: Organisation, row_number: int, first_row: int
) -> list[FieldError]:
    conflicts = []
    for field_name in ("business_id", "nace_code", "size_class", "contact_name", "contact_email"):
        mine, theirs = getattr(known, field_name), getattr(other, field_name)
        if theirs is not None and mine != theirs:
            conflicts.append(
                FieldError(
                    field_name, f"differs from row {first_row} of the same organisation", row_number
                )
            )
    return conflicts


def _merge_organisation(existing: Organisation, imported: Organisation) -> Organisation:
    """The existing organisation with the imported fields; sites are matched by name and sites
    missing from the file are kept, since listings may refer to them."""
    sites = []
    for site in existing.sites:
        incoming = imported.site_named(site.name)
        sites.append(
            replace(
                incoming,
                site_id=site.site_id,
                organisation_id=site.organisation_id,
                eprtr_activity_code=site.eprtr_activity_code,
            )
            if incoming
            else site
        )
    sites.extend(site for site in imported.sites if existing.site_named(site.name) is None)
    return replace(imported, organisation_id=existing.organisation_id, sites=sites)


def export_organisations(unit_of_work: UnitOfWorkFactory) -> list[ExportRecord]:
    with unit_of_work() as uow:
        organisations = uow.organisations.list_all()
    return [
        ExportRecord(
            row={
                "organisation_name": organisation.name,
                "business_id": organisation.business_id or "",
                "nace_code": organisation.nace_code or "",
                "size_class": organisation.size_class.value if organisation.size_class else "",
                "contact_name": organisation.contact_name or "",
                "contact_email": organisation.contact_email or "",
                "contact_phone": organisation.contact_phone or "",
                "site_name": site.name,
                "municipality_code": site.municipality_code or "",
                "latitude_deg": format_number(site.latitude_deg),
                "longitude_deg": format_number(site.longitude_deg),
                "has_rail_siding": format_bool(site.has_rail_siding),
                "has_port": format_bool(site.has_port),
                "facility_id_eprtr": site.facility_id_eprtr or "",
            },
            latitude_deg=site.latitude_deg,
            longitude_deg=site.longitude_deg,
        )
        for organisation in organisations
        for site in organisation.sites
    ]


# --- shared by streams and needs --------------------------------------------------------------


def _locate(reader: RowReader, uow: UnitOfWork, cache: OrganisationCache) -> tuple[int, int]:
    """Resolve organisation_name and site_name to ids, or record why not."""
    organisation_name = reader.required_text("organisation_name")
    site_name = reader.required_text("site_name")
    if not organisation_name or not site_name:
        return 0, 0
    if organisation_name not in cache:
        cache[organisation_name] = uow.organisations.get_by_name(organisation_name)
    organisation = cache[organisation_name]
    if organisation is None or organisation.organisation_id is None:
        reader.fail(
            "organisation_name", "no organisation is named {name}", name=repr(organisation_name)
        )
        return 0, 0
    site = organisation.site_named(site_name)
    if site is None or site.site_id is None:
        reader.fail(
            "site_name",
            "{organisation} has no site named {site}",
            organisation=repr(organisation_name),
            site=repr(site_name),
        )
        return organisation.organisation_id, 0
    return organisation.organisation_id, site.site_id


def _quantity(reader: RowReader) -> Quantity:
    amount = reader.number("quantity_amount", required=True)
    low = reader.number("quantity_low")
    high = reader.number("quantity_high")
    unit = reader.choice("quantity_unit", QuantityUnit)
    recurrence = reader.choice("recurrence", Recurrence)
    months = reader.months("recurrence_months")
    if recurrence is Recurrence.SEASONAL and months is None:
        reader.fail("recurrence_months", "a seasonal listing names its months")
    if recurrence is not Recurrence.SEASONAL and months is not None and months != ALL_MONTHS:
        reader.fail("recurrence_months", "only seasonal listings name months")
    return Quantity(
        amount=amount if amount is not None else 0.0,
        unit=unit or QuantityUnit.TONNES_PER_YEAR,
        recurrence=recurrence or Recurrence.CONTINUOUS,
        months=months or ALL_MONTHS,
        low=low,
        high=high,
    )


def _check_unique_keys(keys: list[tuple[int, str, str]]) -> list[FieldError]:
    first_seen: dict[tuple[str, str], int] = {}
    errors = []
    for row_number, organisation_name, name in keys:
        key = (organisation_name, name)
        if key in first_seen:
            errors.append(
                FieldError(
                    "name",
                    f"{name!r} of {organisation_name!r} is also on row {first_seen[key]}",
                    row_number,
                )
            )
        else:
            first_seen[key] = row_number
    return errors


def _import_listings(
    table: Table,
    rows: Sequence[Row],
    unit_of_work: UnitOfWorkFactory,
    read: Callable[[RowReader, UnitOfWork, OrganisationCache], ListingT | None],
    repository: Callable[[UnitOfWork], ListingRepository[ListingT]],
    progress: ProgressCallback,
) -> ImportReport:
    """Read and check every row; write them all in one transaction only if none failed.

    `read` returns None when the row's cells did not parse (the reader holds why) and raises
    InvalidInput when the listing breaks a domain rule."""
    errors: list[FieldError] = []
    listings: list[ListingT] = []
    keys: list[tuple[int, str, str]] = []
    created = updated = unchanged = 0
    with unit_of_work() as uow:
        cache: OrganisationCache = {}
        for index, row in enumerate(rows):
            row_number = index + FIRST_DATA_ROW
            reader = RowReader(row, row_number)
            try:
                listing = read(reader, uow, cache)
            except InvalidInput as error:
                errors.extend(_rebase(item, row_number) for item in error.errors)
                continue
            errors.extend(reader.errors)
            if listing is not None:
                listings.append(listing)
                keys.append((row_number, reader.required_text("organisation_name"), listing.name))
        errors.extend(_check_unique_keys(keys))
        _raise_row_errors(errors)
        store = repository(uow)
        for done, listing in enumerate(listings, start=1):
            existing = store.get_by_name(listing.organisation_id, listing.name)
            if existing is None:
                store.add(listing)
                created += 1
            else:
                candidate = listing.with_identity_of(existing)
                if candidate == existing:
                    unchanged += 1
                else:
                    store.update(candidate)
                    updated += 1
            progress(done, len(listings))
        uow.commit()
    return ImportReport(table, created, updated, unchanged)


# --- side streams ----------------------------------------------------------------------------


def stream_from_row(reader: RowReader, uow: UnitOfWork, cache: OrganisationCache) -> SideStream:
    organisation_id, site_id = _locate(reader, uow, cache)
    return SideStream(
        organisation_id=organisation_id,
        site_id=site_id,
        name=reader.required_text("name"),
        description=reader.text("description"),
        description_lang=reader.text("description_lang"),
        ewc_code=reader.text("ewc_code"),
        hazard_assessment_basis=reader.text("hazard_assessment_basis"),
        hazard_assessed_on=reader.date("hazard_assessed_on"),
        material_class_code=reader.required_text("material_class_code"),
        physical_form=reader.choice("physical_form", PhysicalForm) or PhysicalForm.SOLID,
        quantity=_quantity(reader),
        temperature_c=reader.number("temperature_c"),
        max_distance_km=reader.number("max_distance_km"),
        properties=reader.properties("properties"),
        management_route=reader.choice("management_route", ManagementRoute)
        or ManagementRoute.OTHER,
        management_cost_eur_per_unit=reader.number("management_cost_eur_per_unit"),
        asking_price_eur_per_unit=reader.number("asking_price_eur_per_unit"),
        visibility=reader.choice("visibility", Visibility) or Visibility.PRIVATE,
        valid_until=reader.date("valid_until", required=True) or date.min,
    )


def checked_stream(stream: SideStream, reference: ReferenceData, today: date) -> SideStream:
    """The stream as stored: checked (InvalidInput lists every problem), waste code normalised."""
    stream = check_side_stream(stream, reference, today)
    if stream.ewc_code is None:
        return stream
    return replace(stream, ewc_code=reference.waste_code(stream.ewc_code).ewc_code)


def import_streams(
    rows: Sequence[Row],
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    today: date,
    progress: ProgressCallback = no_progress,
) -> ImportReport:
    def read(reader: RowReader, uow: UnitOfWork, cache: OrganisationCache) -> SideStream | None:
        stream = stream_from_row(reader, uow, cache)
        if reader.errors:
            return None
        return checked_stream(stream, reference, today)

    return _import_listings(
        Table.STREAMS, rows, unit_of_work, read, lambda uow: uow.streams, progress
    )


def export_streams(unit_of_work: UnitOfWorkFactory, reference: ReferenceData) -> list[ExportRecord]:
    with unit_of_work() as uow:
        organisations = {org.organisation_id: org for org in uow.organisations.list_all()}
        streams = uow.streams.list_all()
    records = []
    for stream in streams:
        organisation = organisations[stream.organisation_id]
        site = next(site for site in organisation.sites if site.site_id == stream.site_id)
        row = stream_row(stream, organisation, site, reference)
        records.append(ExportRecord(row, site.latitude_deg, site.longitude_deg))
    return records


def stream_row(
    stream: SideStream, organisation: Organisation, site: Site, reference: ReferenceData
) -> dict[str, str]:
    """The stream as text in its import columns (an export row, a form's values)."""
    waste_code = reference.waste_codes[stream.ewc_code].display_code if stream.ewc_code else ""
    return {
        "organisation_name": organisation.name,
        "site_name": site.name,
        "name": stream.name,
        "description": stream.description or "",
        "description_lang": stream.description_lang or "",
        "ewc_code": waste_code,
        "hazard_assessment_basis": stream.hazard_assessment_basis or "",
        "hazard_assessed_on": format_date(stream.hazard_assessed_on),
        "material_class_code": stream.material_class_code,
        "physical_form": stream.physical_form.value,
        "quantity_amount": format_number(stream.quantity.amount),
        "quantity_low": format_number(stream.quantity.low),
        "quantity_high": format_number(stream.quantity.high),
        "quantity_unit": stream.quantity.unit.value,
        "recurrence": stream.quantity.recurrence.value,
        "recurrence_months": format_months(stream.quantity.months),
        "temperature_c": format_number(stream.temperature_c),
        "max_distance_km": format_number(stream.max_distance_km),
        "properties": format_properties(stream.properties),
        "management_route": stream.management_route.value,
        "management_cost_eur_per_unit": format_number(stream.management_cost_eur_per_unit),
        "asking_price_eur_per_unit": format_number(stream.asking_price_eur_per_unit),
        "visibility": stream.visibility.value,
        "valid_until": format_date(stream.valid_until),
    }


# --- needs -----------------------------------------------------------------------------------


def need_from_row(reader: RowReader, uow: UnitOfWork, cache: OrganisationCache) -> Need:
    organisation_id, site_id = _locate(reader, uow, cache)
    max_distance_km = reader.number("max_distance_km", required=True)
    return Need(
        organisation_id=organisation_id,
        site_id=site_id,
        name=reader.required_text("name"),
        description=reader.text("description"),
        description_lang=reader.text("description_lang"),
        accepted_material_class_codes=reader.codes("accepted_material_class_codes"),
        accepted_ewc_codes=reader.codes("accepted_ewc_codes"),
        replaces_virgin_material_code=reader.text("replaces_virgin_material_code"),
        accepts_hazardous=reader.boolean("accepts_hazardous"),
        quantity=_quantity(reader),
        min_temperature_c=reader.number("min_temperature_c"),
        property_limits=reader.property_limits("property_limits"),
        max_distance_km=max_distance_km if max_distance_km is not None else 0.0,
        willingness_to_pay_eur_per_unit=reader.number("willingness_to_pay_eur_per_unit"),
        visibility=reader.choice("visibility", Visibility) or Visibility.PRIVATE,
        valid_until=reader.date("valid_until", required=True) or date.min,
    )


def checked_need(need: Need, reference: ReferenceData) -> Need:
    """The need as stored: checked (InvalidInput lists every problem), codes normalised."""
    checked = check_need(need, reference)
    return replace(
        checked,
        accepted_ewc_codes=tuple(
            sorted({reference.waste_code(code).ewc_code for code in checked.accepted_ewc_codes})
        ),
        accepted_material_class_codes=tuple(sorted(set(checked.accepted_material_class_codes))),
    )


def import_needs(
    rows: Sequence[Row],
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    progress: ProgressCallback = no_progress,
) -> ImportReport:
    def read(reader: RowReader, uow: UnitOfWork, cache: OrganisationCache) -> Need | None:
        need = need_from_row(reader, uow, cache)
        if reader.errors:
            return None
        return checked_need(need, reference)

    return _import_listings(Table.NEEDS, rows, unit_of_work, read, lambda uow: uow.needs, progress)


def export_needs(unit_of_work: UnitOfWorkFactory, reference: ReferenceData) -> list[ExportRecord]:
    with unit_of_work() as uow:
        organisations = {org.organisation_id: org for org in uow.organisations.list_all()}
        needs = uow.needs.list_all()
    records = []
    for need in needs:
        organisation = organisations[need.organisation_id]
        site = next(site for site in organisation.sites if site.site_id == need.site_id)
        row = need_row(need, organisation, site, reference)
        records.append(ExportRecord(row, site.latitude_deg, site.longitude_deg))
    return records


def need_row(
    need: Need, organisation: Organisation, site: Site, reference: ReferenceData
) -> dict[str, str]:
    """The need as text in its import columns (an export row, a form's values)."""
    return {
        "organisation_name": organisation.name,
        "site_name": site.name,
        "name": need.name,
        "description": need.description or "",
        "description_lang": need.description_lang or "",
        "accepted_material_class_codes": ";".join(need.accepted_material_class_codes),
        "accepted_ewc_codes": ";".join(
            reference.waste_codes[code].display_code for code in need.accepted_ewc_codes
        ),
        "replaces_virgin_material_code": need.replaces_virgin_material_code or "",
        "accepts_hazardous": format_bool(need.accepts_hazardous),
        "quantity_amount": format_number(need.quantity.amount),
        "quantity_low": format_number(need.quantity.low),
        "quantity_high": format_number(need.quantity.high),
        "quantity_unit": need.quantity.unit.value,
        "recurrence": need.quantity.recurrence.value,
        "recurrence_months": format_months(need.quantity.months),
        "min_temperature_c": format_number(need.min_temperature_c),
        "property_limits": format_property_limits(need.property_limits),
        "max_distance_km": format_number(need.max_distance_km),
        "willingness_to_pay_eur_per_unit": format_number(need.willingness_to_pay_eur_per_unit),
        "visibility": need.visibility.value,
        "valid_until": format_date(need.valid_until),
    }
