"""A plain NumPy implementation of pair scoring, written independently of the compiled
kernels: the oracle the tests compare them with, and the baseline the benchmark measures
them against. Whole blocks of pairs at once; memory grows with streams × needs."""

from __future__ import annotations

import numpy as np

from sidestream.domain.matching import (
    EARTH_MEAN_RADIUS_KM,
    BestPartners,
    FloatArray,
    MatchResult,
    ModelColumns,
    NeedColumns,
    StreamColumns,
)


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values.astype(np.uint64)).astype(np.float64)


def _padded(ptr: np.ndarray, values: np.ndarray, rows: np.ndarray, fill: int) -> np.ndarray:
    """Ragged lists (values[ptr[r]:ptr[r+1]] for each row) as a rectangle padded with fill."""
    lengths = ptr[rows + 1] - ptr[rows]
    width = int(lengths.max()) if rows.size else 0
    padded = np.full((rows.size, width), fill, dtype=np.int64)
    for slot in range(width):
        has = lengths > slot
        padded[has, slot] = values[ptr[rows[has]] + slot]
    return padded


def score_block(
    stream_rows: np.ndarray,
    need_rows: np.ndarray,
    s: StreamColumns,
    n: NeedColumns,
    m: ModelColumns,
    day: int,
) -> FloatArray:
    """Scores [need, stream] of a block; -1 where the pair is not a proposal."""
    si = stream_rows[None, :]
    nj = need_rows[:, None]
    accepted = n.accepts_class[nj, s.material_class[si]]
    codes = _padded(n.ewc_ptr, n.ewc, need_rows, fill=-2)  # [need, slot]; -2 matches nothing
    stream_codes = s.ewc[stream_rows]
    for slot in range(codes.shape[1]):
        accepted |= codes[:, slot, None] == stream_codes[None, :]
    ok = accepted
    ok &= ~s.is_hazardous[si] | n.accepts_hazardous[nj]
    ok &= s.basis[si] == n.basis[nj]
    ok &= (s.valid_until[si] >= day) & (n.valid_until[nj] >= day)
    common = s.months[si] & n.months[nj]
    ok &= common != 0
    min_t = n.min_temperature_c[nj]
    with np.errstate(invalid="ignore"):
        ok &= np.isnan(min_t) | (s.temperature_c[si] >= min_t)

    limits = n.limit_ptr[need_rows + 1] - n.limit_ptr[need_rows]
    positions = _padded(n.limit_ptr, np.arange(n.limit_property.size), need_rows, fill=-1)
    met = np.zeros(ok.shape)
    missing = np.zeros(ok.shape)
    for slot in range(positions.shape[1]):
        position = positions[:, slot]
        present = position >= 0
        safe = np.where(present, position, 0)
        prop = n.limit_property[safe] if n.limit_property.size else np.zeros_like(safe)
        values = s.properties[stream_rows][:, prop].T if prop.size else np.empty(ok.shape)
        unknown = np.isnan(values) & present[:, None]
        with np.errstate(invalid="ignore"):
            inside = (
                (values >= n.limit_min[safe, None]) & (values <= n.limit_max[safe, None])
                if n.limit_min.size
                else np.zeros(ok.shape, dtype=bool)
            ) & present[:, None]
        ok &= ~present[:, None] | unknown | inside
        missing += unknown
        met += inside

    chord = np.sqrt((s.x[si] - n.x[nj]) ** 2 + (s.y[si] - n.y[nj]) ** 2 + (s.z[si] - n.z[nj]) ** 2)
    great_circle = 2.0 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.minimum(1.0, chord / 2.0))
    limit = np.minimum(n.max_distance_km[nj], s.max_distance_km[si])
    available = [
        np.ones(ok.shape, dtype=bool),
        s.has_rail_siding[si] & n.has_rail_siding[nj],
        s.has_port[si] & n.has_port[nj],
    ]
    best_cost = np.full(ok.shape, np.inf)
    distance = np.full(ok.shape, -1.0)
    for mode in range(3):
        network = great_circle * m.circuity[mode]
        unit_cost = m.cost_eur_per_tkm[mode]
        if np.isnan(unit_cost):
            unit_cost = m.co2e_kg_per_tkm[mode]
        cost = unit_cost * network
        better = available[mode] & (network <= limit) & (cost < best_cost)
        best_cost = np.where(better, cost, best_cost)
        distance = np.where(better, network, distance)
    ok &= distance >= 0

    keys = (s.ids[si] << 32) | n.ids[nj]
    ok &= ~np.isin(keys, m.declined_keys)

    supply = s.quantity[si]
    demand = n.quantity[nj]
    quantity_fit = np.minimum(supply, demand) / np.maximum(supply, demand)
    with np.errstate(invalid="ignore", divide="ignore"):
        evidence = np.where(limits[:, None] == 0, 1.0, (met + 0.5 * missing) / limits[:, None])
        distance_fit = np.where(limit > 0, 1.0 - distance / limit, 0.0)
    months_fit = _popcount(common) / _popcount(n.months[nj])
    w = m.weights
    score = w[0] * distance_fit + w[1] * quantity_fit + w[2] * evidence + w[3] * months_fit
    score *= m.multiplier[s.material_class[si], n.virgin_material[nj] + 1]
    score *= s.regulatory_multiplier[s.screening_row[si], n.virgin_material[nj] + 1]
    return np.where(ok, score, -1.0)


def _best(scores: FloatArray, partner_ids: np.ndarray, top_k: int) -> BestPartners:
    """Rows of k best partners by (score desc, partner id asc)."""
    rows = np.full((scores.shape[0], top_k), -1, dtype=np.int64)
    best = np.full((scores.shape[0], top_k), np.nan)
    for row in range(scores.shape[0]):
        feasible = np.flatnonzero(scores[row] >= 0)
        order = np.lexsort((partner_ids[feasible], -scores[row, feasible]))[:top_k]
        rows[row, : order.size] = feasible[order]
        best[row, : order.size] = scores[row, feasible[order]]
    return BestPartners(partner_rows=rows, scores=best)


def match_all_blockwise(
    s: StreamColumns, n: NeedColumns, m: ModelColumns, day: int, top_k: int
) -> MatchResult:
    """Everything against everything in one block: the simplest correct answer."""
    scores = score_block(np.arange(len(s.ids)), np.arange(len(n.ids)), s, n, m, day)
    return MatchResult(
        for_streams=_best(scores.T, n.ids, top_k), for_needs=_best(scores, s.ids, top_k)
    )
