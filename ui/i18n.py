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


def plural_form(lang: str, n: int) -> str:
    """The catalogue suffix for a count: English and Spanish both say "1 head / 2 heads", "0 heads"."""
    return "one" if n == 1 else "other"


def translate_plural(lang: str, msg: str, n: int, /, **values: Any) -> str:
    """The message `msg.one` or `msg.other` for the count `n`, with {n} and the other placeholders filled.

    Each plural message has two keys in every catalogue, e.g. "multihead.heads_explain.one" and
    "multihead.heads_explain.other"; write real plurals, never "head(s)".
    """
    return translate(lang, f"{msg}.{plural_form(lang, n)}", n=n, **values)


DECIMAL_COMMA = {"es"}  # languages whose prose writes 0,5 (tables keep the point, like the notebook)


def format_number(lang: str, value: float, decimals: int | None = 4) -> str:
    """A number for prose in `lang`: "0.1984" in English, "0,1984" in Spanish; decimals=None: shortest ("0.1")."""
    text = f"{value:g}" if decimals is None else f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang in DECIMAL_COMMA else text


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
