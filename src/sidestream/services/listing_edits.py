"""Creating and changing one stream or need, from a form or an API request.

The fields are the import columns (services/tabular_rows.py), read by the same RowReader and
checked by the same domain rules as an imported file, so a form, the API and a spreadsheet
agree on every name and every rule. Members edit their own organisations' listings;
facilitators and administrators any. Every change is one transaction with its audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sidestream.domain.accounts import AuditAction, EntityKind, Principal
from sidestream.domain.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from sidestream.domain.organisations import Organisation
from sidestream.domain.reference import ReferenceData
from sidestream.domain.streams import Need, SideStream
from sidestream.services.accounts import audit
from sidestream.services.ports import ListingRepository, UnitOfWork, UnitOfWorkFactory
from sidestream.services.tabular_rows import RowReader
from sidestream.services.transfer import (
    OrganisationCache,
    checked_need,
    checked_stream,
    need_from_row,
    need_row,
    stream_from_row,
    stream_row,
)

ListingT = TypeVar("ListingT", SideStream, Need)
Fields = Mapping[str, str]


@dataclass(frozen=True)
class EditableListing:
    """A listing's fields as text, to fill a form or answer an API read of one's own."""

    listing_id: int
    fields: dict[str, str]


def _refuse_unless_editor(actor: Principal, organisation_id: int) -> None:
    if actor.is_anonymous:
        raise Forbidden("sign in to create or change listings")
    if not actor.acts_for(organisation_id):
        raise Forbidden("only the organisation's members and facilitators may change its listings")


def editable_organisations(unit_of_work: UnitOfWorkFactory, actor: Principal) -> list[Organisation]:
    """The organisations whose listings the actor may create and change, by name."""
    with unit_of_work() as uow:
        organisations = uow.organisations.list_all()
    allowed = [
        org
        for org in organisations
        if org.organisation_id is not None and actor.acts_for(org.organisation_id)
    ]
    return sorted(allowed, key=lambda org: org.name.casefold())


def _save(
    unit_of_work: UnitOfWorkFactory,
    actor: Principal,
    fields: Fields,
    listing_id: int | None,
    kind: EntityKind,
    read: Callable[[RowReader, UnitOfWork, OrganisationCache], ListingT],
    check: Callable[[ListingT], ListingT],
    repository: Callable[[UnitOfWork], ListingRepository[ListingT]],
    identity: Callable[[ListingT], int | None],
    now: datetime,
    dry_run: bool,
) -> ListingT:
    if actor.is_anonymous:
        raise Forbidden("sign in to create or change listings")
    with unit_of_work() as uow:
        store = repository(uow)
        existing = None
        if listing_id is not None:
            existing = store.get(listing_id)
            if existing is None:
                raise NotFound(kind.value, listing_id)
            _refuse_unless_editor(actor, existing.organisation_id)
        reader = RowReader(dict(fields), None)
        listing = read(reader, uow, {})
        if reader.errors:
            raise InvalidInput(reader.errors)
        _refuse_unless_editor(actor, listing.organisation_id)
        listing = check(listing)
        namesake = store.get_by_name(listing.organisation_id, listing.name)
        if namesake is not None and identity(namesake) != listing_id:
            raise InvalidInput(
                [FieldError("name", "the organisation already has a listing with this name")]
            )
        if dry_run:  # checked, not stored: leaving the block rolls back
            return listing
        if existing is None:
            saved = store.add(listing)
            action = AuditAction.CREATED
        else:
            candidate = listing.with_identity_of(existing)
            if candidate == existing:
                return existing
            saved = store.update(candidate)
            action = AuditAction.CHANGED
        audit(uow, actor, action, kind.value, identity(saved), now, saved.name)
        uow.commit()
    return saved


def save_stream(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    actor: Principal,
    fields: Fields,
    today: date,
    now: datetime,
    stream_id: int | None = None,
    dry_run: bool = False,
) -> SideStream:
    """Create a stream (stream_id None) or change one from its import columns; InvalidInput
    names every field that is wrong, and nothing is stored unless all are right. dry_run:
    check only (a form checking its fields as they are typed)."""
    return _save(
        unit_of_work,
        actor,
        fields,
        stream_id,
        EntityKind.STREAM,
        stream_from_row,
        lambda stream: checked_stream(stream, reference, today),
        lambda uow: uow.streams,
        lambda stream: stream.stream_id,
        now,
        dry_run,
    )


def save_need(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    actor: Principal,
    fields: Fields,
    now: datetime,
    need_id: int | None = None,
    dry_run: bool = False,
) -> Need:
    """Create a need (need_id None) or change one from its import columns (dry_run: check
    only)."""
    return _save(
        unit_of_work,
        actor,
        fields,
        need_id,
        EntityKind.NEED,
        need_from_row,
        lambda need: checked_need(need, reference),
        lambda uow: uow.needs,
        lambda need: need.need_id,
        now,
        dry_run,
    )


def _editable(
    uow: UnitOfWork, actor: Principal, listing: SideStream | Need | None, kind: EntityKind, key: int
) -> tuple[SideStream | Need, Organisation]:
    # Someone who may not edit it learns no more than that it is not there.
    if listing is None or not actor.acts_for(listing.organisation_id):
        raise NotFound(kind.value, key)
    organisation = uow.organisations.get(listing.organisation_id)
    if organisation is None:
        raise Conflict(f"{kind.value} {key} belongs to no organisation")
    return listing, organisation


def stream_for_edit(
    unit_of_work: UnitOfWorkFactory, reference: ReferenceData, actor: Principal, stream_id: int
) -> EditableListing:
    """A stream's fields as text, for those who may change it (others: NotFound)."""
    with unit_of_work() as uow:
        stream, organisation = _editable(
            uow, actor, uow.streams.get(stream_id), EntityKind.STREAM, stream_id
        )
    assert isinstance(stream, SideStream)
    site = organisation.site(stream.site_id)
    return EditableListing(stream_id, stream_row(stream, organisation, site, reference))


def need_for_edit(
    unit_of_work: UnitOfWorkFactory, reference: ReferenceData, actor: Principal, need_id: int
) -> EditableListing:
    """A need's fields as text, for those who may change it (others: NotFound)."""
    with unit_of_work() as uow:
        need, organisation = _editable(uow, actor, uow.needs.get(need_id), EntityKind.NEED, need_id)
    assert isinstance(need, Need)
    site = organisation.site(need.site_id)
    return EditableListing(need_id, need_row(need, organisation, site, reference))
