"""The reference data bundle: lookups that turn user input into checked codes, and search."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sidestream.domain.emission_factors import EmissionFactor
from sidestream.domain.errors import InvalidInput
from sidestream.domain.geography import Municipality
from sidestream.domain.materials import (
    MaterialClass,
    NaceActivity,
    PropertyDefinition,
    VirginMaterial,
    WasteCode,
    normalise_ewc_code,
)


@dataclass(frozen=True)
class ReferenceMatch:
    """A search hit in the reference lists."""

    scheme: str  # "ewc" or "nace"
    code: str  # as people write it: '10 02 02*', '24.10'
    title: str
    detail: str
    score: float


@dataclass
class ReferenceData:
    """All reference vocabularies, validated when loaded; used to check user input."""

    waste_codes: Mapping[str, WasteCode]
    nace_activities: Mapping[str, NaceActivity]
    material_classes: Mapping[str, MaterialClass]
    properties: Mapping[str, PropertyDefinition]
    virgin_materials: Mapping[str, VirginMaterial]
    municipalities: Mapping[str, Municipality]
    emission_factors: tuple[EmissionFactor, ...]

    def waste_code(self, text: str, field_name: str = "ewc_code") -> WasteCode:
        code, has_asterisk = normalise_ewc_code(text, field_name)
        entry = self.waste_codes.get(code)
        if entry is None:
            raise InvalidInput.single(
                field_name, "{text} is not in the List of Waste", text=repr(text.strip())
            )
        if has_asterisk and not entry.is_hazardous:
            raise InvalidInput.single(
                field_name,
                "{code} is a non-hazardous entry; remove the asterisk",
                code=entry.display_code,
            )
        return entry

    def nace_activity(self, code: str, field_name: str = "nace_code") -> NaceActivity:
        entry = self.nace_activities.get(code.strip().upper())
        if entry is None:
            raise InvalidInput.single(
                field_name, "{code} is not a NACE Rev. 2 code", code=repr(code.strip())
            )
        return entry

    def material_class(self, code: str, field_name: str = "material_class_code") -> MaterialClass:
        entry = self.material_classes.get(code.strip())
        if entry is None:
            raise InvalidInput.single(
                field_name, "{code} is not a known material class", code=repr(code.strip())
            )
        return entry

    def property_definition(self, code: str, field_name: str) -> PropertyDefinition:
        entry = self.properties.get(code.strip())
        if entry is None:
            raise InvalidInput.single(
                field_name, "{code} is not a known property", code=repr(code.strip())
            )
        return entry

    def virgin_material(self, code: str, field_name: str) -> VirginMaterial:
        entry = self.virgin_materials.get(code.strip())
        if entry is None:
            raise InvalidInput.single(
                field_name, "{code} is not a known virgin material", code=repr(code.strip())
            )
        return entry

    def municipality(self, code: str, field_name: str = "municipality_code") -> Municipality:
        entry = self.municipalities.get(code.strip())
        if entry is None:
            raise InvalidInput.single(
                field_name,
                "{code} is not a Statistics Finland municipality code",
                code=repr(code.strip()),
            )
        return entry

    def search(self, query: str, limit: int = 20) -> list[ReferenceMatch]:
        """Find List of Waste and NACE entries by code prefix or by words in their titles."""
        text = query.strip()
        if not text:
            return []
        compact = text.replace(" ", "").rstrip("*")
        hits: list[ReferenceMatch] = []
        if re.fullmatch(r"[0-9]+", compact):
            hits.extend(
                _ewc_match(entry, 2.0 if entry.ewc_code == compact else 1.0)
                for entry in self.waste_codes.values()
                if entry.ewc_code.startswith(compact)
            )
        if re.fullmatch(r"[A-Ua-u]|\d{1,2}(\.\d{0,2})?", compact):
            upper = compact.upper()
            hits.extend(
                _nace_match(entry, 2.0 if entry.nace_code == upper else 1.0)
                for entry in self.nace_activities.values()
                if entry.nace_code == upper
                or (upper[0].isdigit() and entry.nace_code.startswith(upper))
            )
        if not hits:
            words = _words(text)
            hits.extend(
                _ewc_match(entry, score)
                for entry in self.waste_codes.values()
                if (score := _word_score(words, entry.description, entry.subchapter_title)) > 0
            )
            hits.extend(
                _nace_match(entry, score)
                for entry in self.nace_activities.values()
                if (score := _word_score(words, entry.title, "")) > 0
            )
        hits.sort(key=lambda hit: (-hit.score, hit.scheme, hit.code))
        return hits[:limit]


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"\W+", text.lower()) if word]


def _word_score(words: Iterable[str], title: str, context: str) -> float:
    """Every query word must start a word of the title or its context; title hits weigh more."""
    title_words = _words(title)
    context_words = _words(context)
    score = 0.0
    for word in words:
        if any(candidate.startswith(word) for candidate in title_words):
            score += 1.0
        elif any(candidate.startswith(word) for candidate in context_words):
            score += 0.5
        else:
            return 0.0
    return score


def _ewc_match(entry: WasteCode, score: float) -> ReferenceMatch:
    detail = ("hazardous" if entry.is_hazardous else "non-hazardous") + (
        ", mirror entry" if entry.is_mirror_entry else ""
    )
    return ReferenceMatch("ewc", entry.display_code, entry.description, detail, score)


def _nace_match(entry: NaceActivity, score: float) -> ReferenceMatch:
    return ReferenceMatch("nace", entry.nace_code, entry.title, entry.level_name, score)
