"""How well prospecting names the industry that really received a side stream.

Runs every case of benchmarks/data/is_cases.csv (real exchanges from public industrial-symbiosis
literature, each cited) through `prospect_stream` and scores the receiving industry at NACE
division level: hit@1, hit@5 and mean reciprocal rank, next to a simple baseline (the most
frequent receiving division of the same waste chapter, leave-one-out). The engine never sees
the cases: it ranks from the knowledge base alone.

    .venv/bin/python -m benchmarks.prospecting_accuracy
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sidestream.adapters.datasets.knowledge import load_knowledge_base
from sidestream.adapters.datasets.reference import load_reference_data
from sidestream.adapters.text_similarity import MaterialTextMatcher
from sidestream.services.prospecting import prospect_stream

CASES = Path(__file__).parent / "data" / "is_cases.csv"
TOP = 5


@dataclass(frozen=True)
class Case:
    case_id: str
    ewc_code: str
    producer_nace: str
    description: str
    receiver_division: str


@dataclass(frozen=True)
class Scores:
    hit_at_1: float
    hit_at_5: float
    mrr: float


def load_cases() -> list[Case]:
    with CASES.open(encoding="utf-8") as handle:
        return [
            Case(
                row["case_id"],
                row["ewc_code"],
                row["producer_nace"],
                row["description"],
                row["receiver_nace"][:2],
            )
            for row in csv.DictReader(handle)
        ]


def score(rankings: Sequence[Sequence[str]], cases: Sequence[Case]) -> Scores:
    hits1 = hits5 = reciprocal = 0.0
    for ranking, case in zip(rankings, cases, strict=True):
        if case.receiver_division in ranking:
            rank = ranking.index(case.receiver_division) + 1
            hits1 += rank == 1
            hits5 += rank <= TOP
            reciprocal += 1 / rank
    count = len(cases)
    return Scores(hits1 / count, hits5 / count, reciprocal / count)


def baseline_rankings(cases: Sequence[Case]) -> list[list[str]]:
    """Most frequent receiving divisions of the case's waste chapter among the other cases."""
    rankings = []
    for case in cases:
        same_chapter = Counter(
            other.receiver_division
            for other in cases
            if other is not case and other.ewc_code[:2] == case.ewc_code[:2]
        )
        everywhere = Counter(other.receiver_division for other in cases if other is not case)
        ranked = [
            division for division, _ in sorted(same_chapter.items(), key=lambda i: (-i[1], i[0]))
        ]
        ranked += [
            d for d, _ in sorted(everywhere.items(), key=lambda i: (-i[1], i[0])) if d not in ranked
        ]
        rankings.append(ranked)
    return rankings


def engine_rankings(cases: Sequence[Case], use_text: bool, use_producer: bool) -> list[list[str]]:
    reference = load_reference_data()
    base = load_knowledge_base(reference)
    matcher = MaterialTextMatcher.from_reference(reference)
    rankings = []
    for case in cases:
        result = prospect_stream(
            reference,
            base,
            matcher,
            ewc_code=case.ewc_code,
            nace_code=case.producer_nace if use_producer else None,
            text=case.description if use_text else None,
            limit=50,
        )
        rankings.append([industry.nace_code for industry in result.industries])
    return rankings


def main() -> None:
    cases = load_cases()
    runs: list[tuple[str, Callable[[], list[list[str]]]]] = [
        ("baseline: commonest receiver of the waste chapter", lambda: baseline_rankings(cases)),
        ("sidestream: waste code only", lambda: engine_rankings(cases, False, False)),
        ("sidestream: waste code + description", lambda: engine_rankings(cases, True, False)),
        (
            "sidestream: code + description + producer NACE",
            lambda: engine_rankings(cases, True, True),
        ),
    ]
    print(f"{len(cases)} cases from {CASES.name}; receiving industry scored at NACE division level")
    print(f"{'method':52} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
    for name, run in runs:
        result = score(run(), cases)
        print(f"{name:52} {result.hit_at_1:6.2f} {result.hit_at_5:6.2f} {result.mrr:6.2f}")


if __name__ == "__main__":
    main()
