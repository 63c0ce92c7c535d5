"""The text catalogues, one per language: `en.py` and `es.py`, plus any part files `<lang>_<part>.py`.

A page or feature may keep its strings in a part of its own (`en_translate.py` with `es_translate.py`,
each defining `MESSAGES: dict[str, str]`); `with_parts` merges every part of a language into its
catalogue, so `en.MESSAGES` holds them all. A key defined twice is an error, not an override.
"""

from __future__ import annotations

import importlib
import pkgutil


def with_parts(lang: str, core: dict[str, str]) -> dict[str, str]:
    """`core` merged with the MESSAGES of every module `<lang>_*.py` in this folder, in name order."""
    merged = dict(core)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith(f"{lang}_"):
            continue
        part: dict[str, str] = importlib.import_module(f"{__name__}.{info.name}").MESSAGES
        if twice := sorted(merged.keys() & part.keys()):
            raise ValueError(f"ui/locales/{info.name}.py defines keys already defined: {', '.join(twice)}")
        merged.update(part)
    return merged
