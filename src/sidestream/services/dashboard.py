"""The dashboard's read model: a member's organisations' streams and needs with their
synergies, or the region's for facilitators and administrators; listings about to expire, so
that they are renewed before they drop out of matching."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sidestream.domain.access import Access
from sidestream.domain.accounts import Principal
from sidestream.domain.errors import Forbidden
from sidestream.domain.proposals import ProposalStatus
from sidestream.domain.reference import ReferenceData
from sidestream.domain.synergies import Stage
from sidestream.domain.visibility import ListingView
from sidestream.services.listings import registry_view
from sidestream.services.ports import UnitOfWorkFactory
from sidestream.services.synergies import list_synergies

EXPIRY_WARNING = timedelta(days=60)


@dataclass(frozen=True)
class Dashboard:
    is_region: bool  # the whole region (facilitators, administrators) or the reader's own
    organisations: tuple[tuple[int, str], ...]  # the reader's organisations: id, name

    @property
    def organisation_names(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.organisations)

    streams: tuple[ListingView, ...]  # the reader's own (all, for the region), at full access
    needs: tuple[ListingView, ...]
    expiring: tuple[ListingView, ...]  # expired or expiring within EXPIRY_WARNING
    proposals_by_status: dict[ProposalStatus, int]  # those the reader is a party to (or all)
    synergies_by_stage: dict[Stage, int]
    organisation_count: int  # in the registry

    @property
    def expiry_warning_days(self) -> int:
        return EXPIRY_WARNING.days


def dashboard(
    unit_of_work: UnitOfWorkFactory, reference: ReferenceData, reader: Principal, today: date
) -> Dashboard:
    if reader.is_anonymous:
        raise Forbidden("sign in to see your dashboard")
    view = registry_view(unit_of_work, reference, reader, today)
    # Full access is the owner's members' and the overseers': for a member, exactly their own.
    streams = tuple(s for s in view.streams if s.access is Access.FULL)
    needs = tuple(n for n in view.needs if n.access is Access.FULL)
    horizon = (today + EXPIRY_WARNING).isoformat()
    expiring = tuple(listing for listing in (*streams, *needs) if listing.valid_until <= horizon)
    stages = Counter(view.synergy.stage for view in list_synergies(unit_of_work, reader))
    with unit_of_work() as uow:
        registry = uow.registry_snapshot()
        owners = {s.stream_id: s.organisation_id for s in registry.streams}
        owners_of_needs = {n.need_id: n.organisation_id for n in registry.needs}
        statuses = Counter(
            record.status
            for record in registry.proposals
            if reader.oversees_registry
            or owners.get(record.proposal.stream_id) in reader.organisation_ids
            or owners_of_needs.get(record.proposal.need_id) in reader.organisation_ids
        )
        organisations = tuple(
            sorted(
                (key, organisation.name)
                for key in reader.organisation_ids
                if (organisation := registry.organisations_by_id.get(key)) is not None
            )
        )
    return Dashboard(
        is_region=reader.oversees_registry,
        organisations=organisations,
        streams=streams,
        needs=needs,
        expiring=tuple(sorted(expiring, key=lambda listing: listing.valid_until)),
        proposals_by_status={status: statuses.get(status, 0) for status in ProposalStatus},
        synergies_by_stage={stage: stages.get(stage, 0) for stage in Stage},
        organisation_count=len(view.organisations),
    )
