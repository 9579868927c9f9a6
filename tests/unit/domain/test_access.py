"""The confidentiality rules, over every role and every tier."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidestream.domain.access import Access, counterpart_access, listing_access
from sidestream.domain.accounts import Principal
from sidestream.domain.streams import Visibility

OWNER, PARTNER, OTHER = 1, 2, 3
PARTNERS = (PARTNER,)

READERS = {
    "anonymous": Principal.anonymous(),
    "member of another organisation": Principal(10, organisation_ids=frozenset({OTHER})),
    "member of a partner": Principal(11, organisation_ids=frozenset({PARTNER})),
    "member of the owner": Principal(12, organisation_ids=frozenset({OWNER})),
    "member of the owner and another": Principal(13, organisation_ids=frozenset({OWNER, OTHER})),
    "facilitator": Principal(14, is_facilitator=True),
    "administrator": Principal(15, is_administrator=True),
}
# What each reader sees of a listing of each tier, outside proposals.
EXPECTED = {
    "anonymous": ("HIDDEN", "HIDDEN", "ANONYMOUS", "PUBLIC"),
    "member of another organisation": ("HIDDEN", "HIDDEN", "ANONYMOUS", "PUBLIC"),
    "member of a partner": ("HIDDEN", "PUBLIC", "ANONYMOUS", "PUBLIC"),
    "member of the owner": ("FULL", "FULL", "FULL", "FULL"),
    "member of the owner and another": ("FULL", "FULL", "FULL", "FULL"),
    "facilitator": ("FULL", "FULL", "FULL", "FULL"),
    "administrator": ("FULL", "FULL", "FULL", "FULL"),
}
TIERS = (
    Visibility.PRIVATE,
    Visibility.PARTNERS,
    Visibility.PUBLIC_ANONYMOUS,
    Visibility.PUBLIC,
)


@pytest.mark.parametrize(("who", "tier"), list(itertools.product(READERS, range(4))))
def test_every_role_sees_every_tier_as_specified(who: str, tier: int) -> None:
    access = listing_access(READERS[who], OWNER, TIERS[tier], PARTNERS)
    assert access is Access[EXPECTED[who][tier]]


@pytest.mark.parametrize("who", ["anonymous", "member of another organisation"])
@pytest.mark.parametrize("tier", TIERS)
def test_before_both_accept_a_party_sees_the_other_anonymously(who: str, tier: Visibility) -> None:
    reader = READERS[who]
    assert counterpart_access(reader, OWNER, tier, PARTNERS, both_accepted=False) is (
        Access.ANONYMOUS
    )
    after = counterpart_access(reader, OWNER, tier, PARTNERS, both_accepted=True)
    assert after is Access.PUBLIC  # identity revealed, costs still secret


def test_the_owner_and_facilitators_keep_full_access_in_proposals() -> None:
    for who in ("member of the owner", "facilitator"):
        for accepted in (False, True):
            access = counterpart_access(
                READERS[who], OWNER, Visibility.PRIVATE, PARTNERS, both_accepted=accepted
            )
            assert access is Access.FULL


@given(
    organisations=st.frozensets(st.integers(1, 6), max_size=3),
    partners=st.frozensets(st.integers(1, 6), max_size=3),
    owner=st.integers(1, 6),
    tier=st.sampled_from(TIERS),
)
def test_only_owners_facilitators_and_administrators_ever_see_costs(
    organisations: frozenset[int], partners: frozenset[int], owner: int, tier: Visibility
) -> None:
    reader = Principal(1, organisation_ids=organisations)
    access = listing_access(reader, owner, tier, partners)
    assert (access is Access.FULL) == (owner in organisations)
    if tier is Visibility.PRIVATE:
        assert access in (Access.HIDDEN, Access.FULL)
    for accepted in (False, True):
        in_proposal = counterpart_access(reader, owner, tier, partners, accepted)
        assert (in_proposal is Access.FULL) == (owner in organisations)
