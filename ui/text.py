"""Safe display of user-supplied text in Streamlit's markdown-rendering elements."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md_escape(text: str, limit: int = 60) -> str:
    """Backslash-escape markdown so user text (a sentence, a URL value) shows literally.

    Long values are cut to `limit` characters with an ellipsis, so a hostile URL cannot flood a message.
    """
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + "…"
    s = s.replace("\n", " ").replace("\r", " ")
    return _MD_SPECIAL.sub(r"\\\1", s)
