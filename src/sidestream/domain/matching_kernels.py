"""Compiled kernels of the matcher (numba): one pair evaluation, used by bulk, incremental and
explained matching alike, so the numbers a person reads are the numbers that ranked the pair.

Tables are NamedTuples of NumPy arrays (see matching.StreamColumns and matching.NeedColumns).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

EARTH_MEAN_RADIUS_KM = 6371.0088

# Why a pair is not a proposal. OK pairs carry a score; the others carry this code.
OK = 0
NOT_ACCEPTED = 1
HAZARDOUS_NOT_ACCEPTED = 2
DIFFERENT_UNITS = 3
STREAM_EXPIRED = 4
NEED_EXPIRED = 5
NO_COMMON_MONTHS = 6
TOO_COLD = 7
PROPERTY_OUT_OF_LIMITS = 8
TOO_FAR = 9
DECLINED_BEFORE = 10

MODE_ROAD, MODE_RAIL, MODE_SEA = 0, 1, 2
NO_SCORE = np.float32(-1.0)


_MONTH_COUNTS = np.array([bin(bits).count("1") for bits in range(1 << 12)], dtype=np.float64)


@njit(cache=True, inline="always")
def _asin(x: float) -> float:
    """asin, by its Taylor series below 0.05 (points within 600 km; error under 1e-13)."""
    if x < 0.05:
        x2 = x * x
        return x * (
            1.0 + x2 * (1.0 / 6.0 + x2 * (3.0 / 40.0 + x2 * (5.0 / 112.0 + x2 * 35.0 / 1152.0)))
        )
    return math.asin(x)


@njit(cache=True)
def _is_declined(keys: np.ndarray, stream_id: int, need_id: int) -> bool:
    key = (stream_id << 32) | need_id
    position = np.searchsorted(keys, key)
    return bool(position < keys.shape[0] and keys[position] == key)


@njit(cache=True, inline="always")
def evaluate_pair(i, j, s, n, m, today):
    """Evaluate stream i against need j.

    Returns (status, score, distance_km, mode, quantity_fit, evidence_fit, months_fit,
    distance_fit, multiplier, detail) where detail is the index of the first violated limit
    for PROPERTY_OUT_OF_LIMITS, else the number of limits without a measured value."""
    nothing = (0.0, -1.0, -1, 0.0, 0.0, 0.0, 0.0, 1.0, -1)
    cls = s.material_class[i]
    accepted = n.accepts_class[j, cls]
    if not accepted and s.ewc[i] >= 0:
        for position in range(n.ewc_ptr[j], n.ewc_ptr[j + 1]):
            if n.ewc[position] == s.ewc[i]:
                accepted = True
                break
    if not accepted:
        return (NOT_ACCEPTED, *nothing)
    if s.is_hazardous[i] and not n.accepts_hazardous[j]:
        return (HAZARDOUS_NOT_ACCEPTED, *nothing)
    if s.basis[i] != n.basis[j]:
        return (DIFFERENT_UNITS, *nothing)
    if s.valid_until[i] < today:
        return (STREAM_EXPIRED, *nothing)
    if n.valid_until[j] < today:
        return (NEED_EXPIRED, *nothing)
    common_months = s.months[i] & n.months[j]
    if common_months == 0:
        return (NO_COMMON_MONTHS, *nothing)
    if not math.isnan(n.min_temperature_c[j]) and not (
        s.temperature_c[i] >= n.min_temperature_c[j]
    ):
        return (TOO_COLD, *nothing)

    met = 0
    missing = 0
    for position in range(n.limit_ptr[j], n.limit_ptr[j + 1]):
        value = s.properties[i, n.limit_property[position]]
        if math.isnan(value):
            missing += 1
        elif value < n.limit_min[position] or value > n.limit_max[position]:
            return (
                PROPERTY_OUT_OF_LIMITS,
                0.0,
                -1.0,
                -1,
                0.0,
                0.0,
                0.0,
                0.0,
                1.0,
                position - n.limit_ptr[j],
            )
        else:
            met += 1

    dx = s.x[i] - n.x[j]
    dy = s.y[i] - n.y[j]
    dz = s.z[i] - n.z[j]
    great_circle_km = (
        2.0 * EARTH_MEAN_RADIUS_KM * _asin(min(1.0, math.sqrt(dx * dx + dy * dy + dz * dz) / 2.0))
    )
    limit_km = min(n.max_distance_km[j], s.max_distance_km[i])
    mode = -1
    distance_km = -1.0
    best_cost = np.inf
    for candidate in range(3):
        if candidate == MODE_RAIL and not (s.has_rail_siding[i] and n.has_rail_siding[j]):
            continue
        if candidate == MODE_SEA and not (s.has_port[i] and n.has_port[j]):
            continue
        network_km = great_circle_km * m.circuity[candidate]
        if network_km > limit_km:
            continue
        # The cheapest mode by cost per tonne, by emissions where no cost is known.
        cost = m.cost_eur_per_tkm[candidate]
        if math.isnan(cost):
            cost = m.co2e_kg_per_tkm[candidate]
        cost *= network_km
        if cost < best_cost:
            best_cost = cost
            mode = candidate
            distance_km = network_km
    if mode < 0:
        return (
            TOO_FAR,
            0.0,
            great_circle_km * m.circuity[MODE_ROAD],
            MODE_ROAD,
            0.0,
            0.0,
            0.0,
            0.0,
            1.0,
            -1,
        )
    if n.has_declines[j] and _is_declined(m.declined_keys, s.ids[i], n.ids[j]):
        return (DECLINED_BEFORE, *nothing)

    supply = s.quantity[i]
    demand = n.quantity[j]
    quantity_fit = min(supply, demand) / max(supply, demand)
    limits = n.limit_ptr[j + 1] - n.limit_ptr[j]
    evidence_fit = 1.0 if limits == 0 else (met + 0.5 * missing) / limits
    months_fit = _MONTH_COUNTS[common_months] / _MONTH_COUNTS[n.months[j]]
    distance_fit = 1.0 - distance_km / limit_km if limit_km > 0 else 0.0
    weights = m.weights
    score = (
        weights[0] * distance_fit
        + weights[1] * quantity_fit
        + weights[2] * evidence_fit
        + weights[3] * months_fit
    )
    multiplier = m.multiplier[cls, n.virgin_material[j] + 1]
    regulatory = s.regulatory_multiplier[s.screening_row[i], n.virgin_material[j] + 1]
    return (
        OK,
        score * multiplier * regulatory,
        distance_km,
        mode,
        quantity_fit,
        evidence_fit,
        months_fit,
        distance_fit,
        multiplier,
        missing,
    )


@njit(cache=True, inline="always")
def pair_score(i, j, s, n, m, today):
    """The score of a feasible pair, or -1 when the pair is not a proposal."""
    # The cheap distance test first: most pairs of a region are too far apart.
    dx = s.x[i] - n.x[j]
    dy = s.y[i] - n.y[j]
    dz = s.z[i] - n.z[j]
    if dx * dx + dy * dy + dz * dz > min(n.chord2_max[j], s.chord2_max[i]):
        return -1.0
    result = evaluate_pair(i, j, s, n, m, today)
    return result[1] if result[0] == OK else -1.0


@njit(cache=True, inline="always")
def _insert(best_score, best_other, best_id, worst, row, score, other, other_id):
    """Keep the k best partners of a row (score high, then partner id low), unordered.

    worst[row] is the slot of the row's weakest entry, so most attempts cost one comparison."""
    slot = worst[row]
    if score < best_score[row, slot] or (
        score == best_score[row, slot] and other_id >= best_id[row, slot]
    ):
        return
    best_score[row, slot] = score
    best_other[row, slot] = other
    best_id[row, slot] = other_id
    k = best_score.shape[1]
    weakest = 0
    for candidate in range(1, k):
        if best_score[row, candidate] < best_score[row, weakest] or (
            best_score[row, candidate] == best_score[row, weakest]
            and best_id[row, candidate] > best_id[row, weakest]
        ):
            weakest = candidate
    worst[row] = weakest


@njit(parallel=True, cache=True)
def match_block(
    block,
    stream_rows,
    n,
    need_rows,
    m,
    today,
    need_score,
    need_other,
    need_id,
    need_worst,
    chunk_score,
    chunk_other,
    chunk_id,
    chunk_worst,
):
    """Score every pair of a block: streams of one class × the needs that may take them.

    `block` holds the block's streams (rows of the full table `stream_rows`), ordered by
    their z coordinate, so that a need scans only the band of latitudes its reach allows and
    reads the streams' columns in order. A need's best list is updated by the one thread that
    owns the need; each thread keeps its own best lists for the block's streams
    (chunk_*[thread, position in block]), which the caller merges."""
    chunks = chunk_score.shape[0]
    count = need_rows.shape[0]
    for chunk in prange(chunks):
        for a in range(chunk * count // chunks, (chunk + 1) * count // chunks):
            j = need_rows[a]
            nx, ny, nz, n_reach = n.x[j], n.y[j], n.z[j], n.chord2_max[j]
            reach = 2.0 * math.asin(min(1.0, math.sqrt(n_reach) / 2.0))
            latitude = math.asin(max(-1.0, min(1.0, nz)))
            low = np.searchsorted(block.z, math.sin(max(-math.pi / 2, latitude - reach)))
            high = np.searchsorted(block.z, math.sin(min(math.pi / 2, latitude + reach)), "right")
            for b in range(low, high):
                dx = block.x[b] - nx
                dy = block.y[b] - ny
                dz = block.z[b] - nz
                if dx * dx + dy * dy + dz * dz > min(n_reach, block.chord2_max[b]):
                    continue
                result = evaluate_pair(b, j, block, n, m, today)
                if result[0] != OK:
                    continue
                score = result[1]
                _insert(
                    need_score,
                    need_other,
                    need_id,
                    need_worst,
                    j,
                    score,
                    stream_rows[b],
                    block.ids[b],
                )
                _insert(
                    chunk_score[chunk],
                    chunk_other[chunk],
                    chunk_id[chunk],
                    chunk_worst[chunk],
                    b,
                    score,
                    j,
                    n.ids[j],
                )


@njit(parallel=True, cache=True)
def merge_chunks(
    stream_rows,
    chunk_score,
    chunk_other,
    chunk_id,
    stream_score,
    stream_other,
    stream_id,
    stream_worst,
):
    for b in prange(stream_rows.shape[0]):
        row = stream_rows[b]
        for chunk in range(chunk_score.shape[0]):
            for slot in range(chunk_score.shape[2]):
                if chunk_other[chunk, b, slot] >= 0:
                    _insert(
                        stream_score,
                        stream_other,
                        stream_id,
                        stream_worst,
                        row,
                        chunk_score[chunk, b, slot],
                        chunk_other[chunk, b, slot],
                        chunk_id[chunk, b, slot],
                    )


@njit(cache=True)
def score_one_need(j, stream_rows, s, n, m, today, out):
    for b in range(stream_rows.shape[0]):
        out[b] = pair_score(stream_rows[b], j, s, n, m, today)


@njit(cache=True)
def score_one_stream(i, need_rows, s, n, m, today, out):
    for a in range(need_rows.shape[0]):
        out[a] = pair_score(i, need_rows[a], s, n, m, today)


@njit(cache=True)
def count_rejections_of_stream(i, need_rows, s, n, m, today, counts):
    """How many of the given needs reject stream i, per status (counts[status] += 1)."""
    for a in range(need_rows.shape[0]):
        counts[evaluate_pair(i, need_rows[a], s, n, m, today)[0]] += 1


@njit(cache=True)
def count_rejections_of_need(j, stream_rows, s, n, m, today, counts):
    """How many of the given streams are rejected by need j, per status."""
    for b in range(stream_rows.shape[0]):
        counts[evaluate_pair(stream_rows[b], j, s, n, m, today)[0]] += 1
