"""Checks shared by the columnar problems (allocation, network design): every attribute of a
kind has one entry per item, quantities are tonnes, indices point at existing rows."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from sidestream.domain.errors import FieldError


def length_errors(owner: object, names: Iterable[str], count: int, item: str) -> list[FieldError]:
    """One entry per item (per path, per hub...) in each named one-dimensional array."""
    errors = []
    for name in names:
        value = getattr(owner, name)
        if value.ndim != 1 or value.shape != (count,):
            errors.append(FieldError(name, f"must have one entry per {item} ({count})"))
    return errors


def tonnes_errors(owner: object, names: Iterable[str]) -> list[FieldError]:
    """One-dimensional, finite and zero or more tonnes (supplies and demands)."""
    errors = []
    for name in names:
        value = getattr(owner, name)
        if value.ndim != 1:
            errors.append(FieldError(name, "must be one-dimensional"))
        elif not (np.isfinite(value) & (value >= 0)).all():
            errors.append(FieldError(name, "must be finite and zero or more tonnes"))
    return errors


def index_errors(owner: object, name: str, low: int, count: int, item: str) -> list[FieldError]:
    """Every index in low..count-1, naming the first that is not."""
    index = getattr(owner, name)
    broken = np.flatnonzero((index < low) | (index >= count))
    if not broken.size:
        return []
    first = int(broken[0])
    return [
        FieldError(
            name,
            f"must lie in {low}..{count - 1} "
            f"(first of {broken.size}: {item} {first}, {int(index[first])})",
        )
    ]
