"""Speed and memory of matching and prospecting on synthetic Finland-scale data.

    .venv/bin/python -m benchmarks.matching_speed [--listings 100000] [--baseline-listings 20000]

1. Bulk: N streams × N needs (sites scattered around Finland's 309 municipal centres, 30 material
   classes, need radii 50–300 km), the 20 best partners of every listing on both sides. The plain
   NumPy block baseline (matching_oracle.score_block over tiles, argpartition for the best lists)
   runs in the same process on a smaller instance, where both are timed for the ratio; it needs
   several GB and many minutes at full size.
2. Incremental: one new need against 1,000,000 existing streams, and one new stream against
   1,000,000 existing needs.
3. Prospecting one stream (code, Finnish description and a measurement).
Targets (issue 3): bulk at most 10 s and under 4 GB at 100,000 × 100,000; incremental under
100 ms; prospecting under 50 ms.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable
from datetime import date

import numpy as np

from sidestream.adapters.datasets.knowledge import load_knowledge_base
from sidestream.adapters.datasets.reference import load_reference_data
from sidestream.adapters.text_similarity import MaterialTextMatcher
from sidestream.domain.matching import (
    ModelColumns,
    NeedColumns,
    ScoringWeights,
    StreamColumns,
    match_all,
    match_one_need,
    match_one_stream,
)
from sidestream.domain.matching_oracle import score_block
from sidestream.domain.prospecting import MeasuredValue
from sidestream.domain.routes import KnowledgeBase
from sidestream.domain.synthetic import SyntheticRegion, synthetic_needs, synthetic_streams
from sidestream.services.prospecting import prospect_stream

TODAY = date(2026, 11, 23)
TOP_K = 20


def _model(base: KnowledgeBase, classes: int) -> ModelColumns:
    modes = base.transport_modes
    return ModelColumns(
        circuity=np.array([mode.circuity_factor for mode in modes]),
        cost_eur_per_tkm=np.array(
            [np.nan if mode.cost_eur_per_tkm is None else mode.cost_eur_per_tkm for mode in modes]
        ),
        co2e_kg_per_tkm=np.array([mode.co2e_kg_per_tkm for mode in modes]),
        multiplier=np.ones((classes, 41)),
        weights=ScoringWeights().as_array(),
        declined_keys=np.zeros(0, dtype=np.int64),
    )


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def numpy_block_baseline(
    s: StreamColumns, n: NeedColumns, model: ModelColumns, tile: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """Best partner rows of every need and every stream, by plain NumPy over class blocks."""
    day = TODAY.toordinal()
    need_best = np.full((len(n.ids), TOP_K), -1.0)
    need_rows_best = np.full((len(n.ids), TOP_K), -1)
    stream_best = np.full((len(s.ids), TOP_K), -1.0)
    stream_rows_best = np.full((len(s.ids), TOP_K), -1)
    for cls in np.unique(s.material_class):
        stream_rows = np.flatnonzero(s.material_class == cls)
        takers = np.flatnonzero(n.accepts_class[:, cls] | (np.diff(n.ewc_ptr) > 0))
        for start in range(0, len(takers), tile):
            need_rows = takers[start : start + tile]
            scores = score_block(stream_rows, need_rows, s, n, model, day)
            merged = np.concatenate([need_best[need_rows], scores], axis=1)
            rows = np.concatenate(
                [need_rows_best[need_rows], np.broadcast_to(stream_rows, scores.shape)], axis=1
            )
            keep = np.argpartition(-merged, TOP_K - 1, axis=1)[:, :TOP_K]
            need_best[need_rows] = np.take_along_axis(merged, keep, axis=1)
            need_rows_best[need_rows] = np.take_along_axis(rows, keep, axis=1)
            merged = np.concatenate([stream_best[stream_rows], scores.T], axis=1)
            rows = np.concatenate(
                [stream_rows_best[stream_rows], np.broadcast_to(need_rows, scores.T.shape)], axis=1
            )
            keep = np.argpartition(-merged, TOP_K - 1, axis=1)[:, :TOP_K]
            stream_best[stream_rows] = np.take_along_axis(merged, keep, axis=1)
            stream_rows_best[stream_rows] = np.take_along_axis(rows, keep, axis=1)
    return need_best, stream_best


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--baseline-listings", type=int, default=20_000)
    parser.add_argument("--incremental-listings", type=int, default=1_000_000)
    args = parser.parse_args()

    reference = load_reference_data()
    base = load_knowledge_base(reference)
    centres = list(reference.municipalities.values())
    region = SyntheticRegion(
        np.array([m.centre_latitude_deg for m in centres]),
        np.array([m.centre_longitude_deg for m in centres]),
    )
    model = _model(base, region.class_count)

    small_s = synthetic_streams(region, 2_000, TODAY, 1)
    small_n = synthetic_needs(region, 2_000, TODAY, 2)
    compile_s = _timed(lambda: match_all(small_s, small_n, model, TODAY, TOP_K))
    print(f"compiling the kernels (first run, cached afterwards): {compile_s:.1f} s")

    size = args.baseline_listings
    s = synthetic_streams(region, size, TODAY, 3)
    n = synthetic_needs(region, size, TODAY, 4)
    ours = min(_timed(lambda: match_all(s, n, model, TODAY, TOP_K)) for _ in range(3))
    baseline = _timed(lambda: numpy_block_baseline(s, n, model))
    print(
        f"bulk {size:,} × {size:,}, top {TOP_K}: sidestream {ours:.2f} s, NumPy block baseline "
        f"{baseline:.2f} s, ratio {baseline / ours:.1f}×"
    )

    size = args.listings
    s = synthetic_streams(region, size, TODAY, 5)
    n = synthetic_needs(region, size, TODAY, 6)
    before = _peak_rss_gb()
    result_holder: list[object] = []
    bulk = _timed(lambda: result_holder.append(match_all(s, n, model, TODAY, TOP_K)))
    result = result_holder[0]
    pairs = len(result.pair_rows())  # type: ignore[attr-defined]
    print(
        f"bulk {size:,} × {size:,}, top {TOP_K}: {bulk:.2f} s (target ≤ 10 s), {pairs:,} "
        f"proposals; peak memory {_peak_rss_gb():.2f} GB (before: {before:.2f} GB; target < 4 GB)"
    )

    size = args.incremental_listings
    many_s = synthetic_streams(region, size, TODAY, 7)
    many_n = synthetic_needs(region, size, TODAY, 8)
    new_n = synthetic_needs(region, 1, TODAY, 9, first_id=size + 1)
    new_s = synthetic_streams(region, 1, TODAY, 10, first_id=size + 1)
    # A running service keeps the existing listings indexed by material class and waste code.
    by_class = [np.flatnonzero(many_s.material_class == cls) for cls in range(region.class_count)]
    order = np.argsort(many_s.ewc, kind="stable")
    codes, starts = np.unique(many_s.ewc[order], return_index=True)
    by_code = dict(zip(codes.tolist(), np.split(order, starts[1:]), strict=True))

    def one_need() -> None:
        accepted = np.flatnonzero(new_n.accepts_class[0])
        codes_accepted = new_n.ewc[new_n.ewc_ptr[0] : new_n.ewc_ptr[1]]
        rows = np.unique(
            np.concatenate(
                [by_class[cls] for cls in accepted]
                + [by_code.get(int(code), np.zeros(0, dtype=np.int64)) for code in codes_accepted]
            )
        )
        match_one_need(0, many_s, new_n, model, TODAY, TOP_K, rows)

    need_times = [_timed(one_need) for _ in range(20)]
    takers_of_class = [
        np.flatnonzero(many_n.accepts_class[:, c]) for c in range(region.class_count)
    ]
    need_of_code = np.repeat(np.arange(size), np.diff(many_n.ewc_ptr))

    def one_stream() -> None:
        by_code_takers = need_of_code[many_n.ewc == new_s.ewc[0]]
        rows = np.union1d(takers_of_class[new_s.material_class[0]], by_code_takers)
        match_one_stream(0, new_s, many_n, model, TODAY, TOP_K, rows)

    stream_times = [_timed(one_stream) for _ in range(20)]
    need_ms = statistics.median(need_times) * 1000
    stream_ms = statistics.median(stream_times) * 1000
    print(
        f"incremental: one new need against {size:,} streams {need_ms:.1f} ms, one new stream "
        f"against {size:,} needs {stream_ms:.1f} ms (median of 20; target < 100 ms)"
    )

    matcher = MaterialTextMatcher.from_reference(reference)
    measured = [MeasuredValue("moisture", 45, "%")]

    def one_prospect() -> None:
        prospect_stream(
            reference,
            base,
            matcher,
            ewc_code="03 03 02",
            nace_code="17.11",
            text="viherlipeäsakkaa sellutehtaan kaustisoinnista",
            measured=measured,
        )

    one_prospect()
    times = sorted(_timed(one_prospect) for _ in range(200))
    print(
        f"prospecting one stream: median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {times[189] * 1000:.1f} ms (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
