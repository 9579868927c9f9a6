"""Bulk, incremental and explained matching agree with each other and with the NumPy oracle."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sidestream.domain.errors import InvalidInput
from sidestream.domain.matching import (
    MatchResult,
    ModelColumns,
    NeedColumns,
    ScoringWeights,
    StreamColumns,
    match_all,
    match_one_need,
    match_one_stream,
    take_streams,
)
from sidestream.domain.matching_oracle import match_all_blockwise
from sidestream.domain.reference import ReferenceData
from sidestream.domain.synthetic import SyntheticRegion, synthetic_needs, synthetic_streams

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def region(reference: ReferenceData) -> SyntheticRegion:
    municipalities = list(reference.municipalities.values())
    return SyntheticRegion(
        np.array([m.centre_latitude_deg for m in municipalities]),
        np.array([m.centre_longitude_deg for m in municipalities]),
    )


def _model(declined: tuple[tuple[int, int], ...] = (), seed: int = 0) -> ModelColumns:
    rng = np.random.default_rng(seed)
    return ModelColumns(
        circuity=np.array([1.3, 1.4, 1.2]),
        cost_eur_per_tkm=np.array([np.nan, np.nan, np.nan]),
        co2e_kg_per_tkm=np.array([0.095, 0.035, 0.0043]),
        multiplier=rng.uniform(0.5, 1.5, (30, 21)),
        weights=ScoringWeights().as_array(),
        declined_keys=np.array(sorted((s << 32) | n for s, n in declined), dtype=np.int64),
    )


def _pairs_by_id(result: MatchResult, s: StreamColumns, n: NeedColumns) -> set[tuple[int, int]]:
    return {(int(s.ids[i]), int(n.ids[j])) for i, j in result.pair_rows()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_matching_equals_the_numpy_oracle(region: SyntheticRegion, seed: int) -> None:
    s = synthetic_streams(region, 700, TODAY, seed)
    n = synthetic_needs(region, 600, TODAY, seed + 100)
    declined = [(int(s.ids[k]), int(n.ids[k])) for k in range(0, 600, 7)]
    n = n._replace(has_declines=np.isin(n.ids, [need for _, need in declined]))
    model = _model(tuple(declined), seed)

    fast = match_all(s, n, model, TODAY, top_k=5)
    slow = match_all_blockwise(s, n, model, TODAY.toordinal(), top_k=5)

    assert np.array_equal(fast.for_needs.partner_rows, slow.for_needs.partner_rows)
    assert np.array_equal(fast.for_streams.partner_rows, slow.for_streams.partner_rows)
    np.testing.assert_allclose(fast.for_needs.scores, slow.for_needs.scores, rtol=1e-12)
    assert (fast.for_needs.partner_rows >= 0).sum() > 500  # the instance has real work in it
    declined_found = _pairs_by_id(fast, s, n) & set(declined)
    assert declined_found == set()


def test_results_do_not_depend_on_input_order(region: SyntheticRegion) -> None:
    s = synthetic_streams(region, 500, TODAY, 7)
    n = synthetic_needs(region, 500, TODAY, 8)
    model = _model()
    rng = np.random.default_rng(9)
    stream_order = rng.permutation(len(s.ids))
    need_order = rng.permutation(len(n.ids))
    shuffled_s = take_streams(s, stream_order)
    shuffled_n = NeedColumns(
        *(
            column[need_order]
            if name
            not in ("ewc_ptr", "ewc", "limit_ptr", "limit_property", "limit_min", "limit_max")
            else column
            for name, column in zip(NeedColumns._fields, n, strict=True)
        )
    )
    # ragged lists must follow their needs
    shuffled_n = _reorder_ragged(n, shuffled_n, need_order)

    original = match_all(s, n, model, TODAY, top_k=4)
    shuffled = match_all(shuffled_s, shuffled_n, model, TODAY, top_k=4)

    assert _pairs_by_id(original, s, n) == _pairs_by_id(shuffled, shuffled_s, shuffled_n)
    for row in range(len(n.ids)):
        moved = int(np.flatnonzero(need_order == row)[0])
        want = [int(s.ids[i]) for i in original.for_needs.partner_rows[row] if i >= 0]
        got = [int(shuffled_s.ids[i]) for i in shuffled.for_needs.partner_rows[moved] if i >= 0]
        assert want == got


def _reorder_ragged(n: NeedColumns, target: NeedColumns, order: np.ndarray) -> NeedColumns:
    def ragged(ptr: np.ndarray, *values: np.ndarray) -> tuple[np.ndarray, ...]:
        pieces = [[v[ptr[row] : ptr[row + 1]] for row in order] for v in values]
        lengths = np.array([ptr[row + 1] - ptr[row] for row in order])
        new_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(ptr.dtype)
        return (
            new_ptr,
            *(np.concatenate(p) if p else v[:0] for p, v in zip(pieces, values, strict=True)),
        )

    ewc_ptr, ewc = ragged(n.ewc_ptr, n.ewc)
    limit_ptr, prop, low, high = ragged(n.limit_ptr, n.limit_property, n.limit_min, n.limit_max)
    return target._replace(
        ewc_ptr=ewc_ptr,
        ewc=ewc,
        limit_ptr=limit_ptr,
        limit_property=prop,
        limit_min=low,
        limit_max=high,
    )


def test_incremental_matching_equals_bulk(region: SyntheticRegion) -> None:
    s = synthetic_streams(region, 800, TODAY, 11)
    n = synthetic_needs(region, 300, TODAY, 12)
    model = _model()
    bulk = match_all(s, n, model, TODAY, top_k=6)
    for need_row in range(0, 300, 17):
        one = match_one_need(need_row, s, n, model, TODAY, top_k=6)
        assert np.array_equal(one.partner_rows[0], bulk.for_needs.partner_rows[need_row])
    for stream_row in range(0, 800, 41):
        one = match_one_stream(stream_row, s, n, model, TODAY, top_k=6)
        assert np.array_equal(one.partner_rows[0], bulk.for_streams.partner_rows[stream_row])


def test_best_lists_are_ordered_by_score_then_partner_id(region: SyntheticRegion) -> None:
    s = synthetic_streams(region, 400, TODAY, 21)
    n = synthetic_needs(region, 400, TODAY, 22)
    result = match_all(s, n, _model(), TODAY, top_k=8)
    for row in range(len(n.ids)):
        partners = result.for_needs.partner_rows[row]
        scores = result.for_needs.scores[row][partners >= 0]
        ids = s.ids[partners[partners >= 0]]
        keys = list(zip(-scores, ids, strict=True))
        assert keys == sorted(keys)


def test_expired_and_hazardous_pairs_are_never_proposed(region: SyntheticRegion) -> None:
    s = synthetic_streams(region, 600, TODAY, 31)
    n = synthetic_needs(region, 600, TODAY, 32)
    result = match_all(s, n, _model(), TODAY, top_k=10)
    for i, j in result.pair_rows():
        assert s.valid_until[i] >= TODAY.toordinal() and n.valid_until[j] >= TODAY.toordinal()
        assert not s.is_hazardous[i] or n.accepts_hazardous[j]
        assert s.basis[i] == n.basis[j]


def test_a_zero_top_k_is_refused(region: SyntheticRegion) -> None:
    s = synthetic_streams(region, 10, TODAY, 1)
    n = synthetic_needs(region, 10, TODAY, 2)
    with pytest.raises(InvalidInput, match="top_k"):
        match_all(s, n, _model(), TODAY, top_k=0)
