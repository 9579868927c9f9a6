"""SQLAlchemy table models. Column names are the domain's field names, units included."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RegistryStateRow(Base):
    """One row: the registry's version, moved on by every commit that changes organisations,
    streams, needs, partners, proposals or synergies, so a cached snapshot knows it is stale."""

    __tablename__ = "registry_state"
    __table_args__ = (CheckConstraint("registry_state_id = 1", name="one_row"),)

    registry_state_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)


class OrganisationRow(Base):
    __tablename__ = "organisations"

    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    business_id: Mapped[str | None] = mapped_column(String(9), unique=True)
    nace_code: Mapped[str | None] = mapped_column(String(5))
    size_class: Mapped[str | None] = mapped_column(String(10))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    sites: Mapped[list[SiteRow]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="SiteRow.site_id"
    )


class SiteRow(Base):
    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name", name="uq_sites_organisation_id_name"),
        CheckConstraint("latitude_deg BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude_deg BETWEEN -180 AND 180", name="longitude_range"),
    )

    site_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.organisation_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str | None] = mapped_column(String(3), index=True)
    latitude_deg: Mapped[float] = mapped_column(Float)
    longitude_deg: Mapped[float] = mapped_column(Float)
    has_rail_siding: Mapped[bool] = mapped_column(Boolean, default=False)
    has_port: Mapped[bool] = mapped_column(Boolean, default=False)
    facility_id_eprtr: Mapped[str | None] = mapped_column(String(40), unique=True)
    eprtr_activity_code: Mapped[str | None] = mapped_column(String(20))

    organisation: Mapped[OrganisationRow] = relationship(back_populates="sites")


class EprtrWasteTransferRow(Base):
    """Yearly waste transfer totals a facility reported to E-PRTR (SYKE / EEA)."""

    __tablename__ = "eprtr_waste_transfers"
    __table_args__ = (
        UniqueConstraint("site_id", "reporting_year", name="uq_eprtr_waste_transfers_site_year"),
    )

    eprtr_waste_transfer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.site_id", ondelete="CASCADE"))
    reporting_year: Mapped[int] = mapped_column(Integer)
    hazardous_recovery_t: Mapped[float] = mapped_column(Float)
    hazardous_disposal_t: Mapped[float] = mapped_column(Float)
    non_hazardous_recovery_t: Mapped[float] = mapped_column(Float)
    non_hazardous_disposal_t: Mapped[float] = mapped_column(Float)
    hazardous_transboundary_t: Mapped[float] = mapped_column(Float)
    total_t: Mapped[float] = mapped_column(Float)


class SideStreamRow(Base):
    __tablename__ = "side_streams"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name", name="uq_side_streams_organisation_id_name"),
        CheckConstraint("quantity_amount > 0", name="quantity_positive"),
    )

    stream_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.organisation_id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.site_id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    description_lang: Mapped[str | None] = mapped_column(String(2))
    ewc_code: Mapped[str | None] = mapped_column(String(6), index=True)
    is_hazardous: Mapped[bool] = mapped_column(Boolean)
    hazard_assessment_basis: Mapped[str | None] = mapped_column(Text)
    hazard_assessed_on: Mapped[date | None] = mapped_column(Date)
    material_class_code: Mapped[str] = mapped_column(String(40), index=True)
    physical_form: Mapped[str] = mapped_column(String(10))
    quantity_amount: Mapped[float] = mapped_column(Float)
    quantity_low: Mapped[float | None] = mapped_column(Float)  # same unit as the amount
    quantity_high: Mapped[float | None] = mapped_column(Float)
    quantity_unit: Mapped[str] = mapped_column(String(10))
    recurrence: Mapped[str] = mapped_column(String(12))
    recurrence_months: Mapped[str] = mapped_column(String(30))  # "1;2;...;12"
    temperature_c: Mapped[float | None] = mapped_column(Float)
    max_distance_km: Mapped[float | None] = mapped_column(Float)
    management_route: Mapped[str] = mapped_column(String(20))
    management_cost_eur_per_unit: Mapped[float | None] = mapped_column(Float)
    asking_price_eur_per_unit: Mapped[float | None] = mapped_column(Float)
    visibility: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    properties: Mapped[list[StreamPropertyRow]] = relationship(
        cascade="all, delete-orphan", order_by="StreamPropertyRow.stream_property_id"
    )


class StreamPropertyRow(Base):
    __tablename__ = "stream_properties"

    stream_property_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("side_streams.stream_id", ondelete="CASCADE"), index=True
    )
    property_code: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(12))
    method: Mapped[str] = mapped_column(String(200))
    measured_on: Mapped[date] = mapped_column(Date)
    laboratory: Mapped[str] = mapped_column(String(200), server_default="")


class NeedRow(Base):
    __tablename__ = "needs"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name", name="uq_needs_organisation_id_name"),
        CheckConstraint("quantity_amount > 0", name="quantity_positive"),
        CheckConstraint("max_distance_km > 0", name="distance_positive"),
    )

    need_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.organisation_id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.site_id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    description_lang: Mapped[str | None] = mapped_column(String(2))
    replaces_virgin_material_code: Mapped[str | None] = mapped_column(String(40))
    accepts_hazardous: Mapped[bool] = mapped_column(Boolean)
    quantity_amount: Mapped[float] = mapped_column(Float)
    quantity_low: Mapped[float | None] = mapped_column(Float)  # same unit as the amount
    quantity_high: Mapped[float | None] = mapped_column(Float)
    quantity_unit: Mapped[str] = mapped_column(String(10))
    recurrence: Mapped[str] = mapped_column(String(12))
    recurrence_months: Mapped[str] = mapped_column(String(30))
    min_temperature_c: Mapped[float | None] = mapped_column(Float)
    max_distance_km: Mapped[float] = mapped_column(Float)
    willingness_to_pay_eur_per_unit: Mapped[float | None] = mapped_column(Float)
    visibility: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    accepted_material_classes: Mapped[list[NeedMaterialClassRow]] = relationship(
        cascade="all, delete-orphan", order_by="NeedMaterialClassRow.material_class_code"
    )
    accepted_waste_codes: Mapped[list[NeedWasteCodeRow]] = relationship(
        cascade="all, delete-orphan", order_by="NeedWasteCodeRow.ewc_code"
    )
    property_limits: Mapped[list[NeedPropertyLimitRow]] = relationship(
        cascade="all, delete-orphan", order_by="NeedPropertyLimitRow.need_property_limit_id"
    )


class NeedMaterialClassRow(Base):
    __tablename__ = "need_material_classes"

    need_id: Mapped[int] = mapped_column(
        ForeignKey("needs.need_id", ondelete="CASCADE"), primary_key=True
    )
    material_class_code: Mapped[str] = mapped_column(String(40), primary_key=True)


class NeedWasteCodeRow(Base):
    __tablename__ = "need_waste_codes"

    need_id: Mapped[int] = mapped_column(
        ForeignKey("needs.need_id", ondelete="CASCADE"), primary_key=True
    )
    ewc_code: Mapped[str] = mapped_column(String(6), primary_key=True)


class NeedPropertyLimitRow(Base):
    __tablename__ = "need_property_limits"

    need_property_limit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("needs.need_id", ondelete="CASCADE"), index=True
    )
    property_code: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(12))
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)


class ProposalRow(Base):
    """A synergy proposal between a side stream and a need, with each party's decision."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("stream_id", "need_id", name="uq_proposals_stream_id_need_id"),
    )

    proposal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("side_streams.stream_id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int] = mapped_column(
        ForeignKey("needs.need_id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    transport_mode: Mapped[str] = mapped_column(String(10))
    distance_km: Mapped[float] = mapped_column(Float)
    route_id: Mapped[str | None] = mapped_column(String(80))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    benefit: Mapped[dict[str, Any]] = mapped_column(JSON)
    stream_decision: Mapped[str | None] = mapped_column(String(10))
    need_decision: Mapped[str | None] = mapped_column(String(10))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    stream_fingerprint: Mapped[str | None] = mapped_column(String(64))
    need_fingerprint: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScenarioRow(Base):
    """A saved run of the regional optimiser: the scenario asked and the plans answered.

    A saved scenario is a historical record: no foreign key leads from it (or its plans and
    flows) to streams, needs or proposals, so it survives those listings being changed or
    deleted; flows keep the ids and names they had when the plan was made.
    """

    __tablename__ = "scenarios"

    scenario_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)  # scenario_to_mapping, as JSON text
    left_out_json: Mapped[str] = mapped_column(Text)  # a JSON list of texts
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # passive_deletes: deleting a scenario leaves its plans and flows to ON DELETE CASCADE.
    plans: Mapped[list[ScenarioPlanRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ScenarioPlanRow.position"
    )


class ScenarioPlanRow(Base):
    """One plan of a saved scenario: a single objective, or one point of a Pareto front."""

    __tablename__ = "scenario_plans"

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.scenario_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # order within the scenario, from 0
    label: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    termination: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    weights_json: Mapped[str] = mapped_column(Text)  # {criterion: weight}
    floors_json: Mapped[str] = mapped_column(Text)  # {criterion: floor}
    eur: Mapped[float | None] = mapped_column(Float)  # None: no plan was found
    co2e_t: Mapped[float | None] = mapped_column(Float)
    tonnes: Mapped[float | None] = mapped_column(Float)
    hubs_opened_json: Mapped[str] = mapped_column(Text)  # a JSON list of hub names
    solver_name: Mapped[str] = mapped_column(Text)
    solver_version: Mapped[str] = mapped_column(Text)
    solver_options_json: Mapped[str] = mapped_column(Text)
    runtime_s: Mapped[float] = mapped_column(Float)
    relative_gap_frac: Mapped[float | None] = mapped_column(Float)

    flows: Mapped[list[ScenarioFlowRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ScenarioFlowRow.position"
    )


class ScenarioFlowRow(Base):
    """One flow of a saved plan. The ids name the proposal, stream and need the flow came from
    when the plan was made; they are deliberately not foreign keys (see ScenarioRow)."""

    __tablename__ = "scenario_flows"

    flow_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_plans.plan_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # order within the plan, from 0
    proposal_id: Mapped[int] = mapped_column(Integer)
    stream_id: Mapped[int] = mapped_column(Integer)
    need_id: Mapped[int] = mapped_column(Integer)
    stream: Mapped[str] = mapped_column(Text)
    need: Mapped[str] = mapped_column(Text)
    producer: Mapped[str] = mapped_column(Text)
    receiver: Mapped[str] = mapped_column(Text)
    hub: Mapped[str | None] = mapped_column(Text)  # None: delivered directly
    modes: Mapped[str] = mapped_column(String(40))  # "road", or one per leg: "rail+road"
    flow_t: Mapped[float] = mapped_column(Float)
    eur: Mapped[float] = mapped_column(Float)
    co2e_t: Mapped[float] = mapped_column(Float)


# --- accounts --------------------------------------------------------------------------------


class UserRow(Base):
    """An account. The e-mail address is stored normalised (trimmed, lower-case), so the unique
    constraint is case-insensitive on both databases."""

    __tablename__ = "users"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_administrator: Mapped[bool] = mapped_column(Boolean)
    is_facilitator: Mapped[bool] = mapped_column(Boolean)
    is_active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[MembershipRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="MembershipRow.organisation_id"
    )


class MembershipRow(Base):
    """A user acts for an organisation."""

    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.organisation_id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


class OrganisationPartnerRow(Base):
    """An organisation names another as its partner: the partner sees its partner-tier
    listings. Naming is one-way; an organisation is never its own partner."""

    __tablename__ = "organisation_partners"
    __table_args__ = (
        CheckConstraint("organisation_id <> partner_organisation_id", name="not_self"),
    )

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.organisation_id", ondelete="CASCADE"), primary_key=True
    )
    partner_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.organisation_id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


class SessionRow(Base):
    """A signed-in browser: only the SHA-256 of its secret is kept."""

    __tablename__ = "sessions"

    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    """A program's credential: only the SHA-256 of its secret is kept."""

    __tablename__ = "api_tokens"

    token_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttemptRow(Base):
    """A sign-in attempt, kept for the throttle while it may matter. The e-mail address is the
    one typed (normalised), which need not belong to any account: no foreign key."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_client_address_at", "client_address", "at"),
    )

    login_attempt_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class AuditEventRow(Base):
    """One entry of the audit log. A record, like a saved scenario: no foreign key leads from
    it, so it outlives the user and the entity it names."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity_kind_entity_id", "entity_kind", "entity_id"),)

    audit_event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(30))
    entity_kind: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text)


# --- the synergy board -----------------------------------------------------------------------


class SynergyRow(Base):
    """A synergy under way: the proposal it follows, its stage and, once realised, what was
    agreed. Nothing deletes a proposal a synergy follows: the key is ON DELETE RESTRICT, the
    matcher leaves such proposals alone (SqlProposalRepository.delete), and deleting the
    proposal's stream or need (which would cascade to it) is refused."""

    __tablename__ = "synergies"
    __table_args__ = (CheckConstraint("agreed_quantity > 0", name="agreed_quantity_positive"),)

    synergy_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.proposal_id", ondelete="RESTRICT"), unique=True
    )
    stage: Mapped[str] = mapped_column(String(12), index=True)
    agreed_quantity: Mapped[float | None] = mapped_column(Float)  # a year, in agreed_unit
    agreed_unit: Mapped[str | None] = mapped_column(String(4))  # t, MWh or m3
    started_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # passive_deletes: deleting a synergy leaves its events to ON DELETE CASCADE.
    events: Mapped[list[SynergyEventRow]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SynergyEventRow.synergy_event_id",
    )


class SynergyEventRow(Base):
    """One move of a synergy. The actor is a user id without a foreign key, as in the audit
    log: the history outlives the account."""

    __tablename__ = "synergy_events"

    synergy_event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    synergy_id: Mapped[int] = mapped_column(
        ForeignKey("synergies.synergy_id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_stage: Mapped[str | None] = mapped_column(String(12))  # None: the synergy was opened
    to_stage: Mapped[str] = mapped_column(String(12))
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class LabResultRow(Base):
    """One measured value of a stream's sample: total content or leaching, by standard."""

    __tablename__ = "lab_results"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    lab_result_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("side_streams.stream_id", ondelete="CASCADE"), index=True
    )
    parameter_code: Mapped[str] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(10))
    standard: Mapped[str] = mapped_column(String(200))
    laboratory: Mapped[str] = mapped_column(String(200))
    tested_on: Mapped[date] = mapped_column(Date)
    is_below_detection: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatusRecordRow(Base):
    """A stream's regulatory status for one intended use, with what it rests on."""

    __tablename__ = "regulatory_statuses"

    status_record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("side_streams.stream_id", ondelete="CASCADE"), index=True
    )
    use: Mapped[str] = mapped_column(Text)
    route_id: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    legal_basis: Mapped[str] = mapped_column(Text)
    decision_reference: Mapped[str | None] = mapped_column(Text)
    authority: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    scope_of_use: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[str] = mapped_column(Text)  # one reference per line
    fulfils: Mapped[str] = mapped_column(Text, server_default="")  # requirement codes, by line
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StreamDocumentRow(Base):
    """A file attached to a stream, with its bytes. They go with their stream; a document
    outlives the status record it supported (it is still evidence about the stream). The
    uploader is a user id without a foreign key, as in the audit log."""

    __tablename__ = "stream_documents"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_bytes_positive"),)

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("side_streams.stream_id", ondelete="CASCADE"), index=True
    )
    status_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("regulatory_statuses.status_record_id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Deferred: listing the documents never reads the bytes; a download asks for them.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)
