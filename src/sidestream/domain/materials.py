"""Reference vocabularies: the List of Waste, NACE Rev. 2, material classes, properties and the
virgin materials a side stream can replace."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sidestream.domain.errors import InvalidInput

_EWC_PATTERN = re.compile(r"\s*([0-9]{2})\s*([0-9]{2})\s*([0-9]{2})\s*(\*?)\s*")


@dataclass(frozen=True)
class WasteCode:
    """One entry of the European List of Waste (Commission Decision 2014/955/EU)."""

    ewc_code: str  # six digits, no spaces or asterisk
    description: str
    chapter_title: str
    subchapter_title: str
    is_hazardous: bool
    is_mirror_entry: bool
    referenced_ewc_codes: tuple[str, ...]  # for a mirror entry, its partner(s)

    @property
    def display_code(self) -> str:
        code = f"{self.ewc_code[0:2]} {self.ewc_code[2:4]} {self.ewc_code[4:6]}"
        return code + "*" if self.is_hazardous else code


@dataclass(frozen=True)
class NaceActivity:
    """One NACE Rev. 2 entry (Regulation (EC) No 1893/2006) at any level."""

    nace_code: str  # "C", "24", "24.1" or "24.10"
    level_name: str  # section, division, group, class
    title: str
    parent_code: str | None


@dataclass(frozen=True)
class MaterialClass:
    material_class_code: str
    name: str
    group: str
    typical_physical_form: str
    description: str

    @property
    def is_energy_or_gas(self) -> bool:
        return self.group in ("energy", "gas")

    @property
    def is_heat(self) -> bool:
        return self.group == "energy"


@dataclass(frozen=True)
class PropertyDefinition:
    property_code: str
    name: str
    dimension: str
    kind: str  # composition or physical
    description: str


@dataclass(frozen=True)
class VirginMaterial:
    virgin_material_code: str
    name: str
    quantity_basis: str  # t or MWh
    description: str


def normalise_ewc_code(text: str, field_name: str = "ewc_code") -> tuple[str, bool]:
    """Parse '10 02 02', '100202' or '10 02 07*' into ('100202', has_asterisk)."""
    match = _EWC_PATTERN.fullmatch(text)
    if match is None:
        raise InvalidInput.single(
            field_name,
            "{text} is not a List of Waste code (six digits such as '10 02 02')",
            text=repr(text),
        )
    return match.group(1) + match.group(2) + match.group(3), match.group(4) == "*"
