"""Every text of the pages has its Finnish translation, with the same placeholders."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
CATALOGUE = ROOT / "src/sidestream/entrypoints/web/locales/fi/LC_MESSAGES/sidestream.po"
# As `make messages` extracts them (Makefile): the reasons' templates are the second argument.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "gettext_noop": None,
    "add": (2,),
    "fail": (2,),
    "single": (2,),
    "field_error": (2,),
    "phrase": None,
    "Forbidden": None,
    "Conflict": None,
    "ProblemKind": (3,),
}


def _texts_of_the_pages() -> set[str | tuple[str, ...]]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[str | tuple[str, ...]] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_text_of_the_pages_has_a_finnish_translation() -> None:
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file, locale="fi")
    texts = _texts_of_the_pages()
    assert len(texts) > 100  # the extraction found the templates
    untranslated = []
    for text in texts:
        key = text[0] if isinstance(text, tuple) else text
        message = catalogue.get(key)
        strings = (message.string,) if message and isinstance(message.string, str) else ()
        if message and isinstance(message.string, tuple):
            strings = message.string
        if not strings or not all(strings):
            untranslated.append(key)
    assert not untranslated, f"run `make messages` and translate: {sorted(untranslated)}"


def test_translations_keep_their_placeholders() -> None:
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file, locale="fi")
    problems = [(message.id, errors) for message, errors in catalogue.check() if errors]
    assert not problems
