"""Safe display of user-supplied text in Streamlit's markdown-rendering elements."""

from __future__ import annotations

import re

from attention_core.markdown import escape_markdown


def md_escape(text: str, limit: int = 60) -> str:
    """Backslash-escape markdown so user text (a sentence, a URL value) shows literally.

    Long values are cut to `limit` characters with an ellipsis, so a hostile URL cannot flood a message.
    """
    return escape_markdown(text, limit)


def stacked(formula: str) -> str:
    r"""A formula made of parts joined by ",\quad" or ",\qquad", with one part per line.

    On a phone a one-line formula of several parts ran past the screen edge and scrolled (axe:
    scrollable-region-focusable); stacked, each line fits. Separators inside \left…\right are kept.
    """
    parts = re.split(r",\s*\\q?quad\s*", formula)
    if len(parts) == 1 or any(p.count(r"\left") != p.count(r"\right") for p in parts):
        return formula
    return r"\begin{gathered}" + r" \\ ".join(p.strip() for p in parts) + r"\end{gathered}"
