"""Sentences the domain composes for people (a proposal's reasons, its score in words), kept
translatable: a Phrase is the English text itself, a str, and remembers the template it was
made from and the values put in, which may be phrases in turn. A page says it in its reader's
language by translating the template and its phrase values; everything else reads the English.
"""

from __future__ import annotations

from collections.abc import Sequence


class Phrase(str):
    template: str
    params: tuple[tuple[str, object], ...]

    def __new__(cls, template: str, **params: object) -> Phrase:
        text = template.format(**{name: str(value) for name, value in params.items()})
        made = super().__new__(cls, text)
        made.template = template
        made.params = tuple(params.items())
        return made


class Named(str):
    """A name from the reference data, the English text itself, with its names in other
    languages as the data gives them (a requirement, a rule set): pages say it in their
    reader's language where the data has it, everything else reads the English."""

    names: tuple[tuple[str, str], ...]  # (language, name)

    def __new__(cls, english: str, **names: str) -> Named:
        made = super().__new__(cls, english)
        made.names = tuple((language, name) for language, name in names.items() if name)
        return made

    def in_language(self, language: str) -> str:
        return dict(self.names).get(language, str(self))


def either(names: Sequence[str]) -> str:
    """'a', 'a or b', 'a or b or c', as a phrase whose names stay translatable."""
    if not names:
        return ""
    said: str = names[0]
    for name in names[1:]:
        said = phrase("{first} or {second}", first=said, second=name)
    return said


def phrase(template: str, **params: object) -> Phrase:
    """The English sentence the template makes with these values (marked for translation:
    `make messages` extracts the templates of phrase() calls)."""
    return Phrase(template, **params)
