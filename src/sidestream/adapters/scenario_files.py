"""Scenario files: TOML, read into a ScenarioSpec with every bad field named."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sidestream.domain.errors import InvalidInput
from sidestream.domain.impact import ImpactFactors
from sidestream.domain.reference import ReferenceData
from sidestream.domain.scenarios import ScenarioSpec, scenario_from_mapping


def read_scenario_file(
    path: Path, reference: ReferenceData, factors: ImpactFactors
) -> ScenarioSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput.single("scenario", f"{path.name} is not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise InvalidInput.single("scenario", f"{path.name} is not UTF-8 text") from None
    return scenario_from_mapping(data, list(factors.processes), list(reference.material_classes))
