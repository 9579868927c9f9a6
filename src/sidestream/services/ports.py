"""The ports services depend on; adapters implement them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from types import TracebackType
from typing import Protocol, Self, TypeVar

from sidestream.domain.accounts import (
    ApiToken,
    AuditEvent,
    AuditFilter,
    LoginAttempt,
    User,
    UserSession,
)
from sidestream.domain.documents import StreamDocument
from sidestream.domain.eprtr import EprtrWasteTransfer
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.proposals import ProposalRecord
from sidestream.domain.regulation import LabResult, StatusRecord
from sidestream.domain.scenarios import ScenarioRun
from sidestream.domain.streams import Need, SideStream
from sidestream.domain.synergies import Stage, Synergy

ListingT = TypeVar("ListingT", SideStream, Need)

# Reports progress of long work: (units done, units in total).
ProgressCallback = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The progress callback for callers that show none."""


class OrganisationRepository(Protocol):
    def add(self, organisation: Organisation) -> Organisation: ...

    def update(self, organisation: Organisation) -> Organisation:
        """Store changed fields and sites; sites are matched by site_id."""
        ...

    def get(self, organisation_id: int) -> Organisation | None: ...

    def get_by_name(self, name: str) -> Organisation | None: ...

    def get_by_business_id(self, business_id: str) -> Organisation | None: ...

    def list_all(self) -> list[Organisation]: ...

    def site(self, site_id: int) -> Site | None: ...

    def site_by_facility_id_eprtr(self, facility_id_eprtr: str) -> Site | None: ...

    def replace_eprtr_waste_transfers(
        self, site_id: int, transfers: Sequence[EprtrWasteTransfer]
    ) -> None: ...

    def eprtr_waste_transfers(self, site_id: int) -> list[EprtrWasteTransfer]: ...


class ListingRepository(Protocol[ListingT]):
    """Side streams and needs: each is unique by name within its organisation."""

    def add(self, listing: ListingT) -> ListingT: ...

    def update(self, listing: ListingT) -> ListingT: ...

    def get(self, listing_id: int) -> ListingT | None: ...

    def get_by_name(self, organisation_id: int, name: str) -> ListingT | None: ...

    def list_all(self) -> list[ListingT]: ...


StreamRepository = ListingRepository[SideStream]
NeedRepository = ListingRepository[Need]


class ProposalRepository(Protocol):
    def list_all(self) -> list[ProposalRecord]: ...

    def get(self, proposal_id: int) -> ProposalRecord | None: ...

    def for_listing(
        self, stream_id: int | None = None, need_id: int | None = None
    ) -> list[ProposalRecord]:
        """A listing's proposals, best score first."""
        ...

    def save(self, record: ProposalRecord) -> ProposalRecord:
        """Insert, or update the proposal of the same stream and need."""
        ...

    def delete(self, proposal_ids: Sequence[int]) -> int:
        """Delete these proposals, except any a synergy follows (a synergy keeps its
        proposal whatever the matcher now thinks of the pair); how many were deleted."""
        ...


class SynergyRepository(Protocol):
    """Synergies under way, at most one per proposal, each with every move it has made."""

    def add(self, synergy: Synergy) -> Synergy:
        """Store a new synergy with its events; Conflict when its proposal has one already."""
        ...

    def update(self, synergy: Synergy) -> Synergy:
        """Store the stage and agreement, and add the events not stored yet (those without
        an event_id); Conflict when the synergy has moved since it was read."""
        ...

    def get(self, synergy_id: int, lock: bool = False) -> Synergy | None:
        """lock: hold the synergy until the transaction ends, so that two moves made at once
        happen one after the other."""
        ...

    def get_by_proposal(self, proposal_id: int) -> Synergy | None: ...

    def list_all(self, stage: Stage | None = None) -> list[Synergy]:
        """Every synergy (at this stage), oldest first."""
        ...


class ScenarioRepository(Protocol):
    """Saved runs of the regional optimiser, unique by the scenario's name. A saved run is a
    record: it loads whatever has become of the listings and reference data since."""

    def add(self, run: ScenarioRun) -> ScenarioRun:
        """Store a run under its spec's name; the run returned carries its scenario_id."""
        ...

    def get_by_name(self, name: str) -> ScenarioRun | None: ...

    def list_all(self) -> list[ScenarioRun]:
        """Every saved run, oldest first (then by name)."""
        ...

    def delete(self, name: str) -> None:
        """Remove a run with its plans and flows; NotFound when none has the name."""
        ...


class UserRepository(Protocol):
    """Accounts, unique by their normalised e-mail address; a user's organisation_ids are its
    memberships, written with the user."""

    def add(self, user: User) -> User: ...

    def update(self, user: User) -> User:
        """Store every field of the user with this user_id, memberships included."""
        ...

    def get(self, user_id: int) -> User | None: ...

    def get_by_email(self, email: str) -> User | None:
        """The user with this normalised address."""
        ...

    def list_all(self) -> list[User]:
        """Every user, by e-mail address."""
        ...

    def count(self) -> int: ...


class PartnerRepository(Protocol):
    """The organisations an owner names as partners (who see its partner-tier listings)."""

    def partners_of(self, organisation_id: int) -> frozenset[int]: ...

    def all_partners(self) -> dict[int, frozenset[int]]:
        """Every organisation that names partners, with them (one query for a whole page)."""
        ...

    def naming_as_partner(self, partner_organisation_id: int) -> frozenset[int]:
        """The organisations that name this one as their partner."""
        ...

    def set_partners(self, organisation_id: int, partner_ids: frozenset[int]) -> None:
        """Replace the organisation's partners."""
        ...


class SessionRepository(Protocol):
    def add(self, session: UserSession) -> UserSession: ...

    def get_by_digest(self, secret_sha256: str) -> UserSession | None: ...

    def touch(self, session_id: int, last_used_at: datetime) -> None: ...

    def delete(self, session_id: int) -> None: ...

    def delete_for_user(self, user_id: int) -> int:
        """End every session of a user; how many there were."""
        ...


class ApiTokenRepository(Protocol):
    def add(self, token: ApiToken) -> ApiToken: ...

    def get(self, token_id: int) -> ApiToken | None: ...

    def get_by_digest(self, secret_sha256: str) -> ApiToken | None: ...

    def for_user(self, user_id: int) -> list[ApiToken]:
        """A user's tokens, revoked and expired ones too, oldest first."""
        ...

    def update(self, token: ApiToken) -> ApiToken:
        """Store revoked_at and last_used_at (nothing else of a token changes)."""
        ...

    def touch(self, token_id: int, last_used_at: datetime) -> None:
        """Record a use, as the transaction's first statement (see services.accounts)."""
        ...


class LoginAttemptRepository(Protocol):
    def add(self, attempt: LoginAttempt) -> None: ...

    def for_email(self, email: str, since: datetime) -> list[LoginAttempt]:
        """Attempts with this address typed at `since` or later, oldest first."""
        ...

    def for_client_address(self, client_address: str, since: datetime) -> list[LoginAttempt]:
        """Attempts from this client at `since` or later, oldest first."""
        ...

    def delete_before(self, moment: datetime) -> None: ...


class AuditLog(Protocol):
    def add(self, event: AuditEvent) -> AuditEvent: ...

    def read(self, audit_filter: AuditFilter) -> list[AuditEvent]:
        """The events that pass the filter, newest first, at most its limit."""
        ...


class LabResultRepository(Protocol):
    """A stream's lab results, oldest first; they go with their stream."""

    def add(self, stream_id: int, results: Sequence[LabResult]) -> None: ...

    def for_stream(self, stream_id: int) -> list[LabResult]: ...

    def by_stream(self) -> dict[int, list[LabResult]]:
        """Every stream's results, for the matcher (streams without results left out)."""
        ...


class StatusRecordRepository(Protocol):
    """A stream's regulatory statuses per use, oldest decision first."""

    def add(self, record: StatusRecord) -> StatusRecord: ...

    def for_stream(self, stream_id: int) -> list[StatusRecord]: ...


class StreamDocumentRepository(Protocol):
    """Files attached to a stream: a description, and the bytes read only to download them.
    They go with their stream."""

    def add(self, document: StreamDocument, content: bytes) -> StreamDocument: ...

    def for_stream(self, stream_id: int) -> list[StreamDocument]:
        """The stream's documents, oldest first, without their bytes."""
        ...

    def get(self, document_id: int) -> StreamDocument | None: ...

    def content(self, document_id: int) -> bytes | None: ...

    def delete(self, document_id: int) -> None: ...


class PasswordHasher(Protocol):
    """A slow, salted password hash (Argon2id in production)."""

    def hash(self, password: str) -> str:
        """The encoded hash, with its algorithm, parameters and salt."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether the password is the one hashed; False for a malformed hash too."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        ...


@dataclass(frozen=True)
class RegistrySnapshot:
    """The registry as committed, for read models. A snapshot may be shared by every request
    until the registry changes: never change what it holds (change through the repositories)."""

    organisations: tuple[Organisation, ...]
    streams: tuple[SideStream, ...]
    needs: tuple[Need, ...]
    partners: Mapping[int, frozenset[int]]  # an organisation's named partners
    proposals: tuple[ProposalRecord, ...]
    synergies: tuple[Synergy, ...]  # oldest first

    @cached_property
    def organisations_by_id(self) -> dict[int, Organisation]:
        return {o.organisation_id: o for o in self.organisations if o.organisation_id is not None}

    @cached_property
    def streams_by_id(self) -> dict[int, SideStream]:
        return {s.stream_id: s for s in self.streams if s.stream_id is not None}

    @cached_property
    def needs_by_id(self) -> dict[int, Need]:
        return {n.need_id: n for n in self.needs if n.need_id is not None}

    @cached_property
    def proposals_by_id(self) -> dict[int, ProposalRecord]:
        return {r.proposal_id: r for r in self.proposals if r.proposal_id is not None}


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without commit() rolls everything back."""

    @property
    def organisations(self) -> OrganisationRepository: ...

    @property
    def streams(self) -> StreamRepository: ...

    @property
    def needs(self) -> NeedRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...

    @property
    def synergies(self) -> SynergyRepository: ...

    @property
    def scenarios(self) -> ScenarioRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def partners(self) -> PartnerRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def api_tokens(self) -> ApiTokenRepository: ...

    @property
    def login_attempts(self) -> LoginAttemptRepository: ...

    @property
    def audit_log(self) -> AuditLog: ...

    @property
    def lab_results(self) -> LabResultRepository: ...

    @property
    def statuses(self) -> StatusRecordRepository: ...

    @property
    def documents(self) -> StreamDocumentRepository: ...

    def registry_snapshot(self) -> RegistrySnapshot:
        """The registry for read models: a copy cached until a commit changes the registry
        (cheap to ask for on every request), or read afresh while this transaction has
        changes of its own."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
