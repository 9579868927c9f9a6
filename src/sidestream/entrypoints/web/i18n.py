"""English and Finnish for the pages: gettext catalogues (locales/<lang>/LC_MESSAGES/
sidestream.po, compiled when loaded), the language each request is answered in, and numbers
and dates formatted for it.

The language is, in order: `?lang=` (remembered in the `sidestream_lang` cookie), that cookie,
the browser's Accept-Language, English. Templates mark text with `_()`; `make messages`
extracts it into locales/sidestream.pot and updates the catalogues.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from fastapi import Request

from sidestream.domain.errors import FieldError
from sidestream.domain.phrases import Named, Phrase
from sidestream.domain.visibility import ListingView

LANGUAGES = ("en", "fi")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "sidestream_lang"
LANGUAGE_NAMES = {"en": "English", "fi": "suomi"}
LOCALE_DIRECTORY = Path(__file__).parent / "locales"
DOMAIN = "sidestream"

_language: ContextVar[str] = ContextVar("sidestream_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of a language, compiled from its .po file (English is the source)."""
    path = LOCALE_DIRECTORY / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po_file:
        catalogue = read_po(po_file, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def negotiate_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


async def request_language(request: Request) -> None:
    """A dependency of every page: the request's language, set before the page's code runs
    (async, so that the threads which run the page's code inherit it)."""
    use_language(negotiate_language(request))


def use_language(language: str) -> None:
    """Answer the rest of this request in the language (templates render synchronously)."""
    _language.set(language)


def gettext(message: str) -> str:
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, count)


def format_number(value: float | int | None, digits: int = 0) -> str:
    """1 234,5 in Finnish, 1,234.5 in English; an empty string for None."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=Locale.parse(_language.get()))


def format_day(value: date | str | None) -> str:
    """23.11.2026 in Finnish, Nov 23, 2026 in English."""
    if value is None or value == "":
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, format="medium", locale=Locale.parse(_language.get()))


def format_quantity(listing: ListingView) -> str:
    """A listing's quantity in the page's language: '1 234 t/v', '1 000–10 000 t/v', 'alle
    100 t/v' (the band for an anonymous listing), from the numbers its view carries."""
    shown = listing.quantity_shown
    if shown is None:
        return listing.quantity
    unit = gettext(shown.unit)
    if shown.amount is not None:
        digits = 0 if shown.amount >= 10 else 3
        return f"{format_number(shown.amount, digits)} {unit}"
    if shown.band_low is None:
        return gettext("under %(amount)s %(unit)s") % {
            "amount": format_number(shown.band_high),
            "unit": unit,
        }
    if shown.band_high is None:
        return gettext("over %(amount)s %(unit)s") % {
            "amount": format_number(shown.band_low),
            "unit": unit,
        }
    return f"{format_number(shown.band_low)}–{format_number(shown.band_high)} {unit}"


def translate_error(error: FieldError) -> str:
    """Why a field is wrong, in the page's language when its reason has a template."""
    if error.template is None:
        return error.reason
    try:
        return gettext(error.template).format(**dict(error.params))
    except (KeyError, IndexError, ValueError):  # a broken translation never hides the reason
        return error.reason


def say(text: object) -> str:
    """A sentence the domain composed (a Phrase), or a name the data gives in more languages
    (a Named), in the page's language; other text as it is."""
    if isinstance(text, Named):
        return text.in_language(_language.get())
    if not isinstance(text, Phrase):
        return str(text)
    values = {name: say(value) for name, value in text.params}
    try:
        return gettext(text.template).format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation never hides the sentence
        return str(text)


def gettext_noop(message: str) -> str:
    """Marks text for translation where it is defined (make messages extracts it); the
    template translates it when it is shown."""
    return message


# Words that templates translate from values (a synergy's stage, a proposal's status, an
# impact selection): named here so that `make messages` extracts them.
VALUE_WORDS = (
    gettext_noop("proposed"),
    gettext_noop("contacted"),
    gettext_noop("negotiating"),
    gettext_noop("lab test"),
    gettext_noop("pilot"),
    gettext_noop("realised"),
    gettext_noop("dropped"),
    gettext_noop("accepted"),
    gettext_noop("declined"),
    gettext_noop("agreed"),
    gettext_noop("pipeline"),
    gettext_noop("micro"),
    gettext_noop("small"),
    gettext_noop("medium"),
    gettext_noop("large"),
    gettext_noop("waste"),
    gettext_noop("by_product"),
    gettext_noop("end_of_waste"),
    gettext_noop("product"),
    gettext_noop("within"),
    gettext_noop("exceeds"),
    gettext_noop("missing"),
    gettext_noop("total content"),
    gettext_noop("leaching, L/S 2 l/kg"),
    gettext_noop("leaching, L/S 10 l/kg"),
    gettext_noop("road"),
    gettext_noop("rail"),
    gettext_noop("sea"),
    gettext_noop("t/yr"),
    gettext_noop("t/batch"),
    gettext_noop("MWh/yr"),
    gettext_noop("m3/yr"),
)
