"""The ports services depend on; adapters implement them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, Self, TypeVar

from sidestream.domain.eprtr import EprtrWasteTransfer
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.proposals import ProposalRecord
from sidestream.domain.scenarios import ScenarioRun
from sidestream.domain.streams import Need, SideStream

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

    def delete(self, proposal_ids: Sequence[int]) -> None: ...


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
    def scenarios(self) -> ScenarioRepository: ...

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
