"""Safe display of user-supplied text in Streamlit's markdown-rendering elements."""

from __future__ import annotations

from attention_core.markdown import escape_markdown


def md_escape(text: str, limit: int = 60) -> str:
    """Backslash-escape markdown so user text (a sentence, a URL value) shows literally.

    Long values are cut to `limit` characters with an ellipsis, so a hostile URL cannot flood a message.
    """
    return escape_markdown(text, limit)
