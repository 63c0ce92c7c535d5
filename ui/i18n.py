"""Every string the user sees, looked up by key in one catalogue per language (ui/locales/)."""

from __future__ import annotations

from string import Formatter
from typing import Any

from .locales import en, es

CATALOGUES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "es": es.MESSAGES}
LANGUAGES: tuple[str, ...] = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"


def translate(lang: str, msg: str, /, **values: Any) -> str:
    """The message `msg` in `lang` with its {placeholders} filled; English if the key is missing."""
    catalogue = CATALOGUES.get(lang, CATALOGUES[DEFAULT_LANGUAGE])
    template = catalogue.get(msg) or CATALOGUES[DEFAULT_LANGUAGE][msg]
    return template.format(**values) if values else template


def placeholders(template: str) -> set[str]:
    """The names of a template's {placeholders}."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def language_from_locale(locale: str | None) -> str:
    """'es-ES', 'es_MX', 'es' -> 'es'; anything else -> the default language."""
    if locale:
        code = locale.replace("_", "-").split("-")[0].lower()
        if code in CATALOGUES:
            return code
    return DEFAULT_LANGUAGE
