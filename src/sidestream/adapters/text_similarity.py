"""Offline text similarity for descriptions in Finnish, Swedish or English.

Character n-grams (3 to 5 letters, within words) weighted by TF-IDF match inflected Finnish
forms ("lentotuhkaa", "lentotuhkan") and compounds ("viherlipeäsakka") without a stemmer or a
language model; each material class is described by its terms in all three languages."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.reference import ReferenceData

MIN_SIMILARITY = 0.12  # below this a class shares only common letter runs with the text
MAX_TEXT_LENGTH = 5000


class MaterialTextMatcher:
    """Which material classes a free-text description reads like."""

    def __init__(self, documents: dict[str, str]) -> None:
        self._codes = sorted(documents)
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
        )
        self._matrix = self._vectorizer.fit_transform([documents[code] for code in self._codes])

    @classmethod
    def from_reference(cls, reference: ReferenceData) -> MaterialTextMatcher:
        name = "reference/material_class_terms.csv"
        text = resources.files("sidestream").joinpath("data", *name.split("/")).read_text("utf-8")
        documents: dict[str, list[str]] = defaultdict(list)
        for row in csv.DictReader(text.splitlines()):
            code = row["material_class_code"]
            if code not in reference.material_classes or row["lang"] not in ("fi", "sv", "en"):
                raise ReferenceDataError(f"{name}: unknown class or language in {row}")
            documents[code].extend(term.strip() for term in row["terms"].split(";"))
        for code, material in reference.material_classes.items():
            documents[code].append(material.name)
        return cls({code: " ; ".join(terms) for code, terms in documents.items()})

    def similarities(self, text: str) -> dict[str, float]:
        """Cosine similarity per class, keeping only clear resemblances."""
        if not text.strip():
            return {}
        vector = self._vectorizer.transform([text[:MAX_TEXT_LENGTH]])
        scores = np.asarray((self._matrix @ vector.T).todense()).ravel()
        return {
            code: float(score)
            for code, score in zip(self._codes, scores, strict=True)
            if score >= MIN_SIMILARITY
        }
