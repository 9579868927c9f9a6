"""Finding List of Waste and NACE entries as people type them: by code, with or without its
spaces and asterisk ("10 02", "1002", "10 02 07*", "24.1", "2410", "C"), by words of the
description ("ferrochrome slag"), or both ("10 02 slag").

The rules, for the API and the pages' pickers alike:
- the code part is the query's leading code-like tokens, joined without spaces, dots and the
  asterisk; an entry matches when its code starts with it (a lone letter is a NACE section and
  matches that section exactly);
- every other word must start a word of the entry's description (case-insensitive, all words);
  for waste codes a word may also start a word of the sub-chapter's title, since a
  "not otherwise specified" entry is described by its sub-chapter alone;
- code hits come first, then entries whose description mentions the code and holds the words
  ("10 02 07" also finds the mirror entry "... other than those mentioned in 10 02 07");
  within each group, by code.
An empty query lists the entries in code order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sidestream.domain.errors import InvalidInput
from sidestream.domain.materials import NaceActivity
from sidestream.domain.reference import ReferenceData

DEFAULT_LIMIT = 20
_WORD = re.compile(r"\w+")
_EWC_CODE_TOKEN = re.compile(r"[0-9]{1,6}\*?")
_NACE_CODE_TOKEN = re.compile(r"[0-9]{1,2}(\.[0-9]{0,2})?|[0-9]{3,4}")
_DIGIT_SPACE = re.compile(r"(?<=[0-9]) (?=[0-9])")
_NACE_SECTION = re.compile(r"[A-Ua-u]")
EntryT = TypeVar("EntryT")


@dataclass(frozen=True)
class WasteCodeMatch:
    """A List of Waste entry found by a search."""

    ewc_code: str  # six digits: '100207'
    display_code: str  # as people write it: '10 02 07*'
    description: str
    is_hazardous: bool
    is_mirror_entry: bool


@dataclass(frozen=True)
class NaceMatch:
    """A NACE Rev. 2 entry found by a search."""

    nace_code: str  # 'C', '24', '24.1' or '24.10'
    level_name: str  # section, division, group or class
    title: str


@dataclass(frozen=True)
class _Query:
    code_prefix: str  # digits without spaces, dots or asterisk; '' for none
    words: tuple[str, ...]  # the other words, lower-case: all must match the description

    def mentioned_in(self, *texts: str) -> bool:
        """Whether a text mentions the code ("other than those mentioned in 10 02 07") and
        holds the words."""
        mentions = re.compile(rf"\b{self.code_prefix}")
        return any(
            mentions.search(_DIGIT_SPACE.sub("", text)) for text in texts
        ) and _all_words_start_words(self.words, *texts)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _split(text: str, is_code_token: Callable[[str], bool]) -> _Query:
    """Leading code-like tokens form the code prefix; the rest are words."""
    tokens = text.split()
    code_tokens: list[str] = []
    while tokens and is_code_token(tokens[0]):
        code_tokens.append(tokens.pop(0))
    prefix = "".join(code_tokens).replace(".", "").rstrip("*")
    return _Query(prefix, tuple(_words(" ".join(tokens))))


def _check_limit(limit: int) -> None:
    if limit < 1:
        raise InvalidInput.single("limit", f"{limit} is not a positive number of results")


def _all_words_start_words(words: Iterable[str], *texts: str) -> bool:
    candidates = [word for text in texts for word in _words(text)]
    return all(any(candidate.startswith(word) for candidate in candidates) for word in words)


def _ranked(
    entries: Iterable[EntryT],
    code_of: Callable[[EntryT], str],
    texts_of: Callable[[EntryT], tuple[str, ...]],
    query: _Query,
    limit: int,
) -> list[EntryT]:
    """Code hits (the code starts with the prefix and the other words match), then word hits
    (the description holds the words, and mentions the code when one is given); each group in
    the order given."""
    code_hits: list[EntryT] = []
    word_hits: list[EntryT] = []
    for entry in entries:
        texts = texts_of(entry)
        if not query.code_prefix:
            if _all_words_start_words(query.words, *texts):
                word_hits.append(entry)
        elif code_of(entry).startswith(query.code_prefix):
            if _all_words_start_words(query.words, *texts):
                code_hits.append(entry)
        elif len(word_hits) < limit and query.mentioned_in(*texts):
            word_hits.append(entry)
        if len(word_hits) >= limit and not query.code_prefix:
            break  # in order, and no code hit can come after: the first `limit` are the answer
    return (code_hits + word_hits)[:limit]


def search_waste_codes(
    reference: ReferenceData, text: str, limit: int = DEFAULT_LIMIT
) -> list[WasteCodeMatch]:
    """List of Waste entries by code prefix and words of their description (see the module)."""
    _check_limit(limit)
    query = _split(text.strip(), lambda token: _EWC_CODE_TOKEN.fullmatch(token) is not None)
    entries = sorted(reference.waste_codes.values(), key=lambda entry: entry.ewc_code)
    hits = _ranked(
        entries,
        lambda entry: entry.ewc_code,
        lambda entry: (entry.description, entry.subchapter_title),
        query,
        limit,
    )
    return [
        WasteCodeMatch(
            ewc_code=entry.ewc_code,
            display_code=entry.display_code,
            description=entry.description,
            is_hazardous=entry.is_hazardous,
            is_mirror_entry=entry.is_mirror_entry,
        )
        for entry in hits
    ]


def search_nace(reference: ReferenceData, text: str, limit: int = DEFAULT_LIMIT) -> list[NaceMatch]:
    """NACE Rev. 2 entries by code prefix (a section letter alone: that section) and words of
    their titles (see the module); in the classification's own order."""
    _check_limit(limit)
    stripped = text.strip()
    entries = list(reference.nace_activities.values())  # the classification's order
    if _NACE_SECTION.fullmatch(stripped):
        # A lone letter is a section code, not the start of every word beginning with it.
        section = stripped.upper()
        return [_nace_match(entry) for entry in entries if entry.nace_code == section][:limit]
    query = _split(stripped, lambda token: _NACE_CODE_TOKEN.fullmatch(token) is not None)
    hits = _ranked(
        entries,
        # Sections (letters) have no digits to start with a numeric prefix.
        lambda entry: entry.nace_code.replace(".", "") if entry.nace_code[0].isdigit() else "",
        lambda entry: (entry.title,),
        query,
        limit,
    )
    return [_nace_match(entry) for entry in hits]


def _nace_match(entry: NaceActivity) -> NaceMatch:
    return NaceMatch(nace_code=entry.nace_code, level_name=entry.level_name, title=entry.title)
