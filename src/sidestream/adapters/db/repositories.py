"""Repositories: translate between domain objects and table rows. They never commit."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from sidestream.adapters.db.tables import (
    ApiTokenRow,
    AuditEventRow,
    EprtrWasteTransferRow,
    LabResultRow,
    LoginAttemptRow,
    MembershipRow,
    NeedMaterialClassRow,
    NeedPropertyLimitRow,
    NeedRow,
    NeedWasteCodeRow,
    OrganisationPartnerRow,
    OrganisationRow,
    ProposalRow,
    ScenarioFlowRow,
    ScenarioPlanRow,
    ScenarioRow,
    SessionRow,
    SideStreamRow,
    SiteRow,
    StatusRecordRow,
    StreamDocumentRow,
    StreamPropertyRow,
    SynergyEventRow,
    SynergyRow,
    UserRow,
)
from sidestream.domain.accounts import (
    ApiToken,
    AuditAction,
    AuditEvent,
    AuditFilter,
    LoginAttempt,
    User,
    UserSession,
)
from sidestream.domain.documents import DocumentKind, StreamDocument
from sidestream.domain.eprtr import EprtrWasteTransfer
from sidestream.domain.errors import Conflict, NotFound
from sidestream.domain.matching import BenefitEstimate, Proposal, ScoreFactor
from sidestream.domain.network_design import Criterion
from sidestream.domain.organisations import Organisation, Site, SizeClass
from sidestream.domain.proposals import Decision, ProposalRecord
from sidestream.domain.regulation import Basis, LabResult, RegulatoryStatus, StatusRecord
from sidestream.domain.routes import TransportModeName
from sidestream.domain.scenarios import (
    PlannedFlow,
    ScenarioPlan,
    ScenarioRun,
    ScenarioSpec,
    scenario_from_mapping,
    scenario_to_mapping,
)
from sidestream.domain.streams import (
    ManagementRoute,
    MeasuredProperty,
    Need,
    PhysicalForm,
    PropertyLimit,
    Quantity,
    Recurrence,
    SideStream,
    Visibility,
)
from sidestream.domain.synergies import Agreement, Stage, Synergy, SynergyEvent
from sidestream.domain.units import QuantityUnit

ListingRowT = TypeVar("ListingRowT", SideStreamRow, NeedRow)
ListingT = TypeVar("ListingT", SideStream, Need)


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _flush(session: Session) -> None:
    """Write pending changes; a broken uniqueness or reference rule becomes a Conflict."""
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(f"the change clashes with stored records ({error.orig})") from error


def _months_to_text(months: frozenset[int]) -> str:
    return ";".join(str(month) for month in sorted(months))


def _months_from_text(text: str) -> frozenset[int]:
    return frozenset(int(month) for month in text.split(";") if month)


# --- organisations ---------------------------------------------------------------------------


def _site_from_row(row: SiteRow) -> Site:
    return Site(
        site_id=row.site_id,
        organisation_id=row.organisation_id,
        name=row.name,
        municipality_code=row.municipality_code,
        latitude_deg=row.latitude_deg,
        longitude_deg=row.longitude_deg,
        has_rail_siding=row.has_rail_siding,
        has_port=row.has_port,
        facility_id_eprtr=row.facility_id_eprtr,
        eprtr_activity_code=row.eprtr_activity_code,
    )


def _write_site(row: SiteRow, site: Site) -> None:
    row.name = site.name
    row.municipality_code = site.municipality_code
    row.latitude_deg = site.latitude_deg
    row.longitude_deg = site.longitude_deg
    row.has_rail_siding = site.has_rail_siding
    row.has_port = site.has_port
    row.facility_id_eprtr = site.facility_id_eprtr
    row.eprtr_activity_code = site.eprtr_activity_code


def _organisation_from_row(row: OrganisationRow) -> Organisation:
    return Organisation(
        organisation_id=row.organisation_id,
        name=row.name,
        business_id=row.business_id,
        nace_code=row.nace_code,
        size_class=SizeClass(row.size_class) if row.size_class else None,
        contact_name=row.contact_name,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        sites=[_site_from_row(site) for site in row.sites],
    )


def _write_organisation(row: OrganisationRow, organisation: Organisation) -> None:
    row.name = organisation.name
    row.business_id = organisation.business_id
    row.nace_code = organisation.nace_code
    row.size_class = organisation.size_class.value if organisation.size_class else None
    row.contact_name = organisation.contact_name
    row.contact_email = organisation.contact_email
    row.contact_phone = organisation.contact_phone


REGISTRY_CHANGED = "sidestream.registry_changed"  # a key of Session.info


def mark_registry_changed(session: Session) -> None:
    """Note that this transaction changes what registry snapshots hold: its commit moves the
    registry's version on (SqlUnitOfWork.commit), so no cached snapshot outlives it."""
    session.info[REGISTRY_CHANGED] = True


class SqlOrganisationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _query(self) -> Select[Any]:
        return select(OrganisationRow).options(selectinload(OrganisationRow.sites))

    def add(self, organisation: Organisation) -> Organisation:
        mark_registry_changed(self._session)
        now = datetime.now(UTC)
        row = OrganisationRow(created_at=now, updated_at=now)
        _write_organisation(row, organisation)
        for site in organisation.sites:
            site_row = SiteRow()
            _write_site(site_row, site)
            row.sites.append(site_row)
        self._session.add(row)
        _flush(self._session)
        return _organisation_from_row(row)

    def update(self, organisation: Organisation) -> Organisation:
        mark_registry_changed(self._session)
        row = self._session.get(OrganisationRow, organisation.organisation_id)
        if row is None:
            raise NotFound("organisation", organisation.organisation_id)
        _write_organisation(row, organisation)
        rows_by_id = {site_row.site_id: site_row for site_row in row.sites}
        for site in organisation.sites:
            site_row = rows_by_id.get(site.site_id) if site.site_id is not None else None
            if site_row is None:
                site_row = SiteRow()
                row.sites.append(site_row)
            _write_site(site_row, site)
        row.updated_at = datetime.now(UTC)
        _flush(self._session)
        return _organisation_from_row(row)

    def get(self, organisation_id: int) -> Organisation | None:
        row = self._session.scalars(
            self._query().where(OrganisationRow.organisation_id == organisation_id)
        ).first()
        return _organisation_from_row(row) if row else None

    def get_by_name(self, name: str) -> Organisation | None:
        row = self._session.scalars(self._query().where(OrganisationRow.name == name)).first()
        return _organisation_from_row(row) if row else None

    def get_by_business_id(self, business_id: str) -> Organisation | None:
        row = self._session.scalars(
            self._query().where(OrganisationRow.business_id == business_id)
        ).first()
        return _organisation_from_row(row) if row else None

    def list_all(self) -> list[Organisation]:
        rows = self._session.scalars(self._query().order_by(OrganisationRow.name))
        return [_organisation_from_row(row) for row in rows]

    def site(self, site_id: int) -> Site | None:
        row = self._session.get(SiteRow, site_id)
        return _site_from_row(row) if row else None

    def site_by_facility_id_eprtr(self, facility_id_eprtr: str) -> Site | None:
        row = self._session.scalars(
            select(SiteRow).where(SiteRow.facility_id_eprtr == facility_id_eprtr)
        ).first()
        return _site_from_row(row) if row else None

    def replace_eprtr_waste_transfers(
        self, site_id: int, transfers: Sequence[EprtrWasteTransfer]
    ) -> None:
        self._session.execute(
            delete(EprtrWasteTransferRow).where(EprtrWasteTransferRow.site_id == site_id)
        )
        self._session.add_all(
            EprtrWasteTransferRow(
                site_id=site_id,
                reporting_year=transfer.reporting_year,
                hazardous_recovery_t=transfer.hazardous_recovery_t,
                hazardous_disposal_t=transfer.hazardous_disposal_t,
                non_hazardous_recovery_t=transfer.non_hazardous_recovery_t,
                non_hazardous_disposal_t=transfer.non_hazardous_disposal_t,
                hazardous_transboundary_t=transfer.hazardous_transboundary_t,
                total_t=transfer.total_t,
            )
            for transfer in transfers
        )
        _flush(self._session)

    def eprtr_waste_transfers(self, site_id: int) -> list[EprtrWasteTransfer]:
        rows = self._session.scalars(
            select(EprtrWasteTransferRow)
            .where(EprtrWasteTransferRow.site_id == site_id)
            .order_by(EprtrWasteTransferRow.reporting_year)
        )
        return [
            EprtrWasteTransfer(
                reporting_year=row.reporting_year,
                hazardous_recovery_t=row.hazardous_recovery_t,
                hazardous_disposal_t=row.hazardous_disposal_t,
                non_hazardous_recovery_t=row.non_hazardous_recovery_t,
                non_hazardous_disposal_t=row.non_hazardous_disposal_t,
                hazardous_transboundary_t=row.hazardous_transboundary_t,
                total_t=row.total_t,
            )
            for row in rows
        ]


# --- side streams ----------------------------------------------------------------------------


def _stream_from_row(row: SideStreamRow) -> SideStream:
    return SideStream(
        stream_id=row.stream_id,
        organisation_id=row.organisation_id,
        site_id=row.site_id,
        name=row.name,
        description=row.description,
        description_lang=row.description_lang,
        ewc_code=row.ewc_code,
        is_hazardous=row.is_hazardous,
        hazard_assessment_basis=row.hazard_assessment_basis,
        hazard_assessed_on=row.hazard_assessed_on,
        material_class_code=row.material_class_code,
        physical_form=PhysicalForm(row.physical_form),
        quantity=Quantity(
            amount=row.quantity_amount,
            unit=QuantityUnit(row.quantity_unit),
            recurrence=Recurrence(row.recurrence),
            months=_months_from_text(row.recurrence_months),
            low=row.quantity_low,
            high=row.quantity_high,
        ),
        temperature_c=row.temperature_c,
        max_distance_km=row.max_distance_km,
        properties=tuple(
            MeasuredProperty(
                property_code=prop.property_code,
                value=prop.value,
                unit=prop.unit,
                method=prop.method,
                measured_on=prop.measured_on,
                laboratory=prop.laboratory,
            )
            for prop in row.properties
        ),
        management_route=ManagementRoute(row.management_route),
        management_cost_eur_per_unit=row.management_cost_eur_per_unit,
        asking_price_eur_per_unit=row.asking_price_eur_per_unit,
        visibility=Visibility(row.visibility),
        valid_until=row.valid_until,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _write_stream(row: SideStreamRow, stream: SideStream) -> None:
    row.organisation_id = stream.organisation_id
    row.site_id = stream.site_id
    row.name = stream.name
    row.description = stream.description
    row.description_lang = stream.description_lang
    row.ewc_code = stream.ewc_code
    row.is_hazardous = stream.is_hazardous
    row.hazard_assessment_basis = stream.hazard_assessment_basis
    row.hazard_assessed_on = stream.hazard_assessed_on
    row.material_class_code = stream.material_class_code
    row.physical_form = stream.physical_form.value
    row.quantity_amount = stream.quantity.amount
    row.quantity_low = stream.quantity.low
    row.quantity_high = stream.quantity.high
    row.quantity_unit = stream.quantity.unit.value
    row.recurrence = stream.quantity.recurrence.value
    row.recurrence_months = _months_to_text(stream.quantity.months)
    row.temperature_c = stream.temperature_c
    row.max_distance_km = stream.max_distance_km
    row.management_route = stream.management_route.value
    row.management_cost_eur_per_unit = stream.management_cost_eur_per_unit
    row.asking_price_eur_per_unit = stream.asking_price_eur_per_unit
    row.visibility = stream.visibility.value
    row.valid_until = stream.valid_until
    row.properties = [
        StreamPropertyRow(
            property_code=prop.property_code,
            value=prop.value,
            unit=prop.unit,
            method=prop.method,
            measured_on=prop.measured_on,
            laboratory=prop.laboratory,
        )
        for prop in stream.properties
    ]


# --- needs -----------------------------------------------------------------------------------


def _need_from_row(row: NeedRow) -> Need:
    return Need(
        need_id=row.need_id,
        organisation_id=row.organisation_id,
        site_id=row.site_id,
        name=row.name,
        description=row.description,
        description_lang=row.description_lang,
        accepted_material_class_codes=tuple(
            accepted.material_class_code for accepted in row.accepted_material_classes
        ),
        accepted_ewc_codes=tuple(accepted.ewc_code for accepted in row.accepted_waste_codes),
        replaces_virgin_material_code=row.replaces_virgin_material_code,
        accepts_hazardous=row.accepts_hazardous,
        quantity=Quantity(
            amount=row.quantity_amount,
            unit=QuantityUnit(row.quantity_unit),
            recurrence=Recurrence(row.recurrence),
            months=_months_from_text(row.recurrence_months),
            low=row.quantity_low,
            high=row.quantity_high,
        ),
        min_temperature_c=row.min_temperature_c,
        property_limits=tuple(
            PropertyLimit(
                property_code=limit.property_code,
                unit=limit.unit,
                min_value=limit.min_value,
                max_value=limit.max_value,
            )
            for limit in row.property_limits
        ),
        max_distance_km=row.max_distance_km,
        willingness_to_pay_eur_per_unit=row.willingness_to_pay_eur_per_unit,
        visibility=Visibility(row.visibility),
        valid_until=row.valid_until,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _write_need(row: NeedRow, need: Need) -> None:
    row.organisation_id = need.organisation_id
    row.site_id = need.site_id
    row.name = need.name
    row.description = need.description
    row.description_lang = need.description_lang
    row.replaces_virgin_material_code = need.replaces_virgin_material_code
    row.accepts_hazardous = need.accepts_hazardous
    row.quantity_amount = need.quantity.amount
    row.quantity_low = need.quantity.low
    row.quantity_high = need.quantity.high
    row.quantity_unit = need.quantity.unit.value
    row.recurrence = need.quantity.recurrence.value
    row.recurrence_months = _months_to_text(need.quantity.months)
    row.min_temperature_c = need.min_temperature_c
    row.max_distance_km = need.max_distance_km
    row.willingness_to_pay_eur_per_unit = need.willingness_to_pay_eur_per_unit
    row.visibility = need.visibility.value
    row.valid_until = need.valid_until
    row.accepted_material_classes = [
        NeedMaterialClassRow(material_class_code=code)
        for code in sorted(set(need.accepted_material_class_codes))
    ]
    row.accepted_waste_codes = [
        NeedWasteCodeRow(ewc_code=code) for code in sorted(set(need.accepted_ewc_codes))
    ]
    row.property_limits = [
        NeedPropertyLimitRow(
            property_code=limit.property_code,
            unit=limit.unit,
            min_value=limit.min_value,
            max_value=limit.max_value,
        )
        for limit in need.property_limits
    ]


# --- both kinds of listing -------------------------------------------------------------------


class _SqlListingRepository(Generic[ListingRowT, ListingT]):
    """Streams and needs are stored alike: a row with child rows, keyed by organisation and name."""

    row_type: type[ListingRowT]
    kind: str
    loaded_children: tuple[Any, ...]

    def __init__(self, session: Session) -> None:
        self._session = session

    @staticmethod
    def _to_domain(row: ListingRowT, /) -> ListingT:
        raise NotImplementedError

    @staticmethod
    def _write(row: ListingRowT, listing: ListingT, /) -> None:
        raise NotImplementedError

    def _query(self) -> Select[Any]:
        return select(self.row_type).options(
            *(selectinload(child) for child in self.loaded_children)
        )

    def _primary_key(self) -> Any:
        return self.row_type.__mapper__.primary_key[0]

    def add(self, listing: ListingT) -> ListingT:
        mark_registry_changed(self._session)
        now = datetime.now(UTC)
        row = self.row_type(created_at=now, updated_at=now)
        self._write(row, listing)
        self._session.add(row)
        _flush(self._session)
        return self._to_domain(row)

    def update(self, listing: ListingT) -> ListingT:
        mark_registry_changed(self._session)
        listing_id = listing.stream_id if isinstance(listing, SideStream) else listing.need_id
        row = self._session.get(self.row_type, listing_id)
        if row is None:
            raise NotFound(self.kind, listing_id)
        self._write(row, listing)
        row.updated_at = datetime.now(UTC)
        _flush(self._session)
        return self._to_domain(row)

    def get(self, listing_id: int) -> ListingT | None:
        row = self._session.scalars(self._query().where(self._primary_key() == listing_id)).first()
        return self._to_domain(row) if row else None

    def get_by_name(self, organisation_id: int, name: str) -> ListingT | None:
        row = self._session.scalars(
            self._query().where(
                self.row_type.organisation_id == organisation_id, self.row_type.name == name
            )
        ).first()
        return self._to_domain(row) if row else None

    def list_all(self) -> list[ListingT]:
        rows = self._session.scalars(self._query().order_by(self._primary_key()))
        return [self._to_domain(row) for row in rows]


class SqlStreamRepository(_SqlListingRepository[SideStreamRow, SideStream]):
    row_type = SideStreamRow
    kind = "side stream"
    loaded_children = (SideStreamRow.properties,)
    _to_domain = staticmethod(_stream_from_row)
    _write = staticmethod(_write_stream)


class SqlNeedRepository(_SqlListingRepository[NeedRow, Need]):
    row_type = NeedRow
    kind = "need"
    loaded_children = (
        NeedRow.accepted_material_classes,
        NeedRow.accepted_waste_codes,
        NeedRow.property_limits,
    )
    _to_domain = staticmethod(_need_from_row)
    _write = staticmethod(_write_need)


# --- proposals -------------------------------------------------------------------------------


def _proposal_from_row(row: ProposalRow) -> ProposalRecord:
    benefit = row.benefit
    return ProposalRecord(
        proposal_id=row.proposal_id,
        proposal=Proposal(
            stream_id=row.stream_id,
            need_id=row.need_id,
            score=row.score,
            transport_mode=TransportModeName(row.transport_mode),
            distance_km=row.distance_km,
            route_id=row.route_id,
            reasons=tuple(row.reasons),
            factors=tuple(ScoreFactor(**factor) for factor in row.factors),
            benefit=BenefitEstimate(
                amount=benefit["amount"],
                basis=benefit["basis"],
                eur_per_yr=benefit["eur_per_yr"],
                avoided_co2e_t_per_yr=benefit["avoided_co2e_t_per_yr"],
                transport_co2e_t_per_yr=benefit["transport_co2e_t_per_yr"],
                trace=tuple(benefit["trace"]),
            ),
        ),
        stream_decision=Decision(row.stream_decision) if row.stream_decision else None,
        need_decision=Decision(row.need_decision) if row.need_decision else None,
        decline_reason=row.decline_reason,
        stream_fingerprint=row.stream_fingerprint,
        need_fingerprint=row.need_fingerprint,
        decided_at=_utc(row.decided_at),
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _write_proposal(row: ProposalRow, record: ProposalRecord) -> None:
    proposal = record.proposal
    row.stream_id = proposal.stream_id
    row.need_id = proposal.need_id
    row.score = proposal.score
    row.transport_mode = proposal.transport_mode.value
    row.distance_km = proposal.distance_km
    row.route_id = proposal.route_id
    row.reasons = list(proposal.reasons)
    row.factors = [asdict(factor) for factor in proposal.factors]
    row.benefit = asdict(proposal.benefit)
    row.stream_decision = record.stream_decision.value if record.stream_decision else None
    row.need_decision = record.need_decision.value if record.need_decision else None
    row.decline_reason = record.decline_reason
    row.stream_fingerprint = record.stream_fingerprint
    row.need_fingerprint = record.need_fingerprint
    row.decided_at = record.decided_at


class SqlProposalRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def list_all(self) -> list[ProposalRecord]:
        rows = self._session.scalars(select(ProposalRow).order_by(ProposalRow.proposal_id))
        return [_proposal_from_row(row) for row in rows]

    def get(self, proposal_id: int) -> ProposalRecord | None:
        row = self._session.get(ProposalRow, proposal_id)
        return _proposal_from_row(row) if row else None

    def for_listing(
        self, stream_id: int | None = None, need_id: int | None = None
    ) -> list[ProposalRecord]:
        query = select(ProposalRow).order_by(ProposalRow.score.desc(), ProposalRow.proposal_id)
        if stream_id is not None:
            query = query.where(ProposalRow.stream_id == stream_id)
        if need_id is not None:
            query = query.where(ProposalRow.need_id == need_id)
        return [_proposal_from_row(row) for row in self._session.scalars(query)]

    def save(self, record: ProposalRecord) -> ProposalRecord:
        """Insert, or update the proposal of the same stream and need."""
        mark_registry_changed(self._session)
        row = self._session.scalars(
            select(ProposalRow).where(
                ProposalRow.stream_id == record.proposal.stream_id,
                ProposalRow.need_id == record.proposal.need_id,
            )
        ).first()
        now = datetime.now(UTC)
        if row is None:
            row = ProposalRow(created_at=now)
            self._session.add(row)
        _write_proposal(row, record)
        row.updated_at = now
        _flush(self._session)
        return _proposal_from_row(row)

    def delete(self, proposal_ids: Sequence[int]) -> int:
        """Delete these proposals, except any a synergy follows: a synergy keeps its proposal
        whatever the matcher now thinks of the pair (the key is ON DELETE RESTRICT besides).
        Returns how many were deleted."""
        mark_registry_changed(self._session)
        if not proposal_ids:
            return 0
        followed = select(SynergyRow.synergy_id).where(
            SynergyRow.proposal_id == ProposalRow.proposal_id
        )
        result = self._session.execute(
            delete(ProposalRow).where(
                ProposalRow.proposal_id.in_(list(proposal_ids)), ~followed.exists()
            )
        )
        _flush(self._session)
        return int(result.rowcount)  # type: ignore[attr-defined]


# --- scenarios -------------------------------------------------------------------------------
#
# A saved scenario keeps its spec, settings and lists as JSON text written and read by the
# standard library. The columns are text, not a database JSON type: the database never parses
# them, so an unbounded hub capacity written as Infinity reads back as it was written.


def _to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _spec_from_json(text: str) -> ScenarioSpec:
    """The saved spec, read by scenario_from_mapping against the processing steps and material
    classes the spec itself names, not today's reference data: a code retired or renamed since
    the scenario was saved must never make it unreadable. (save_scenario_run checks that a spec
    reads back equal before it is stored, so what was saved always loads.)"""
    data = json.loads(text)
    hubs = [hub for hub in data.get("hubs", []) if isinstance(hub, Mapping)]
    process_codes = [hub["process_code"] for hub in hubs if "process_code" in hub]
    material_class_codes = [
        code for hub in hubs for code in hub.get("accepts_material_class_codes") or ()
    ]
    return scenario_from_mapping(data, process_codes, material_class_codes)


def _criteria_to_json(values: Mapping[Criterion, float]) -> str:
    return _to_json({Criterion(criterion).value: value for criterion, value in values.items()})


def _criteria_from_json(text: str) -> dict[Criterion, float]:
    return {Criterion(criterion): value for criterion, value in json.loads(text).items()}


def _flow_from_row(row: ScenarioFlowRow) -> PlannedFlow:
    return PlannedFlow(
        proposal_id=row.proposal_id,
        stream_id=row.stream_id,
        need_id=row.need_id,
        stream=row.stream,
        need=row.need,
        producer=row.producer,
        receiver=row.receiver,
        hub=row.hub,
        modes=row.modes,
        flow_t=row.flow_t,
        eur=row.eur,
        co2e_t=row.co2e_t,
    )


def _plan_from_row(row: ScenarioPlanRow) -> ScenarioPlan:
    return ScenarioPlan(
        label=row.label,
        status=row.status,
        termination=row.termination,
        message=row.message,
        weights=_criteria_from_json(row.weights_json),
        floors=_criteria_from_json(row.floors_json),
        eur=row.eur,
        co2e_t=row.co2e_t,
        tonnes=row.tonnes,
        hubs_opened=tuple(json.loads(row.hubs_opened_json)),
        flows=tuple(_flow_from_row(flow) for flow in row.flows),
        solver_name=row.solver_name,
        solver_version=row.solver_version,
        solver_options=json.loads(row.solver_options_json),
        runtime_s=row.runtime_s,
        relative_gap_frac=row.relative_gap_frac,
    )


def _scenario_from_row(row: ScenarioRow) -> ScenarioRun:
    created_at = _utc(row.created_at)
    assert created_at is not None
    return ScenarioRun(
        spec=_spec_from_json(row.spec_json),
        plans=tuple(_plan_from_row(plan) for plan in row.plans),
        left_out=tuple(json.loads(row.left_out_json)),
        created_at=created_at,
        scenario_id=row.scenario_id,
    )


def _write_scenario(row: ScenarioRow, run: ScenarioRun) -> None:
    row.name = run.spec.name
    row.description = run.spec.description
    row.spec_json = _to_json(scenario_to_mapping(run.spec))
    row.left_out_json = _to_json(list(run.left_out))
    # SQLite keeps the wall-clock time without its offset: store every moment in UTC.
    row.created_at = run.created_at.astimezone(UTC)
    row.plans = [
        ScenarioPlanRow(
            position=position,
            label=plan.label,
            status=plan.status,
            termination=plan.termination,
            message=plan.message,
            weights_json=_criteria_to_json(plan.weights),
            floors_json=_criteria_to_json(plan.floors),
            eur=plan.eur,
            co2e_t=plan.co2e_t,
            tonnes=plan.tonnes,
            hubs_opened_json=_to_json(list(plan.hubs_opened)),
            solver_name=plan.solver_name,
            solver_version=plan.solver_version,
            solver_options_json=_to_json(dict(plan.solver_options)),
            runtime_s=plan.runtime_s,
            relative_gap_frac=plan.relative_gap_frac,
            flows=[
                ScenarioFlowRow(
                    position=flow_position,
                    proposal_id=flow.proposal_id,
                    stream_id=flow.stream_id,
                    need_id=flow.need_id,
                    stream=flow.stream,
                    need=flow.need,
                    producer=flow.producer,
                    receiver=flow.receiver,
                    hub=flow.hub,
                    modes=flow.modes,
                    flow_t=flow.flow_t,
                    eur=flow.eur,
                    co2e_t=flow.co2e_t,
                )
                for flow_position, flow in enumerate(plan.flows)
            ],
        )
        for position, plan in enumerate(run.plans)
    ]


class SqlScenarioRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _query(self) -> Select[Any]:
        return select(ScenarioRow).options(
            selectinload(ScenarioRow.plans).selectinload(ScenarioPlanRow.flows)
        )

    def add(self, run: ScenarioRun) -> ScenarioRun:
        row = ScenarioRow()
        _write_scenario(row, run)
        self._session.add(row)
        _flush(self._session)
        return _scenario_from_row(row)

    def get_by_name(self, name: str) -> ScenarioRun | None:
        row = self._session.scalars(self._query().where(ScenarioRow.name == name)).first()
        return _scenario_from_row(row) if row else None

    def list_all(self) -> list[ScenarioRun]:
        rows = self._session.scalars(
            self._query().order_by(ScenarioRow.created_at, ScenarioRow.name)
        )
        return [_scenario_from_row(row) for row in rows]

    def delete(self, name: str) -> None:
        row = self._session.scalars(select(ScenarioRow).where(ScenarioRow.name == name)).first()
        if row is None:
            raise NotFound("scenario", name)
        # Plans and flows not loaded in this session go by ON DELETE CASCADE.
        self._session.delete(row)
        _flush(self._session)


# --- accounts --------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    aware = _utc(moment)
    assert aware is not None
    return aware


def _stored(moment: datetime | None) -> datetime | None:
    """SQLite keeps the wall-clock time without its offset: store every moment in UTC."""
    return None if moment is None else moment.astimezone(UTC)


def _user_from_row(row: UserRow) -> User:
    return User(
        user_id=row.user_id,
        email=row.email,
        display_name=row.display_name,
        password_hash=row.password_hash,
        is_administrator=row.is_administrator,
        is_facilitator=row.is_facilitator,
        organisation_ids=frozenset(membership.organisation_id for membership in row.memberships),
        is_active=row.is_active,
        created_at=_utc(row.created_at),
    )


def _write_user(row: UserRow, user: User) -> None:
    row.email = user.email
    row.display_name = user.display_name
    row.password_hash = user.password_hash
    row.is_administrator = user.is_administrator
    row.is_facilitator = user.is_facilitator
    row.is_active = user.is_active
    kept = {membership.organisation_id: membership for membership in row.memberships}
    row.memberships = [
        kept.get(organisation_id) or MembershipRow(organisation_id=organisation_id)
        for organisation_id in sorted(user.organisation_ids)
    ]


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _query(self) -> Select[Any]:
        return select(UserRow).options(selectinload(UserRow.memberships))

    def add(self, user: User) -> User:
        now = datetime.now(UTC)
        row = UserRow(created_at=_stored(user.created_at) or now, updated_at=now)
        _write_user(row, user)
        self._session.add(row)
        _flush(self._session)
        return _user_from_row(row)

    def update(self, user: User) -> User:
        row = self._session.scalars(self._query().where(UserRow.user_id == user.user_id)).first()
        if row is None:
            raise NotFound("user", user.user_id)
        _write_user(row, user)
        row.updated_at = datetime.now(UTC)
        _flush(self._session)
        return _user_from_row(row)

    def get(self, user_id: int) -> User | None:
        row = self._session.scalars(self._query().where(UserRow.user_id == user_id)).first()
        return _user_from_row(row) if row else None

    def get_by_email(self, email: str) -> User | None:
        row = self._session.scalars(self._query().where(UserRow.email == email)).first()
        return _user_from_row(row) if row else None

    def list_all(self) -> list[User]:
        rows = self._session.scalars(self._query().order_by(UserRow.email))
        return [_user_from_row(row) for row in rows]

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(UserRow)) or 0


class SqlPartnerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def partners_of(self, organisation_id: int) -> frozenset[int]:
        return frozenset(
            self._session.scalars(
                select(OrganisationPartnerRow.partner_organisation_id).where(
                    OrganisationPartnerRow.organisation_id == organisation_id
                )
            )
        )

    def all_partners(self) -> dict[int, frozenset[int]]:
        found: dict[int, set[int]] = {}
        for owner, partner in self._session.execute(
            select(
                OrganisationPartnerRow.organisation_id,
                OrganisationPartnerRow.partner_organisation_id,
            )
        ):
            found.setdefault(owner, set()).add(partner)
        return {owner: frozenset(partners) for owner, partners in found.items()}

    def naming_as_partner(self, partner_organisation_id: int) -> frozenset[int]:
        return frozenset(
            self._session.scalars(
                select(OrganisationPartnerRow.organisation_id).where(
                    OrganisationPartnerRow.partner_organisation_id == partner_organisation_id
                )
            )
        )

    def set_partners(self, organisation_id: int, partner_ids: frozenset[int]) -> None:
        mark_registry_changed(self._session)
        self._session.execute(
            delete(OrganisationPartnerRow).where(
                OrganisationPartnerRow.organisation_id == organisation_id
            )
        )
        self._session.add_all(
            OrganisationPartnerRow(
                organisation_id=organisation_id, partner_organisation_id=partner_id
            )
            for partner_id in sorted(partner_ids)
        )
        _flush(self._session)


def _session_from_row(row: SessionRow) -> UserSession:
    return UserSession(
        session_id=row.session_id,
        user_id=row.user_id,
        secret_sha256=row.secret_sha256,
        created_at=_aware(row.created_at),
        last_used_at=_aware(row.last_used_at),
    )


class SqlSessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, session: UserSession) -> UserSession:
        row = SessionRow(
            user_id=session.user_id,
            secret_sha256=session.secret_sha256,
            created_at=_stored(session.created_at),
            last_used_at=_stored(session.last_used_at),
        )
        self._session.add(row)
        _flush(self._session)
        return _session_from_row(row)

    def get_by_digest(self, secret_sha256: str) -> UserSession | None:
        row = self._session.scalars(
            select(SessionRow).where(SessionRow.secret_sha256 == secret_sha256)
        ).first()
        return _session_from_row(row) if row else None

    def touch(self, session_id: int, last_used_at: datetime) -> None:
        self._session.execute(
            update(SessionRow)
            .where(SessionRow.session_id == session_id)
            .values(last_used_at=_stored(last_used_at))
        )

    def delete(self, session_id: int) -> None:
        self._session.execute(delete(SessionRow).where(SessionRow.session_id == session_id))

    def delete_for_user(self, user_id: int) -> int:
        result = self._session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
        return int(getattr(result, "rowcount", 0))


def _token_from_row(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        token_id=row.token_id,
        user_id=row.user_id,
        name=row.name,
        secret_sha256=row.secret_sha256,
        created_at=_aware(row.created_at),
        expires_at=_utc(row.expires_at),
        revoked_at=_utc(row.revoked_at),
        last_used_at=_utc(row.last_used_at),
    )


class SqlApiTokenRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, token: ApiToken) -> ApiToken:
        row = ApiTokenRow(
            user_id=token.user_id,
            name=token.name,
            secret_sha256=token.secret_sha256,
            created_at=_stored(token.created_at),
            expires_at=_stored(token.expires_at),
            revoked_at=_stored(token.revoked_at),
            last_used_at=_stored(token.last_used_at),
        )
        self._session.add(row)
        _flush(self._session)
        return _token_from_row(row)

    def get(self, token_id: int) -> ApiToken | None:
        row = self._session.get(ApiTokenRow, token_id)
        return _token_from_row(row) if row else None

    def get_by_digest(self, secret_sha256: str) -> ApiToken | None:
        row = self._session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.secret_sha256 == secret_sha256)
        ).first()
        return _token_from_row(row) if row else None

    def for_user(self, user_id: int) -> list[ApiToken]:
        rows = self._session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id)
            .order_by(ApiTokenRow.created_at, ApiTokenRow.token_id)
        )
        return [_token_from_row(row) for row in rows]

    def touch(self, token_id: int, last_used_at: datetime) -> None:
        self._session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.token_id == token_id)
            .values(last_used_at=_stored(last_used_at))
        )

    def update(self, token: ApiToken) -> ApiToken:
        row = self._session.get(ApiTokenRow, token.token_id)
        if row is None:
            raise NotFound("API token", token.token_id)
        row.revoked_at = _stored(token.revoked_at)
        row.last_used_at = _stored(token.last_used_at)
        _flush(self._session)
        return _token_from_row(row)


def _attempt_from_row(row: LoginAttemptRow) -> LoginAttempt:
    return LoginAttempt(
        email=row.email,
        client_address=row.client_address,
        at=_aware(row.at),
        succeeded=row.succeeded,
    )


class SqlLoginAttemptRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, attempt: LoginAttempt) -> None:
        self._session.add(
            LoginAttemptRow(
                email=attempt.email,
                client_address=attempt.client_address,
                at=_stored(attempt.at),
                succeeded=attempt.succeeded,
            )
        )
        _flush(self._session)

    def _since(self, condition: Any, since: datetime) -> list[LoginAttempt]:
        rows = self._session.scalars(
            select(LoginAttemptRow)
            .where(condition, LoginAttemptRow.at >= _stored(since))
            .order_by(LoginAttemptRow.at, LoginAttemptRow.login_attempt_id)
        )
        return [_attempt_from_row(row) for row in rows]

    def for_email(self, email: str, since: datetime) -> list[LoginAttempt]:
        return self._since(LoginAttemptRow.email == email, since)

    def for_client_address(self, client_address: str, since: datetime) -> list[LoginAttempt]:
        return self._since(LoginAttemptRow.client_address == client_address, since)

    def delete_before(self, moment: datetime) -> None:
        self._session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < _stored(moment)))


def _event_from_row(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        audit_event_id=row.audit_event_id,
        at=_aware(row.at),
        actor_user_id=row.actor_user_id,
        action=AuditAction(row.action),
        entity_kind=row.entity_kind,
        entity_id=row.entity_id,
        detail=row.detail,
    )


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, event: AuditEvent) -> AuditEvent:
        row = AuditEventRow(
            at=_stored(event.at),
            actor_user_id=event.actor_user_id,
            action=AuditAction(event.action).value,
            entity_kind=str(event.entity_kind),
            entity_id=event.entity_id,
            detail=event.detail,
        )
        self._session.add(row)
        _flush(self._session)
        return _event_from_row(row)

    def read(self, audit_filter: AuditFilter) -> list[AuditEvent]:
        query = select(AuditEventRow)
        if audit_filter.actor_user_id is not None:
            query = query.where(AuditEventRow.actor_user_id == audit_filter.actor_user_id)
        if audit_filter.action is not None:
            query = query.where(AuditEventRow.action == AuditAction(audit_filter.action).value)
        if audit_filter.entity_kind is not None:
            query = query.where(AuditEventRow.entity_kind == str(audit_filter.entity_kind))
        if audit_filter.entity_id is not None:
            query = query.where(AuditEventRow.entity_id == audit_filter.entity_id)
        if audit_filter.since is not None:
            query = query.where(AuditEventRow.at >= _stored(audit_filter.since))
        if audit_filter.until is not None:
            query = query.where(AuditEventRow.at < _stored(audit_filter.until))
        rows = self._session.scalars(
            query.order_by(AuditEventRow.at.desc(), AuditEventRow.audit_event_id.desc()).limit(
                audit_filter.limit
            )
        )
        return [_event_from_row(row) for row in rows]


# --- the synergy board -----------------------------------------------------------------------


def _synergy_event_from_row(row: SynergyEventRow) -> SynergyEvent:
    return SynergyEvent(
        event_id=row.synergy_event_id,
        at=_aware(row.at),
        from_stage=Stage(row.from_stage) if row.from_stage else None,
        to_stage=Stage(row.to_stage),
        actor_user_id=row.actor_user_id,
        note=row.note,
    )


def _synergy_from_row(row: SynergyRow) -> Synergy:
    agreement = None
    if row.agreed_quantity is not None and row.agreed_unit and row.started_on:
        agreement = Agreement(row.agreed_quantity, row.agreed_unit, row.started_on)
    return Synergy(
        synergy_id=row.synergy_id,
        proposal_id=row.proposal_id,
        stage=Stage(row.stage),
        events=tuple(_synergy_event_from_row(event) for event in row.events),
        agreement=agreement,
    )


def _write_synergy(row: SynergyRow, synergy: Synergy) -> None:
    """The synergy's state, and its events not stored yet (those without an id)."""
    agreement = synergy.agreement
    row.proposal_id = synergy.proposal_id
    row.stage = synergy.stage.value
    row.agreed_quantity = agreement.quantity if agreement else None
    row.agreed_unit = agreement.unit if agreement else None
    row.started_on = agreement.started_on if agreement else None
    row.updated_at = synergy.updated_at.astimezone(UTC)
    row.events.extend(
        SynergyEventRow(
            at=_stored(event.at),
            from_stage=event.from_stage.value if event.from_stage else None,
            to_stage=event.to_stage.value,
            actor_user_id=event.actor_user_id,
            note=event.note,
        )
        for event in synergy.events
        if event.event_id is None
    )


class SqlSynergyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _query(self) -> Select[Any]:
        return select(SynergyRow).options(selectinload(SynergyRow.events))

    def add(self, synergy: Synergy) -> Synergy:
        mark_registry_changed(self._session)
        row = SynergyRow(created_at=_stored(synergy.opened_at))
        _write_synergy(row, synergy)
        self._session.add(row)
        _flush(self._session)
        return _synergy_from_row(row)

    def update(self, synergy: Synergy) -> Synergy:
        mark_registry_changed(self._session)
        row = self._session.scalars(
            self._query().where(SynergyRow.synergy_id == synergy.synergy_id)
        ).first()
        if row is None:
            raise NotFound("synergy", synergy.synergy_id)
        stored = [event.synergy_event_id for event in row.events]
        if [event.event_id for event in synergy.events if event.event_id is not None] != stored:
            raise Conflict(f"synergy {synergy.synergy_id} has moved meanwhile: look at it again")
        _write_synergy(row, synergy)
        _flush(self._session)
        return _synergy_from_row(row)

    def get(self, synergy_id: int, lock: bool = False) -> Synergy | None:
        query = self._query().where(SynergyRow.synergy_id == synergy_id)
        if lock:  # PostgreSQL: SELECT ... FOR UPDATE; SQLite has a single writer anyway
            query = query.with_for_update(of=SynergyRow)
        row = self._session.scalars(query).first()
        return _synergy_from_row(row) if row else None

    def get_by_proposal(self, proposal_id: int) -> Synergy | None:
        row = self._session.scalars(
            self._query().where(SynergyRow.proposal_id == proposal_id)
        ).first()
        return _synergy_from_row(row) if row else None

    def list_all(self, stage: Stage | None = None) -> list[Synergy]:
        query = self._query().order_by(SynergyRow.synergy_id)
        if stage is not None:
            query = query.where(SynergyRow.stage == Stage(stage).value)
        return [_synergy_from_row(row) for row in self._session.scalars(query)]


class SqlLabResultRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, stream_id: int, results: Sequence[LabResult]) -> None:
        now = datetime.now(UTC)
        self._session.add_all(
            LabResultRow(
                stream_id=stream_id,
                parameter_code=result.parameter_code,
                basis=result.basis.value,
                value=result.value,
                unit=result.unit,
                standard=result.standard,
                laboratory=result.laboratory,
                tested_on=result.tested_on,
                is_below_detection=result.is_below_detection,
                created_at=now,
            )
            for result in results
        )
        _flush(self._session)

    def for_stream(self, stream_id: int) -> list[LabResult]:
        rows = self._session.scalars(
            select(LabResultRow)
            .where(LabResultRow.stream_id == stream_id)
            .order_by(LabResultRow.tested_on, LabResultRow.lab_result_id)
        )
        return [_lab_result(row) for row in rows]

    def by_stream(self) -> dict[int, list[LabResult]]:
        rows = self._session.scalars(
            select(LabResultRow).order_by(
                LabResultRow.stream_id, LabResultRow.tested_on, LabResultRow.lab_result_id
            )
        )
        found: dict[int, list[LabResult]] = {}
        for row in rows:
            found.setdefault(row.stream_id, []).append(_lab_result(row))
        return found


def _lab_result(row: LabResultRow) -> LabResult:
    return LabResult(
        parameter_code=row.parameter_code,
        basis=Basis(row.basis),
        value=row.value,
        unit=row.unit,
        standard=row.standard,
        laboratory=row.laboratory,
        tested_on=row.tested_on,
        is_below_detection=row.is_below_detection,
    )


class SqlStatusRecordRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, record: StatusRecord) -> StatusRecord:
        row = StatusRecordRow(
            stream_id=record.stream_id,
            use=record.use,
            route_id=record.route_id,
            status=record.status.value,
            legal_basis=record.legal_basis,
            decision_reference=record.decision_reference,
            authority=record.authority,
            decided_on=record.decided_on,
            valid_until=record.valid_until,
            scope_of_use=record.scope_of_use,
            documents="\n".join(record.documents),
            fulfils="\n".join(record.fulfils),
            created_at=datetime.now(UTC),
        )
        self._session.add(row)
        _flush(self._session)
        return _status_from_row(row)

    def for_stream(self, stream_id: int) -> list[StatusRecord]:
        rows = self._session.scalars(
            select(StatusRecordRow)
            .where(StatusRecordRow.stream_id == stream_id)
            .order_by(StatusRecordRow.decided_on, StatusRecordRow.status_record_id)
        )
        return [_status_from_row(row) for row in rows]


def _status_from_row(row: StatusRecordRow) -> StatusRecord:
    return StatusRecord(
        stream_id=row.stream_id,
        use=row.use,
        status=RegulatoryStatus(row.status),
        legal_basis=row.legal_basis,
        decided_on=row.decided_on,
        route_id=row.route_id,
        decision_reference=row.decision_reference,
        authority=row.authority,
        valid_until=row.valid_until,
        scope_of_use=row.scope_of_use,
        documents=tuple(line for line in row.documents.split("\n") if line),
        fulfils=tuple(line for line in row.fulfils.split("\n") if line),
        status_record_id=row.status_record_id,
    )


# --- documents -------------------------------------------------------------------------------


def _document_from_row(row: StreamDocumentRow) -> StreamDocument:
    return StreamDocument(
        stream_id=row.stream_id,
        title=row.title,
        kind=DocumentKind(row.kind),
        file_name=row.file_name,
        media_type=row.media_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        uploaded_by_user_id=row.uploaded_by_user_id,
        uploaded_at=_aware(row.uploaded_at),
        status_record_id=row.status_record_id,
        document_id=row.document_id,
    )


class SqlStreamDocumentRepository:
    """The bytes are a deferred column: every read here but content() leaves them out."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, document: StreamDocument, content: bytes) -> StreamDocument:
        row = StreamDocumentRow(
            stream_id=document.stream_id,
            status_record_id=document.status_record_id,
            title=document.title,
            kind=document.kind.value,
            file_name=document.file_name,
            media_type=document.media_type,
            size_bytes=document.size_bytes,
            sha256=document.sha256,
            uploaded_by_user_id=document.uploaded_by_user_id,
            uploaded_at=_stored(document.uploaded_at),
            content=content,
        )
        self._session.add(row)
        _flush(self._session)
        return _document_from_row(row)

    def for_stream(self, stream_id: int) -> list[StreamDocument]:
        rows = self._session.scalars(
            select(StreamDocumentRow)
            .where(StreamDocumentRow.stream_id == stream_id)
            .order_by(StreamDocumentRow.uploaded_at, StreamDocumentRow.document_id)
        )
        return [_document_from_row(row) for row in rows]

    def get(self, document_id: int) -> StreamDocument | None:
        row = self._session.get(StreamDocumentRow, document_id)
        return None if row is None else _document_from_row(row)

    def content(self, document_id: int) -> bytes | None:
        return self._session.scalar(
            select(StreamDocumentRow.content).where(StreamDocumentRow.document_id == document_id)
        )

    def delete(self, document_id: int) -> None:
        self._session.execute(
            delete(StreamDocumentRow).where(StreamDocumentRow.document_id == document_id)
        )
