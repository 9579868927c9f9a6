"""Synergy proposals: which needs can take which side streams, how well, and why.

Listings are turned into columns of NumPy arrays (StreamColumns, NeedColumns); a compiled pair
evaluation (matching_kernels.evaluate_pair) decides feasibility and score. Bulk matching scores
the streams of each material class against the needs that may take them, within the band of
latitudes each need can reach, and keeps the k best partners of every listing;
incremental matching scores one listing against the opposing table; explained matching turns the
same numbers into sentences a person can check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from numba import get_num_threads

from sidestream.domain import matching_kernels as kernels
from sidestream.domain.errors import InvalidInput
from sidestream.domain.organisations import Site
from sidestream.domain.reference import ReferenceData
from sidestream.domain.regulation import Screening, Verdict
from sidestream.domain.routes import (
    KnowledgeBase,
    TransportMode,
    TransportModeName,
    ValorisationRoute,
)
from sidestream.domain.streams import MeasuredProperty, Need, SideStream
from sidestream.domain.units import QuantityUnit, to_canonical

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

EARTH_MEAN_RADIUS_KM = kernels.EARTH_MEAN_RADIUS_KM
NOT_ACCEPTED = kernels.NOT_ACCEPTED
MODE_NAMES = (TransportModeName.ROAD, TransportModeName.RAIL, TransportModeName.SEA)
BASIS_INDEX = {"t": 0, "MWh": 1, "m3": 2}
DEFAULT_TOP_K = 20


@dataclass(frozen=True)
class ScoringWeights:
    """How the factors of a feasible pair add up to its score (0..1 before learning).

    Distance weighs most because transport decides viability (facilitators' experience);
    evidence rewards measured properties over untested ones. The weights sum to 1."""

    distance: float = 0.35
    quantity: float = 0.25
    evidence: float = 0.25
    months: float = 0.15
    # Score × this when the stream's lab results exceed the limit values of the use. The pair
    # stays a proposal, ranked lower: treatment or another structure type may still serve.
    exceeds_limits: float = 0.5

    def as_array(self) -> FloatArray:
        return np.array([self.distance, self.quantity, self.evidence, self.months])


STATUS_REASONS = {
    kernels.NOT_ACCEPTED: "the need does not accept this material or waste code",
    kernels.HAZARDOUS_NOT_ACCEPTED: "the stream is hazardous waste and the need does not accept it",
    kernels.DIFFERENT_UNITS: "one is measured in tonnes, the other in MWh or m3",
    kernels.STREAM_EXPIRED: "the stream's listing has expired",
    kernels.NEED_EXPIRED: "the need's listing has expired",
    kernels.NO_COMMON_MONTHS: "they have no month in common",
    kernels.TOO_COLD: "the heat is colder than the need's minimum temperature",
    kernels.PROPERTY_OUT_OF_LIMITS: "a measured property is outside the need's limits",
    kernels.TOO_FAR: "no transport mode keeps the distance within both parties' limits",
    kernels.DECLINED_BEFORE: "the pair was declined and neither listing has changed since",
}


# --- vocabulary: codes to column indices -------------------------------------------------------


@dataclass(frozen=True)
class MatchingVocabulary:
    """Stable column indices for material classes, waste codes, properties, virgin materials."""

    material_classes: dict[str, int]
    waste_codes: dict[str, int]
    properties: dict[str, int]
    property_dimensions: tuple[str, ...]  # by property index
    virgin_materials: dict[str, int]

    @classmethod
    def from_reference(cls, reference: ReferenceData) -> MatchingVocabulary:
        properties = sorted(reference.properties)

        def indexed(codes: Iterable[str]) -> dict[str, int]:
            return {code: position for position, code in enumerate(sorted(codes))}

        return cls(
            material_classes=indexed(reference.material_classes),
            waste_codes=indexed(reference.waste_codes),
            properties=indexed(properties),
            property_dimensions=tuple(reference.properties[p].dimension for p in properties),
            virgin_materials=indexed(reference.virgin_materials),
        )


# --- columns -------------------------------------------------------------------------------------


class StreamColumns(NamedTuple):
    ids: IntArray
    x: FloatArray  # position on the unit sphere
    y: FloatArray
    z: FloatArray
    material_class: npt.NDArray[np.int32]
    ewc: npt.NDArray[np.int32]  # -1 without a List of Waste code
    is_hazardous: npt.NDArray[np.bool_]
    basis: npt.NDArray[np.int8]  # t, MWh or m3 (BASIS_INDEX)
    quantity: FloatArray  # per year, or per batch for one-off batches
    months: IntArray  # bit m-1 set when available in month m
    valid_until: IntArray  # proleptic ordinal of the last valid day
    max_distance_km: FloatArray  # inf when the producer sets no limit
    chord2_max: FloatArray  # squared unit-sphere chord of the widest reach, for a cheap test
    has_rail_siding: npt.NDArray[np.bool_]
    has_port: npt.NDArray[np.bool_]
    temperature_c: FloatArray  # NaN unless a heat stream
    properties: FloatArray  # [stream, property] in the dimension's canonical unit, NaN unknown
    screening_row: npt.NDArray[np.int32]  # the stream's row of regulatory_multiplier (0: none)
    # [screening row, virgin material + 1]: score factor of the stream's screening against the
    # limits of the route to that virgin material (row 0 all ones); a table of its own, kept
    # whole when rows of the other columns are taken
    regulatory_multiplier: FloatArray


class NeedColumns(NamedTuple):
    ids: IntArray
    x: FloatArray
    y: FloatArray
    z: FloatArray
    accepts_class: npt.NDArray[np.bool_]  # [need, material class]
    ewc_ptr: npt.NDArray[np.int32]  # accepted waste codes of need j: ewc[ewc_ptr[j]:ewc_ptr[j+1]]
    ewc: npt.NDArray[np.int32]
    accepts_hazardous: npt.NDArray[np.bool_]
    basis: npt.NDArray[np.int8]
    quantity: FloatArray
    months: IntArray
    valid_until: IntArray
    max_distance_km: FloatArray
    chord2_max: FloatArray
    has_rail_siding: npt.NDArray[np.bool_]
    has_port: npt.NDArray[np.bool_]
    min_temperature_c: FloatArray
    limit_ptr: npt.NDArray[np.int32]  # property limits of need j: [limit_ptr[j]:limit_ptr[j+1]]
    limit_property: npt.NDArray[np.int32]
    limit_min: FloatArray  # canonical unit; -inf when no minimum
    limit_max: FloatArray  # canonical unit; +inf when no maximum
    virgin_material: npt.NDArray[np.int32]  # -1 when none named
    has_declines: npt.NDArray[np.bool_]


class ModelColumns(NamedTuple):
    circuity: FloatArray  # per mode: road, rail, sea
    cost_eur_per_tkm: FloatArray  # NaN where no cost is known
    co2e_kg_per_tkm: FloatArray
    multiplier: FloatArray  # [material class, virgin material + 1]: what outcomes taught
    weights: FloatArray
    declined_keys: IntArray  # sorted (stream_id << 32) | need_id


def unit_sphere(latitude_deg: FloatArray, longitude_deg: FloatArray) -> tuple[FloatArray, ...]:
    phi = np.radians(latitude_deg)
    lam = np.radians(longitude_deg)
    return np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)


def reach_chord2(limit_km: FloatArray, smallest_circuity: float) -> FloatArray:
    """Squared chord of the great-circle reach a network-distance limit allows at best."""
    angle = np.minimum(limit_km / smallest_circuity / EARTH_MEAN_RADIUS_KM, math.pi)
    return np.asarray((2.0 * np.sin(angle / 2.0)) ** 2, dtype=np.float64)


def months_mask(months: Iterable[int]) -> int:
    return sum(1 << (month - 1) for month in set(months))


def latest_measurements(properties: Sequence[MeasuredProperty]) -> dict[str, MeasuredProperty]:
    """The most recent measurement of each property (a tie goes to the later entry)."""
    latest: dict[str, MeasuredProperty] = {}
    for measured in properties:
        known = latest.get(measured.property_code)
        if known is None or measured.measured_on >= known.measured_on:
            latest[measured.property_code] = measured
    return latest


# --- knowledge the matcher uses -----------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeCounts:
    accepted: int = 0
    declined: int = 0

    @property
    def multiplier(self) -> float:
        """0.5..1.5: Laplace-smoothed acceptance rate; 1.0 before any outcome."""
        return 0.5 + (self.accepted + 1) / (self.accepted + self.declined + 2)


@dataclass(frozen=True)
class MatchingKnowledge:
    vocabulary: MatchingVocabulary
    base: KnowledgeBase
    weights: ScoringWeights = field(default_factory=ScoringWeights)
    # (material class, virgin material or "") -> counts of accepted and declined proposals
    outcomes: Mapping[tuple[str, str], OutcomeCounts] = field(default_factory=dict)
    # (stream_id, need_id) pairs declined while the listings were as they are now
    declined_pairs: frozenset[tuple[int, int]] = frozenset()
    # (stream_id, route_id) -> the stream's lab results against the route's limits (the best
    # of its rule sets); only streams with results and routes with rule sets are here
    screenings: Mapping[tuple[int, str], Screening] = field(default_factory=dict)

    @property
    def routes(self) -> tuple[ValorisationRoute, ...]:
        return self.base.routes

    @property
    def transport_modes(self) -> tuple[TransportMode, ...]:
        """Road, rail and sea, in this order."""
        return self.base.transport_modes

    def route_between(
        self, material_class_code: str, virgin_code: str | None
    ) -> ValorisationRoute | None:
        """The most mature route from the material to the virgin material the need replaces."""
        if virgin_code is None:
            return None
        candidates = [
            route
            for route in self.routes
            if route.replaces_virgin_material_code == virgin_code
            and material_class_code in route.input_material_class_codes
        ]
        return max(candidates, key=lambda route: (route.trl, route.route_id), default=None)

    def screening_of(
        self, stream_id: int | None, route: ValorisationRoute | None
    ) -> Screening | None:
        if stream_id is None or route is None:
            return None
        return self.screenings.get((stream_id, route.route_id))

    def classes_replacing(self, virgin_code: str) -> set[str]:
        return {
            code
            for route in self.routes
            if route.replaces_virgin_material_code == virgin_code
            for code in route.input_material_class_codes
        }

    @property
    def smallest_circuity(self) -> float:
        return min(mode.circuity_factor for mode in self.transport_modes)

    def model_columns(self) -> ModelColumns:
        vocabulary = self.vocabulary
        multiplier = np.ones(
            (len(vocabulary.material_classes), len(vocabulary.virgin_materials) + 1)
        )
        classes = vocabulary.material_classes
        virgins = vocabulary.virgin_materials
        for (class_code, virgin_code), counts in self.outcomes.items():
            if class_code in classes and (virgin_code == "" or virgin_code in virgins):
                column = virgins[virgin_code] + 1 if virgin_code else 0
                multiplier[classes[class_code], column] = counts.multiplier
        keys = np.array(
            sorted((stream_id << 32) | need_id for stream_id, need_id in self.declined_pairs),
            dtype=np.int64,
        )
        return ModelColumns(
            circuity=np.array([mode.circuity_factor for mode in self.transport_modes]),
            cost_eur_per_tkm=np.array(
                [
                    math.nan if mode.cost_eur_per_tkm is None else mode.cost_eur_per_tkm
                    for mode in self.transport_modes
                ]
            ),
            co2e_kg_per_tkm=np.array([mode.co2e_kg_per_tkm for mode in self.transport_modes]),
            multiplier=multiplier,
            weights=self.weights.as_array(),
            declined_keys=keys,
        )


# --- building columns from listings -------------------------------------------------------------


def why_not_evaluable(
    listing: SideStream | Need, sites: Mapping[int, Site], vocabulary: MatchingVocabulary
) -> str | None:
    """Why the matcher cannot evaluate a stored listing (e.g. a code the reference data no
    longer knows), or None. Such listings are reported, never silently dropped."""
    if listing.site_id not in sites:
        return f"its site {listing.site_id} is missing"
    if isinstance(listing, SideStream):
        if listing.material_class_code not in vocabulary.material_classes:
            return f"material class {listing.material_class_code!r} is unknown"
        if listing.ewc_code is not None and listing.ewc_code not in vocabulary.waste_codes:
            return f"List of Waste code {listing.ewc_code!r} is unknown"
        measured = [(p.property_code, p.unit) for p in listing.properties]
    else:
        unknown = [
            code
            for code in listing.accepted_material_class_codes
            if code not in vocabulary.material_classes
        ] + [code for code in listing.accepted_ewc_codes if code not in vocabulary.waste_codes]
        if unknown:
            return f"accepted codes {', '.join(unknown)} are unknown"
        virgin = listing.replaces_virgin_material_code
        if virgin is not None and virgin not in vocabulary.virgin_materials:
            return f"virgin material {virgin!r} is unknown"
        measured = [(limit.property_code, limit.unit) for limit in listing.property_limits]
    for code, unit in measured:
        column = vocabulary.properties.get(code)
        if column is None:
            return f"property {code!r} is unknown"
        try:
            to_canonical(1.0, unit, vocabulary.property_dimensions[column])
        except KeyError:
            return (
                f"unit {unit!r} of {code} does not measure {vocabulary.property_dimensions[column]}"
            )
    return None


def _empty_properties(count: int, vocabulary: MatchingVocabulary) -> FloatArray:
    return np.full((count, len(vocabulary.properties)), np.nan)


def stream_columns(
    streams: Sequence[SideStream], sites: Mapping[int, Site], knowledge: MatchingKnowledge
) -> StreamColumns:
    vocabulary = knowledge.vocabulary
    classes = vocabulary.material_classes
    codes = vocabulary.waste_codes
    props = vocabulary.properties
    count = len(streams)
    located = [sites[stream.site_id] for stream in streams]
    limits = np.array(
        [
            stream.max_distance_km if stream.max_distance_km is not None else math.inf
            for stream in streams
        ],
        dtype=np.float64,
    )
    values = _empty_properties(count, vocabulary)
    for row, stream in enumerate(streams):
        for code, measured in latest_measurements(stream.properties).items():
            column = props[code]
            values[row, column] = to_canonical(
                measured.value, measured.unit, vocabulary.property_dimensions[column]
            )
    return StreamColumns(
        ids=np.array([stream.stream_id for stream in streams], dtype=np.int64),
        **_listing_columns(streams, located, limits, knowledge),
        material_class=np.array([classes[s.material_class_code] for s in streams], dtype=np.int32),
        ewc=np.array([codes[s.ewc_code] if s.ewc_code else -1 for s in streams], dtype=np.int32),
        is_hazardous=np.array([s.is_hazardous for s in streams], dtype=np.bool_),
        temperature_c=np.array(
            [math.nan if s.temperature_c is None else s.temperature_c for s in streams],
            dtype=np.float64,
        ),
        properties=values,
        **_regulatory_columns(streams, knowledge),
    )


def _regulatory_columns(
    streams: Sequence[SideStream], knowledge: MatchingKnowledge
) -> dict[str, npt.NDArray[Any]]:
    """Per screened stream, the score factor towards each virgin material its need replaces:
    lowered where the stream exceeds the limits of the route to it."""
    virgins = knowledge.vocabulary.virgin_materials
    rows = np.zeros(len(streams), dtype=np.int32)
    table = [np.ones(len(virgins) + 1)]
    screened = {stream_id for stream_id, _ in knowledge.screenings}
    for position, stream in enumerate(streams):
        if stream.stream_id not in screened:
            continue
        factors = np.ones(len(virgins) + 1)
        for virgin_code, column in virgins.items():
            route = knowledge.route_between(stream.material_class_code, virgin_code)
            screening = knowledge.screening_of(stream.stream_id, route)
            if screening is not None and screening.verdict is Verdict.EXCEEDS:
                factors[column + 1] = knowledge.weights.exceeds_limits
        if (factors != 1.0).any():
            rows[position] = len(table)
            table.append(factors)
    return {"screening_row": rows, "regulatory_multiplier": np.array(table)}


def _listing_columns(
    listings: Sequence[SideStream] | Sequence[Need],
    located: Sequence[Site],
    limits: FloatArray,
    knowledge: MatchingKnowledge,
) -> dict[str, Any]:
    """The columns streams and needs share: place, quantity, season, expiry, reach, access."""
    x, y, z = unit_sphere(
        np.array([site.latitude_deg for site in located], dtype=np.float64),
        np.array([site.longitude_deg for site in located], dtype=np.float64),
    )
    return {
        "x": x,
        "y": y,
        "z": z,
        "basis": np.array([BASIS_INDEX[item.quantity.unit.basis] for item in listings], np.int8),
        "quantity": np.array([item.quantity.amount for item in listings], dtype=np.float64),
        "months": np.array([months_mask(item.quantity.months) for item in listings], np.int64),
        "valid_until": np.array([item.valid_until.toordinal() for item in listings], np.int64),
        "max_distance_km": limits,
        "chord2_max": reach_chord2(limits, knowledge.smallest_circuity),
        "has_rail_siding": np.array([site.has_rail_siding for site in located], dtype=np.bool_),
        "has_port": np.array([site.has_port for site in located], dtype=np.bool_),
    }


def accepted_classes(need: Need, knowledge: MatchingKnowledge) -> set[str]:
    """The classes a need takes: those it names, or, when it names neither classes nor codes,
    the inputs of every route to the virgin material it would replace."""
    if need.accepted_material_class_codes or need.accepted_ewc_codes:
        return set(need.accepted_material_class_codes)
    if need.replaces_virgin_material_code:
        return knowledge.classes_replacing(need.replaces_virgin_material_code)
    return set()


def need_columns(
    needs: Sequence[Need], sites: Mapping[int, Site], knowledge: MatchingKnowledge
) -> NeedColumns:
    vocabulary = knowledge.vocabulary
    classes = vocabulary.material_classes
    codes = vocabulary.waste_codes
    props = vocabulary.properties
    virgins = vocabulary.virgin_materials
    count = len(needs)
    located = [sites[need.site_id] for need in needs]
    accepts = np.zeros((count, len(vocabulary.material_classes)), dtype=np.bool_)
    ewc_ptr = np.zeros(count + 1, dtype=np.int32)
    ewc: list[int] = []
    limit_ptr = np.zeros(count + 1, dtype=np.int32)
    limit_property: list[int] = []
    limit_min: list[float] = []
    limit_max: list[float] = []
    declined_needs = {need_id for _, need_id in knowledge.declined_pairs}
    for row, need in enumerate(needs):
        for code in accepted_classes(need, knowledge):
            accepts[row, classes[code]] = True
        ewc.extend(sorted(codes[code] for code in need.accepted_ewc_codes))
        ewc_ptr[row + 1] = len(ewc)
        for limit in need.property_limits:
            column = props[limit.property_code]
            dimension = vocabulary.property_dimensions[column]
            limit_property.append(column)
            limit_min.append(
                -math.inf
                if limit.min_value is None
                else to_canonical(limit.min_value, limit.unit, dimension)
            )
            limit_max.append(
                math.inf
                if limit.max_value is None
                else to_canonical(limit.max_value, limit.unit, dimension)
            )
        limit_ptr[row + 1] = len(limit_property)
    limits = np.array([need.max_distance_km for need in needs], dtype=np.float64)
    return NeedColumns(
        ids=np.array([need.need_id for need in needs], dtype=np.int64),
        **_listing_columns(needs, located, limits, knowledge),
        accepts_class=accepts,
        ewc_ptr=ewc_ptr,
        ewc=np.array(ewc, dtype=np.int32),
        accepts_hazardous=np.array([n.accepts_hazardous for n in needs], dtype=np.bool_),
        min_temperature_c=np.array(
            [math.nan if n.min_temperature_c is None else n.min_temperature_c for n in needs],
            dtype=np.float64,
        ),
        limit_ptr=limit_ptr,
        limit_property=np.array(limit_property, dtype=np.int32),
        limit_min=np.array(limit_min, dtype=np.float64),
        limit_max=np.array(limit_max, dtype=np.float64),
        virgin_material=np.array(
            [
                virgins[n.replaces_virgin_material_code] if n.replaces_virgin_material_code else -1
                for n in needs
            ],
            dtype=np.int32,
        ),
        has_declines=np.array([n.need_id in declined_needs for n in needs], dtype=np.bool_),
    )


# --- bulk and incremental matching ---------------------------------------------------------------


@dataclass(frozen=True)
class BestPartners:
    """The k best partners of every listing of one side, best first; -1 / NaN fill the rest."""

    partner_rows: npt.NDArray[np.int64]  # [listing row, rank] -> row in the opposing columns
    scores: FloatArray  # [listing row, rank]

    def pairs(self) -> list[tuple[int, int, float]]:
        rows, ranks = np.nonzero(self.partner_rows >= 0)
        return [
            (int(row), int(self.partner_rows[row, rank]), float(self.scores[row, rank]))
            for row, rank in zip(rows, ranks, strict=True)
        ]


@dataclass(frozen=True)
class MatchResult:
    for_streams: BestPartners  # rows are stream rows, partners are need rows
    for_needs: BestPartners  # rows are need rows, partners are stream rows

    def pair_rows(self) -> set[tuple[int, int]]:
        """(stream row, need row) of every pair in the top k of either side."""
        pairs = {(row, partner) for row, partner, _ in self.for_streams.pairs()}
        pairs |= {(partner, row) for row, partner, _ in self.for_needs.pairs()}
        return pairs


def _sorted_best(score: FloatArray, other: IntArray, other_id: IntArray) -> BestPartners:
    """Order each row by score (high first), then by the partner's id (low first)."""
    order = np.lexsort((other_id, -score), axis=1)
    rows = np.arange(score.shape[0])[:, None]
    sorted_score = score[rows, order]
    sorted_other = other[rows, order]
    empty = sorted_other < 0
    sorted_score[empty] = np.nan
    return BestPartners(partner_rows=sorted_other, scores=sorted_score)


def _needs_per_class(s: StreamColumns, n: NeedColumns) -> dict[int, npt.NDArray[np.int64]]:
    """For each material class present among streams, the needs that could take any of them:
    by class, or by a waste code some stream of the class carries."""
    by_class: dict[int, npt.NDArray[np.int64]] = {}
    need_of_code = np.repeat(np.arange(len(n.ids)), np.diff(n.ewc_ptr))
    for cls in np.unique(s.material_class):
        takers = n.accepts_class[:, cls].copy()
        codes = np.unique(s.ewc[(s.material_class == cls) & (s.ewc >= 0)])
        if codes.size and n.ewc.size:
            takers[need_of_code[np.isin(n.ewc, codes)]] = True
        by_class[int(cls)] = np.flatnonzero(takers)
    return by_class


def take_streams(s: StreamColumns, rows: IntArray) -> StreamColumns:
    """The given rows of every column, in that order (the regulatory table stays whole: the
    rows' screening_row still point into it)."""
    taken: dict[str, Any] = {
        name: column if name == "regulatory_multiplier" else column[rows]
        for name, column in s._asdict().items()
    }
    return StreamColumns(**taken)


@dataclass
class _BestLists:
    """Running k-best lists of one side while blocks are scored."""

    score: FloatArray
    other: IntArray
    other_id: IntArray
    worst: npt.NDArray[np.int64]

    @classmethod
    def empty(cls, rows: int, top_k: int) -> _BestLists:
        return cls(
            score=np.full((rows, top_k), -np.inf),
            other=np.full((rows, top_k), -1, dtype=np.int64),
            other_id=np.full((rows, top_k), np.iinfo(np.int64).max, dtype=np.int64),
            worst=np.zeros(rows, dtype=np.int64),
        )

    def sorted(self) -> BestPartners:
        return _sorted_best(self.score, self.other, self.other_id)


def match_all(
    s: StreamColumns,
    n: NeedColumns,
    model: ModelColumns,
    today: date,
    top_k: int = DEFAULT_TOP_K,
    progress: Callable[[int, int], None] | None = None,
    max_block_streams: int = 50_000,
) -> MatchResult:
    """The k best needs of every stream and the k best streams of every need."""
    if top_k < 1:
        raise InvalidInput.single("top_k", f"{top_k} is not a positive number of proposals")
    day = today.toordinal()
    for_needs = _BestLists.empty(len(n.ids), top_k)
    for_streams = _BestLists.empty(len(s.ids), top_k)
    chunks = max(1, get_num_threads())
    blocks = []
    for cls, need_rows in sorted(_needs_per_class(s, n).items()):
        rows = np.flatnonzero(s.material_class == cls)
        rows = rows[np.argsort(s.z[rows], kind="stable")]  # a need scans a band of latitudes
        for start in range(0, len(rows), max_block_streams):
            if need_rows.size:
                blocks.append((rows[start : start + max_block_streams], need_rows))
    for done, (stream_rows, need_rows) in enumerate(blocks, start=1):
        chunk = _BestLists.empty(chunks * len(stream_rows), top_k)
        shape = (chunks, len(stream_rows), top_k)
        block = take_streams(s, stream_rows)
        kernels.match_block(
            block,
            stream_rows,
            n,
            need_rows,
            model,
            day,
            for_needs.score,
            for_needs.other,
            for_needs.other_id,
            for_needs.worst,
            chunk.score.reshape(shape),
            chunk.other.reshape(shape),
            chunk.other_id.reshape(shape),
            chunk.worst.reshape(shape[:2]),
        )
        kernels.merge_chunks(
            stream_rows,
            chunk.score.reshape(shape),
            chunk.other.reshape(shape),
            chunk.other_id.reshape(shape),
            for_streams.score,
            for_streams.other,
            for_streams.other_id,
            for_streams.worst,
        )
        if progress is not None:
            progress(done, len(blocks))
    return MatchResult(for_streams=for_streams.sorted(), for_needs=for_needs.sorted())


def candidate_needs(s: StreamColumns, n: NeedColumns, stream_row: int) -> IntArray:
    """Needs that accept the stream's class or its waste code."""
    takers = n.accepts_class[:, s.material_class[stream_row]].copy()
    if s.ewc[stream_row] >= 0 and n.ewc.size:
        need_of_code = np.repeat(np.arange(len(n.ids)), np.diff(n.ewc_ptr))
        takers[need_of_code[n.ewc == s.ewc[stream_row]]] = True
    return np.flatnonzero(takers)


def candidate_streams(s: StreamColumns, n: NeedColumns, need_row: int) -> IntArray:
    """Streams of a class or with a waste code the need accepts."""
    codes = n.ewc[n.ewc_ptr[need_row] : n.ewc_ptr[need_row + 1]]
    offered = n.accepts_class[need_row, s.material_class] | np.isin(s.ewc, codes)
    return np.flatnonzero(offered)


def rejection_reasons(
    s: StreamColumns,
    n: NeedColumns,
    model: ModelColumns,
    today: date,
    *,
    stream_row: int | None = None,
    need_row: int | None = None,
) -> dict[str, int]:
    """Why the candidates of one listing (those of an accepted material) are not proposals:
    reason -> how many candidates it stopped. Empty when there is no candidate at all."""
    counts = np.zeros(len(STATUS_REASONS) + 1, dtype=np.int64)
    day = today.toordinal()
    if stream_row is not None:
        needs = candidate_needs(s, n, stream_row)
        kernels.count_rejections_of_stream(stream_row, needs, s, n, model, day, counts)
    elif need_row is not None:
        streams = candidate_streams(s, n, need_row)
        kernels.count_rejections_of_need(need_row, streams, s, n, model, day, counts)
    return {
        STATUS_REASONS[status]: int(count)
        for status, count in enumerate(counts)
        if status in STATUS_REASONS and count and status != kernels.NOT_ACCEPTED
    }


def _top_rows(scores: FloatArray, ids: IntArray, top_k: int) -> BestPartners:
    feasible = np.flatnonzero(scores >= 0)
    order = np.lexsort((ids[feasible], -scores[feasible]))[:top_k]
    rows = np.full((1, top_k), -1, dtype=np.int64)
    best = np.full((1, top_k), np.nan)
    rows[0, : order.size] = feasible[order]
    best[0, : order.size] = scores[feasible[order]]
    return BestPartners(partner_rows=rows, scores=best)


def match_one_need(
    need_row: int,
    s: StreamColumns,
    n: NeedColumns,
    model: ModelColumns,
    today: date,
    top_k: int = DEFAULT_TOP_K,
    candidate_rows: IntArray | None = None,
) -> BestPartners:
    """The k best streams for one need, e.g. a new or changed one, without recomputing all.

    `candidate_rows` narrows the streams, e.g. to those of the classes the need accepts."""
    rows = np.arange(len(s.ids)) if candidate_rows is None else candidate_rows
    scores = np.empty(len(rows))
    kernels.score_one_need(need_row, rows, s, n, model, today.toordinal(), scores)
    best = _top_rows(scores, s.ids[rows], top_k)
    mapped = np.where(best.partner_rows >= 0, rows[np.maximum(best.partner_rows, 0)], -1)
    return BestPartners(partner_rows=mapped, scores=best.scores)


def match_one_stream(
    stream_row: int,
    s: StreamColumns,
    n: NeedColumns,
    model: ModelColumns,
    today: date,
    top_k: int = DEFAULT_TOP_K,
    candidate_rows: IntArray | None = None,
) -> BestPartners:
    """The k best needs for one stream, e.g. a new or changed one."""
    rows = np.arange(len(n.ids)) if candidate_rows is None else candidate_rows
    scores = np.empty(len(rows))
    kernels.score_one_stream(stream_row, rows, s, n, model, today.toordinal(), scores)
    best = _top_rows(scores, n.ids[rows], top_k)
    mapped = np.where(best.partner_rows >= 0, rows[np.maximum(best.partner_rows, 0)], -1)
    return BestPartners(partner_rows=mapped, scores=best.scores)


# --- explained proposals ------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreFactor:
    factor: str  # distance, quantity, evidence, months or learning
    value: float  # the fit, 0..1 (for learning: the multiplier)
    weight: float  # its weight in the score (learning multiplies instead)
    sentence: str


@dataclass(frozen=True)
class BenefitEstimate:
    """A first estimate of what the synergy is worth a year; impact accounting refines it."""

    amount: float  # tonnes, MWh or m3 a year (or in the one batch) that would change hands
    basis: str  # t, MWh or m3
    eur_per_yr: float | None  # None when no money figure is known
    avoided_co2e_t_per_yr: float | None  # virgin production replaced; None when unknown
    transport_co2e_t_per_yr: float  # emitted by hauling it (0 for piped heat)
    trace: tuple[str, ...]  # every factor, its value and its source

    @property
    def net_co2e_t_per_yr(self) -> float | None:
        """CO2e avoided minus CO2e added; None while the avoided part is unknown."""
        if self.avoided_co2e_t_per_yr is None:
            return None
        return self.avoided_co2e_t_per_yr - self.transport_co2e_t_per_yr


@dataclass(frozen=True)
class Proposal:
    stream_id: int
    need_id: int
    score: float
    transport_mode: TransportModeName
    distance_km: float
    route_id: str | None
    reasons: tuple[str, ...]
    factors: tuple[ScoreFactor, ...]
    benefit: BenefitEstimate


@dataclass(frozen=True)
class Rejection:
    """Why a stream and a need do not make a proposal."""

    stream_id: int
    need_id: int
    status: int
    reason: str


@dataclass
class ExplanationContext:
    reference: ReferenceData
    knowledge: MatchingKnowledge

    @cached_property
    def model(self) -> ModelColumns:
        return self.knowledge.model_columns()


def _amount_text(amount: float, unit: str) -> str:
    return f"{amount:,.0f} {unit}" if amount >= 100 else f"{amount:,.3g} {unit}"


def _value_text(value: float) -> str:
    return f"{value:,.4g}"


def _property_sentence(
    limit_min: float | None,
    limit_max: float | None,
    limit_unit: str,
    name: str,
    measured: MeasuredProperty | None,
) -> str:
    if limit_min is not None and limit_max is not None:
        bound = f"the range {_value_text(limit_min)}–{_value_text(limit_max)} {limit_unit}"
    elif limit_min is not None:
        bound = f"the minimum of {_value_text(limit_min)} {limit_unit}"
    else:
        bound = f"the maximum of {_value_text(limit_max or 0.0)} {limit_unit}"
    if measured is None:
        return f"{name} is not measured: a lab test must show {bound}"
    value = f"{name} {_value_text(measured.value)} {measured.unit}".replace(" -", "")
    return f"{value} ({measured.method}, {measured.measured_on}) meets {bound}"


def _screening_sentence(screening: Screening) -> str:
    """What the stream's lab results say about the use (screening, not a legal opinion)."""
    name = screening.rule_set.name
    if screening.verdict is Verdict.WITHIN:
        return f"lab results are within the limit values of '{name}'"
    if screening.verdict is Verdict.MISSING:
        return (
            f"lab test needed: {screening.count(Verdict.MISSING)} limit values of '{name}' "
            "have no result"
        )
    exceeded = [p for p in screening.parameters if p.verdict is Verdict.EXCEEDS]
    worst = max(exceeded, key=lambda p: p.share_of_limit or 0.0)
    return (
        f"lab results exceed {len(exceeded)} limit values of '{name}' "
        f"({worst.limit.parameter_code}, {worst.limit.basis.label}: "
        f"{worst.share_of_limit or 0.0:.1f}× the limit)"
    )


def evaluate_listing_pair(
    stream: SideStream,
    need: Need,
    stream_site: Site,
    need_site: Site,
    context: ExplanationContext,
    today: date,
) -> Proposal | Rejection:
    """The pair as the bulk matcher sees it, with every factor in words."""
    knowledge = context.knowledge
    s = stream_columns([stream], {stream.site_id: stream_site}, knowledge)
    n = need_columns([need], {need.site_id: need_site}, knowledge)
    model = context.model
    (
        status,
        score,
        distance_km,
        mode,
        quantity_fit,
        evidence_fit,
        months_fit,
        distance_fit,
        multiplier,
        detail,
    ) = kernels.evaluate_pair(0, 0, s, n, model, today.toordinal())
    assert stream.stream_id is not None and need.need_id is not None
    if status != kernels.OK:
        reason = STATUS_REASONS[status]
        if status == kernels.PROPERTY_OUT_OF_LIMITS:
            limit = need.property_limits[detail]
            measured = latest_measurements(stream.properties).get(limit.property_code)
            name = context.reference.properties[limit.property_code].name
            bound = (
                f"minimum {_value_text(limit.min_value)}" if limit.min_value is not None else ""
            ) + (
                f"{' and ' if limit.min_value is not None else ''}maximum "
                f"{_value_text(limit.max_value)}"
                if limit.max_value is not None
                else ""
            )
            if measured is not None:
                reason = (
                    f"{name} {_value_text(measured.value)} {measured.unit} is outside the "
                    f"need's {bound} {limit.unit}"
                )
        elif status == kernels.TOO_FAR:
            limit_km = min(need.max_distance_km, stream.max_distance_km or math.inf)
            reason = (
                f"{distance_km:,.0f} km by road exceeds the {limit_km:,.0f} km limit, and no "
                "rail or sea connection shortens it"
            )
        return Rejection(stream.stream_id, need.need_id, int(status), reason)

    reference = context.reference
    material = reference.material_classes[stream.material_class_code]
    reasons: list[str] = []
    route = knowledge.route_between(stream.material_class_code, need.replaces_virgin_material_code)
    if stream.material_class_code in need.accepted_material_class_codes:
        reasons.append(f"{material.name} is a material class the need accepts")
    elif stream.ewc_code and stream.ewc_code in need.accepted_ewc_codes:
        code = reference.waste_codes[stream.ewc_code]
        reasons.append(f"List of Waste {code.display_code} ({code.description}) is accepted")
    elif route is not None:
        virgin = reference.virgin_materials[route.replaces_virgin_material_code].name.lower()
        reasons.append(
            f"{material.name} can replace {virgin} by the route '{route.name}' (TRL {route.trl})"
        )
    if stream.is_hazardous:
        reasons.append("hazardous waste, which the need accepts")
    latest = latest_measurements(stream.properties)
    for limit in need.property_limits:
        reasons.append(
            _property_sentence(
                limit.min_value,
                limit.max_value,
                limit.unit,
                reference.properties[limit.property_code].name,
                latest.get(limit.property_code),
            )
        )
    if need.min_temperature_c is not None and stream.temperature_c is not None:
        reasons.append(
            f"heat at {stream.temperature_c:g} °C meets the minimum of "
            f"{need.min_temperature_c:g} °C"
        )

    mode_name = MODE_NAMES[mode]
    limit_km = min(need.max_distance_km, stream.max_distance_km or math.inf)
    unit = stream.quantity.unit.value
    supply, demand = stream.quantity.amount, need.quantity.amount
    weights = knowledge.weights
    common = len(stream.quantity.months & need.quantity.months)
    factors = [
        ScoreFactor(
            "distance",
            distance_fit,
            weights.distance,
            f"{distance_km:,.0f} km by {mode_name.value}, within the {limit_km:,.0f} km limit",
        ),
        ScoreFactor(
            "quantity",
            quantity_fit,
            weights.quantity,
            f"{_amount_text(supply, unit)} offered, "
            f"{_amount_text(demand, need.quantity.unit.value)} needed: "
            f"the smaller is {quantity_fit:.0%} of the larger",
        ),
        ScoreFactor(
            "evidence",
            evidence_fit,
            weights.evidence,
            "no property limits to meet"
            if not need.property_limits
            else f"{len(need.property_limits) - detail} of {len(need.property_limits)} property "
            f"limits shown by measurements" + (f", {detail} not measured" if detail else ""),
        ),
        ScoreFactor(
            "months",
            months_fit,
            weights.months,
            f"available in {common} of the {len(need.quantity.months)} months of need",
        ),
    ]
    counts = knowledge.outcomes.get(
        (stream.material_class_code, need.replaces_virgin_material_code or "")
    )
    if counts is not None:
        factors.append(
            ScoreFactor(
                "learning",
                multiplier,
                1.0,
                f"earlier proposals like this were accepted {counts.accepted} of "
                f"{counts.accepted + counts.declined} times: score ×{multiplier:.2f}",
            )
        )
    screening = knowledge.screening_of(stream.stream_id, route)
    if screening is not None:
        reasons.append(_screening_sentence(screening))
        if screening.verdict is Verdict.EXCEEDS:
            factors.append(
                ScoreFactor(
                    "regulation",
                    weights.exceeds_limits,
                    1.0,
                    "lab results exceed limit values of the use: "
                    f"score ×{weights.exceeds_limits:.2f}",
                )
            )
    return Proposal(
        stream_id=stream.stream_id,
        need_id=need.need_id,
        score=float(score),
        transport_mode=mode_name,
        distance_km=float(distance_km),
        route_id=route.route_id if route else None,
        reasons=tuple(reasons),
        factors=tuple(factors),
        benefit=estimate_benefit(stream, need, float(distance_km), mode, route, context),
    )


def estimate_benefit(
    stream: SideStream,
    need: Need,
    distance_km: float,
    mode: int,
    route: ValorisationRoute | None,
    context: ExplanationContext,
) -> BenefitEstimate:
    basis = stream.quantity.unit.basis
    amount = min(stream.quantity.amount, need.quantity.amount)
    trace = [f"amount: the smaller of offer and need, {_amount_text(amount, basis)}"]
    eur = 0.0
    eur_known = False
    transport_co2e = 0.0
    avoided: float | None = None
    if stream.management_cost_eur_per_unit is not None:
        eur += amount * stream.management_cost_eur_per_unit
        eur_known = True
        trace.append(
            f"producer's current route costs {stream.management_cost_eur_per_unit:g} EUR/{basis} "
            "(stated in the listing), avoided"
        )
    if need.willingness_to_pay_eur_per_unit is not None:
        eur += amount * need.willingness_to_pay_eur_per_unit
        eur_known = True
        trace.append(
            f"receiver values it at least at {need.willingness_to_pay_eur_per_unit:g} "
            f"EUR/{basis} (its willingness to pay, stated in the listing)"
        )
    if QuantityUnit(stream.quantity.unit) is QuantityUnit.MWH_PER_YEAR:
        trace.append("heat is piped, not hauled: no freight cost or emissions estimated")
    else:
        transport = context.knowledge.transport_modes[mode]
        tonne_km = amount * distance_km
        transport_co2e = tonne_km * transport.co2e_kg_per_tkm / 1000.0
        trace.append(
            f"transport {tonne_km:,.0f} tkm by {transport.mode.value} × "
            f"{transport.co2e_kg_per_tkm:g} kg CO2e/tkm ({'; '.join(transport.co2e_sources)}), "
            "laden one way; empty returns are counted in impact accounting"
        )
        if transport.cost_eur_per_tkm is not None:
            eur -= tonne_km * transport.cost_eur_per_tkm
            eur_known = True
            trace.append(
                f"freight {transport.cost_eur_per_tkm:g} EUR/tkm ({transport.cost_source})"
            )
        else:
            trace.append("freight cost unknown for this mode: not deducted")
    virgin_factors = context.knowledge.base.virgin_factors
    factor = virgin_factors.get(route.replaces_virgin_material_code) if route else None
    if route is not None and factor is not None:
        avoided = amount * route.substitution_ratio * factor.co2e_t_per_unit
        trace.append(
            f"replaces {route.substitution_ratio:g} {basis} of {factor.virgin_material_code} per "
            f"{basis} ({route.sources[0]}); {factor.item}: {factor.co2e_t_per_unit:g} t CO2e per "
            f"unit ({factor.source}{'' if factor.is_verified else ', unverified'})"
        )
    else:
        trace.append("avoided virgin production not estimated: no route or no cited factor")
    return BenefitEstimate(
        amount=amount,
        basis=basis,
        eur_per_yr=eur if eur_known else None,
        avoided_co2e_t_per_yr=avoided,
        transport_co2e_t_per_yr=transport_co2e,
        trace=tuple(trace),
    )
