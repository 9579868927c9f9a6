"""Emission factors as cited data: every value carries its source and verification status."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EmissionFactor:
    category: str  # transport, material, waste treatment, process, benchmark, threshold
    item: str
    value: float
    unit: str  # e.g. "kg CO2e/tkm", "kg CO2e/t", "t CO2/t clinker"
    boundary: str
    geography: str
    reference_year: str
    source: str
    source_locator: str
    licence: str
    verification: str  # how the value was checked; "recalled; re-check" marks unverified values
    note: str

    @property
    def is_verified(self) -> bool:
        return "re-check" not in self.verification.lower()
