"""Markdown escaping, the one place for it: the app's messages and the exported notebook's cells."""

from __future__ import annotations

import re

# Every ASCII punctuation mark markdown (CommonMark, Streamlit, Jupyter) may read as syntax; a
# backslash before any ASCII punctuation is always valid and shows the mark itself.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'])")


def escape_markdown(text: str, limit: int | None = None) -> str:
    """`text` shown literally in markdown, on one line; cut to `limit` characters with an ellipsis if given."""
    s = str(text)
    if limit is not None and len(s) > limit:
        s = s[:limit] + "…"
    return _MD_SPECIAL.sub(r"\\\1", s.replace("\n", " ").replace("\r", " "))
