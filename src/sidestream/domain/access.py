"""Who may see how much of a listing or a proposal: the confidentiality rules, in one place.

Services ask these functions before they build any read model; templates and API handlers only
ever receive what was allowed, so a forgotten `if` in a page cannot leak a cost.

Levels, from least to most:
- HIDDEN: the listing does not exist for this reader (not even its count on a page of theirs);
- ANONYMOUS: material class, waste code, quantity band and municipality; no company, no exact
  site, no exact quantity, no price, no cost, no description (it may name the company);
- PUBLIC: everything but costs (the current route's cost is a company's secret);
- FULL: everything, costs included: the owner organisation's members, facilitators and
  administrators.

Listing tiers: private (owner and facilitators), partners (also the members of the
organisations the owner names as partners, at PUBLIC level), public-anonymous (everyone at
ANONYMOUS level), public (everyone at PUBLIC level).

Proposals are double opt-in: until both parties have accepted, each side sees the other's
listing at most at ANONYMOUS level, whatever its tier, because the matcher looks at private
listings too; after both accept, each sees the other's at PUBLIC level (costs stay secret).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import IntEnum

from sidestream.domain.accounts import Principal
from sidestream.domain.streams import Visibility


class Access(IntEnum):
    HIDDEN = 0
    ANONYMOUS = 1
    PUBLIC = 2
    FULL = 3


def listing_access(
    reader: Principal,
    owner_organisation_id: int,
    visibility: Visibility,
    owner_partner_ids: Collection[int] = (),
) -> Access:
    """How much of a listing the reader may see, outside any proposal."""
    if reader.oversees_registry or owner_organisation_id in reader.organisation_ids:
        return Access.FULL
    if visibility is Visibility.PUBLIC:
        return Access.PUBLIC
    if visibility is Visibility.PUBLIC_ANONYMOUS:
        return Access.ANONYMOUS
    if visibility is Visibility.PARTNERS and not reader.organisation_ids.isdisjoint(
        owner_partner_ids
    ):
        return Access.PUBLIC
    return Access.HIDDEN


def counterpart_access(
    reader: Principal,
    counterpart_owner_id: int,
    counterpart_visibility: Visibility,
    counterpart_partner_ids: Collection[int],
    both_accepted: bool,
) -> Access:
    """How much of the other party's listing a party to a proposal may see in it."""
    outside = listing_access(
        reader, counterpart_owner_id, counterpart_visibility, counterpart_partner_ids
    )
    if outside is Access.FULL:
        return outside
    if not both_accepted:
        return Access.ANONYMOUS
    return max(outside, Access.PUBLIC)
