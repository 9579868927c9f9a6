"""Sentences the domain composes for people (a proposal's reasons, its score in words), kept
translatable: a Phrase is the English text itself, a str, and remembers the template it was
made from and the values put in, which may be phrases in turn. A page says it in its reader's
language by translating the template and its phrase values; everything else reads the English.
"""

from __future__ import annotations


class Phrase(str):
    template: str
    params: tuple[tuple[str, object], ...]

    def __new__(cls, template: str, **params: object) -> Phrase:
        text = template.format(**{name: str(value) for name, value in params.items()})
        made = super().__new__(cls, text)
        made.template = template
        made.params = tuple(params.items())
        return made


def phrase(template: str, **params: object) -> Phrase:
    """The English sentence the template makes with these values (marked for translation:
    `make messages` extracts the templates of phrase() calls)."""
    return Phrase(template, **params)
