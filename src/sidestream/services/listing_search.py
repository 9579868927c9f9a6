"""Finding streams and needs in the registry as one reader sees it (services.listings).

Filters run over the views the reader was given, never over the stored listings: text is
matched against the fields the reader may see only, so an anonymous listing cannot be found
by its hidden name or owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sidestream.domain.accounts import Principal
from sidestream.domain.errors import NotFound
from sidestream.domain.reference import ReferenceData
from sidestream.domain.visibility import ListingView
from sidestream.services.listings import registry_view
from sidestream.services.ports import UnitOfWorkFactory

_WORD = re.compile(r"\w+")


class ListingKind(StrEnum):
    STREAM = "stream"
    NEED = "need"


@dataclass(frozen=True)
class ListingFilter:
    material_class_code: str | None = None  # a stream of this class, a need accepting it
    municipality_code: str | None = None  # of the listing's site
    text: str | None = None  # every word starts a word of a field the reader may see


@dataclass(frozen=True)
class ListingPage:
    listings: list[ListingView]  # the page asked for
    total_count: int  # that pass the filter, on every page
    hidden_count: int  # in the registry but not visible to this reader: counted, never shown


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _visible_text(view: ListingView) -> str:
    fields = (
        view.title,
        view.material,
        view.ewc_code,
        view.organisation_name,
        view.site_name,
        view.description,
    )
    return " ".join(field for field in fields if field)


def _has_words(view: ListingView, words: list[str]) -> bool:
    candidates = _words(_visible_text(view))
    return all(any(candidate.startswith(word) for candidate in candidates) for word in words)


def _material_class_codes(
    unit_of_work: UnitOfWorkFactory, kind: ListingKind
) -> dict[int, frozenset[str]]:
    """The material classes of every stored listing of the kind, by id: a stream's own class,
    the classes a need accepts. Only used to filter views the reader was already given."""
    with unit_of_work() as uow:
        registry = uow.registry_snapshot()
    if kind is ListingKind.STREAM:
        return {
            stream.stream_id: frozenset({stream.material_class_code})
            for stream in registry.streams
            if stream.stream_id is not None
        }
    return {
        need.need_id: frozenset(need.accepted_material_class_codes)
        for need in registry.needs
        if need.need_id is not None
    }


def find_listings(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    reader: Principal,
    today: date,
    kind: ListingKind,
    listing_filter: ListingFilter = ListingFilter(),  # frozen: a shared default is safe
    offset: int = 0,
    limit: int | None = None,
) -> ListingPage:
    """The reader's streams or needs that pass the filter, in the registry's order; unknown
    codes are InvalidInput (a typo should not look like an empty region)."""
    if listing_filter.material_class_code is not None:
        reference.material_class(listing_filter.material_class_code)
    if listing_filter.municipality_code is not None:
        reference.municipality(listing_filter.municipality_code)
    view = registry_view(unit_of_work, reference, reader, today)
    views = view.streams if kind is ListingKind.STREAM else view.needs
    hidden = view.hidden_stream_count if kind is ListingKind.STREAM else view.hidden_need_count
    if listing_filter.municipality_code is not None:
        code = listing_filter.municipality_code.strip()
        views = [listing for listing in views if listing.municipality_code == code]
    if listing_filter.material_class_code is not None:
        code = listing_filter.material_class_code.strip()
        classes = _material_class_codes(unit_of_work, kind)
        views = [listing for listing in views if code in classes.get(listing.listing_id, ())]
    words = _words(listing_filter.text or "")
    if words:
        views = [listing for listing in views if _has_words(listing, words)]
    end = None if limit is None else offset + limit
    return ListingPage(views[offset:end], len(views), hidden)


def visible_listing(
    unit_of_work: UnitOfWorkFactory,
    reference: ReferenceData,
    reader: Principal,
    today: date,
    kind: ListingKind,
    listing_id: int,
) -> ListingView:
    """One stream or need at the reader's level; NotFound when it does not exist or the
    reader may not see it (the two are not told apart)."""
    view = registry_view(unit_of_work, reference, reader, today)
    views = view.streams if kind is ListingKind.STREAM else view.needs
    found = next((listing for listing in views if listing.listing_id == listing_id), None)
    if found is None:
        raise NotFound(kind.value, listing_id)
    return found
