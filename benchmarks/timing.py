"""What the solver benchmarks time: model build and solve, with the objective reached."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    label: str
    build_s: float
    solve_s: float
    objective: float

    @property
    def total_s(self) -> float:
        return self.build_s + self.solve_s

    def line(self) -> str:
        return (
            f"  {self.label:<34} build {self.build_s:7.2f} s  solve {self.solve_s:7.2f} s  "
            f"total {self.total_s:7.2f} s  objective {self.objective:,.4f}"
        )


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    """The action's value and the wall-clock seconds it took."""
    started = time.perf_counter()
    value = action()
    return value, time.perf_counter() - started
