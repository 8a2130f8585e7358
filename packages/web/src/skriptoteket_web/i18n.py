"""Gettext catalogs (Babel) and language negotiation.

Catalogs live in ``locale/<lang>/LC_MESSAGES/messages.po``; message ids are English and the
Swedish catalog holds the spec's texts (UI-01, UI-06). The ``.po`` files are compiled in memory
when the app starts. The school's language (``SKRIPTOTEKET_DEFAULT_LANGUAGE``, Swedish) is used
unless the person chose another (issue 11): the browser's ``Accept-Language`` never switches it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from babel.core import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from skriptoteket_web.web_settings import SUPPORTED_LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
_BABEL_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
_DATETIME_FORMATS = {"sv": "yyyy-MM-dd HH:mm", "en": "d MMM yyyy, HH:mm"}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def load_translations(lang: str) -> Translations:
    """Compile ``lang``'s ``.po`` in memory; an empty msgstr falls back to the English id."""
    with po_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=_BABEL_LOCALES[lang])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def chosen_language(choice: str | None, default: str) -> str:
    """The language the person chose if it is one we have, else ``default``."""
    return choice if choice in SUPPORTED_LANGUAGES else default


@cache
def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@attrs.frozen
class Translator:
    """One request's language: gettext plus locale-aware formatting."""

    lang: str
    translations: Translations
    timezone: str = "Europe/Stockholm"

    def gettext(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def datetime(self, value: datetime | None) -> str:
        """UI-09: ``YYYY-MM-DD HH:MM`` in Swedish, in the school's time zone."""
        if value is None:
            return ""
        return format_datetime(
            value,
            _DATETIME_FORMATS[self.lang],
            tzinfo=_zone(self.timezone),
            locale=_babel_locale(self.lang),
        )

    def number(self, value: float, *, decimals: int = 0) -> str:
        """A number as the language writes it: ``1\u00a0234`` and ``1,5`` in Swedish,
        ``1,234`` and ``1.5`` in English."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=_babel_locale(self.lang))


@cache
def _babel_locale(lang: str) -> Locale:
    """Parsed once: babel parses a locale name on every call otherwise (a history page
    formats a hundred dates)."""
    return Locale.parse(_BABEL_LOCALES[lang])


def translator(lang: str, timezone: str = "Europe/Stockholm") -> Translator:
    return Translator(lang=lang, translations=load_translations(lang), timezone=timezone)


def catalog_messages(lang: str) -> Mapping[str, str]:
    """msgid → msgstr of a catalog (for tests and tooling)."""
    with po_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=_BABEL_LOCALES[lang])
    return {str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.id, str)}
