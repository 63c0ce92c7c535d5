"""Whether the page is on a phone, and how wide the main column is there: figures size their text to fit."""

from __future__ import annotations

import streamlit as st

PHONE_WIDTH = 358  # a 390 px phone less Streamlit's side padding
DESKTOP_WIDTH = 900  # the main column at 1280-1400 px with the sidebar open, or 1024 px without it


def is_phone() -> bool:
    """Whether the browser is a phone's, from its User-Agent ("Mobi", as MDN recommends).

    The server cannot see the window's width; a phone's browser says it is one on every request.
    """
    try:
        return "Mobi" in str(st.context.headers.get("User-Agent", ""))
    except Exception:  # no browser context (bare mode, some test runners)
        return False
