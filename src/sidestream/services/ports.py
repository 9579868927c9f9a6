"""The ports services depend on; adapters implement them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from sidestream.domain.eprtr import EprtrWasteTransfer
from sidestream.domain.organisations import Organisation, Site
from sidestream.domain.streams import Need, SideStream

# Reports progress of long work: (units done, units in total).
ProgressCallback = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The progress callback for callers that show none."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


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


class StreamRepository(Protocol):
    def add(self, stream: SideStream) -> SideStream: ...

    def update(self, stream: SideStream) -> SideStream: ...

    def get(self, stream_id: int) -> SideStream | None: ...

    def get_by_name(self, organisation_id: int, name: str) -> SideStream | None: ...

    def list_all(self) -> list[SideStream]: ...


class NeedRepository(Protocol):
    def add(self, need: Need) -> Need: ...

    def update(self, need: Need) -> Need: ...

    def get(self, need_id: int) -> Need | None: ...

    def get_by_name(self, organisation_id: int, name: str) -> Need | None: ...

    def list_all(self) -> list[Need]: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without commit() rolls everything back."""

    @property
    def organisations(self) -> OrganisationRepository: ...

    @property
    def streams(self) -> StreamRepository: ...

    @property
    def needs(self) -> NeedRepository: ...

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
