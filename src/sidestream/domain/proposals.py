"""Stored synergy proposals, the parties' decisions on them and what those decisions teach."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sidestream.domain.matching import OutcomeCounts, Proposal
from sidestream.domain.streams import Need, SideStream


class Decision(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"  # waiting for one or both parties
    ACCEPTED = "accepted"  # both parties accepted
    DECLINED = "declined"  # a party declined


class Side(StrEnum):
    STREAM = "stream"  # the producer
    NEED = "need"  # the receiver


@dataclass
class ProposalRecord:
    proposal: Proposal
    stream_decision: Decision | None = None
    need_decision: Decision | None = None
    decline_reason: str | None = None
    # The listings as they were when a party decided; a change to either reopens a decline.
    stream_fingerprint: str | None = None
    need_fingerprint: str | None = None
    decided_at: datetime | None = None
    proposal_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def pair(self) -> tuple[int, int]:
        return self.proposal.stream_id, self.proposal.need_id

    @property
    def status(self) -> ProposalStatus:
        if Decision.DECLINED in (self.stream_decision, self.need_decision):
            return ProposalStatus.DECLINED
        if self.stream_decision is Decision.ACCEPTED and self.need_decision is Decision.ACCEPTED:
            return ProposalStatus.ACCEPTED
        return ProposalStatus.PROPOSED

    @property
    def is_undecided(self) -> bool:
        return self.stream_decision is None and self.need_decision is None

    def decide(
        self,
        side: Side,
        decision: Decision,
        reason: str | None,
        stream: SideStream,
        need: Need,
        now: datetime,
    ) -> ProposalRecord:
        decided = replace(
            self,
            stream_fingerprint=listing_fingerprint(stream),
            need_fingerprint=listing_fingerprint(need),
            decided_at=now,
            decline_reason=reason if decision is Decision.DECLINED else self.decline_reason,
        )
        if side is Side.STREAM:
            decided.stream_decision = decision
        else:
            decided.need_decision = decision
        return decided


def _material_facts(listing: SideStream | Need) -> dict[str, object]:
    """What decides whether a pair works; names, descriptions and prices do not."""
    quantity = listing.quantity
    facts: dict[str, object] = {
        "site_id": listing.site_id,
        "quantity": [quantity.amount, quantity.unit.value, quantity.recurrence.value],
        "months": sorted(quantity.months),
    }
    if isinstance(listing, SideStream):
        facts |= {
            "material_class_code": listing.material_class_code,
            "ewc_code": listing.ewc_code,
            "physical_form": listing.physical_form.value,
            "temperature_c": listing.temperature_c,
            "max_distance_km": listing.max_distance_km,
            "properties": sorted(
                [p.property_code, p.value, p.unit, p.method, p.measured_on.isoformat()]
                for p in listing.properties
            ),
        }
    else:
        facts |= {
            "accepted_material_class_codes": sorted(listing.accepted_material_class_codes),
            "accepted_ewc_codes": sorted(listing.accepted_ewc_codes),
            "replaces_virgin_material_code": listing.replaces_virgin_material_code,
            "accepts_hazardous": listing.accepts_hazardous,
            "min_temperature_c": listing.min_temperature_c,
            "max_distance_km": listing.max_distance_km,
            "property_limits": sorted(
                [limit.property_code, limit.unit, limit.min_value, limit.max_value]
                for limit in listing.property_limits
            ),
        }
    return facts


def listing_fingerprint(listing: SideStream | Need) -> str:
    """A digest of the listing's material facts: equal digests, no material change."""
    text = json.dumps(_material_facts(listing), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def standing_declines(
    records: Iterable[ProposalRecord],
    streams: Mapping[int, SideStream],
    needs: Mapping[int, Need],
) -> frozenset[tuple[int, int]]:
    """Declined pairs whose listings have not changed materially since the decline."""
    standing = set()
    for record in records:
        if record.status is not ProposalStatus.DECLINED:
            continue
        stream = streams.get(record.proposal.stream_id)
        need = needs.get(record.proposal.need_id)
        if (
            stream is not None
            and need is not None
            and listing_fingerprint(stream) == record.stream_fingerprint
            and listing_fingerprint(need) == record.need_fingerprint
        ):
            standing.add(record.pair)
    return frozenset(standing)


def outcome_counts(
    records: Iterable[ProposalRecord],
    streams: Mapping[int, SideStream],
    needs: Mapping[int, Need],
) -> dict[tuple[str, str], OutcomeCounts]:
    """Accepted and declined proposals per (material class, virgin material replaced)."""
    counts: dict[tuple[str, str], OutcomeCounts] = {}
    for record in records:
        status = record.status
        stream = streams.get(record.proposal.stream_id)
        need = needs.get(record.proposal.need_id)
        if status is ProposalStatus.PROPOSED or stream is None or need is None:
            continue
        key = (stream.material_class_code, need.replaces_virgin_material_code or "")
        known = counts.get(key, OutcomeCounts())
        counts[key] = (
            replace(known, accepted=known.accepted + 1)
            if status is ProposalStatus.ACCEPTED
            else replace(known, declined=known.declined + 1)
        )
    return counts
